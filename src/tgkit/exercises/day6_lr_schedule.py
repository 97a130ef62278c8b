"""Day 6, Pathway A step 6: a cosine learning-rate schedule, and setting an optimizer's rate so a TinyJit step sees it."""
import math

from tgkit import nn as tgnn
from tgkit.learn import Exercise, expect, function

ORDER = 4
EXERCISE = Exercise(
  id="d6-lr-schedule", day=6, pathway="A", kind="code", minutes=25,
  title="A learning-rate schedule",
  statement="""
tinygrad's package has no learning-rate scheduler: build one.

- `cosine_lr(step, base_lr, total, min_lr=0.0)`: the rate of step `step` (0, 1, 2, ...) on half a cosine, `base_lr` at
  step 0 and `min_lr` at step `total`, `min_lr + (base_lr - min_lr) * (1 + cos(pi * step / total)) / 2`, and `min_lr`
  for every step after `total`.
- `set_lr(opt, lr)`: make the optimizer `opt` use the rate `lr` from its next step on. tinygrad keeps the rate in
  `opt.lr`, a Tensor of one element that the kernels of every step read.

The checker compares `cosine_lr` with the closed form at steps before, at and after `total`, then runs SGD steps
captured by `TinyJit` on a loss whose gradient it knows, calling your `set_lr` with a different rate before each
step, and checks that each step moved the weights by exactly the rate you set.
""",
  hints=(
    "Clamp the step: `t = min(step, total)`, then `min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * t / total)) / 2`.",
    "A `TinyJit` step replays the kernels it captured, and they read the buffer `opt.lr` had then: binding `opt.lr` to "
    "a new Tensor changes nothing they read. Write into that buffer: `opt.lr.assign(...)`.",
    "`assign` is lazy like everything else: a replayed step does not run it. Realize it at once: "
    "`opt.lr.assign(Tensor([lr], dtype=opt.lr.dtype, device=opt.lr.device)).realize()`.",
  ),
  wrong={
    "off by one (step 0 already decayed)": '''
import math
from tinygrad import Tensor
def cosine_lr(step, base_lr, total, min_lr=0.0):
  t = min(step + 1, total)
  return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * t / total)) / 2
def set_lr(opt, lr): opt.lr.assign(Tensor([lr], dtype=opt.lr.dtype, device=opt.lr.device)).realize()
''',
    "no clamp (the rate rises again after total)": '''
import math
from tinygrad import Tensor
def cosine_lr(step, base_lr, total, min_lr=0.0):
  return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * step / total)) / 2
def set_lr(opt, lr): opt.lr.assign(Tensor([lr], dtype=opt.lr.dtype, device=opt.lr.device)).realize()
''',
    "a new Tensor bound to opt.lr": '''
import math
from tinygrad import Tensor
def cosine_lr(step, base_lr, total, min_lr=0.0):
  t = min(step, total)
  return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * t / total)) / 2
def set_lr(opt, lr): opt.lr = Tensor([lr], dtype=opt.lr.dtype, device=opt.lr.device)
''',
    "assign never realized": '''
import math
from tinygrad import Tensor
def cosine_lr(step, base_lr, total, min_lr=0.0):
  t = min(step, total)
  return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * t / total)) / 2
def set_lr(opt, lr): opt.lr.assign(Tensor([lr], dtype=opt.lr.dtype, device=opt.lr.device))
''',
  },
)

# --8<-- [start:solution]
import math

from tinygrad import Tensor

def cosine_lr(step: int, base_lr: float, total: int, min_lr: float = 0.0) -> float:
  """Half a cosine from base_lr (step 0) to min_lr (step total), then min_lr."""
  t = min(step, total)
  return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * t / total)) / 2

def set_lr(opt, lr: float) -> None:
  """Write lr into the optimizer's rate buffer, now: jitted steps read that buffer."""
  opt.lr.assign(Tensor([lr], dtype=opt.lr.dtype, device=opt.lr.device)).realize()
# --8<-- [end:solution]


def _closed(step: int, base: float, total: int, low: float) -> float:
  return base if step == 0 else low if step >= total else low + (base - low) * (1 + math.cos(math.pi * step / total)) / 2


def check(mod):
  cosine_lr, set_lr = function(mod, "cosine_lr"), function(mod, "set_lr")
  for base, total, low in [(0.1, 10, 0.0), (0.5, 4, 0.05)]:
    for step in [0, 1, total // 2, total - 1, total, total + 3]:
      got, want = cosine_lr(step, base, total, low) if low else cosine_lr(step, base, total), _closed(step, base, total, low)
      expect(isinstance(got, (int, float)) and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12),
             f"cosine_lr({step}, {base}, {total}{f', min_lr={low}' if low else ''}) is {got!r}; want {want:.6g}"
             + (" (step 0 is the base rate)" if step == 0 else " (past total the rate stays at min_lr)" if step > total else ""),
             EXERCISE.hints[0])
  opt, rate_used = tgnn.rate_probe()   # jitted SGD steps that report the rate they used
  rate = opt.lr
  for k, lr in enumerate([0.1, 0.2, 0.05, 0.3, 0.01, 0.02]):
    set_lr(opt, lr)
    expect(opt.lr is rate, f"after set_lr(opt, {lr}) opt.lr is another object: the steps TinyJit captures keep reading the old one",
           EXERCISE.hints[1])
    used = rate_used()
    expect(math.isclose(used, lr, rel_tol=1e-5), f"step {k} (TinyJit {'runs it' if k == 0 else 'captures it' if k == 1 else 'replays it'}) moved "
           f"the weights with the rate {used:.4g}, but set_lr set {lr:g} before it", EXERCISE.hints[2])
