"""The nn validator: gradients of tinygrad.nn layers, their parameter counts, and whether optimizers converge.

* `grad_check`: the analytic gradient (`Tensor.gradient`) of a scalar loss with respect to the layer's input
  and every trainable parameter, against float64 central finite differences at up to `SAMPLES` entries of
  each, everything in float64 (`Context(DEFAULT_FLOAT="float64")`).
* `param_count`: trainable parameters (`Tensor.is_param`; BatchNorm's running statistics are buffers)
  against the closed form.
* `converge`: a seeded linear regression y = 3x + 2; an optimizer passes when the loss falls below
  `CONVERGE_RATIO` of its starting value within `CONVERGE_STEPS` steps.

```python
from tgkit import nn
print(nn.render_text(nn.run(layers=["Linear"], optimizers=["Adam"])))
```
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from tinygrad import Context, Tensor, dtypes, nn
from tinygrad.nn.state import get_parameters

from tgkit.errors import UsageError

EPS = 1e-6               # finite-difference step, in float64
GRAD_TOLERANCE = 1e-6    # max |analytic - numeric| / (1 + max |analytic|)
SAMPLES = 12             # entries checked per tensor (all of them when smaller)
CONVERGE_STEPS = 100
CONVERGE_RATIO = 1e-3    # final loss below this fraction of the first


@dataclasses.dataclass
class LayerSpec:
  build: Callable[[], object]
  input: tuple[int, ...]     # input shape
  params: int                # closed-form count of trainable parameters
  formula: str
  tokens: int = 0            # > 0: integer input below this value (Embedding), no input gradient
  training: bool = False     # BatchNorm uses batch statistics only under TRAINING
  eps: float = EPS
  tolerance: float = GRAD_TOLERANCE


LAYERS: dict[str, LayerSpec] = {
  "Linear": LayerSpec(lambda: nn.Linear(6, 3), (4, 6), 6 * 3 + 3, "in*out + out"),
  "Conv2d": LayerSpec(lambda: nn.Conv2d(2, 3, 3, padding=1), (2, 2, 5, 5), 3 * 2 * 3 * 3 + 3, "out*in*k*k + out"),
  "Conv1d": LayerSpec(lambda: nn.Conv1d(2, 4, 3), (2, 2, 7), 4 * 2 * 3 + 4, "out*in*k + out"),
  "BatchNorm": LayerSpec(lambda: nn.BatchNorm(3), (4, 3, 2, 2), 2 * 3, "2*channels (running stats are buffers)", training=True),
  "LayerNorm": LayerSpec(lambda: nn.LayerNorm(5), (3, 5), 2 * 5, "2*features"),
  "GroupNorm": LayerSpec(lambda: nn.GroupNorm(2, 4), (2, 4, 3), 2 * 4, "2*channels"),
  # RMSNorm normalises in float32 (`x.float()`) whatever the input dtype, so its check uses a float32-sized step.
  "RMSNorm": LayerSpec(lambda: nn.RMSNorm(5), (3, 5), 5, "features", eps=1e-3, tolerance=1e-3),
  "Embedding": LayerSpec(lambda: nn.Embedding(10, 4), (2, 3), 10 * 4, "vocab*dim", tokens=10),
}

OPTIMIZERS: dict[str, Callable[[list[Tensor]], object]] = {
  "SGD": lambda p: nn.optim.SGD(p, lr=0.1, momentum=0.9),
  "Adam": lambda p: nn.optim.Adam(p, lr=0.1),
  "AdamW": lambda p: nn.optim.AdamW(p, lr=0.1, weight_decay=0.01),
}


@dataclasses.dataclass
class NNResult:
  check: str             # "grad" | "params" | "converge"
  target: str            # layer or optimizer name
  status: str            # "pass" | "fail" | "error"
  max_error: float | None
  tolerance: str
  message: str


def _spec(name: str) -> LayerSpec:
  if name not in LAYERS: raise UsageError.unknown("layer", name, LAYERS)
  return LAYERS[name]


def trainable(layer) -> list[Tensor]:
  """The layer's trainable parameters (what an optimizer updates), without buffers such as running stats."""
  return [p for p in get_parameters(layer) if p.is_param and dtypes.is_float(p.dtype)]


def param_count(name: str) -> NNResult:
  """Compare the number of trainable parameters of a layer with its closed form."""
  spec = _spec(name)
  got = sum(p.numel() for p in trainable(spec.build()))
  ok = got == spec.params
  return NNResult("params", name, "pass" if ok else "fail", float(abs(got - spec.params)), "exact",
                  f"{got} parameters, closed form {spec.formula} = {spec.params}")


