"""Day 2, Pathway A: the cross-device validator and the test generator a learner ends the day with.

The full versions are tgkit.devices.cross_check and tgkit.testgen.
"""
# --8<-- [start:run]
import dataclasses
import io
import types
import unittest

import numpy as np
from tinygrad import Device, Tensor

CASES = {  # name -> (tinygrad expression, numpy expression), both of x
  "neg": ("-x", "-x"),
  "exp": ("x.exp()", "np.exp(x)"),
  "log_abs": ("x.abs().log()", "np.log(np.abs(x))"),
  "sin": ("x.sin()", "np.sin(x)"),
  "tanh": ("x.tanh()", "np.tanh(x)"),
  "sum": ("x.sum(axis=1)", "x.sum(axis=1)"),
  "max": ("x.max(axis=0)", "x.max(axis=0)"),
  "softmax": ("x.softmax(-1)", "np.exp(x) / np.exp(x).sum(-1, keepdims=True)"),
  "matmul": ("x @ x.T", "x @ x.T"),
  "where": ("(x > 0).where(x, 0)", "np.where(x > 0, x, 0)"),
  "flip": ("x.flip(1)", "x[:, ::-1]"),
  "pad": ("x.pad(((1, 1), (0, 0)))", "np.pad(x, ((1, 1), (0, 0)))"),
}


@dataclasses.dataclass
class CrossResult:
  op: str
  errors: dict          # device -> max abs error against numpy
  devices_agree: bool   # the devices agree with each other
  matches_numpy: bool


def usable_devices(candidates=("CPU", "PYTHON", "CL", "CUDA", "METAL", "AMD", "NV")) -> list[str]:
  out = []
  for d in candidates:
    try: Device[d]
    except Exception: continue  # noqa: BLE001 - a device that does not open here is simply skipped
    out.append(d)
  return out


def agree(a, b, rtol=1e-5, atol=1e-6) -> bool:  # same shape, close values; NaN == NaN; empty == empty
  return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


def max_error(got, want) -> float:  # over the places where both are numbers; 0.0 when there is none
  with np.errstate(invalid="ignore"): d = np.abs(got.astype(np.float64) - want.astype(np.float64)).ravel()  # inf - inf is nan
  d = d[~np.isnan(d)]
  return float(d.max()) if d.size else 0.0


def cross_check_table(devices: list[str], x: np.ndarray, rtol=1e-5, atol=1e-6) -> list[CrossResult]:
  results = []
  for name, (tiny, ref) in CASES.items():
    with np.errstate(all="ignore"): want = eval(ref, {"np": np, "x": x})
    got = {d: eval(tiny, {"x": Tensor(x, device=d)}).numpy() for d in devices}
    first = next(iter(got.values()))
    results.append(CrossResult(name, {d: max_error(g, want) for d, g in got.items()},
                               all(agree(g, first, rtol, atol) for g in got.values()),
                               all(agree(g, want, rtol, atol) for g in got.values())))
  return results


def generate(cases: dict, shape=(3, 4)) -> str:
  lines = ["import unittest", "import numpy as np", "from tinygrad import Tensor", "", "class TestGenerated(unittest.TestCase):"]
  for name, (tiny, ref) in cases.items():
    lines += [f"  def test_{name}(self):",
              f"    x = np.random.default_rng(0).uniform(0.5, 2, {shape}).astype(np.float32)",
              f"    np.testing.assert_allclose((lambda x: {tiny})(Tensor(x)).numpy(), {ref}, atol=1e-6, rtol=1e-5)", ""]
  return "\n".join(lines)


def run_tests(source: str) -> unittest.TestResult:
  mod = types.ModuleType("generated")
  exec(compile(source, "test_generated.py", "exec"), mod.__dict__)
  return unittest.TextTestRunner(stream=io.StringIO()).run(unittest.defaultTestLoader.loadTestsFromModule(mod))


devices = usable_devices()
x = np.random.default_rng(0).uniform(0.5, 2, (3, 4)).astype(np.float32)
results = cross_check_table(devices, x)
print("devices:", ", ".join(devices))
for r in results:
  print(f"{r.op:8s} agree={r.devices_agree!s:5s} numpy={r.matches_numpy!s:5s} worst={max(r.errors.values()):.1e}")
assert "CPU" in devices and all(r.devices_agree and r.matches_numpy for r in results)
for kind, edge in (("NaN", np.array([[np.nan, -1.0, 0.0, 2.0]], dtype=np.float32)), ("empty", np.zeros((1, 0), np.float32))):
  rs = cross_check_table(devices, edge)
  print(f"{kind:5s} input: {sum(r.devices_agree for r in rs)}/{len(rs)} cases agree across devices")
  assert all(r.devices_agree for r in rs) and all(np.isfinite(e) for r in rs for e in r.errors.values())

res = run_tests(generate(CASES))
print(f"generated {res.testsRun} tests: {len(res.failures)} failures, {len(res.errors)} errors")
assert res.wasSuccessful() and res.testsRun == len(CASES)
# --8<-- [end:run]
