"""Day 1, afternoon: an edge case as a regression test, graded the way tinygrad grades a pull request."""
from tgkit.learn import Exercise, grade_test
from tgkit.mutants import MUTANTS

ORDER = 6
BUG = next(m for m in MUTANTS if m.name == "sum_axis_off_by_one")
EXERCISE = Exercise(
  id="d1-regression", day=1, pathway="afternoon", kind="test", minutes=30,
  title="A regression test for sum over an axis",
  statement=f"""
Write a test in tinygrad's style (a `unittest.TestCase`, a numpy reference, `np.testing.assert_allclose`) that checks
`Tensor.sum` over one axis of a 2-D tensor.

The checker grades it the way tinygrad grades a pull request's test: it runs your test on tinygrad as installed
(it must pass) and on a tinygrad with a deliberate bug ({BUG.description}), where it must fail. A test that
passes whatever tinygrad does is reported as such.
""",
  hints=(
    "Make a non-square input (`np.arange(6, dtype=np.float32).reshape(2, 3)`): with a square one, some wrong axes give the same shape.",
    "Compare `Tensor(x).sum(axis=0).numpy()` with `x.sum(axis=0)` using `np.testing.assert_allclose`.",
  ),
  wrong={
    "a test that only checks the whole sum": '''
import unittest
import numpy as np
from tinygrad import Tensor
class TestSum(unittest.TestCase):
  def test_sum(self):
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(Tensor(x).sum().numpy(), x.sum())
''',
  },
)

# --8<-- [start:solution]
import unittest

import numpy as np
from tinygrad import Tensor

class TestSumAxis(unittest.TestCase):
  def test_sum_axis0(self):
    """sum over axis 0 of a non-square matrix: one value per column."""
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(Tensor(x).sum(axis=0).numpy(), x.sum(axis=0))

  def test_sum_axis1(self):
    """sum over axis 1: one value per row."""
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(Tensor(x).sum(axis=1).numpy(), x.sum(axis=1))
# --8<-- [end:solution]


def check(mod): grade_test(mod, BUG.patch, BUG.description)
