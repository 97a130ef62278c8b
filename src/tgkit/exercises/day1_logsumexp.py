"""Day 1, afternoon: a regression test for a real tinygrad 0.14.0 bug, logsumexp of a row of -inf."""
import contextlib
import math

from tinygrad import Tensor

from tgkit.learn import Exercise, grade_test
from tgkit.mutants import patched

ORDER = 7

# --8<-- [start:fix]
def logsumexp_fixed(self: Tensor, axis=None, keepdim=False) -> Tensor:
  m = self.max(axis=axis, keepdim=True).detach()
  m = (m.abs() == math.inf).where(0, m)  # the fix: no shift for infinite maxima
  return (self - m).exp().sum(axis=axis, keepdim=keepdim).log() + (m if keepdim else m.squeeze(axis))
# --8<-- [end:fix]


def fix() -> contextlib.AbstractContextManager: return patched(Tensor, "logsumexp", lambda orig: logsumexp_fixed)


EXERCISE = Exercise(
  id="d1-logsumexp", day=1, pathway="afternoon", kind="test", minutes=30,
  title="A regression test for logsumexp of a masked row",
  statement="""
Write the regression test for the edge case found in step 2: `Tensor.logsumexp(axis=1)` of
`[[-inf, -inf], [0.0, 1.0]]` must give `[-inf, log(e^0 + e^1)]`. Use tinygrad's style: a `unittest.TestCase`,
a numpy reference (`np.logaddexp.reduce` or the formula), `np.testing.assert_allclose`.

The checker grades it the way tinygrad grades a pull request's test, against the real bug: on tinygrad 0.14.0
as installed your test must fail, and with the one-line fix of step 4 applied it must pass. Mark the test
`@unittest.expectedFailure` (tinygrad's way for a bug that is not fixed yet) or leave it unmarked (the way it
lands together with the fix): both are graded right. A test that passes whatever tinygrad does is reported as such.
""",
  hints=(
    "Build the input with `np.array([[-np.inf, -np.inf], [0.0, 1.0]], dtype=np.float32)`; the reference for each row is "
    "`np.logaddexp.reduce(row)`.",
    "`np.testing.assert_allclose(got, want)` treats -inf == -inf as equal and nan != -inf as a failure, which is what the test needs.",
    "Test the masked row: a test of ordinary rows only passes on the buggy tinygrad too.",
  ),
  wrong={
    "only ordinary rows": '''
import unittest
import numpy as np
from tinygrad import Tensor
class TestLogsumexp(unittest.TestCase):
  def test_logsumexp(self):
    x = np.array([[0.0, 1.0], [2.0, -1.0]], dtype=np.float32)
    np.testing.assert_allclose(Tensor(x).logsumexp(axis=1).numpy(), np.logaddexp.reduce(x, axis=1), rtol=1e-6)
''',
    "the buggy output as the expected value": '''
import unittest
import numpy as np
from tinygrad import Tensor
class TestLogsumexp(unittest.TestCase):
  def test_logsumexp_all_neg_inf(self):
    x = np.array([[-np.inf, -np.inf], [0.0, 1.0]], dtype=np.float32)
    np.testing.assert_allclose(Tensor(x).logsumexp(axis=1).numpy(), [np.nan, np.logaddexp(0, 1)], rtol=1e-6)
''',
    "expectedFailure on a test that cannot fail": '''
import unittest
import numpy as np
from tinygrad import Tensor
class TestLogsumexp(unittest.TestCase):
  @unittest.expectedFailure
  def test_logsumexp_all_neg_inf(self):
    x = np.array([[-np.inf, -np.inf], [0.0, 1.0]], dtype=np.float32)
    self.assertEqual(Tensor(x).logsumexp(axis=1).shape, (3,))
''',
  },
)

# --8<-- [start:solution]
import unittest

import numpy as np
from tinygrad import Tensor

class TestLogsumexpEdge(unittest.TestCase):
  @unittest.expectedFailure  # the max subtraction turns a row of -inf into nan; torch and numpy give -inf
  def test_logsumexp_all_neg_inf(self):
    x = np.array([[-np.inf, -np.inf], [0.0, 1.0]], dtype=np.float32)
    np.testing.assert_allclose(Tensor(x).logsumexp(axis=1).numpy(), np.logaddexp.reduce(x, axis=1), rtol=1e-6)
# --8<-- [end:solution]


def check(mod): grade_test(mod, contextlib.nullcontext, "tinygrad 0.14.0's logsumexp of a row of -inf is nan", fix=fix)
