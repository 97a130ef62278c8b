"""Day 6, Pathway A: the NN validator a learner ends the day with (tgkit.nn is the full version)."""
# --8<-- [start:run]
import dataclasses

import numpy as np
from tinygrad import Context, Tensor, TinyJit, nn
from tinygrad.nn.state import get_parameters


@dataclasses.dataclass
class Check:
  subject: str
  check: str          # params | grad | converge
  status: str         # pass | fail
  detail: str = ""


LAYERS = {  # name -> (constructor, closed-form parameter count, input shape or None)
  "Linear": (lambda: nn.Linear(6, 3), 6 * 3 + 3, (2, 6)),
  "Conv2d": (lambda: nn.Conv2d(2, 3, 3), 3 * 2 * 3 * 3 + 3, (1, 2, 4, 4)),
  "LayerNorm": (lambda: nn.LayerNorm(5), 2 * 5, (2, 5)),
  "RMSNorm": (lambda: nn.RMSNorm(5), 5, (2, 5)),
  "Embedding": (lambda: nn.Embedding(10, 3), 10 * 3, None),
}
OPTIMIZERS = {
  "SGD": lambda p: nn.optim.SGD(p, lr=0.1, momentum=0.9),
  "Adam": lambda p: nn.optim.Adam(p, lr=0.2),
  "AdamW": lambda p: nn.optim.AdamW(p, lr=0.2, weight_decay=0.0),
}


def finite_difference_error(layer, shape, eps=1e-2) -> float:
  """Largest difference between the gradient and central differences, all nudged inputs in one batch."""
  rng = np.random.default_rng(0)
  x = rng.standard_normal(shape).astype(np.float32)
  w = rng.standard_normal(layer(Tensor(x)).shape).astype(np.float32)  # weights every output, so none is ignored
  t = Tensor(x)
  g = (layer(t) * Tensor(w)).sum().gradient(t)[0].numpy()
  idx = list(np.ndindex(*shape))
  nudged = np.repeat(x[None], 2 * len(idx), axis=0)   # (2n, *shape): +eps and -eps for each element
  for k, i in enumerate(idx):
    nudged[(2 * k, *i)] += eps
    nudged[(2 * k + 1, *i)] -= eps
  outs = layer(Tensor(nudged.reshape(-1, *shape[1:]))).reshape(2 * len(idx), *w.shape)
  losses = (outs * Tensor(w)).reshape(2 * len(idx), -1).sum(axis=1).numpy()
  slopes = (losses[0::2] - losses[1::2]) / (2 * eps)
  return float(np.abs(slopes - np.array([g[i] for i in idx])).max())


def converges(make_opt, steps=60) -> tuple[bool, str]:
  Tensor.manual_seed(0)
  model = nn.Linear(1, 1)
  opt = make_opt(get_parameters(model))
  X = (Tensor.rand(64, 1) * 4 - 2).realize()
  Y = (3 * X + 2).realize()

  @TinyJit
  @Context(TRAINING=1)
  def step() -> Tensor:
    opt.zero_grad()
    loss = ((model(X) - Y) ** 2).mean().backward()
    opt.step()
    return loss.realize()

  losses = [step().item() for _ in range(steps)]
  return losses[-1] < 0.01 * losses[0], f"loss {losses[0]:.3f} -> {losses[-1]:.5f}"


def run() -> list[Check]:
  Tensor.manual_seed(0)
  out = []
  for name, (make, want, shape) in LAYERS.items():
    layer = make()
    got = sum(p.numel() for p in get_parameters(layer))
    out.append(Check(name, "params", "pass" if got == want else "fail", f"{got} (closed form {want})"))
    if shape is not None:
      err = finite_difference_error(layer, shape)
      out.append(Check(name, "grad", "pass" if err < 2e-2 else "fail", f"max error {err:.0e}"))
  for name, make in OPTIMIZERS.items():
    ok, detail = converges(make)
    out.append(Check(name, "converge", "pass" if ok else "fail", detail))
  return out


checks = run()
for c in checks: print(f"{c.subject:10s} {c.check:8s} {c.status:4s} {c.detail}")
assert all(c.status == "pass" for c in checks)
# --8<-- [end:run]
