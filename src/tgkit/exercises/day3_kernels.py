"""Day 3, Pathway A step 4: the kernels a tensor becomes, and their source."""
from tinygrad import Device, Tensor
from tinygrad.codegen import to_program
from tinygrad.engine.realize import run_linear
from tinygrad.uop import Ops

from tgkit.learn import Exercise, expect, function

ORDER = 2
EXERCISE = Exercise(
  id="d3-kernels", day=3, pathway="A", kind="code", minutes=30,
  title="List the kernels and their source",
  statement="""
Write `kernels(t)`: schedule `t` with `t.schedule_linear()` (a `LINEAR` UOp whose sources are `CALL`s), and
for every call whose first source is a kernel AST (a `SINK`) lower it with `to_program(ast, renderer)` for the
device of the call's first buffer (`call.src[1].device`). Return `(function name, source)` per kernel, in
schedule order; leave out the other calls (copies). Afterwards `t` must still hold its value.

The checker calls it on a matmul with a relu and a row sum (one kernel, after a copy of the list data) and on a
softmax (three kernels), compares the names with the real schedule, and then reads the tensors.
""",
  hints=(
    "The program is a `PROGRAM` UOp: its name is `prg.arg.function_name`, its source the `arg` of the source whose op is `Ops.SOURCE`.",
    "`Device[call.src[1].device].renderer` is the renderer of the device the kernel runs on.",
    "Scheduling points `t` at buffers that are filled only when the schedule runs: call `run_linear(linear)` before "
    "returning, or `t.tolist()` reads zeros.",
  ),
  wrong={
    "the schedule is never run": '''
from tinygrad import Device
from tinygrad.codegen import to_program
from tinygrad.uop import Ops
def kernels(t):
  out = []
  for call in t.schedule_linear().src:
    if call.src[0].op is Ops.SINK:
      prg = to_program(call.src[0], Device[call.src[1].device].renderer)
      out.append((prg.arg.function_name, next(s.arg for s in prg.src if s.op is Ops.SOURCE)))
  return out
''',
    "copies counted as kernels": '''
from tinygrad import Device
from tinygrad.codegen import to_program
from tinygrad.engine.realize import run_linear
from tinygrad.uop import Ops
def kernels(t):
  linear, out = t.schedule_linear(), []
  for call in linear.src:
    if call.src[0].op is Ops.SINK:
      prg = to_program(call.src[0], Device[call.src[1].device].renderer)
      out.append((prg.arg.function_name, next(s.arg for s in prg.src if s.op is Ops.SOURCE)))
    else: out.append((call.src[0].op.name, ""))
  run_linear(linear)
  return out
''',
  },
)

# --8<-- [start:solution]
from tinygrad import Device, Tensor
from tinygrad.codegen import to_program
from tinygrad.engine.realize import run_linear
from tinygrad.uop import Ops

def kernels(t: Tensor) -> list[tuple[str, str]]:
  """Schedule `t` and lower each kernel for its device: (function name, source) per kernel, in schedule order,
  without the copies. Runs the schedule before returning, so `t` holds its value afterwards."""
  linear, out = t.schedule_linear(), []
  for call in linear.src:
    ast = call.src[0]
    if ast.op is Ops.SINK:
      prg = to_program(ast, Device[call.src[1].device].renderer)
      out.append((prg.arg.function_name, next(s.arg for s in prg.src if s.op is Ops.SOURCE)))
  run_linear(linear)
  return out
# --8<-- [end:solution]


def _names(t: Tensor) -> list[str]:
  linear = t.schedule_linear()
  names = [to_program(c.src[0], Device[c.src[1].device].renderer).arg.function_name for c in linear.src if c.src[0].op is Ops.SINK]
  run_linear(linear)
  return names


def check(mod):
  kernels = function(mod, "kernels")
  # each build gets its own input values: a graph that was scheduled and run before reads its value without running again
  cases = [("(x @ x).relu().sum(axis=1) with x = Tensor([[1.0, 2.0], [3.0, 4.0]])",
            lambda v: (lambda x: (x @ x).relu().sum(axis=1))(Tensor([[v, 2.0], [3.0, 4.0]])), [17.0, 37.0]),
           ("Tensor.full((4, 4), 1.0).softmax(-1)", lambda v: Tensor.full((4, 4), v).contiguous().realize().softmax(-1), [[0.25] * 4] * 4)]
  for what, build, value in cases:
    t, want = build(1.0), _names(build(-1.0))
    got = kernels(t)
    expect(isinstance(got, list) and all(isinstance(k, tuple) and len(k) == 2 for k in got),
           f"kernels({what}) returned {got!r:.80}; it should be a list of (name, source) tuples")
    expect([n for n, _ in got] == want, f"kernels({what}) named {[n for n, _ in got]}; the schedule has the kernels {want}",
           "keep only the calls whose first source is a SINK; a COPY is not a kernel")
    expect(all(n in s for n, s in got), f"kernels({what}): a source does not contain its kernel's name",
           "the source is the arg of the PROGRAM's source UOp whose op is Ops.SOURCE")
    expect(t.tolist() == value, f"after kernels({what}) the tensor reads {t.tolist()}, not {value}",
           "run the schedule (run_linear(linear)) before returning")
