"""Real tinygrad 0.14.0 bugs the op table finds, each as a three-line reproduction and a patch that fixes it.

`testgen.known_bugs()` writes them as regression tests in tinygrad's style (`@unittest.expectedFailure` until the fix
lands), one `unittest.TestCase` per bug; `tgkit gen-test --known-bugs` prints or writes that file. Each `Bug.fix()` is a
context manager that patches tinygrad in-process so the reproduction passes: tests/test_bugs.py grades every generated
test with `tgkit.learn.grade_test` (it must fail on the pin and pass under the fix), the grading a course exercise uses.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Iterator

from tinygrad import Tensor, dtypes

from tgkit.mutants import patched

PIN = "https://github.com/tinygrad/tinygrad/blob/a9069c177a9da9cca18593edf55acd2e6073cca6"


@dataclasses.dataclass(frozen=True)
class Bug:
  name: str               # the test method is test_<name>
  summary: str            # what tinygrad does, and what numpy and torch do
  repro: tuple[str, str, str]   # setup, the tinygrad result, the assertion (inside a unittest.TestCase method)
  fix: Callable[[], contextlib.AbstractContextManager]
  source: str             # where the behaviour comes from, at the pin
  ops: tuple[str, ...]    # the op-table ops whose known disagreements it explains

  @property
  def cls(self) -> str: return "Test" + "".join(w.capitalize() for w in self.name.split("_"))


# ---------------------------------------------------------------- the fixes (patches a pull request would make)

@contextlib.contextmanager
def _no_half_roundtrip_fold() -> Iterator[None]:
  """Drop the image-only rule x.cast(half).cast(float) -> x from the pattern matcher codegen applies on every device."""
  import tinygrad.codegen as cg
  from tinygrad.uop.ops import PatternMatcher
  keep = PatternMatcher(cg.pm_simplify_add_image.patterns[:-1])
  saved = dict(cg.to_program_cache)
  cg.to_program_cache.clear()   # programs compiled with the rule (or without it) must not be reused across the switch
  try:
    with patched(cg, "pm_simplify_add_image", lambda orig: keep): yield
  finally:
    cg.to_program_cache.clear()
    cg.to_program_cache.update(saved)


def _arg_nan_first(sign: int):
  def make(orig):
    def arg(self, axis=None, keepdim=False):   # a NaN wins, the first one: argmax/argmin of the NaN mask where a NaN is present
      if axis is None: return make(orig)(self.flatten(), 0, keepdim) if not keepdim else orig(self, axis, keepdim)
      nan = self.isnan()
      return orig(nan.any(axis, keepdim=True).where(nan.cast(self.dtype) * sign, self), axis, keepdim)
    return arg
  return make


def _max_nan(orig):
  def max(self, axis=None, keepdim=False):  # noqa: A001
    return self.isnan().any(axis, keepdim).where(math.nan, orig(self, axis, keepdim)) if dtypes.is_float(self.dtype) else orig(self, axis, keepdim)
  return max


def _logaddexp_inf(orig):
  def logaddexp(self, x):
    m = self.maximum(x)
    return m.isinf().where(m, orig(self, x))
  return logaddexp


def _atan_large(orig):
  def atan(self):   # atan(x) = sign(x) pi/2 - atan(1/x) for |x| > 1: no x*x to overflow
    return (self.abs() > 1).where(self.sign() * (math.pi / 2) - orig(self.reciprocal()), orig(self))
  return atan


def _asinh_large(orig):
  def asinh(self):   # odd: asinh(-x) = -asinh(x), so no cancellation for x < 0; log(2|x|) where x*x would overflow
    a = self.abs()
    return self.sign() * (a > 1e4).where(a.log() + math.log(2), orig(a))
  return asinh


def _int_pow(orig):
  def pow(self, x, reverse=False):  # noqa: A001
    base, e = (x, self) if reverse else (self, x)
    if not (isinstance(base, Tensor) and isinstance(e, Tensor) and dtypes.is_int(base.dtype) and dtypes.is_int(e.dtype)):
      return orig(self, x, reverse)
    out = base.ones_like()
    for _ in range(31):   # square and multiply over the exponent's bits
      out, base, e = (e % 2).eq(1).where(out * base, out), base * base, e // 2
    return out
  return pow


BUGS: list[Bug] = [
  Bug("half_roundtrip_not_rounded", "x.cast(float16).cast(float32) returns x unrounded: codegen folds the pair with an image-only rule "
      "that runs on every device; numpy and torch round to float16",
      ("x = Tensor([1.0001], dtype=dtypes.float32)", "out = x.cast(dtypes.float16).cast(dtypes.float32).numpy()",
       "np.testing.assert_equal(out, np.float16(1.0001).astype(np.float32))"),
      _no_half_roundtrip_fold, f"{PIN}/tinygrad/codegen/late/coalesce.py#L100", ("cast_float16_roundtrip",)),
  Bug("argmax_nan", "argmax of [nan, 1, 2] is 3, out of range; numpy and torch give 0, the index of the NaN",
      ("x = Tensor([float('nan'), 1.0, 2.0])", "out = x.argmax().item()", "self.assertEqual(out, 0)"),
      lambda: patched(Tensor, "argmax", _arg_nan_first(1)), f"{PIN}/tinygrad/mixin/op.py#L866", ("argmax",)),
  Bug("argmin_nan", "argmin of [nan, 1, 2] is 3, out of range; numpy and torch give 0, the index of the NaN",
      ("x = Tensor([float('nan'), 1.0, 2.0])", "out = x.argmin().item()", "self.assertEqual(out, 0)"),
      lambda: patched(Tensor, "argmin", _arg_nan_first(-1)), f"{PIN}/tinygrad/mixin/op.py#L893", ("argmin",)),
  Bug("max_drops_nan", "max drops a NaN that is not the first element: max([1, nan, 2]) is 2; numpy and torch give nan",
      ("x = Tensor([1.0, float('nan'), 2.0])", "out = x.max().item()", "self.assertTrue(math.isnan(out))"),
      lambda: patched(Tensor, "max", _max_nan), f"{PIN}/tinygrad/mixin/reduce.py#L73", ()),
  Bug("logaddexp_inf", "logaddexp(inf, 1) is nan (inf - inf inside the max shift); numpy and torch give inf: the root of the softplus, "
      "mish and logsigmoid entries",
      ("a, b = Tensor([math.inf]), Tensor([1.0])", "out = a.logaddexp(b).item()", "self.assertEqual(out, math.inf)"),
      lambda: patched(Tensor, "logaddexp", _logaddexp_inf), f"{PIN}/tinygrad/mixin/elementwise.py#L414",
      ("logaddexp", "softplus", "mish", "logsigmoid")),
  Bug("atan_large", "atan(1e20) is 0.0 in float32 (x / sqrt(1 + x*x) with x*x overflowing); numpy and torch give pi/2",
      ("x = Tensor([1e20], dtype=dtypes.float32)", "out = x.atan().item()", "self.assertAlmostEqual(out, math.pi / 2, places=6)"),
      lambda: patched(Tensor, "atan", _atan_large), f"{PIN}/tinygrad/mixin/elementwise.py#L950", ("atan",)),
  Bug("asinh_large_negative", "asinh(-1e5) is -inf in float32 (log(x + sqrt(x*x + 1)) cancels to log(0)); numpy and torch give -12.2",
      ("x = Tensor([-1e5], dtype=dtypes.float32)", "out = x.asinh().item()", "self.assertAlmostEqual(out, math.asinh(-1e5), places=4)"),
      lambda: patched(Tensor, "asinh", _asinh_large), f"{PIN}/tinygrad/mixin/elementwise.py#L863", ("asinh",)),
  Bug("int_pow", "int32 ** int32 goes through float exp2/log2 and truncates: 3 ** 4 is 80; numpy and torch give 81",
      ("a, b = Tensor([3], dtype=dtypes.int32), Tensor([4], dtype=dtypes.int32)", "out = (a ** b).item()", "self.assertEqual(out, 81)"),
      lambda: patched(Tensor, "pow", _int_pow), f"{PIN}/tinygrad/mixin/elementwise.py#L545", ("pow",)),
  Bug("int_pow_compiles", "int32 ** int32 on 2 to 8 elements does not compile on CPU (an int vector assigned from a float vector)",
      ("a, b = Tensor([3, 3], dtype=dtypes.int32), Tensor([2, 2], dtype=dtypes.int32)", "out = (a ** b).tolist()", "self.assertEqual(out, [9, 9])"),
      lambda: patched(Tensor, "pow", _int_pow), f"{PIN}/tinygrad/mixin/elementwise.py#L545", ("pow",)),
]
BUG_NAMES = {b.name: b for b in BUGS}