def _sample(n: int) -> np.ndarray:
  return np.unique(np.linspace(0, n - 1, min(n, SAMPLES)).round().astype(int))


def grad_check(name: str, seed: int = 0) -> NNResult:
  """Check a layer's gradients (input and every trainable parameter) against float64 finite differences."""
  spec = _spec(name)
  try:
    with Context(DEFAULT_FLOAT="float64", TRAINING=int(spec.training)):
      Tensor.manual_seed(seed)
      rng = np.random.default_rng(seed)
      layer = spec.build()
      x = Tensor(rng.integers(0, spec.tokens, spec.input).astype(np.int32)) if spec.tokens else Tensor(rng.standard_normal(spec.input))
      targets = ([] if spec.tokens else [x]) + trainable(layer)
      w = Tensor(rng.standard_normal(layer(x).shape))   # weights every output, so no output is ignored
      loss = lambda: (layer(x) * w).sum()  # noqa: E731
      analytic = [g.numpy() for g in loss().gradient(*targets)]
      worst, scale = 0.0, 1.0
      for t, g in zip(targets, analytic):
        base = t.numpy().copy()
        flat = base.reshape(-1)
        for i in _sample(flat.size):
          plus, minus = flat.copy(), flat.copy()
          plus[i] += spec.eps
          minus[i] -= spec.eps
          t.assign(Tensor(plus.reshape(base.shape))).realize()
          lp = loss().item()
          t.assign(Tensor(minus.reshape(base.shape))).realize()
          lm = loss().item()
          worst = max(worst, abs((lp - lm) / (2 * spec.eps) - g.reshape(-1)[i]))
          scale = max(scale, 1 + abs(g.reshape(-1)[i]))
        t.assign(Tensor(base)).realize()
  except Exception as e:  # noqa: BLE001 - a layer that cannot run is a result
    return NNResult("grad", name, "error", None, f"{spec.tolerance:g}", f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
  err = worst / scale
  ok = err <= spec.tolerance
  return NNResult("grad", name, "pass" if ok else "fail", err, f"{spec.tolerance:g}",
                  f"{len(targets)} tensors, up to {SAMPLES} entries each, relative error {err:.2e}")


def converge(optimizer: str, steps: int = CONVERGE_STEPS, seed: int = 0) -> NNResult:
  """Fit y = 3x + 2 with one Linear layer; pass when the loss falls below CONVERGE_RATIO of its start."""
  if optimizer not in OPTIMIZERS: raise UsageError.unknown("optimizer", optimizer, OPTIMIZERS)
  Tensor.manual_seed(seed)
  model = nn.Linear(1, 1)
  opt = OPTIMIZERS[optimizer](get_parameters(model))
  x = (Tensor.rand(64, 1) * 4 - 2).realize()
  y = (3 * x + 2).realize()
  losses = []
  with Context(TRAINING=1):
    for _ in range(steps):
      opt.zero_grad()
      loss = ((model(x) - y) ** 2).mean().backward()
      opt.step()
      losses.append(loss.item())
  ratio = losses[-1] / losses[0] if losses[0] else 0.0
  ok = bool(np.isfinite(ratio)) and ratio < CONVERGE_RATIO
  return NNResult("converge", optimizer, "pass" if ok else "fail", ratio, f"< {CONVERGE_RATIO:g} of the first loss in {steps} steps",
                  f"loss {losses[0]:.4f} -> {losses[-1]:.2e} in {steps} steps")


def run(layers: list[str] | None = None, optimizers: list[str] | None = None) -> list[NNResult]:
  """Parameter counts and gradient checks of `layers`, convergence of `optimizers` (None: all of each)."""
  names = list(LAYERS) if layers is None else layers
  opts = list(OPTIMIZERS) if optimizers is None else optimizers
  for n in names: _spec(n)
  for o in opts:
    if o not in OPTIMIZERS: raise UsageError.unknown("optimizer", o, OPTIMIZERS)
  out = []
  for n in names: out += [param_count(n), grad_check(n)]
  return out + [converge(o) for o in opts]


def render_text(results: list[NNResult]) -> str:
  """One line per check."""
  return "\n".join(f"{r.check:8s} {r.target:10s} {r.status:5s} {r.message}" for r in results)


def render_markdown(results: list[NNResult]) -> str:
  """A Markdown table of the checks."""
  rows = [f"| {r.check} | {r.target} | {r.status} | {'' if r.max_error is None else f'{r.max_error:.2e}'} | {r.tolerance} | {r.message} |" for r in results]
  return "\n".join(["| check | target | status | error | tolerance | message |", "|---|---|---|---:|---|---|", *rows]) + "\n"
