"""Day 4, Pathway A: the device automation a learner ends the day with (tgkit.devices is the full version)."""
# --8<-- [start:run]
import dataclasses

import numpy as np
from tinygrad import Context, Device, Tensor
from tinygrad.codegen import to_program
from tinygrad.uop import Ops

CANDIDATES = ["CPU", "CPU:X86", "CPU:LLVM", "PYTHON", "NULL"]


@dataclasses.dataclass
class TargetReport:
  target: str
  opens: bool
  reason: str = ""
  native_dtypes: int = 0
  kernel: str = ""          # name of the kernel the probe expression becomes
  matches_cpu: bool | None = None  # None: nothing runs on this target (NULL)


def probe(target: str, x: np.ndarray, ref: np.ndarray) -> TargetReport:
  try:
    with Context(DEV=target):
      r = Device[Device.DEFAULT].renderer
      t = (Tensor(x) * 2).exp().sum(axis=1)
      linear = t.schedule_linear()
      ast = next(c.src[0] for c in linear.src if c.src[0].op is Ops.SINK)
      name = to_program(ast, r).arg.function_name
      if target == "NULL": return TargetReport(target, True, native_dtypes=len(r.supported_dtypes()), kernel=name)
      got = (Tensor(x) * 2).exp().sum(axis=1).numpy()
  except Exception as e:  # noqa: BLE001 - a target that fails here is a result
    return TargetReport(target, False, f"{type(e).__name__}: {str(e).splitlines()[0][:60]}")
  return TargetReport(target, True, native_dtypes=len(r.supported_dtypes()), kernel=name, matches_cpu=bool(np.allclose(got, ref, rtol=1e-6)))


x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
ref = (Tensor(x, device="CPU") * 2).exp().sum(axis=1).numpy()
reports = [probe(t, x, ref) for t in CANDIDATES]
print(f"{'target':9s} {'opens':5s} dtypes kernel  matches CPU")
for r in reports:
  print(f"{r.target:9s} {r.opens!s:5s} {r.native_dtypes:6d} {r.kernel:7s} {r.matches_cpu if r.opens else r.reason}")
assert all(r.matches_cpu for r in reports if r.opens and r.target != "NULL")
assert {"CPU", "PYTHON", "NULL"} <= {r.target for r in reports if r.opens}
# --8<-- [end:run]
