"""Day 5, Pathway A step 2: each kernel's FLOPs and bytes, estimated when it is lowered, before it runs."""
import dataclasses

from tinygrad import Device, Tensor
from tinygrad.codegen import to_program
from tinygrad.engine.realize import run_linear
from tinygrad.uop import Ops

from tgkit.learn import Exercise, expect, function

ORDER = 2
EXERCISE = Exercise(
  id="d5-estimates", day=5, pathway="A", kind="code", minutes=25,
  title="FLOPs and bytes per kernel",
  statement="""
Write `estimates(build)`: schedule the tensor `build()` returns, lower every kernel of the `LINEAR` with
`to_program(call.src[0], renderer)` (the renderer of the device of the kernel's first buffer, `call.src[1].device`),
and return one `KernelStat(name, flops, bytes, [])` per kernel, in schedule order. The lowered program's `SINK`
(`prg.src[0]`) carries `Estimates` in `.arg.estimates`: `ops` is the FLOPs, `mem` the bytes of memory the kernel touches
(each byte once), `lds` the bytes of every load and store (a byte read twice counts twice). The name is
`prg.arg.function_name`. Copies are not kernels: skip them. Run the `LINEAR` at the end.

The checker compares your records with the real estimates of a matmul followed by a softmax, and of a tensor made
from a numpy array (a copy, then a kernel).
""",
  hints=(
    "Loop over `linear.src` and keep only the calls with `call.src[0].op is Ops.SINK`: `to_program` cannot lower a COPY.",
    "`prg = to_program(call.src[0], Device[call.src[1].device].renderer)`, then `est = prg.src[0].arg.estimates`.",
    "Bytes moved is `est.mem`, not `est.lds`: a matmul loads each input element many times, but moves it from memory once.",
  ),
  wrong={
    "bytes of every load (lds)": '''
import dataclasses
from tinygrad import Device
from tinygrad.codegen import to_program
from tinygrad.engine.realize import run_linear
from tinygrad.uop import Ops
@dataclasses.dataclass
class KernelStat:
  name: str
  flops: int
  bytes: int
  times_us: list
def estimates(build):
  linear, out = build().schedule_linear(), []
  for call in linear.src:
    if call.src[0].op is Ops.SINK:
      prg = to_program(call.src[0], Device[call.src[1].device].renderer)
      est = prg.src[0].arg.estimates
      out.append(KernelStat(prg.arg.function_name, int(est.ops), int(est.lds), []))
  run_linear(linear)
  return out
''',
    "copies not skipped": '''
import dataclasses
from tinygrad import Device
from tinygrad.codegen import to_program
from tinygrad.engine.realize import run_linear
@dataclasses.dataclass
class KernelStat:
  name: str
  flops: int
  bytes: int
  times_us: list
def estimates(build):
  linear, out = build().schedule_linear(), []
  for call in linear.src:
    prg = to_program(call.src[0], Device[call.src[1].device].renderer)
    est = prg.src[0].arg.estimates
    out.append(KernelStat(prg.arg.function_name, int(est.ops), int(est.mem), []))
  run_linear(linear)
  return out
''',
  },
)

# --8<-- [start:solution]
import dataclasses

from tinygrad import Device
from tinygrad.codegen import to_program
from tinygrad.engine.realize import run_linear
from tinygrad.uop import Ops

@dataclasses.dataclass
class KernelStat:
  name: str
  flops: int
  bytes: int
  times_us: list     # filled by the profiler in step 3

def estimates(build) -> list[KernelStat]:
  """Schedule build(), lower each kernel (not copies) with its device's renderer and read the Estimates on the
  lowered SINK: one KernelStat(function name, FLOPs, bytes moved, []) per kernel, in order. Runs the LINEAR at the end."""
  linear, out = build().schedule_linear(), []
  for call in linear.src:
    if call.src[0].op is Ops.SINK:
      prg = to_program(call.src[0], Device[call.src[1].device].renderer)
      est = prg.src[0].arg.estimates
      out.append(KernelStat(prg.arg.function_name, int(est.ops), int(est.mem), []))
  run_linear(linear)
  return out
# --8<-- [end:solution]


def _reference(build) -> list[tuple[str, int, int]]:
  linear, out = build().schedule_linear(), []
  for call in linear.src:
    if call.src[0].op is Ops.SINK:
      prg = to_program(call.src[0], Device[call.src[1].device].renderer)
      est = prg.src[0].arg.estimates
      out.append((prg.arg.function_name, int(est.ops), int(est.mem)))
  run_linear(linear)
  return out


def check(mod):
  estimates = function(mod, "estimates")
  a = Tensor.ones(32, 32).contiguous().realize()
  cases = [("((a @ a).relu() + 1).softmax(-1)", lambda: ((a @ a).relu() + 1).softmax(-1)),
           ("Tensor([1.0, 2.0, 3.0]) * 2", lambda: Tensor([1.0, 2.0, 3.0]) * 2)]
  for what, build in cases:
    want = _reference(build)
    got = estimates(build)
    expect(isinstance(got, list) and len(got) == len(want), f"estimates on {what} returned {len(got) if isinstance(got, list) else got!r:.80} "
           f"records; it schedules {len(want)} kernel(s)", EXERCISE.hints[0])
    for i, (k, (name, flops, nbytes)) in enumerate(zip(got, want)):
      rec = (getattr(k, "name", None), getattr(k, "flops", None), getattr(k, "bytes", None))
      expect(rec[0] == name, f"estimates on {what}: kernel {i} is named {rec[0]!r}; the lowered program is {name!r}", EXERCISE.hints[1])
      expect(rec[1] == flops, f"estimates on {what}: kernel {i} ({name}) has {rec[1]!r} FLOPs; its estimate is {flops}", EXERCISE.hints[1])
      expect(rec[2] == nbytes, f"estimates on {what}: kernel {i} ({name}) moves {rec[2]!r} bytes; its estimate (mem) is {nbytes}",
             EXERCISE.hints[2])
