"""Day 2, afternoon: a regression test for a real tinygrad 0.14.0 bug, logaddexp with an infinite input."""
import contextlib

from tinygrad import Tensor

from tgkit.learn import Exercise, grade_test
from tgkit.mutants import patched

ORDER = 4

# --8<-- [start:fix]
def logaddexp_fixed(self: Tensor, other) -> Tensor:
  a, b = self._broadcasted(other)
  m = a.maximum(b)
  m = (m.abs() == float("inf")).where(0, m)  # the fix: no shift when the larger input is infinite
  return ((a - m).exp() + (b - m).exp()).log() + m
# --8<-- [end:fix]


def fix() -> contextlib.AbstractContextManager: return patched(Tensor, "logaddexp", lambda orig: logaddexp_fixed)


EXERCISE = Exercise(
  id="d2-logaddexp", day=2, pathway="afternoon", kind="test", minutes=40,
  title="A regression test for logaddexp at infinity",
  statement="""
`test_logaddexp` in test/backend/test_ops.py checks ordinary values only. Write a test in tinygrad's style
(`unittest.TestCase`, numpy reference, `np.testing.assert_allclose` or `assert_equal`) for `Tensor.logaddexp` where an input is
infinite: `logaddexp(inf, 1)` is `inf` and `logaddexp(-inf, -inf)` is `-inf` in numpy and torch.

The checker grades it against the real bug: on tinygrad 0.14.0 as installed it must fail, and with the fix applied
(`logaddexp_fixed` below, which shifts by zero when the larger input is infinite) it must pass. Mark it
`@unittest.expectedFailure` with a comment saying why tinygrad is wrong, as test/backend/test_edgecases.py does, or leave it
unmarked, as it would land with the fix.
""",
  hints=(
    "`a = np.array([np.inf, -np.inf, 1.0], dtype=np.float32)`, `b = np.array([1.0, -np.inf, 2.0], dtype=np.float32)`; "
    "the reference is `np.logaddexp(a, b)`.",
    "Run the op yourself first: `Tensor(a).logaddexp(Tensor(b)).numpy()` shows which elements come out nan.",
    "A test whose inputs are all finite passes on the buggy tinygrad too: one input must be inf or -inf.",
  ),
  wrong={
    "finite inputs only": '''
import unittest
import numpy as np
from tinygrad import Tensor
class TestLogaddexp(unittest.TestCase):
  def test_logaddexp(self):
    a, b = np.array([1.0, -100.0], dtype=np.float32), np.array([2.0, 3.0], dtype=np.float32)
    np.testing.assert_allclose(Tensor(a).logaddexp(Tensor(b)).numpy(), np.logaddexp(a, b), rtol=1e-6)
''',
    "checks only that it runs": '''
import unittest
import numpy as np
from tinygrad import Tensor
class TestLogaddexp(unittest.TestCase):
  def test_logaddexp_inf(self):
    a, b = np.array([np.inf], dtype=np.float32), np.array([1.0], dtype=np.float32)
    self.assertEqual(Tensor(a).logaddexp(Tensor(b)).numpy().shape, (1,))
''',
  },
)

# --8<-- [start:solution]
import unittest

import numpy as np
from tinygrad import Tensor

class TestLogaddexpInf(unittest.TestCase):
  @unittest.expectedFailure  # logaddexp subtracts the larger input: inf - inf and -inf - -inf are nan; numpy and torch give inf, -inf
  def test_logaddexp_inf(self):
    a = np.array([np.inf, -np.inf, np.inf, 1.0], dtype=np.float32)
    b = np.array([1.0, -np.inf, np.inf, 2.0], dtype=np.float32)
    np.testing.assert_allclose(Tensor(a).logaddexp(Tensor(b)).numpy(), np.logaddexp(a, b), rtol=1e-6)
# --8<-- [end:solution]


def check(mod): grade_test(mod, contextlib.nullcontext, "tinygrad 0.14.0's logaddexp of an infinite input is nan", fix=fix)
