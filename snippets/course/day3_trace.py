"""Day 3, Pathway A: the UOp debugger a learner ends the day with (tgkit.trace is the full version)."""
# --8<-- [start:run]
import collections
import dataclasses

from tinygrad import Device, Tensor
from tinygrad.codegen import to_program
from tinygrad.engine.realize import run_linear
from tinygrad.uop import Ops
from tinygrad.uop.spec import spec_tensor, type_verify


@dataclasses.dataclass
class Trace:
  histogram: dict          # op name -> count in the tensor graph
  steps: list              # (kind, name) per scheduled call: kernel or copy
  kernels: list            # (name, source) per kernel

  @property
  def kernel_count(self) -> int: return len(self.kernels)


def trace(build) -> Trace:
  """Trace a fresh tensor from build(): graph, schedule, kernel source; then run it so it stays valid."""
  t = build()
  type_verify(t.uop, spec_tensor)
  hist = dict(collections.Counter(u.op.name for u in t.uop.toposort()))
  linear, steps, kernels = t.schedule_linear(), [], []
  for call in linear.src:
    ast = call.src[0]
    if ast.op is Ops.SINK:
      prg = to_program(ast, Device[call.src[1].device].renderer)
      steps.append(("kernel", prg.arg.function_name))
      kernels.append((prg.arg.function_name, next(s.arg for s in prg.src if s.op is Ops.SOURCE)))
    else: steps.append(("copy" if ast.op is Ops.COPY else "other", ast.op.name))
  run_linear(linear)
  return Trace(hist, steps, kernels)


x = Tensor.ones(16, 16).contiguous().realize()
for name, build in [("x+1", lambda: x + 1), ("softmax", lambda: x.softmax(-1)), ("(x@x).relu()", lambda: (x @ x).relu())]:
  tr = trace(build)
  print(f"{name:14s} {tr.kernel_count} kernel(s): {[n for _, n in tr.steps]}  graph size {sum(tr.histogram.values())}")
assert trace(lambda: x + 1).kernel_count == 1
assert trace(lambda: x.softmax(-1)).kernel_count == 3   # the max, the sum of exponentials, the division
assert trace(lambda: (x @ x).relu()).kernel_count == 1  # the relu is fused into the matmul
# --8<-- [end:run]
