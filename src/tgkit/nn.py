"""The nn validator: tinygrad.nn layers' forward values, gradients and parameter counts, training-mode behaviour,
optimizers, learning-rate schedules, and a small model's training stability.

* `forward_check`: each layer's output in several configurations (padding, stride, groups, dilation, shapes,
  affine or not, training or evaluation) against a numpy reference written from the layer's definition, in
  float32 against float64, every parameter and running statistic first set to seeded random values (the default
  ones and zeros would hide a wrong scale or shift).
* `grad_check`: the analytic gradient (`Tensor.gradient`) of a scalar loss with respect to the layer's input
  and every trainable parameter, against float64 central finite differences at up to `SAMPLES` entries of
  each, everything in float64 (`Context(DEFAULT_FLOAT="float64")`).
* `param_count`: trainable parameters (`Tensor.is_param`; BatchNorm's running statistics are buffers)
  against the closed form.
* `training_check`: what `TRAINING` switches. Dropout zeroes a fraction `p` of the values (within `DROPOUT_SIGMAS`
  standard deviations of a binomial count) and scales the rest by 1/(1-p) in training, and is the identity in
  evaluation; BatchNorm normalises with the batch's statistics and moves its running statistics by `momentum` in
  training, and uses the running statistics and leaves them alone in evaluation.
* `converge`: a seeded linear regression y = 3x + 2; an optimizer passes when the loss falls below
  `CONVERGE_RATIO` of its starting value within `CONVERGE_STEPS` steps.
* `schedule_check`: a learning-rate schedule of `tgkit.schedules` takes its closed-form values at given steps,
  and an SGD step captured by `TinyJit` moves its weight by exactly the rate the schedule set for that step.
* `stability`: an MLP trained on a deterministically generated data set (`two_spirals`) for a fixed number of
  steps: every loss finite, no loss above `STABILITY.spike` times the first, the last below `STABILITY.loss_ratio`
  of the first, and accuracy above the thresholds on the training points and on held-out points.
* `benchmark_inference`: the median and interquartile range of the trained model's forward pass
  (`tgkit.bench.inference`); times are the host's, so it is not part of `run`.

```python
from tgkit import nn
print(nn.render_text(nn.run(layers=["Linear"], optimizers=["Adam"], schedules=[], datasets=[])))
```
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from tinygrad import Context, Tensor, dtypes, nn
from tinygrad.nn.state import get_parameters, get_state_dict

from tgkit.errors import UsageError

EPS = 1e-6               # finite-difference step, in float64
GRAD_TOLERANCE = 1e-6    # max |analytic - numeric| / (1 + max |analytic|)
SAMPLES = 12             # entries checked per tensor (all of them when smaller)
CONVERGE_STEPS = 100
CONVERGE_RATIO = 1e-3    # final loss below this fraction of the first
FORWARD_TOLERANCE = 1e-6  # max |tinygrad - numpy| / (1 + max |numpy|): float32 layers against a float64 reference
DROPOUT_P = (0.25, 0.5)  # dropout rates checked
DROPOUT_N = 4096         # values per dropout draw
DROPOUT_SIGMAS = 4.0     # the zeroed fraction may be this many binomial standard deviations from p
SCHEDULE_STEPS = 10      # jitted optimizer steps per schedule check
CHECKS = ("params", "forward", "grad", "training", "converge", "schedule", "stability")


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
  check: str             # one of CHECKS
  target: str            # layer, optimizer, schedule or data set name
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


# ---------------------------------------------------------------- forward values against numpy

def np_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
  """A direct convolution in numpy (N, C, *spatial), written from the definition: a sum over kernel offsets.

  `padding` is read as tinygrad reads it: an int for every side, one int per spatial dimension for both sides of it,
  or two per dimension ordered last dimension first (`(left, right, top, bottom)` in 2-D); or "same".
  """
  dims = w.ndim - 2
  stride, dilation = (tuple(v) if isinstance(v, (tuple, list)) else (v,) * dims for v in (stride, dilation))
  if padding == "same": pads = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for d, k in zip(dilation, w.shape[2:])]
  elif isinstance(padding, int): pads = [(padding, padding)] * dims
  elif len(padding) == dims: pads = [(p, p) for p in padding]
  else: pads = [(padding[2 * i], padding[2 * i + 1]) for i in range(dims)][::-1]
  x = np.pad(x, [(0, 0), (0, 0), *pads])
  k, cin, cout = w.shape[2:], x.shape[1] // groups, w.shape[0] // groups
  size = [(x.shape[2 + i] - dilation[i] * (k[i] - 1) - 1) // stride[i] + 1 for i in range(dims)]
  out = np.zeros((x.shape[0], w.shape[0], *size))
  for g in range(groups):
    xs, ws = x[:, g * cin:(g + 1) * cin], w[g * cout:(g + 1) * cout]
    for off in np.ndindex(*k):
      window = tuple(slice(off[i] * dilation[i], off[i] * dilation[i] + stride[i] * (size[i] - 1) + 1, stride[i]) for i in range(dims))
      out[:, g * cout:(g + 1) * cout] += np.einsum("nc...,oc->no...", xs[(slice(None), slice(None), *window)], ws[(slice(None), slice(None), *off)])
  return out if b is None else out + b.reshape(1, -1, *[1] * dims)


def np_normalize(x: np.ndarray, axes: tuple[int, ...], eps: float) -> np.ndarray:
  """(x - mean) / sqrt(var + eps) over `axes`, with the biased variance."""
  mean = x.mean(axes, keepdims=True)
  return (x - mean) / np.sqrt(((x - mean) ** 2).mean(axes, keepdims=True) + eps)


def _channel(v: np.ndarray, ndim: int) -> np.ndarray: return v.reshape(1, -1, *[1] * (ndim - 2))


def np_batchnorm(x: np.ndarray, p: dict, training: bool, eps: float = 1e-5) -> np.ndarray:
  """BatchNorm over every axis but the channels (axis 1): the batch's statistics in training, the running ones otherwise."""
  axes = tuple(i for i in range(x.ndim) if i != 1)
  y = np_normalize(x, axes, eps) if training else (x - _channel(p["running_mean"], x.ndim)) / np.sqrt(_channel(p["running_var"], x.ndim) + eps)
  return y * _channel(p["weight"], x.ndim) + _channel(p["bias"], x.ndim) if "weight" in p else y


