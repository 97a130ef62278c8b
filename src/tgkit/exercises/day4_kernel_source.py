"""Day 4, Pathway A step 3: one expression lowered for several targets, compile-only ones included."""
from tinygrad import Context, Device, Tensor
from tinygrad.codegen import to_program
from tinygrad.uop import Ops

from tgkit.learn import Exercise, expect, function

ORDER = 3
EXERCISE = Exercise(
  id="d4-kernel-source", day=4, pathway="A", kind="code", minutes=30,
  title="The same kernel for several targets",
  statement="""
Write `kernel_source(build, target)`: build a fresh tensor with `build()` for the `DEV=` string `target`, schedule it,
and lower every kernel with the target's renderer. Return `(function name, source)` per kernel. Nothing runs, so the
target may be compile-only: `NULL:OPENCL` gives OpenCL C, `NULL:WGSL` WebGPU's shader language, `PYTHON` a pickle of the
kernel's UOps (base64 text), `NULL` C-like source.

The checker compares your result for `(Tensor.empty(4, 4) * 2 + 1).sum(axis=1)` with the real kernels for those four
targets.
""",
  hints=(
    "Both the tensor and the renderer must come from the target: do the build, the scheduling and the lowering inside "
    "`with Context(DEV=target):`.",
    "For each call of `linear.src` whose `src[0].op is Ops.SINK`: `to_program(call.src[0], Device[call.src[1].device].renderer)`.",
  ),
  wrong={
    "scheduled outside the target": '''
from tinygrad import Device
from tinygrad.codegen import to_program
from tinygrad.uop import Ops
def kernel_source(build, target):
  linear = build().schedule_linear()
  r = Device[target.split(":")[0]].renderer
  progs = [to_program(c.src[0], r) for c in linear.src if c.src[0].op is Ops.SINK]
  return [(p.arg.function_name, next(s.arg for s in p.src if s.op is Ops.SOURCE)) for p in progs]
''',
  },
)

# --8<-- [start:solution]
from tinygrad import Context, Device
from tinygrad.codegen import to_program
from tinygrad.uop import Ops

def kernel_source(build, target: str) -> list[tuple[str, str]]:
  """Build a fresh tensor with build() for the DEV string `target`, schedule it and lower each kernel with the
  target's renderer: (function name, source) per kernel. Nothing runs, so compile-only targets work."""
  with Context(DEV=target):
    linear = build().schedule_linear()
    progs = [to_program(c.src[0], Device[c.src[1].device].renderer) for c in linear.src if c.src[0].op is Ops.SINK]
  return [(p.arg.function_name, next(s.arg for s in p.src if s.op is Ops.SOURCE)) for p in progs]
# --8<-- [end:solution]


def check(mod):
  kernel_source = function(mod, "kernel_source")
  build = lambda: (Tensor.empty(4, 4) * 2 + 1).sum(axis=1)  # noqa: E731
  for target in ("NULL:OPENCL", "NULL:WGSL", "PYTHON", "NULL"):
    with Context(DEV=target):
      linear = build().schedule_linear()
      progs = [to_program(c.src[0], Device[c.src[1].device].renderer) for c in linear.src if c.src[0].op is Ops.SINK]
    want = [(p.arg.function_name, next(s.arg for s in p.src if s.op is Ops.SOURCE)) for p in progs]
    got = kernel_source(build, target)
    names = [k[0] for k in got] if isinstance(got, list) else got
    expect(names == [n for n, _ in want], f"kernel_source(build, {target!r}) gave the kernels {names!r}; want {[n for n, _ in want]}")
    for (_, g), (_, w) in zip(got, want):
      expect(g == w, f"kernel_source(build, {target!r}): the source starts {g[:50]!r}, but {target}'s renderer writes {w[:50]!r}",
             EXERCISE.hints[0])
