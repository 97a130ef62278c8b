"""Day 5, Pathway A: the profiler a learner ends the day with (tgkit.profile is the full version)."""
# --8<-- [start:run]
import dataclasses
import re
import statistics

from tinygrad import Device, GlobalCounters, Tensor
from tinygrad.codegen import to_program
from tinygrad.engine.realize import run_linear
from tinygrad.uop import Ops
from tgkit.capture import capture

LINE = re.compile(r"\*\*\* \S+\s+\d+ (\S+)\s+arg.*?tm\s+([\d.]+)(us|ms|s)/")
SCALE = {"us": 1, "ms": 1e3, "s": 1e6}


@dataclasses.dataclass
class KernelProfile:
  name: str
  flops: int
  bytes: int
  times_us: list = dataclasses.field(default_factory=list)

  @property
  def median_us(self) -> float: return statistics.median(self.times_us)


@dataclasses.dataclass
class Profile:
  kernels: list
  kernel_count: int       # kernels per run of the workload
  bytes_moved: int        # by kernels and copies, per run


def profile(workload, repeats=5) -> Profile:
  """Estimates from lowering each kernel, then `repeats` timed runs; kernels are matched by position (names can repeat)."""
  linear, kernels = workload().schedule_linear(), []
  for call in linear.src:
    if call.src[0].op is Ops.SINK:
      prg = to_program(call.src[0], Device[call.src[1].device].renderer)
      est = prg.src[0].arg.estimates
      kernels.append(KernelProfile(prg.arg.function_name, int(est.ops), int(est.mem)))
  run_linear(linear)
  for _ in range(repeats):
    with capture(debug=2, fresh=False) as out: workload().realize()
    runs = LINE.findall(out.raw)
    assert [name for name, _, _ in runs] == [k.name for k in kernels], "the workload ran other kernels than it scheduled"
    for k, (_, t, unit) in zip(kernels, runs): k.times_us.append(float(t) * SCALE[unit])
  GlobalCounters.reset()
  workload().realize()
  return Profile(kernels, len(kernels), GlobalCounters.global_mem)


Tensor.manual_seed(0)
x = Tensor.rand(32, 64).realize()
w1, w2 = Tensor.rand(64, 64).realize(), Tensor.rand(64, 10).realize()
fused = lambda: ((x @ w1).relu() @ w2).softmax(-1)
unfused = lambda: ((x @ w1).contiguous().relu().contiguous() @ w2).softmax(-1)

before, after = profile(unfused), profile(fused)
for label, p in (("unfused", before), ("fused", after)):
  print(f"{label:8s} {p.kernel_count} kernels, {p.bytes_moved} bytes moved per run")
  for k in p.kernels: print(f"  {k.name:24s} {k.flops:7d} FLOPs {k.bytes:6d} bytes")
assert after.kernel_count < before.kernel_count and after.bytes_moved < before.bytes_moved
assert all(len(k.times_us) == 5 and k.median_us > 0 for k in after.kernels)
# --8<-- [end:run]
