"""Day 4, afternoon: a device test that catches a bug in one backend's interpreter."""
import contextlib
import math
from collections.abc import Iterator

from tinygrad.uop import Ops
from tinygrad.uop.ops import python_alu

from tgkit.learn import Exercise, grade_test

ORDER = 5
BUG_NAME = "the PYTHON device's interpreter computes EXP2 as e**x instead of 2**x"


@contextlib.contextmanager
def bug() -> Iterator[None]:
  """Break the PYTHON device only: its program interprets each ALU op through `python_alu`, which running a CPU kernel never calls."""
  orig = python_alu[Ops.EXP2]
  python_alu[Ops.EXP2] = lambda x: math.exp(x) if x < 700 else math.inf
  try: yield
  finally: python_alu[Ops.EXP2] = orig


EXERCISE = Exercise(
  id="d4-python-exp", day=4, pathway="afternoon", kind="test", minutes=40,
  title="A device test for exp on PYTHON",
  statement=f"""
Write a test in tinygrad's style (a `unittest.TestCase`, a numpy reference, `np.testing.assert_allclose`) that checks
`Tensor.exp` on the `PYTHON` device, the pure-Python interpreter that CI also runs tinygrad's backend tests on.
tinygrad computes `exp(x)` as `EXP2(x * log2(e))`, so an interpreter that gets `EXP2` wrong gets `exp` wrong too.

The checker runs your test on tinygrad as installed (it must pass) and on a tinygrad with a bug ({BUG_NAME}), where
it must fail. A test that passes whatever tinygrad does is reported as such.
""",
  hints=(
    "Put the data on the device: `Tensor(x, device=\"PYTHON\")`, or run the test body inside `with Context(DEV=\"PYTHON\"):`.",
    "Choose inputs where the bug shows: at x = 0 every base gives 1. Use several values, negative and positive.",
    "`np.testing.assert_allclose(Tensor(x, device=\"PYTHON\").exp().numpy(), np.exp(x), rtol=1e-6)`.",
  ),
  wrong={
    "a test on the default device": '''
import unittest
import numpy as np
from tinygrad import Tensor
class TestExp(unittest.TestCase):
  def test_exp(self):
    x = np.array([-2.0, -0.5, 0.0, 1.0, 3.0], dtype=np.float32)
    np.testing.assert_allclose(Tensor(x).exp().numpy(), np.exp(x), rtol=1e-6)
''',
    "exp of zero only": '''
import unittest
import numpy as np
from tinygrad import Tensor
class TestExp(unittest.TestCase):
  def test_exp(self):
    x = np.zeros(4, dtype=np.float32)
    np.testing.assert_allclose(Tensor(x, device="PYTHON").exp().numpy(), np.exp(x), rtol=1e-6)
''',
  },
)

# --8<-- [start:solution]
import unittest

import numpy as np
from tinygrad import Tensor

class TestPythonExp(unittest.TestCase):
  def test_exp(self):
    """exp on the PYTHON interpreter against numpy, at values where 2**x and e**x differ."""
    x = np.array([-3.0, -0.5, 0.0, 0.25, 1.0, 4.0], dtype=np.float32)
    np.testing.assert_allclose(Tensor(x, device="PYTHON").exp().numpy(), np.exp(x), rtol=1e-6)

  def test_exp2(self):
    x = np.array([-2.0, 0.5, 3.0], dtype=np.float32)
    np.testing.assert_allclose(Tensor(x, device="PYTHON").exp2().numpy(), np.exp2(x), rtol=1e-6)
# --8<-- [end:solution]


def check(mod): grade_test(mod, bug, BUG_NAME)