def np_groupnorm(x: np.ndarray, p: dict, groups: int, eps: float = 1e-5) -> np.ndarray:
  """GroupNorm: channels split into `groups`, each group of each sample normalised, then a per-channel scale and shift."""
  y = np_normalize(x.reshape(x.shape[0], groups, -1), (2,), eps).reshape(x.shape)
  return y * _channel(p["weight"], x.ndim) + _channel(p["bias"], x.ndim) if "weight" in p else y


def np_rmsnorm(x: np.ndarray, p: dict, eps: float = 1e-6) -> np.ndarray:
  """x / sqrt(mean(x**2) + eps) over the last axis, times the weight."""
  y = x / np.sqrt((x ** 2).mean(-1, keepdims=True) + eps)
  return y * p["weight"] if "weight" in p else y


@dataclasses.dataclass(frozen=True)
class ForwardCase:
  """One configuration of a layer for `forward_check`: how to build it, its input, and the numpy reference."""
  label: str
  build: Callable[[], object]
  input: tuple[int, ...]
  reference: Callable[[dict, np.ndarray], np.ndarray]   # (parameters as float64 arrays by name, input) -> output
  training: bool = False
  tokens: int = 0         # > 0: integer input below this value (Embedding)


_LN = lambda axes: lambda p, x: np_normalize(x, axes, 1e-5) * p.get("weight", 1.0) + p.get("bias", 0.0)  # noqa: E731
FORWARD: dict[str, tuple[ForwardCase, ...]] = {
  "Linear": (
    ForwardCase("6->3 on (4,6)", lambda: nn.Linear(6, 3), (4, 6), lambda p, x: x @ p["weight"].T + p["bias"]),
    ForwardCase("4->1 no bias on (2,3,4)", lambda: nn.Linear(4, 1, bias=False), (2, 3, 4), lambda p, x: x @ p["weight"].T),
  ),
  "Conv2d": (
    ForwardCase("k3 padding 1", lambda: nn.Conv2d(2, 2, 3, padding=1), (1, 2, 4, 4), lambda p, x: np_conv(x, p["weight"], p["bias"], padding=1)),
    ForwardCase("k2 stride 2 groups 2 padding (1,0,0,1)", lambda: nn.Conv2d(2, 2, 2, stride=2, groups=2, padding=(1, 0, 0, 1)), (1, 2, 5, 5),
                lambda p, x: np_conv(x, p["weight"], p["bias"], stride=2, groups=2, padding=(1, 0, 0, 1))),
    ForwardCase("k(2,3) dilation 2 same, no bias", lambda: nn.Conv2d(1, 1, (2, 3), padding="same", dilation=2, bias=False), (2, 1, 4, 5),
                lambda p, x: np_conv(x, p["weight"], padding="same", dilation=2)),
  ),
  "Conv1d": (
    ForwardCase("k3 stride 2 padding 1", lambda: nn.Conv1d(2, 3, 3, stride=2, padding=1), (1, 2, 7),
                lambda p, x: np_conv(x, p["weight"], p["bias"], stride=2, padding=1)),
    ForwardCase("k2 groups 2 dilation 2", lambda: nn.Conv1d(4, 2, 2, dilation=2, groups=2), (1, 4, 8),
                lambda p, x: np_conv(x, p["weight"], p["bias"], dilation=2, groups=2)),
  ),
  "BatchNorm": (
    ForwardCase("training (N,C,H,W)", lambda: nn.BatchNorm(3), (4, 3, 2, 2), lambda p, x: np_batchnorm(x, p, True), training=True),
    ForwardCase("evaluation (N,C,H,W)", lambda: nn.BatchNorm(3), (4, 3, 2, 2), lambda p, x: np_batchnorm(x, p, False)),
    ForwardCase("training (N,C) no affine", lambda: nn.BatchNorm(5, affine=False), (6, 5), lambda p, x: np_batchnorm(x, p, True), training=True),
  ),
  "LayerNorm": (
    ForwardCase("(2,3) on (2,2,3)", lambda: nn.LayerNorm((2, 3)), (2, 2, 3), _LN((-2, -1))),
    ForwardCase("(4,) no affine", lambda: nn.LayerNorm(4, elementwise_affine=False), (3, 4), _LN((-1,))),
  ),
  "GroupNorm": (
    ForwardCase("2 groups of 2 on (N,C,L)", lambda: nn.GroupNorm(2, 4), (2, 4, 3), lambda p, x: np_groupnorm(x, p, 2)),
    ForwardCase("1 group on (N,C,H,W) no affine", lambda: nn.GroupNorm(1, 3, affine=False), (2, 3, 2, 2), lambda p, x: np_groupnorm(x, p, 1)),
  ),
  "RMSNorm": (
    ForwardCase("(5,)", lambda: nn.RMSNorm(5), (3, 5), lambda p, x: np_rmsnorm(x, p)),
    ForwardCase("eps 0.1 no weight on (2,3,4)", lambda: nn.RMSNorm(4, eps=0.1, elementwise_affine=False), (2, 3, 4), lambda p, x: np_rmsnorm(x, p, 0.1)),
  ),
  "Embedding": (
    ForwardCase("10x4, (2,3) indices", lambda: nn.Embedding(10, 4), (2, 3), lambda p, x: p["weight"][x], tokens=10),
    ForwardCase("3x8, (5,) indices", lambda: nn.Embedding(3, 8), (5,), lambda p, x: p["weight"][x], tokens=3),
  ),
}


