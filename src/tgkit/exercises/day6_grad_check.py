"""Day 6, Pathway A step 3: a layer's input gradient against central finite differences, every nudge in one batch."""
import numpy as np
from tinygrad import Tensor, nn

from tgkit.learn import Exercise, expect, function

ORDER = 2


def flip_with_wrong_gradient(t: Tensor) -> Tensor:
  """A broken layer: it returns each row reversed, but its gradient is that of the identity (the reversal is detached)."""
  return t.flip(-1).detach() + (t - t.detach())


EXERCISE = Exercise(
  id="d6-grad-check", day=6, pathway="A", kind="code", minutes=30,
  title="Gradients against finite differences",
  statement="""
Write `grad_check(layer, shape, eps=1e-2, seed=0)`: the largest difference between tinygrad's gradient of a loss with
respect to the layer's input and the central finite difference of that loss. The loss is `(layer(x) * w).sum()`
with `x` and `w` drawn from `np.random.default_rng(seed).standard_normal(shape)` as float32 (first `x`, then `w`): a
fixed random weighting makes the loss depend on every output. The slope for element `i` is
`(loss(x + eps at i) - loss(x - eps at i)) / (2 * eps)`.

Compute all nudged losses in one run: stack the `2 * x.size` nudged copies of `x` into one batch, reshape it to
`(-1, *shape[1:])`, run the layer once, and sum each copy's weighted outputs. That is right for layers that treat the
rows of a batch independently, like `Linear` and `LayerNorm`.

The checker wants a small error (under 0.01) for `nn.Linear` and `nn.LayerNorm`, and a large one (over 0.5) for a
broken layer that reverses each row but reports the identity's gradient.
""",
  hints=(
    "`t = Tensor(x)`; `(g,) = (layer(t) * Tensor(w)).sum().gradient(t)` gives the gradient to compare with.",
    "With an unweighted `.sum()` the broken layer looks right: the sum of a reversed row equals the sum of the row, and "
    "`LayerNorm(x).sum()` does not change with `x` at all. Multiply by the fixed `w`.",
    "`nudged = np.repeat(x[None], 2 * n, axis=0)`; copy `2k` gets `+eps` at element `k`, copy `2k+1` gets `-eps`; "
    "`losses = (out * Tensor(w.reshape(1, -1))).sum(axis=1)` after reshaping the output to `(2 * n, -1)`.",
  ),
  wrong={
    "an unweighted sum": '''
import numpy as np
from tinygrad import Tensor
def grad_check(layer, shape, eps=1e-2, seed=0):
  rng = np.random.default_rng(seed)
  x = rng.standard_normal(shape).astype(np.float32)
  t = Tensor(x)
  (g,) = layer(t).sum().gradient(t)
  idx = list(np.ndindex(*shape))
  nudged = np.repeat(x[None], 2 * len(idx), axis=0)
  for k, i in enumerate(idx):
    nudged[(2 * k, *i)] += eps
    nudged[(2 * k + 1, *i)] -= eps
  losses = layer(Tensor(nudged.reshape(-1, *shape[1:]))).reshape(2 * len(idx), -1).sum(axis=1).numpy()
  slopes = (losses[0::2] - losses[1::2]) / (2 * eps)
  return float(np.abs(slopes - g.numpy()[tuple(np.array(idx).T)]).max())
''',
    "divided by eps instead of 2 * eps": '''
import numpy as np
from tinygrad import Tensor
def grad_check(layer, shape, eps=1e-2, seed=0):
  rng = np.random.default_rng(seed)
  x, w = rng.standard_normal(shape).astype(np.float32), rng.standard_normal(shape).astype(np.float32)
  t = Tensor(x)
  (g,) = (layer(t) * Tensor(w)).sum().gradient(t)
  idx = list(np.ndindex(*shape))
  nudged = np.repeat(x[None], 2 * len(idx), axis=0)
  for k, i in enumerate(idx):
    nudged[(2 * k, *i)] += eps
    nudged[(2 * k + 1, *i)] -= eps
  out = layer(Tensor(nudged.reshape(-1, *shape[1:]))).reshape(2 * len(idx), -1)
  losses = (out * Tensor(w.reshape(1, -1))).sum(axis=1).numpy()
  slopes = (losses[0::2] - losses[1::2]) / eps
  return float(np.abs(slopes - g.numpy()[tuple(np.array(idx).T)]).max())
''',
  },
)

# --8<-- [start:solution]
import numpy as np
from tinygrad import Tensor

def grad_check(layer, shape, eps=1e-2, seed=0) -> float:
  """Largest difference between the gradient of (layer(x) * w).sum() with respect to x and its central finite
  differences; x and w are standard normal float32 of `shape` from default_rng(seed), x first. All 2 * x.size nudged
  copies of x run through the layer as one batch (right for layers that treat rows independently)."""
  rng = np.random.default_rng(seed)
  x, w = rng.standard_normal(shape).astype(np.float32), rng.standard_normal(shape).astype(np.float32)
  t = Tensor(x)
  (g,) = (layer(t) * Tensor(w)).sum().gradient(t)
  idx = list(np.ndindex(*shape))
  nudged = np.repeat(x[None], 2 * len(idx), axis=0)     # copy 2k gets +eps, copy 2k+1 gets -eps
  for k, i in enumerate(idx):
    nudged[(2 * k, *i)] += eps
    nudged[(2 * k + 1, *i)] -= eps
  out = layer(Tensor(nudged.reshape(-1, *shape[1:]))).reshape(2 * len(idx), -1)
  losses = (out * Tensor(w.reshape(1, -1))).sum(axis=1).numpy()
  slopes = (losses[0::2] - losses[1::2]) / (2 * eps)
  return float(np.abs(slopes - g.numpy()[tuple(np.array(idx).T)]).max())
# --8<-- [end:solution]


def check(mod):
  grad_check = function(mod, "grad_check")
  Tensor.manual_seed(0)
  for what, layer, shape in [("nn.LayerNorm(4)", nn.LayerNorm(4), (2, 4)), ("nn.Linear(4, 4)", nn.Linear(4, 4), (3, 4))]:
    err = grad_check(layer, shape)
    expect(isinstance(err, float) and err < 1e-2, f"grad_check({what}, {shape}) returned {err!r}; its gradient is right, so the "
           "error should be under 0.01", EXERCISE.hints[2])
  err = grad_check(flip_with_wrong_gradient, (2, 4))
  expect(isinstance(err, float) and err > 0.5, f"grad_check on a layer that reverses each row but reports the identity's gradient "
         f"returned {err!r}; the gradient is wrong, so the error should be large (over 0.5)", EXERCISE.hints[1])
