"""Day 3, afternoon: a UOp-level regression test for the bounds the symbolic engine relies on."""
import contextlib
import functools

from tinygrad import dtypes
from tinygrad.uop import Ops
from tinygrad.uop.ops import UOp

from tgkit.learn import Exercise, grade_test
from tgkit.mutants import patched

ORDER = 6
BUG_NAME = "the bounds of an integer product ignore signs: vmin = vmin*vmin and vmax = vmax*vmax of the two sources"


def _min_max_ignores_signs(orig: functools.cached_property):
  """The buggy bounds as a plain property: a property on the class wins over the values cached_property left on instances."""
  def min_max(self):
    if self.op is Ops.MUL and not dtypes.is_float(self.dtype):
      (a0, a1), (b0, b1) = self.src[0]._min_max, self.src[1]._min_max
      return a0 * b0, a1 * b1
    return orig.func(self)
  return property(min_max)


def bug() -> contextlib.AbstractContextManager: return patched(UOp, "_min_max", _min_max_ignores_signs)


EXERCISE = Exercise(
  id="d3-bounds-test", day=3, pathway="afternoon", kind="test", minutes=40,
  title="A regression test for symbolic bounds",
  statement=f"""
Every integer UOp has bounds, `vmin` and `vmax`, and the symbolic rules rely on them: `(x + 3) % 20` becomes `x + 3`
only because `x + 3` is known to be below 20. Write a test in the style of `test/null/test_uop_symbolic.py`
(a `unittest.TestCase`, variables from `UOp.variable(name, min, max)`, the graph simplified with
`graph_rewrite(expr, sym + pm_cast_weak)`, then its `vmin` and `vmax` compared with the right values) for products.

The checker runs your test on tinygrad as installed (it must pass) and on a tinygrad with a bug ({BUG_NAME}),
where it must fail. A test that passes whatever tinygrad does is reported as such.
""",
  hints=(
    "Work the bounds out by hand first: for `x` in 0..10, `x * -2` is between -20 and 0.",
    "Products of non-negative ranges have the same bounds with or without the bug: the sign is what makes the four corner "
    "products (vmin*vmin, vmin*vmax, vmax*vmin, vmax*vmax) differ.",
    "`from tinygrad.uop.symbolic import sym` and `from tinygrad.uop.weak import pm_cast_weak`, as the test file imports them.",
  ),
  wrong={
    "only non-negative products": '''
import unittest
from tinygrad.uop.ops import UOp, graph_rewrite
from tinygrad.uop.symbolic import sym
from tinygrad.uop.weak import pm_cast_weak
class TestBounds(unittest.TestCase):
  def test_mul(self):
    x = UOp.variable("x", 0, 10)
    s = graph_rewrite(x * 3, sym + pm_cast_weak)
    self.assertEqual((s.vmin, s.vmax), (0, 30))
''',
    "the simplified text only": '''
import unittest
from tinygrad.uop.ops import UOp, graph_rewrite
from tinygrad.uop.symbolic import sym
from tinygrad.uop.weak import pm_cast_weak
class TestBounds(unittest.TestCase):
  def test_mul(self):
    x = UOp.variable("x", 0, 10)
    self.assertEqual(graph_rewrite(x * 2 + x * 3, sym + pm_cast_weak).render(), "(x*5)")
''',
  },
)

# --8<-- [start:solution]
import unittest

from tinygrad.uop.ops import UOp, graph_rewrite
from tinygrad.uop.symbolic import sym
from tinygrad.uop.weak import pm_cast_weak

class TestMulBounds(unittest.TestCase):
  def helper_test_bounds(self, expr: UOp, vmin: int, vmax: int):
    """Simplify like test_uop_symbolic.py's helper_test_variable, then compare the bounds."""
    s = graph_rewrite(expr, sym + pm_cast_weak)
    self.assertEqual((s.vmin, s.vmax), (vmin, vmax))

  def test_mul_negative_const(self):
    self.helper_test_bounds(UOp.variable("x", 0, 10) * -2, -20, 0)

  def test_mul_mixed_signs(self):
    self.helper_test_bounds(UOp.variable("x", -3, 2) * UOp.variable("y", -1, 4), -12, 8)
# --8<-- [end:solution]


def check(mod): grade_test(mod, bug, BUG_NAME)