def _randomize(layer, rng: np.random.Generator) -> dict[str, np.ndarray]:
  """Give every floating-point tensor of `layer` seeded random values (running variances positive); returns them in float64."""
  out = {}
  for name, t in get_state_dict(layer).items():
    if not dtypes.is_float(t.dtype) or "." in name: continue
    v = (rng.uniform(0.5, 2.0, t.shape) if name == "running_var" else rng.standard_normal(t.shape)).astype(np.float32)
    setattr(layer, name, Tensor(v, device=t.device).is_param_(t.is_param))
    out[name] = v.astype(np.float64)
  return out


def _error(got: np.ndarray, want: np.ndarray) -> float:
  return float(np.abs(got - want).max() / (1 + np.abs(want).max())) if want.size else 0.0


def forward_check(name: str, seed: int = 0, cases: tuple[ForwardCase, ...] | list[ForwardCase] | None = None) -> NNResult:
  """Check a layer's forward values in each configuration of `FORWARD[name]` (or `cases`) against its numpy reference.

  In each configuration the layer's floating-point tensors get seeded random values, the input is seeded
  (standard normal, or integers below `tokens`), `TRAINING` is set as the case says, and the error is
  max |tinygrad - numpy| / (1 + max |numpy|), which must be at most `FORWARD_TOLERANCE`; a wrong shape fails.
  """
  _spec(name)
  cases = FORWARD.get(name, ()) if cases is None else tuple(cases)
  tol = f"{FORWARD_TOLERANCE:g}"
  if not cases: return NNResult("forward", name, "error", None, tol, "no forward configurations")
  worst, where, bad = 0.0, cases[0].label, []
  for case in cases:
    try:
      with Context(TRAINING=int(case.training)):
        rng = np.random.default_rng(seed)
        layer = case.build()
        params = _randomize(layer, rng)
        x = rng.integers(0, case.tokens, case.input) if case.tokens else rng.standard_normal(case.input)
        got = layer(Tensor(x.astype(np.int32 if case.tokens else np.float32))).numpy()
      want = case.reference(params, x if case.tokens else x.astype(np.float32).astype(np.float64))
    except Exception as e:  # noqa: BLE001 - a configuration that cannot run is a result
      return NNResult("forward", name, "error", None, tol, f"{case.label}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
    if got.shape != want.shape:
      bad.append(f"{case.label}: shape {got.shape}, numpy {want.shape}")
      continue
    err = _error(got, want)
    if not err <= FORWARD_TOLERANCE: bad.append(f"{case.label}: error {err:.2e}")
    if not err <= worst: worst, where = err, case.label
  if bad: return NNResult("forward", name, "fail", worst, tol, f"{len(bad)} of {len(cases)} configurations wrong: " + "; ".join(bad))
  return NNResult("forward", name, "pass", worst, tol, f"{len(cases)} configurations, worst {worst:.1e} ({where})")


# ---------------------------------------------------------------- what TRAINING switches: dropout and BatchNorm

def _dropout_check(seed: int) -> NNResult:
  rng = np.random.default_rng(seed)
  x = rng.uniform(1.0, 2.0, DROPOUT_N).astype(np.float32)   # no zeros of its own: every zero is dropout's
  t = Tensor(x)
  notes, bad, worst = [], [], 0.0
  with Context(TRAINING=0):
    if not all(np.array_equal(t.dropout(p).numpy(), x) for p in DROPOUT_P): bad.append("not the identity in evaluation")
  with Context(TRAINING=1):
    if not np.array_equal(t.dropout(0.0).numpy(), x): bad.append("p=0 changes values in training")
    if np.any(t.dropout(1.0).numpy() != 0): bad.append("p=1 keeps values in training")
    for p in DROPOUT_P:
      Tensor.manual_seed(seed)
      y = t.dropout(p).numpy()
      Tensor.manual_seed(seed)
      again, other = t.dropout(p).numpy(), t.dropout(p).numpy()
      dropped = y == 0
      frac, sigma = float(dropped.mean()), float(np.sqrt(p * (1 - p) / x.size))
      worst = max(worst, abs(frac - p) / sigma)   # in binomial standard deviations
      if abs(frac - p) > DROPOUT_SIGMAS * sigma: bad.append(f"p={p:g} zeroes {frac:.1%}, not within {DROPOUT_SIGMAS * sigma:.1%} of {p:.0%}")
      if not np.allclose(y[~dropped], x[~dropped] / (1 - p), rtol=1e-6, atol=0):
        scale = float(np.median(y[~dropped] / x[~dropped])) if (~dropped).any() else 0.0
        bad.append(f"p={p:g} scales kept values by {scale:.4g}, not 1/(1-p) = {1 / (1 - p):.4g}")
      if not np.array_equal(y, again): bad.append(f"p={p:g}: the same seed gives a different mask")
      if np.array_equal(y, other): bad.append(f"p={p:g}: two calls give the same mask")
      notes.append(f"p={p:g} zeroes {frac:.1%}, keeps x/(1-p)")
  tol = f"zeroed fraction within {DROPOUT_SIGMAS:g} sigma of p (n={DROPOUT_N}; the error is in sigmas); kept values x/(1-p) to 1e-6"
  if bad: return NNResult("training", "Dropout", "fail", worst, tol, "; ".join(bad))
  return NNResult("training", "Dropout", "pass", worst, tol, f"{'; '.join(notes)}; identity in evaluation; seeded masks repeat")


def _batchnorm_check(seed: int) -> NNResult:
  rng = np.random.default_rng(seed)
  bn = nn.BatchNorm(3)
  p = _randomize(bn, rng)
  x = (rng.standard_normal((4, 3, 2, 2)) * 2 + 1).astype(np.float32)
  xd, axes, n = x.astype(np.float64), (0, 2, 3), x.size // 3
  bad, worst = [], 0.0
  with Context(TRAINING=1): out = bn(Tensor(x)).numpy()
  mean, var = xd.mean(axes), xd.var(axes)
  checks = [("training output (batch statistics)", out, np_batchnorm(xd, p, True)),
            ("running_mean after a training batch", bn.running_mean.numpy(), (1 - bn.momentum) * p["running_mean"] + bn.momentum * mean),
            ("running_var after a training batch (unbiased)", bn.running_var.numpy(), (1 - bn.momentum) * p["running_var"] + bn.momentum * var * n / (n - 1))]
  tracked = int(bn.num_batches_tracked.item())
  stats = {"running_mean": bn.running_mean.numpy().astype(np.float64), "running_var": bn.running_var.numpy().astype(np.float64)}
  with Context(TRAINING=0): out = bn(Tensor(x)).numpy()
  checks += [("evaluation output (running statistics)", out, np_batchnorm(xd, {**p, **stats}, False)),
             ("running_mean after evaluation (unchanged)", bn.running_mean.numpy(), stats["running_mean"]),
             ("running_var after evaluation (unchanged)", bn.running_var.numpy(), stats["running_var"])]
  for what, got, want in checks:
    err = _error(got, want)
    worst = max(worst, err) if err == err else float("nan")
    if not err <= FORWARD_TOLERANCE: bad.append(f"{what}: error {err:.2e}")
  if tracked != 1 or int(bn.num_batches_tracked.item()) != 1: bad.append(f"num_batches_tracked {tracked} after a training batch, "
                                                                          f"{int(bn.num_batches_tracked.item())} after evaluation; want 1 and 1")
  tol = f"{FORWARD_TOLERANCE:g}"
  if bad: return NNResult("training", "BatchNorm", "fail", worst, tol, "; ".join(bad))
  return NNResult("training", "BatchNorm", "pass", worst, tol, f"training: batch statistics, running stats moved by momentum {bn.momentum:g} "
                  f"(variance unbiased), num_batches_tracked 1; evaluation: running stats, unchanged; worst {worst:.2e}")


TRAINING_CHECKS: dict[str, Callable[[int], NNResult]] = {"Dropout": _dropout_check, "BatchNorm": _batchnorm_check}


def training_check(name: str, seed: int = 0) -> NNResult:
  """What `TRAINING` switches in a layer: Dropout's masking and scaling, BatchNorm's statistics (see the module's docstring)."""
  if name not in TRAINING_CHECKS: raise UsageError.unknown("layer with a training check", name, TRAINING_CHECKS)
  try: return TRAINING_CHECKS[name](seed)
  except Exception as e:  # noqa: BLE001 - a layer that cannot run is a result
    return NNResult("training", name, "error", None, "", f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")


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


# ---------------------------------------------------------------- learning-rate schedules

def rate_probe() -> tuple[object, Callable[[], float]]:
  """An SGD optimizer on one weight vector w and `rate_used()`, which runs one SGD step captured by `TinyJit` on the
  loss (w * c).sum() from w = 0 and returns the learning rate that step used: the gradient is c, so the step moves w
  to exactly -lr * c. Set `opt.lr` between calls to see whether the jitted steps read the new rate."""
  from tinygrad import TinyJit
  c = np.array([1.0, -2.0, 0.5], dtype=np.float32)
  w, ct = Tensor([0.0, 0.0, 0.0]).realize(), Tensor(c).realize()
  opt = nn.optim.SGD([w], lr=1.0)

  @TinyJit
  @Context(TRAINING=1)
  def step() -> Tensor:
    opt.zero_grad()
    (w * ct).sum().backward()
    opt.step()
    return w.realize()

  def rate_used() -> float:
    w.assign(Tensor.zeros(3)).realize()   # each step starts from zero
    return float(np.median(-step().numpy() / c))
  return opt, rate_used


def schedule_check(name: str, steps: int = SCHEDULE_STEPS) -> NNResult:
  """Check a schedule of `tgkit.schedules.SCHEDULES`: its values at the steps of `schedules.EXPECTED[name]` against
  the closed forms, then `steps` SGD steps captured by `TinyJit` on the loss (w * c).sum(), whose gradient is c: a
  `Scheduler` sets the rate before each step, and step k must move w by exactly schedule(k) * c (`rate_probe`)."""
  from tgkit import schedules
  if name not in schedules.SCHEDULES: raise UsageError.unknown("schedule", name, schedules.SCHEDULES)
  sched = schedules.SCHEDULES[name]()
  tol = "values 1e-9 relative; the step's update 1e-5 relative"
  try:
    wrong = [(k, sched(k), v) for k, v in schedules.EXPECTED[name].items() if not np.isclose(sched(k), v, rtol=1e-9, atol=1e-12)]
    if wrong:
      return NNResult("schedule", name, "fail", max(abs(g - v) / max(abs(v), 1e-12) for _, g, v in wrong), tol,
                      "values: " + ", ".join(f"step {k} gives {g:.6g}, want {v:.6g}" for k, g, v in wrong[:4]))
    opt, rate_used = rate_probe()
    driver = schedules.Scheduler(opt, sched)
    used = []
    for _ in range(steps):
      used.append(rate_used())
      driver.step()
  except UsageError: raise
  except Exception as e:  # noqa: BLE001 - a schedule that cannot run is a result
    return NNResult("schedule", name, "error", None, tol, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
  want = [sched(k) for k in range(steps)]
  errs = [abs(u - v) / max(abs(v), 1e-6) for u, v in zip(used, want)]
  bad = [k for k, e in enumerate(errs) if not e <= 1e-5]
  if bad:
    return NNResult("schedule", name, "fail", max(errs), tol, f"the optimizer used {', '.join(f'{used[k]:.4g} at step {k} (set {want[k]:.4g})' for k in bad[:3])}")
  return NNResult("schedule", name, "pass", max(errs), tol, f"{sched}: {len(schedules.EXPECTED[name])} closed-form values; "
                  f"{steps} jitted SGD steps used the rates set")


# ---------------------------------------------------------------- training stability on a generated data set

def two_spirals(n: int = 100, seed: int = 0, turns: float = 1.5, noise: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
  """Two interleaved spirals of `n` points each (x float32 (2n, 2), labels int32 0 and 1), drawn from `seed`.

  Point i of class 0 is at radius r = t / (2 pi turns) and angle t, with t uniform in area along the spiral; class 1
  is class 0 turned by 180 degrees; both get Gaussian noise of standard deviation `noise`. No straight line
  separates them.
  """
  if n < 1: raise UsageError(f"n must be >= 1, got {n}")
  rng = np.random.default_rng(seed)
  t = np.sqrt(rng.uniform(0.0, 1.0, n)) * 2 * np.pi * turns + 0.5
  arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (2 * np.pi * turns)
  x = np.concatenate([arm, -arm]) + rng.normal(0.0, noise, (2 * n, 2))
  return x.astype(np.float32), np.repeat(np.arange(2, dtype=np.int32), n)


@dataclasses.dataclass(frozen=True)
class StabilitySpec:
  """A training run with its pass criteria."""
  make: Callable[[int], tuple[np.ndarray, np.ndarray]]   # seed -> (x, labels)
  widths: tuple[int, ...]          # the MLP's widths (tgkit.bench.MLP)
  steps: int
  lr: float                        # Adam's peak rate, cosine-decayed to min_lr over the steps
  min_lr: float
  train_accuracy: float            # accuracy at least this on the training points (seed 0)
  test_accuracy: float             # and on held-out points (seed 1)
  loss_ratio: float                # last loss below this fraction of the first
  spike: float                     # no loss above this multiple of the first


STABILITY: dict[str, StabilitySpec] = {
  "spirals": StabilitySpec(two_spirals, (2, 64, 2), 300, 0.1, 0.001, 0.97, 0.95, 0.1, 1.5),
}


@dataclasses.dataclass
class TrainRun:
  """What `train` returns: the model, the loss and the rate of every step, and the accuracies after training."""
  dataset: str
  model: object
  losses: list[float]
  lrs: list[float]
  train_accuracy: float
  test_accuracy: float
  x_test: np.ndarray


def _dataset(name: str) -> StabilitySpec:
  if name not in STABILITY: raise UsageError.unknown("dataset", name, STABILITY)
  return STABILITY[name]


def train(dataset: str = "spirals", steps: int | None = None) -> TrainRun:
  """Train the dataset's MLP (seeded weights) with Adam and a cosine schedule, full batch, one `TinyJit` step per
  iteration, on the points of seed 0; accuracies on those and on the held-out points of seed 1."""
  from tinygrad import TinyJit

  from tgkit.bench import MLP
  from tgkit.schedules import Cosine, Scheduler
  spec = _dataset(dataset)
  steps = spec.steps if steps is None else steps
  if steps < 1: raise UsageError(f"steps must be >= 1, got {steps}")
  (x, y), (xt, yt) = spec.make(seed=0), spec.make(seed=1)
  X, Y = Tensor(x), Tensor(y)
  model = MLP(spec.widths, seed=0)
  opt = nn.optim.Adam(get_parameters(model), lr=spec.lr, fused=True)   # fused: one update kernel for all parameters
  sched = Scheduler(opt, Cosine(spec.lr, steps, spec.min_lr))

  @TinyJit
  @Context(TRAINING=1)
  def step() -> Tensor:
    opt.zero_grad()
    loss = model(X).sparse_categorical_crossentropy(Y).backward()
    return loss.realize(*opt.schedule_step())   # with the update: a loss realized after opt.step() reads the new weights

  losses, lrs = [], []
  for _ in range(steps):
    lrs.append(sched.lr)
    losses.append(step().item())
    sched.step()
  acc = lambda a, b: float((model(Tensor(a)).argmax(-1).numpy() == b).mean())  # noqa: E731
  return TrainRun(dataset, model, losses, lrs, acc(x, y), acc(xt, yt), xt)


def judge(r: TrainRun, spec: StabilitySpec) -> NNResult:
  """The verdict on a training run by the criteria of `spec`: every loss finite, none above `spike` times the first,
  the last below `loss_ratio` times the first, both accuracies at their thresholds."""
  tol = (f"finite; no loss above {spec.spike:g}x the first; last < {spec.loss_ratio:g}x the first; "
         f"accuracy >= {spec.train_accuracy:g} train, >= {spec.test_accuracy:g} held out")
  losses = np.array(r.losses, dtype=np.float64)
  if not losses.size: return NNResult("stability", r.dataset, "fail", None, tol, "no losses recorded")
  first, last = losses[0], losses[-1]
  bad = []
  if not np.isfinite(losses).all(): bad.append(f"non-finite loss first at step {int(np.argmin(np.isfinite(losses)))}")
  elif losses.max() > spec.spike * first: bad.append(f"the loss reached {losses.max() / first:.3g}x the first at step {int(losses.argmax())}")
  if not last < spec.loss_ratio * first: bad.append(f"last loss {last:.4g} is {last / first:.3g}x the first")
  if not r.train_accuracy >= spec.train_accuracy: bad.append(f"training accuracy {r.train_accuracy:.3f}")
  if not r.test_accuracy >= spec.test_accuracy: bad.append(f"held-out accuracy {r.test_accuracy:.3f}")
  ratio = float(last / first) if first else float("nan")
  head = f"{len(losses)} steps, Adam + cosine {spec.lr:g} -> {spec.min_lr:g}, MLP {'-'.join(map(str, spec.widths))}: "
  if bad: return NNResult("stability", r.dataset, "fail", ratio, tol, head + "; ".join(bad))
  return NNResult("stability", r.dataset, "pass", ratio, tol, head + f"loss {first:.3f} -> {last:.3f}, accuracy {r.train_accuracy:.3f} train, "
                  f"{r.test_accuracy:.3f} held out")


def stability(dataset: str = "spirals") -> NNResult:
  """Train on `dataset` (`train`) and judge the run by the criteria of `STABILITY[dataset]` (`judge`)."""
  spec = _dataset(dataset)
  try: r = train(dataset)
  except UsageError: raise
  except Exception as e:  # noqa: BLE001 - a model that cannot train is a result
    return NNResult("stability", dataset, "error", None, "", f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
  return judge(r, spec)


def benchmark_inference(run: TrainRun, batch: int = 200, repeats: int = 20, warmup: int = 2):
  """Time the trained model's forward pass on `batch` held-out points (`tgkit.bench.inference`): a `tgkit.bench.Measurement`
  with the median and interquartile range of `repeats` runs. Times are the host's: compare them on one machine only."""
  from tgkit import bench
  if batch < 1: raise UsageError(f"batch must be >= 1, got {batch}")
  x = np.resize(run.x_test, (batch, run.x_test.shape[1]))
  return bench.inference(run.model, Tensor(x), repeats=repeats, warmup=warmup, label=f"{run.dataset} MLP")


def run(layers: list[str] | None = None, optimizers: list[str] | None = None, schedules: list[str] | None = None,
        datasets: list[str] | None = None, checks: list[str] | None = None, cache: bool = True) -> list[NNResult]:
  """Run the checks (None: every one of each kind).

  Args:
    layers: names from `LAYERS` (parameter count, forward values, gradients; a training check for BatchNorm) or
      `TRAINING_CHECKS` (Dropout: its training check only).
    optimizers: names from `OPTIMIZERS` (convergence).
    schedules: names from `tgkit.schedules.SCHEDULES`.
    datasets: names from `STABILITY` (a training run).
    checks: the kinds of check to run, from `CHECKS`.
    cache: take schedules and compiled programs from tgkit's disk cache (`tgkit.progcache`); turn it off when
      tinygrad's internals are patched in-process.

  Raises:
    UsageError: an unknown name.
  """
  import contextlib

  from tgkit import progcache
  from tgkit import schedules as sch
  known = {**LAYERS, **TRAINING_CHECKS}
  names = list(known) if layers is None else layers
  opts = list(OPTIMIZERS) if optimizers is None else optimizers
  scheds = list(sch.SCHEDULES) if schedules is None else schedules
  sets = list(STABILITY) if datasets is None else datasets
  kinds = CHECKS if checks is None else checks
  for n in names:
    if n not in known: raise UsageError.unknown("layer", n, known)
  for o in opts:
    if o not in OPTIMIZERS: raise UsageError.unknown("optimizer", o, OPTIMIZERS)
  for n in scheds:
    if n not in sch.SCHEDULES: raise UsageError.unknown("schedule", n, sch.SCHEDULES)
  for d in sets: _dataset(d)
  for k in kinds:
    if k not in CHECKS: raise UsageError.unknown("check", k, CHECKS)
  plan = [(k, n, f) for n in names for k, f in (("params", param_count), ("forward", forward_check), ("grad", grad_check)) if n in LAYERS]
  plan += [("training", n, training_check) for n in names if n in TRAINING_CHECKS]
  plan += [("converge", o, converge) for o in opts] + [("schedule", n, schedule_check) for n in scheds] + [("stability", d, stability) for d in sets]
  with progcache.enabled() if cache else contextlib.nullcontext():
    return [f(n) for k, n, f in plan if k in kinds]


def render_text(results: list[NNResult]) -> str:
  """One line per check."""
  return "\n".join(f"{r.check:9s} {r.target:10s} {r.status:5s} {r.message}" for r in results)


def render_markdown(results: list[NNResult]) -> str:
  """A Markdown table of the checks."""
  rows = [f"| {r.check} | {r.target} | {r.status} | {'' if r.max_error is None else f'{r.max_error:.2e}'} | {r.tolerance} | {r.message} |" for r in results]
  return "\n".join(["| check | target | status | error | tolerance | message |", "|---|---|---|---:|---|---|", *rows]) + "\n"
