"""Day 2, Pathway A: a cross-device validator that gets NaN and empty results right."""
import numpy as np

from tgkit.learn import Exercise, expect, function

ORDER = 1
_COMMON = '''
import numpy as np
from tinygrad import Tensor
'''
EXERCISE = Exercise(
  id="d2-cross-check", day=2, pathway="A", kind="code", minutes=30,
  title="Compare devices, NaN and empty included",
  statement="""
Write `agree(a, b)` and `cross_check(tiny_fn, np_fn, x, devices)`:

- `agree(a, b)` is `True` when two results have the same shape and close values
  (`|a - b| <= atol + rtol * |b|`). NaN in the same place on both sides agrees (`log` of a negative number is NaN on
  every device and in numpy), and two empty results of the same shape agree.
- `cross_check` runs `tiny_fn` on `Tensor(x, device=d)` for every device `d` and `np_fn` on `x`, and returns a
  dict: `"devices_agree"` (every device agrees with the first one), `"matches_numpy"` (every device agrees with
  numpy) and `"max_error"`, `{device: largest |got - want|}`, counting only places where both are numbers and
  `0.0` when there is none (an empty result, or NaN everywhere).

The checker runs it on `CPU` and `PYTHON` with an ordinary op, an op that differs from numpy on both devices,
an op that differs between the devices, NaN results and an empty input.
""",
  hints=(
    "`np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)` handles NaN; check `a.shape == b.shape` first, since "
    "`allclose` broadcasts (an empty (0, 3) array is 'close' to a (4, 3) one).",
    "`np.abs(got - want).max()` raises on an empty array and is NaN as soon as one element is: keep the finite "
    "differences, `d = d[~np.isnan(d)]`, and return `float(d.max()) if d.size else 0.0`.",
    "`devices_agree` compares devices with each other (not with numpy): two devices can agree on a wrong answer.",
  ),
  wrong={
    "NaN counted as a disagreement": _COMMON + '''
def agree(a, b, rtol=1e-5, atol=1e-6):
  return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))
def cross_check(tiny_fn, np_fn, x, devices=("CPU", "PYTHON"), rtol=1e-5, atol=1e-6):
  want, got = np_fn(x), {d: tiny_fn(Tensor(x, device=d)).numpy() for d in devices}
  first = got[devices[0]]
  err = {d: (float(np.nanmax(np.abs(g - want))) if g.size else 0.0) for d, g in got.items()}
  return {"devices_agree": all(agree(g, first, rtol, atol) for g in got.values()),
          "matches_numpy": all(agree(g, want, rtol, atol) for g in got.values()), "max_error": err}
''',
    "crashes on empty input": _COMMON + '''
def agree(a, b, rtol=1e-5, atol=1e-6):
  return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
def cross_check(tiny_fn, np_fn, x, devices=("CPU", "PYTHON"), rtol=1e-5, atol=1e-6):
  want, got = np_fn(x), {d: tiny_fn(Tensor(x, device=d)).numpy() for d in devices}
  first = got[devices[0]]
  err = {d: float(np.nanmax(np.abs(g - want))) for d, g in got.items()}
  return {"devices_agree": all(agree(g, first, rtol, atol) for g in got.values()),
          "matches_numpy": all(agree(g, want, rtol, atol) for g in got.values()), "max_error": err}
''',
    "devices compared with numpy only": _COMMON + '''
def agree(a, b, rtol=1e-5, atol=1e-6):
  return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
def cross_check(tiny_fn, np_fn, x, devices=("CPU", "PYTHON"), rtol=1e-5, atol=1e-6):
  want, got = np_fn(x), {d: tiny_fn(Tensor(x, device=d)).numpy() for d in devices}
  d = {k: np.abs(g.astype(np.float64) - want) for k, g in got.items()}
  err = {k: float(v[~np.isnan(v)].max()) if (~np.isnan(v)).any() else 0.0 for k, v in d.items()}
  ok = all(agree(g, want, rtol, atol) for g in got.values())
  return {"devices_agree": ok, "matches_numpy": ok, "max_error": err}
''',
  },
)

# --8<-- [start:solution]
import numpy as np
from tinygrad import Tensor

def agree(a, b, rtol=1e-5, atol=1e-6) -> bool:
  """Same shape and |a - b| <= atol + rtol * |b| everywhere; NaN in the same place agrees, two empty arrays of one shape agree."""
  return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))

