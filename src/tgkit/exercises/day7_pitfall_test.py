"""Day 7, afternoon: a pitfall turned into a test: Python numbers are weakly typed."""
from tinygrad import Tensor, dtypes

from tgkit.learn import Exercise, grade_test
from tgkit.mutants import patched

ORDER = 6


def _number(x) -> bool: return isinstance(x, (int, float)) and not isinstance(x, bool)


# two ways to get weak typing wrong, each a learner-only bug on Tensor.mul (what `*` calls)
def takes_tensor_dtype(orig):
  return lambda self, x, reverse=False: orig(self, Tensor(x, dtype=self.dtype, device=self.device) if _number(x) else x, reverse)


def strongly_typed(orig):
  return lambda self, x, reverse=False: orig(self, Tensor(x, dtype=dtypes.float32 if isinstance(x, float) else dtypes.int32,
                                                          device=self.device) if _number(x) else x, reverse)


BUGS = (("a Python number is cast to the tensor's dtype (int tensor * 2.5 truncates 2.5 to 2)", lambda: patched(Tensor, "mul", takes_tensor_dtype)),
        ("a Python number is typed strongly, int as int32 and float as float32 (half tensor * 2.5 becomes float32)",
         lambda: patched(Tensor, "mul", strongly_typed)))

EXERCISE = Exercise(
  id="d7-pitfall-test", day=7, pathway="afternoon", kind="test", minutes=30,
  title="A pitfall as a test: weak Python numbers",
  statement="""
A pitfall written down is read once; a pitfall written as a test keeps its promise. Turn the weak-typing pitfall
(pitfall 3 below) into tests in tinygrad's style for `*` with a Python number, checking the result's `dtype` and
values:

- an `int32` tensor times `3` stays `int32` (`[3, 6]` for `[1, 2]`);
- a `float16` tensor times `3` or times `2.5` stays `float16`;
- an integer tensor times `2.5` is not truncated: `[1, 2] * 2.5` is `[2.5, 5.0]`.

The checker runs your tests on tinygrad as installed (they must pass) and with each of two bugs that get weak typing
wrong (they must fail on both): a number cast to the tensor's dtype, and a number typed strongly (`int32`, `float32`).
""",
  hints=(
    "`self.assertEqual((Tensor([1.0], dtype=dtypes.float16) * 2.5).dtype, dtypes.float16)` is one case.",
    "Check values with `.tolist()`: `self.assertEqual((Tensor([1, 2]) * 2.5).tolist(), [2.5, 5.0])`.",
    "Each bug breaks a different case: one changes an integer tensor's result, the other a float16 tensor's dtype. "
    "Test both.",
  ),
  wrong={
    "int tensors only": '''
import unittest
from tinygrad import Tensor, dtypes
class TestWeak(unittest.TestCase):
  def test_int(self):
    t = Tensor([1, 2]) * 3
    self.assertEqual(t.dtype, dtypes.int32)
    self.assertEqual(t.tolist(), [3, 6])
''',
    "float16 only": '''
import unittest
from tinygrad import Tensor, dtypes
class TestWeak(unittest.TestCase):
  def test_half(self):
    h = Tensor([1.0], dtype=dtypes.float16)
    self.assertEqual((h * 3).dtype, dtypes.float16)
''',
  },
)

# --8<-- [start:solution]
import unittest

from tinygrad import Tensor, dtypes

class TestWeakPythonNumbers(unittest.TestCase):
  def test_int_tensor_int_number(self):
    t = Tensor([1, 2]) * 3
    self.assertEqual(t.dtype, dtypes.int32)
    self.assertEqual(t.tolist(), [3, 6])

  def test_half_tensor_stays_half(self):
    h = Tensor([1.0, 2.0], dtype=dtypes.float16)
    self.assertEqual((h * 3).dtype, dtypes.float16)
    self.assertEqual((h * 2.5).dtype, dtypes.float16)

  def test_int_tensor_float_number_not_truncated(self):
    self.assertEqual((Tensor([1, 2]) * 2.5).tolist(), [2.5, 5.0])
# --8<-- [end:solution]


def check(mod):
  for bug_name, bug in BUGS: grade_test(mod, bug, bug_name)
