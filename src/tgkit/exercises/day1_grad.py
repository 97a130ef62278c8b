"""Day 1, Pathway A: check tinygrad's gradients against closed forms."""
import numpy as np

from tgkit.learn import Exercise, expect, function

ORDER = 3
EXERCISE = Exercise(
  id="d1-grad", day=1, pathway="A", kind="code", minutes=20,
  title="Check a gradient",
  statement="""
Write `grad_check(tiny_fn, np_grad, a)`: make `t = Tensor(a)`, take the gradient of the scalar
`tiny_fn(t).sum()` with respect to `t` with `Tensor.gradient`, and compare it with the derivative you
know in closed form, `np_grad(a)`. Return `"pass"` when the shapes match and the values are within
`atol + rtol * |want|`, else `"fail"`.

The checker calls it on `t * t` (derivative `2a`), `exp`, `relu` and `sigmoid` with their true derivatives
(each must pass) and with wrong closed forms (each must fail).
""",
  hints=(
    "`Tensor.gradient` needs a scalar: `tiny_fn(t).sum().gradient(t)` returns a list with one tensor per argument.",
    "Float results of two libraries rarely match bit for bit (tinygrad's `exp` differs from numpy's in the last bits): "
    "compare with `np.allclose(got, want, atol=atol, rtol=rtol)`, never with `==`.",
  ),
  wrong={
    "exact equality": '''
import numpy as np
from tinygrad import Tensor
def grad_check(tiny_fn, np_grad, a, atol=1e-5, rtol=1e-5):
  t = Tensor(a)
  (g,) = tiny_fn(t).sum().gradient(t)
  return "pass" if np.array_equal(g.numpy(), np_grad(a)) else "fail"
''',
    "the gradient of a non-scalar": '''
import numpy as np
from tinygrad import Tensor
def grad_check(tiny_fn, np_grad, a, atol=1e-5, rtol=1e-5):
  t = Tensor(a)
  (g,) = tiny_fn(t).gradient(t)
  return "pass" if np.allclose(g.numpy(), np_grad(a), atol=atol, rtol=rtol) else "fail"
''',
    "compares with the function's value": '''
import numpy as np
from tinygrad import Tensor
def grad_check(tiny_fn, np_grad, a, atol=1e-5, rtol=1e-5):
  t = Tensor(a)
  return "pass" if np.allclose(tiny_fn(t).numpy(), np_grad(a), atol=atol, rtol=rtol) else "fail"
''',
  },
)

# --8<-- [start:solution]
import numpy as np
from tinygrad import Tensor

def grad_check(tiny_fn, np_grad, a, atol=1e-5, rtol=1e-5) -> str:
  """Compare tinygrad's gradient of tiny_fn(t).sum() with respect to t = Tensor(a) with the closed form np_grad(a): "pass" or "fail"."""
  t = Tensor(a)
  (g,) = tiny_fn(t).sum().gradient(t)
  got, want = g.numpy(), np_grad(a)
  return "pass" if got.shape == want.shape and np.allclose(got, want, atol=atol, rtol=rtol) else "fail"
# --8<-- [end:solution]


def check(mod):
  grad_check = function(mod, "grad_check")
  a = np.random.default_rng(0).uniform(-3, 3, (3, 4)).astype(np.float32)
  sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
  cases = [
    ("t * t with derivative 2a", lambda t: t * t, lambda v: 2 * v, "pass"),
    ("exp with derivative exp(a)", lambda t: t.exp(), np.exp, "pass"),
    ("relu with derivative (a > 0)", lambda t: t.relu(), lambda v: (v > 0).astype(np.float32), "pass"),
    ("sigmoid with derivative s(a)(1 - s(a))", lambda t: t.sigmoid(), lambda v: sig(v) * (1 - sig(v)), "pass"),
    ("t * t with the wrong derivative a", lambda t: t * t, lambda v: v, "fail"),
    ("exp with the wrong derivative exp(a) + 0.01", lambda t: t.exp(), lambda v: np.exp(v) + 0.01, "fail"),
    ("t * t with a derivative of the wrong shape", lambda t: t * t, lambda v: 2 * v[:, :1], "fail"),
  ]
  for what, tiny_fn, np_grad, want in cases:
    got = grad_check(tiny_fn, np_grad, a)
    expect(got == want, f"on {what}, grad_check returned {got!r}; the right answer is {want!r}",
           EXERCISE.hints[1] if want == "pass" else "compare the shapes, then the values of the gradient (not of the function)")