def max_error(got, want) -> float:
  """The largest |got - want| over the places where both are numbers; 0.0 when there is none (empty, or NaN everywhere)."""
  with np.errstate(invalid="ignore"): d = np.abs(got.astype(np.float64) - want.astype(np.float64)).ravel()  # inf - inf is nan
  d = d[~np.isnan(d)]
  return float(d.max()) if d.size else 0.0

def cross_check(tiny_fn, np_fn, x, devices=("CPU", "PYTHON"), rtol=1e-5, atol=1e-6) -> dict:
  """Run tiny_fn on Tensor(x, device=d) for every device and np_fn on x.
  Returns {"devices_agree": bool, "matches_numpy": bool, "max_error": {device: float}}."""
  want = np_fn(x)
  got = {d: tiny_fn(Tensor(x, device=d)).numpy() for d in devices}
  first = got[devices[0]]
  return {"devices_agree": all(agree(g, first, rtol, atol) for g in got.values()),
          "matches_numpy": all(agree(g, want, rtol, atol) for g in got.values()),
          "max_error": {d: max_error(g, want) if g.shape == want.shape else float("inf") for d, g in got.items()}}
# --8<-- [end:solution]


def check(mod):
  agree, cross_check = function(mod, "agree"), function(mod, "cross_check")
  nan = np.array([1.0, np.nan, 3.0], dtype=np.float32)
  empty = np.zeros((0, 3), dtype=np.float32)
  for what, a, b, want in [("two equal arrays", nan[::2], nan[::2].copy(), True), ("NaN in the same place", nan, nan.copy(), True),
                           ("two empty (0, 3) arrays", empty, empty.copy(), True), ("[1.0] and [1.5]", nan[:1], nan[:1] + 0.5, False),
                           ("NaN against a number", nan, np.array([1.0, 2.0, 3.0], np.float32), False),
                           ("an empty (0, 3) array and a (4, 3) one", empty, np.zeros((4, 3), np.float32), False)]:
    got = agree(a, b)
    expect(got == want, f"agree on {what} returned {got!r}; the right answer is {want!r}", EXERCISE.hints[0])
  x = np.array([[0.5, -1.0, 2.0], [-0.25, 1.5, 4.0]], dtype=np.float32)
  cases = [
    ("exp on CPU and PYTHON", lambda t: t.exp(), np.exp, x, True, True, None),
    ("tinygrad's x*2 against numpy's x*3", lambda t: t * 2, lambda a: a * 3, x, True, False, None),
    ("an op that gives x*2 on CPU and x*3 on PYTHON", lambda t: t * (2 if t.device == "CPU" else 3), lambda a: a * 2, x, False, False, None),
    ("log of negative numbers (NaN on both devices and in numpy)", lambda t: t.log(), np.log, x, True, True, "finite"),
    ("an empty (0, 3) input", lambda t: t + 1, lambda a: a + 1, np.zeros((0, 3), np.float32), True, True, "zero"),
  ]
  for what, tiny_fn, np_fn, inp, dev_ok, np_ok, err in cases:
    with np.errstate(all="ignore"): r = cross_check(tiny_fn, np_fn, inp, ("CPU", "PYTHON"))
    expect(isinstance(r, dict) and {"devices_agree", "matches_numpy", "max_error"} <= set(r),
           f"cross_check returned {r!r}; it should return a dict with devices_agree, matches_numpy and max_error")
    for key, want in (("devices_agree", dev_ok), ("matches_numpy", np_ok)):
      expect(bool(r[key]) == want, f"on {what}, {key} is {r[key]!r}; the right answer is {want!r}",
             EXERCISE.hints[2] if key == "devices_agree" else EXERCISE.hints[0])
    errs = r["max_error"]
    expect(isinstance(errs, dict) and set(errs) == {"CPU", "PYTHON"}, f"on {what}, max_error is {errs!r}; it should map each device to a float")
    if err == "finite": expect(all(np.isfinite(e) for e in errs.values()), f"on {what}, max_error is {errs}; NaN on both sides is no error",
                               EXERCISE.hints[1])
    if err == "zero": expect(all(e == 0.0 for e in errs.values()), f"on {what}, max_error is {errs}; an empty result has error 0.0",
                             EXERCISE.hints[1])
