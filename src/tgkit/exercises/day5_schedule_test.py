"""Day 5, afternoon: a kernel-count test in the style of tinygrad's check_schedule, graded against a fusion that breaks."""
from tinygrad import Tensor

from tgkit.learn import Exercise, grade_test
from tgkit.mutants import patched

ORDER = 5
BUG_NAME = "Tensor.sum inserts a .contiguous() before it reduces: the values stay right, the work before the sum becomes a kernel of its own"


def bug():
  """A fusion regression: the input of every sum is realized first. Values are unchanged, kernel counts grow."""
  return patched(Tensor, "sum", lambda orig: lambda self, *a, **kw: orig(self.contiguous(), *a, **kw))


EXERCISE = Exercise(
  id="d5-schedule-test", day=5, pathway="afternoon", kind="test", minutes=40,
  title="A kernel-count test",
  statement=f"""
Write a test in the style of tinygrad's `test/null/test_schedule.py`: a `unittest.TestCase` whose tests pin how many
kernels an expression schedules. tinygrad's tests call `check_schedule(tensor, allowed)` from `test/helpers.py`, which is
in tinygrad's repository but not in the pip package, so write your own helper that does what it does: schedule the
tensor, count the `CALL`s whose first source is a `SINK`, fail when the count is not `allowed`, and run the `LINEAR`.
Pin at least one fusion of elementwise work into a reduction, for example `(y * 2).exp().sum(1)` in one kernel.

The checker grades it the way tinygrad grades a pull request's test: it runs your test on tinygrad as installed (it must
pass) and on a tinygrad with a fusion regression ({BUG_NAME}), where it must fail. A test that passes whatever tinygrad
does is reported as such.
""",
  hints=(
    "The regression keeps every value right: comparing values with numpy cannot catch it, only a kernel count can.",
    "`.contiguous()` on a tensor that is already a realized buffer adds no kernel: `y.sum()` of a realized `y` is one kernel with "
    "or without the bug. Put elementwise work between the buffer and the sum.",
    "`linear = t.schedule_linear()`, `n = sum(c.src[0].op is Ops.SINK for c in linear.src)`, `run_linear(linear)`, "
    "`self.assertEqual(n, allowed)`.",
  ),
  wrong={
    "values only": '''
import unittest
import numpy as np
from tinygrad import Tensor
class TestExpSum(unittest.TestCase):
  def test_exp_sum(self):
    y = np.ones((32, 32), dtype=np.float32)
    np.testing.assert_allclose(Tensor(y).mul(2).exp().sum(1).numpy(), np.exp(y * 2).sum(1), rtol=1e-6)
''',
    "a sum of a realized buffer": '''
import unittest
from tinygrad import Tensor
from tinygrad.engine.realize import run_linear
from tinygrad.uop import Ops
def check_schedule(t, allowed):
  linear = t.schedule_linear()
  run_linear(linear)
  assert sum(c.src[0].op is Ops.SINK for c in linear.src) == allowed
class TestSchedule(unittest.TestCase):
  def test_sum_one_kernel(self):
    y = Tensor.ones(32, 32).contiguous().realize()
    check_schedule(y.sum(1), 1)
''',
    "a reduction that is not a sum": '''
import unittest
from tinygrad import Tensor
from tinygrad.engine.realize import run_linear
from tinygrad.uop import Ops
def check_schedule(t, allowed):
  linear = t.schedule_linear()
  run_linear(linear)
  assert sum(c.src[0].op is Ops.SINK for c in linear.src) == allowed
class TestSchedule(unittest.TestCase):
  def test_max_fuses(self):
    y = Tensor.ones(32, 32).contiguous().realize()
    check_schedule((y * 2).exp().max(1), 1)
''',
  },
)

# --8<-- [start:solution]
import unittest

from tinygrad import Tensor
from tinygrad.engine.realize import run_linear
from tinygrad.uop import Ops

def check_schedule(t: Tensor, allowed: int):
  """tinygrad's test/helpers.py check_schedule, reduced: fail unless t schedules `allowed` kernels (copies not counted); run it."""
  linear = t.schedule_linear()
  run_linear(linear)
  n = sum(call.src[0].op is Ops.SINK for call in linear.src)
  if n != allowed: raise AssertionError(f"expecting {allowed} kernels, got {n}")

class TestFusion(unittest.TestCase):
  def setUp(self):
    self.y = Tensor.ones(32, 32).contiguous().realize()

  def test_exp_sum_fuses(self):
    """elementwise work before a reduction fuses into the reduction's kernel"""
    check_schedule((self.y * 2).exp().sum(1), 1)

  def test_contiguous_breaks_fusion(self):
    check_schedule((self.y * 2).contiguous().exp().sum(1), 2)

  def test_full_reduce_broadcast_back_fuses(self):
    """a reduction to one value, broadcast back over every element, stays in the same kernel"""
    check_schedule(self.y - self.y.mean(), 1)
# --8<-- [end:solution]


def check(mod): grade_test(mod, bug, BUG_NAME, hint=EXERCISE.hints[0] + " " + EXERCISE.hints[1])
