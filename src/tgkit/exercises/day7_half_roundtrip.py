"""Day 7, afternoon: a contribution plan's first item as a regression test, graded against a real tinygrad 0.14.0 bug
(float32 -> float16 -> float32 keeps the float32 value)."""
import contextlib

from tinygrad import Tensor, dtypes

from tgkit.learn import Exercise, grade_test
from tgkit.mutants import patched

ORDER = 5

# --8<-- [start:fix]
def cast_fixed(orig):
  def cast(self: Tensor, dtype) -> Tensor:
    out = orig(self, dtype)
    # the fix, made at the tensor level for grading: store the narrowed value, so no later rewrite can skip the rounding
    narrows = self.dtype in (dtypes.float32, dtypes.float64) and out.dtype in (dtypes.float16, dtypes.bfloat16)
    return out.contiguous() if narrows else out
  return cast
# --8<-- [end:fix]


def fix() -> contextlib.AbstractContextManager: return patched(Tensor, "cast", cast_fixed)


EXERCISE = Exercise(
  id="d7-half-roundtrip", day=7, pathway="afternoon", kind="test", minutes=40,
  title="A plan item as a regression test: float16 rounding",
  statement="""
The first item of a contribution plan is the smallest one with a test that proves it. Here is one: in tinygrad
0.14.0, `Tensor(a).cast(dtypes.float16).cast(dtypes.float32)` gives back `a` unchanged, where numpy and torch round
to float16 first (`0.1` becomes `0.099975586`). Code that emulates half precision this way (mixed-precision
experiments, checking a model's float16 error) silently measures nothing.

Write the regression test in tinygrad's style (`unittest.TestCase`, a numpy reference, `np.testing.assert_equal`).
The checker grades it against the real bug: on tinygrad 0.14.0 as installed it must fail, and with a fix applied (a
`cast` that stores the float16 value before casting back) it must pass. Mark it `@unittest.expectedFailure` with a
comment saying why, as tinygrad marks a known bug, or leave it unmarked, as it would land with the fix.
""",
  hints=(
    "`a = np.array([0.1, 1/3, 2049.0, 1e-8], dtype=np.float32)`; the reference is `a.astype(np.float16).astype(np.float32)`.",
    "Cast twice in one expression and read the result once: a `.realize()` between the casts stores the float16 value "
    "and hides the bug.",
    "Compare exactly (`assert_equal`): the values differ by about 1e-5, which `assert_allclose`'s default rtol of 1e-7 "
    "catches but a loose tolerance does not.",
  ),
  wrong={
    "realized between the casts": '''
import unittest
import numpy as np
from tinygrad import Tensor, dtypes
class TestCastRoundTrip(unittest.TestCase):
  def test_float_half_float(self):
    a = np.array([0.1, 1/3, 2049.0], dtype=np.float32)
    np.testing.assert_equal(Tensor(a).cast(dtypes.float16).realize().cast(dtypes.float32).numpy(), a.astype(np.float16).astype(np.float32))
''',
    "the float32 input as the reference": '''
import unittest
import numpy as np
from tinygrad import Tensor, dtypes
class TestCastRoundTrip(unittest.TestCase):
  def test_float_half_float(self):
    a = np.array([0.1, 1/3, 2049.0], dtype=np.float32)
    np.testing.assert_equal(Tensor(a).cast(dtypes.float16).cast(dtypes.float32).numpy(), a)
''',
    "a tolerance looser than the bug": '''
import unittest
import numpy as np
from tinygrad import Tensor, dtypes
class TestCastRoundTrip(unittest.TestCase):
  def test_float_half_float(self):
    a = np.array([0.1, 1/3], dtype=np.float32)
    np.testing.assert_allclose(Tensor(a).cast(dtypes.float16).cast(dtypes.float32).numpy(), a.astype(np.float16).astype(np.float32), rtol=1e-3)
''',
  },
)

# --8<-- [start:solution]
import unittest

import numpy as np
from tinygrad import Tensor, dtypes

class TestCastRoundTrip(unittest.TestCase):
  @unittest.expectedFailure  # the kernel's float->half->float cast pair is removed before rendering: no rounding to float16 happens
  def test_float_half_float(self):
    a = np.array([0.1, 1/3, 2049.0, 1e-8], dtype=np.float32)
    np.testing.assert_equal(Tensor(a).cast(dtypes.float16).cast(dtypes.float32).numpy(), a.astype(np.float16).astype(np.float32))
# --8<-- [end:solution]


def check(mod): grade_test(mod, contextlib.nullcontext, "tinygrad 0.14.0's float32 -> float16 -> float32 keeps the float32 value", fix=fix)
