"""Day 6, afternoon: a layer test in the style of test/backend/test_nn.py, graded against a broken Linear."""
from tgkit.learn import Exercise, grade_test
from tgkit.mutants import MUTANTS

ORDER = 5
BUG = next(m for m in MUTANTS if m.name == "linear_bias_grad_doubled")
EXERCISE = Exercise(
  id="d6-linear-test", day=6, pathway="afternoon", kind="test", minutes=40,
  title="A regression test for Linear",
  statement=f"""
Write a test in the style of tinygrad's `test/backend/test_nn.py` (a `unittest.TestCase`, a reference computed outside
tinygrad, `np.testing.assert_allclose`) for `nn.Linear`: its forward pass **and** its gradients, with numpy as the
reference (tinygrad's own test copies the weights into torch's layer; numpy needs no extra install). For
`y = x Wᵀ + b` and a loss `L = (y * g).sum()` with a fixed `g`, the gradients are `dL/dW = gᵀx`, `dL/db = g.sum(0)` and
`dL/dx = g W`.

The checker grades it the way tinygrad grades a pull request's test: it runs your test on tinygrad as installed (it
must pass) and on a tinygrad with a bug ({BUG.description}), where it must fail. A test that passes whatever tinygrad
does is reported as such.
""",
  hints=(
    "The broken Linear computes the right values: a forward test alone cannot see it.",
    "`gw, gb, gx = (layer(X) * Tensor(g)).sum().gradient(layer.weight, layer.bias, X)` gives all three gradients at once.",
    "Check every gradient, the bias's included: `np.testing.assert_allclose(gb.numpy(), g.sum(0), rtol=1e-5)`.",
  ),
  wrong={
    "forward only": '''
import unittest
import numpy as np
from tinygrad import Tensor, nn
class TestLinear(unittest.TestCase):
  def test_forward(self):
    layer = nn.Linear(3, 2)
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(layer(Tensor(x)).numpy(), x @ layer.weight.numpy().T + layer.bias.numpy(), rtol=1e-5, atol=1e-6)
''',
    "the weight's gradient only": '''
import unittest
import numpy as np
from tinygrad import Tensor, nn
class TestLinear(unittest.TestCase):
  def test_weight_grad(self):
    layer = nn.Linear(3, 2)
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    (gw,) = layer(Tensor(x)).sum().gradient(layer.weight)
    np.testing.assert_allclose(gw.numpy(), np.ones((4, 2), np.float32).T @ x, rtol=1e-5, atol=1e-6)
''',
  },
)

# --8<-- [start:solution]
import unittest

import numpy as np
from tinygrad import Tensor, nn

class TestLinear(unittest.TestCase):
  def setUp(self):
    rng = np.random.default_rng(0)
    self.x, self.g = rng.standard_normal((4, 3)).astype(np.float32), rng.standard_normal((4, 2)).astype(np.float32)
    self.layer = nn.Linear(3, 2)
    self.W, self.b = self.layer.weight.numpy(), self.layer.bias.numpy()

  def test_forward(self):
    np.testing.assert_allclose(self.layer(Tensor(self.x)).numpy(), self.x @ self.W.T + self.b, rtol=1e-5, atol=1e-6)

  def test_gradients(self):
    """L = (y * g).sum(): dL/dW = g^T x, dL/db = g summed over the batch, dL/dx = g W."""
    X = Tensor(self.x)
    gw, gb, gx = (self.layer(X) * Tensor(self.g)).sum().gradient(self.layer.weight, self.layer.bias, X)
    np.testing.assert_allclose(gw.numpy(), self.g.T @ self.x, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gb.numpy(), self.g.sum(0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gx.numpy(), self.g @ self.W, rtol=1e-5, atol=1e-6)
# --8<-- [end:solution]


def check(mod): grade_test(mod, BUG.patch, BUG.description, hint=EXERCISE.hints[0] + " " + EXERCISE.hints[2])
