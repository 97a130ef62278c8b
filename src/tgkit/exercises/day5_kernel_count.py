"""Day 5, Pathway A step 1: how many kernels an expression schedules (copies are not kernels), and run what was scheduled."""
import numpy as np
from tinygrad import Tensor
from tinygrad.engine.realize import run_linear
from tinygrad.uop import Ops

from tgkit.learn import Exercise, expect, function

ORDER = 1
EXERCISE = Exercise(
  id="d5-kernel-count", day=5, pathway="A", kind="code", minutes=20,
  title="Count the kernels of an expression",
  statement="""
Write `kernel_count(build)`: call `build()` to get a lazy tensor, schedule it with `Tensor.schedule_linear()`, and return
how many **kernels** the resulting `LINEAR` holds. A `LINEAR`'s sources are `CALL`s; a kernel's `CALL` has the kernel's
AST (a `SINK` UOp) as its first source, a copy's `CALL` has a `COPY` there. Copies are not kernels. Then run the
`LINEAR` with `run_linear`, so that the tensor is realized: a tensor that was scheduled and never run keeps a buffer
that nothing ever fills.

The checker counts for a fused chain, a chain broken by `.contiguous()`, a softmax and a tensor made from a numpy
array (a copy, then one kernel), and checks that the tensor `build()` returned is realized afterwards.
""",
  hints=(
    "`linear = build().schedule_linear()`, then look at `call.src[0].op` for each `call` in `linear.src`.",
    "Count only the calls whose first source is a `SINK`: `sum(call.src[0].op is Ops.SINK for call in linear.src)`.",
    "`from tinygrad.engine.realize import run_linear`; `run_linear(linear)` runs every call in order.",
  ),
  wrong={
    "every CALL counted, copies too": '''
from tinygrad.engine.realize import run_linear
def kernel_count(build):
  linear = build().schedule_linear()
  run_linear(linear)
  return len(linear.src)
''',
    "scheduled but never run": '''
from tinygrad.uop import Ops
def kernel_count(build):
  return sum(call.src[0].op is Ops.SINK for call in build().schedule_linear().src)
''',
    "GlobalCounters after realize (it counts copies)": '''
from tinygrad import GlobalCounters
def kernel_count(build):
  GlobalCounters.reset()
  build().realize()
  return GlobalCounters.kernel_count
''',
  },
)

# --8<-- [start:solution]
from tinygrad.engine.realize import run_linear
from tinygrad.uop import Ops

def kernel_count(build) -> int:
  """Schedule the tensor build() returns and count its kernels: the CALLs of the LINEAR whose first source is a
  kernel's AST (a SINK), not copies (COPY). Then run the LINEAR, so the tensor is realized."""
  linear = build().schedule_linear()
  run_linear(linear)   # always run what you schedule: otherwise the tensor points at a buffer nothing filled
  return sum(call.src[0].op is Ops.SINK for call in linear.src)
# --8<-- [end:solution]


def _reference(build) -> int:
  linear = build().schedule_linear()
  run_linear(linear)
  return sum(call.src[0].op is Ops.SINK for call in linear.src)


def check(mod):
  kernel_count = function(mod, "kernel_count")
  x = Tensor.ones(16, 16).contiguous().realize()
  cases = [("(x*2+1).sum()", lambda: (x * 2 + 1).sum()), ("(x*2).contiguous().sum()", lambda: (x * 2).contiguous().sum()),
           ("x.softmax(-1)", lambda: x.softmax(-1)), ("Tensor(np.ones(4)) + 1", lambda: Tensor(np.ones(4, dtype=np.float32)) + 1)]
  for what, build in cases:
    want = _reference(build)
    made: list[Tensor] = []
    got = kernel_count(lambda b=build: made.append(b()) or made[-1])
    expect(got == want, f"kernel_count on {what} returned {got!r}; it schedules {want} kernel(s)",
           EXERCISE.hints[1] if "np" in what else EXERCISE.hints[0])
    expect(len(made) == 1, f"kernel_count on {what} called build() {len(made)} times; call it once and use that tensor",
           "keep the tensor: `t = build()`")
    expect(made[0].uop.is_realized, f"after kernel_count on {what} the tensor is not realized: the LINEAR was scheduled but not run",
           EXERCISE.hints[2])
