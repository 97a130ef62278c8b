"""Day 6, Pathway A step 4: a training loop under TRAINING, checked step by step against a reference run."""
import numpy as np
from tinygrad import Context, Tensor, nn
from tinygrad.nn.state import get_parameters

from tgkit.learn import Exercise, expect, function

ORDER = 3
EXERCISE = Exercise(
  id="d6-fit", day=6, pathway="A", kind="code", minutes=25,
  title="A training loop",
  statement="""
Write `fit(model, opt, X, Y, steps)`: train `model` with the optimizer `opt` on the mean squared error
`((model(X) - Y) ** 2).mean()` for `steps` steps and return the list of losses, one float per step, each read with
`loss.item()` after that step's `opt.step()`. An optimizer step is refused unless `TRAINING` is set; set it for your loop with
`Context(TRAINING=1)` (as a `with` block or as a decorator). Each step starts from fresh gradients.

The checker runs your loop with SGD with momentum and with Adam on `y = 3x + 2`, and compares every loss with a
reference run from the same starting weights.
""",
  hints=(
    "`with Context(TRAINING=1):` around the loop: without it `opt.step()` raises `RuntimeError: TRAINING=0, ...`.",
    "`backward()` adds to `.grad` when it is already set: call `opt.zero_grad()` at the start of every step.",
    "`loss = ((model(X) - Y) ** 2).mean().backward()` returns the loss tensor; `opt.step()`, then `loss.item()`.",
  ),
  wrong={
    "no zero_grad (gradients add up)": '''
from tinygrad import Context
def fit(model, opt, X, Y, steps):
  losses = []
  with Context(TRAINING=1):
    for _ in range(steps):
      loss = ((model(X) - Y) ** 2).mean().backward()
      opt.step()
      losses.append(loss.item())
  return losses
''',
    "TRAINING not set": '''
def fit(model, opt, X, Y, steps):
  losses = []
  for _ in range(steps):
    opt.zero_grad()
    loss = ((model(X) - Y) ** 2).mean().backward()
    opt.step()
    losses.append(loss.item())
  return losses
''',
    "a summed loss instead of the mean": '''
from tinygrad import Context
def fit(model, opt, X, Y, steps):
  losses = []
  with Context(TRAINING=1):
    for _ in range(steps):
      opt.zero_grad()
      loss = ((model(X) - Y) ** 2).sum().backward()
      opt.step()
      losses.append(loss.item())
  return losses
''',
  },
)

# --8<-- [start:solution]
from tinygrad import Context

def fit(model, opt, X, Y, steps: int) -> list[float]:
  """Train model with opt on the mean squared error for `steps` steps: each step's loss, read after its update."""
  losses = []
  with Context(TRAINING=1):   # the optimizer refuses to step otherwise
    for _ in range(steps):
      opt.zero_grad()         # backward adds to .grad when it is already set
      loss = ((model(X) - Y) ** 2).mean().backward()
      opt.step()
      losses.append(loss.item())
  return losses
# --8<-- [end:solution]


def _setup(make_opt):
  Tensor.manual_seed(0)
  model = nn.Linear(1, 1)
  X = (Tensor.rand(32, 1) * 4 - 2).realize()
  return model, make_opt(get_parameters(model)), X, (3 * X + 2).realize()


def _reference(model, opt, X, Y, steps):
  losses = []
  with Context(TRAINING=1):
    for _ in range(steps):
      opt.zero_grad()
      loss = ((model(X) - Y) ** 2).mean().backward()
      opt.step()
      losses.append(loss.item())
  return losses


def check(mod):
  fit = function(mod, "fit")
  for what, make_opt in [("SGD(lr=0.05, momentum=0.9)", lambda p: nn.optim.SGD(p, lr=0.05, momentum=0.9)),
                         ("Adam(lr=0.1)", lambda p: nn.optim.Adam(p, lr=0.1))]:
    want = _reference(*_setup(make_opt), 8)
    got = fit(*_setup(make_opt), 8)
    expect(isinstance(got, list) and len(got) == 8, f"fit with {what} for 8 steps returned {got!r:.80}; want a list of 8 losses", EXERCISE.hints[2])
    got = [float(v) for v in got]
    bad = next((i for i, (g, w) in enumerate(zip(got, want)) if not np.isclose(g, w, rtol=1e-4, atol=1e-6)), None)
    expect(bad is None, f"fit with {what}: the loss of step {bad} is {got[bad] if bad is not None else 0:.6g}; the reference run "
           f"has {want[bad] if bad is not None else 0:.6g} (losses {[round(v, 4) for v in got[:4]]}... against "
           f"{[round(v, 4) for v in want[:4]]}...)", EXERCISE.hints[1] if bad else EXERCISE.hints[2])
