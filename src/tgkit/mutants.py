"""Deliberately broken tinygrad behaviours (and one broken schedule of `tgkit.schedules`, the kind a learner writes on
Day 6), injected by monkeypatching, that tgkit must catch.

Each `Mutant` names the tgkit module that must report it and the slice of that module's table to run;
`mutant.patch()` is a context manager that breaks tinygrad inside the block and restores it on exit.
`caught(mutant)` runs the module under the patch and returns the failures it reported that a clean
tinygrad does not have. tests/test_mutations.py, scripts/mutation_score.py and `tgkit learn` (which grades a
learner's regression test by running it under a mutant) use this registry.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Iterator

from tinygrad import Context, Tensor, dtypes
from tinygrad import nn as tnn

from tgkit import schedules


@contextlib.contextmanager
def patched(obj, name: str, make: Callable) -> Iterator[None]:
  """Replace `obj.name` with `make(original)` for the duration of the block, then restore it exactly."""
  had, orig = name in vars(obj), getattr(obj, name, None)
  setattr(obj, name, make(orig))
  try:
    yield
  finally:
    if had: setattr(obj, name, orig)
    else: delattr(obj, name)


@dataclasses.dataclass(frozen=True)
class Mutant:
  name: str
  description: str
  module: str                            # the tgkit module that must catch it: "ops" or "nn"
  target: tuple[str, ...]                # ops (or layers/optimizers) to run under the patch
  patch: Callable[[], contextlib.AbstractContextManager]
  kinds: tuple[str, ...] | None = ("1d", "broadcast", "odd")
  dtypes: tuple[str, ...] | None = None
  checks: tuple[str, ...] | None = None  # nn: the kinds of check to run (tgkit.nn.CHECKS; None: all)


def _reshape_accepts_anything(orig):
  def reshape(self, *shape, **kw):
    try: return orig(self, *shape, **kw)
    except ValueError: return self
  return reshape


def _sum_axis_off_by_one(orig):
  def sum(self, axis=None, *a, **kw):  # noqa: A001
    if isinstance(axis, int) and self.ndim > 1: axis = (axis + 1) % self.ndim
    return orig(self, axis, *a, **kw)
  return sum


def _mean_in_half(orig):
  def mean(self, *a, **kw):
    if self.dtype != dtypes.float32: return orig(self, *a, **kw)
    return orig(self.cast(dtypes.float16).contiguous(), *a, **kw).cast(self.dtype)   # contiguous: tinygrad folds float->half->float
  return mean


def _argmax_last_on_ties(orig):
  def argmax(self, axis=None, keepdim=False):
    if axis is None: return self.numel() - 1 - orig(self.flatten().flip(0), 0, keepdim)
    return self.shape[axis] - 1 - orig(self.flip(axis), axis, keepdim)
  return argmax


def _matmul_transposes_square(orig):
  def matmul(self, x, *a, **kw):
    if x.ndim == 2 and x.shape[0] == x.shape[1]: x = x.transpose(-1, -2)
    return orig(self, x, *a, **kw)
  return matmul


def _add_broadcasts_reversed(orig):
  def add(self, x, *a, **kw):
    if isinstance(x, Tensor) and x.shape != self.shape and x.ndim and x.shape[-1] > 1: x = x.flip(-1)
    return orig(self, x, *a, **kw)
  return add


# numerically unstable implementations: right on gentle inputs, wrong where exp overflows, a difference cancels or a tie rounds

def _softmax_no_shift(orig):
  def softmax(self, axis=-1, dtype=None):   # exp(x) / sum(exp(x)) without subtracting the max: inf / inf at large logits
    e = self.exp()
    return e / e.sum(axis, keepdim=True)
  return softmax


def _floordiv_truncates(orig):
  def floordiv(self, x):   # C's division: rounds toward zero, so -7 // 2 is -3
    q = (self.cast(dtypes.float32) / (x.cast(dtypes.float32) if isinstance(x, Tensor) else x)).trunc()
    return q.cast(self.dtype)
  return floordiv


def _mod_sign_of_dividend(orig):
  def mod(self, x):   # C's fmod: the sign of the dividend, so 7 % -2 is 1
    return self - x * (self.cast(dtypes.float32) / x.cast(dtypes.float32)).trunc().cast(self.dtype) if isinstance(x, Tensor) else orig(self, x)
  return mod


def _var_one_pass(orig):
  def var(self, axis=None, keepdim=False, correction=1):   # E[x*x] - E[x]**2: cancels when the mean is large
    n = self.numel() // max(1, (self.sum(axis, keepdim=keepdim)).numel())
    return ((self * self).mean(axis, keepdim=keepdim) - self.mean(axis, keepdim=keepdim).square()) * (n / (n - correction))
  return var


def _linear_bias_grad_doubled(orig):
  def call(self, x):  # the same forward values; the bias term's gradient counts twice
    out = orig(self, x)
    return out + (self.bias - self.bias.detach())
  return call


def _layernorm_extra_parameter(orig):
  def init(self, *a, **kw):
    orig(self, *a, **kw)
    self.extra = Tensor.ones(3)   # a stray trainable tensor
  return init


def _dropout_no_rescale(orig):
  def dropout(self, p=0.5):   # zeroes the right values but forgets the 1/(1-p): the expected value shrinks by 1-p
    out = orig(self, p)
    return out if out is self or p >= 1 else out * (1 - p)
  return dropout


def _batchnorm_always_batch_stats(orig):
  def calc_stats(self, x):   # evaluation normalises with the batch's statistics, as if TRAINING were set
    with Context(TRAINING=1): return orig(self, x)
  return calc_stats


def _lars_lr_frozen(orig):
  def _step(self, params, grads):   # the step reads a copy of the rate taken at the first step: later rates are ignored
    if not hasattr(self, "_frozen_lr"): self._frozen_lr = Tensor(self.lr.numpy(), device=self.lr.device, dtype=self.lr.dtype).realize()
    live, self.lr = self.lr, self._frozen_lr
    try: return orig(self, params, grads)
    finally: self.lr = live
  return _step


def _schedule_one_ahead(orig):
  def call(self, step):   # off by one: step k gets the rate of step k + 1
    return orig(self, step + 1)
  return call


MUTANTS: list[Mutant] = [
  Mutant("sigmoid_sign_flip", "sigmoid computes 1/(1+exp(x)) (a wrong activation)", "ops", ("sigmoid",),
         lambda: patched(Tensor, "sigmoid", lambda orig: lambda self: (1 + self.exp()).reciprocal())),
  Mutant("sum_axis_off_by_one", "sum reduces the next axis (axis + 1)", "ops", ("sum",),
         lambda: patched(Tensor, "sum", _sum_axis_off_by_one)),
  Mutant("exp_loses_nan", "exp returns 0 for NaN inputs", "ops", ("exp",),
         lambda: patched(Tensor, "exp", lambda orig: lambda self: self.isnan().where(0, orig(self)))),
  Mutant("add_wrong_broadcast", "add broadcasts the right operand reversed along its last axis", "ops", ("add",),
         lambda: patched(Tensor, "add", _add_broadcasts_reversed)),
  Mutant("tanh_bad_gradient", "tanh's forward is right, its gradient is that of x*x", "ops", ("tanh",),
         lambda: patched(Tensor, "tanh", lambda orig: lambda self: orig(self) + (self * self - (self * self).detach()))),
  Mutant("mean_float16_accumulate", "mean silently downcasts: float32 is averaged in float16", "ops", ("mean",),
         lambda: patched(Tensor, "mean", _mean_in_half), dtypes=("float32",)),
  Mutant("sum_int8_stays_int8", "sum of int8 keeps int8 instead of accumulating in int32", "ops", ("sum",),
         lambda: patched(Tensor, "sum", lambda orig: lambda self, *a, **kw: orig(self, *a, **kw).cast(self.dtype)), dtypes=("int8",)),
  Mutant("lt_is_le", "a < b computes a <= b (a wrong comparison)", "ops", ("lt",),
         lambda: patched(Tensor, "__lt__", lambda orig: lambda self, x: (self > x).logical_not())),
  Mutant("pad_ignores_value", "pad always fills with 0", "ops", ("pad_value",),
         lambda: patched(Tensor, "pad", lambda orig: lambda self, padding, mode="constant", value=0.0: orig(self, padding, mode))),
  Mutant("matmul_transposes_square", "matmul multiplies by the transpose of a square right operand", "ops", ("matmul",),
         lambda: patched(Tensor, "matmul", _matmul_transposes_square), kinds=("large",)),
  Mutant("cumsum_exclusive", "cumsum leaves out the current element (off by one)", "ops", ("cumsum",),
         lambda: patched(Tensor, "cumsum", lambda orig: lambda self, axis=0: orig(self, axis) - self.cast(orig(self, axis).dtype))),
  Mutant("softmax_wrong_axis", "softmax normalises over axis 0 whatever the axis", "ops", ("softmax",),
         lambda: patched(Tensor, "softmax", lambda orig: lambda self, axis=-1, dtype=None: orig(self, 0, dtype))),
  Mutant("argmax_last_tie", "argmax returns the last index among ties", "ops", ("argmax",),
         lambda: patched(Tensor, "argmax", _argmax_last_on_ties)),
  Mutant("cast_half_saturates", "casting to float16 clamps to +-65504 instead of giving inf", "ops", ("cast_float16",),
         lambda: patched(Tensor, "cast", lambda orig: lambda self, dtype:
                         orig(self.clip(-65504, 65504), dtype) if dtype == dtypes.float16 and dtypes.is_float(self.dtype) else orig(self, dtype))),
  Mutant("reshape_accepts_bad_size", "reshape to a wrong size returns the input instead of raising", "ops", ("reshape_bad_size",),
         lambda: patched(Tensor, "reshape", _reshape_accepts_anything)),
  Mutant("where_swaps_branches", "where(c, x, y) returns y where c holds", "ops", ("where",),
         lambda: patched(Tensor, "where", lambda orig: lambda self, x, y: orig(self, y, x))),
  # unstable formulas (the op table's hard inputs: large logits, large magnitudes, ties, negative divisors, large offsets)
  Mutant("softmax_no_max_shift", "softmax is exp(x) / sum(exp(x)) without subtracting the row max (overflows at large logits)", "ops",
         ("softmax", "softmax_axis0"), lambda: patched(Tensor, "softmax", _softmax_no_shift)),
  Mutant("log_softmax_naive", "log_softmax is x - log(sum(exp(x))) (overflows at large logits)", "ops", ("log_softmax",),
         lambda: patched(Tensor, "log_softmax", lambda orig: lambda self, axis=-1, dtype=None: self - self.exp().sum(axis, keepdim=True).log())),
  Mutant("logsumexp_naive", "logsumexp is log(sum(exp(x))) without the max shift (inf at large logits)", "ops", ("logsumexp",),
         lambda: patched(Tensor, "logsumexp", lambda orig: lambda self, axis=None, keepdim=False: self.exp().sum(axis, keepdim).log())),
  Mutant("sigmoid_exp_of_log", "sigmoid is exp(x - log(1 + exp(x))) (0 instead of 1 at large logits)", "ops", ("sigmoid",),
         lambda: patched(Tensor, "sigmoid", lambda orig: lambda self: (self - (1 + self.exp()).log()).exp())),
  Mutant("tanh_exp_ratio", "tanh is (exp(2x) - 1) / (exp(2x) + 1) (nan at large inputs)", "ops", ("tanh",),
         lambda: patched(Tensor, "tanh", lambda orig: lambda self: ((2 * self).exp() - 1) / ((2 * self).exp() + 1))),
  Mutant("softplus_naive", "softplus is log(1 + exp(x)) (inf at large logits)", "ops", ("softplus",),
         lambda: patched(Tensor, "softplus", lambda orig: lambda self, beta=1.0: (1 + (self * beta).exp()).log() / beta)),
  Mutant("logsigmoid_log_of_sigmoid", "logsigmoid is log(sigmoid(x)) (-inf where sigmoid underflows)", "ops", ("logsigmoid",),
         lambda: patched(Tensor, "logsigmoid", lambda orig: lambda self: self.sigmoid().log())),
  Mutant("logaddexp_naive", "logaddexp is log(exp(a) + exp(b)) (inf at large inputs)", "ops", ("logaddexp",),
         lambda: patched(Tensor, "logaddexp", lambda orig: lambda self, x: (self.exp() + (x.exp() if isinstance(x, Tensor) else math.exp(x))).log())),
  Mutant("sin_via_cos", "sin(x) is cos(x - pi/2) (cancels near 0: sin(1e-6) is off by 5%)", "ops", ("sin",),
         lambda: patched(Tensor, "sin", lambda orig: lambda self: (self - math.pi / 2).cos())),
  Mutant("exp_clamped", "exp clamps its input to +-88 to avoid inf (exp(100) is finite)", "ops", ("exp",),
         lambda: patched(Tensor, "exp", lambda orig: lambda self: orig(self.clip(-88, 88))), dtypes=("float32", "float64")),
  Mutant("round_half_up", "round is floor(x + 0.5) (2.5 rounds to 3, not to even)", "ops", ("round",),
         lambda: patched(Tensor, "round", lambda orig: lambda self: (self + 0.5).floor())),
  Mutant("floordiv_truncates", "integer // rounds toward zero (-7 // 2 is -3)", "ops", ("floordiv",),
         lambda: patched(Tensor, "__floordiv__", _floordiv_truncates)),
  Mutant("mod_sign_of_dividend", "integer % takes the dividend's sign (7 % -2 is 1)", "ops", ("mod",),
         lambda: patched(Tensor, "__mod__", _mod_sign_of_dividend), dtypes=("int32", "int8")),
  Mutant("var_one_pass", "var is E[x*x] - E[x]**2 (cancels when the mean is large next to the spread)", "ops", ("var", "std"),
         lambda: patched(Tensor, "var", _var_one_pass)),
  Mutant("linear_bias_grad_doubled", "Linear computes the right values, but its bias gradient is doubled", "nn", ("Linear",),
         lambda: patched(tnn.Linear, "__call__", _linear_bias_grad_doubled), checks=("params", "grad")),
  Mutant("layernorm_extra_parameter", "LayerNorm registers a stray trainable tensor", "nn", ("LayerNorm",),
         lambda: patched(tnn.LayerNorm, "__init__", _layernorm_extra_parameter), checks=("params", "grad")),
  Mutant("sgd_steps_uphill", "SGD (LARS) steps along the gradient instead of against it", "nn", ("SGD",),
         lambda: patched(tnn.optim.LARS, "_step", lambda orig: lambda self, params, grads: orig(self, params, [-g for g in grads]))),
  Mutant("dropout_no_rescale", "dropout zeroes a fraction p but does not scale the rest by 1/(1-p)", "nn", ("Dropout",),
         lambda: patched(Tensor, "dropout", _dropout_no_rescale), checks=("training",)),
  Mutant("batchnorm_eval_batch_stats", "BatchNorm normalises with the batch's statistics in evaluation too", "nn", ("BatchNorm",),
         lambda: patched(tnn.BatchNorm, "calc_stats", _batchnorm_always_batch_stats), checks=("forward", "training")),
  Mutant("sgd_lr_frozen", "SGD (LARS) keeps the learning rate of its first step: a schedule's later rates are ignored", "nn", ("cosine",),
         lambda: patched(tnn.optim.LARS, "_step", _lars_lr_frozen), checks=("schedule",)),
  Mutant("cosine_schedule_one_ahead", "the cosine schedule gives step k the rate of step k + 1 (off by one)", "nn", ("cosine", "warmup"),
         lambda: patched(schedules.Cosine, "__call__", _schedule_one_ahead), checks=("schedule",)),
]


def _run_module(m: Mutant):
  if m.module == "ops":
    from tgkit import ops
    return ops.run(ops=list(m.target), kinds=m.kinds, dtypes=m.dtypes, jobs=1)   # the patch lives in this process only
  if m.module == "nn":
    from tgkit import nn
    return nn.run(layers=[t for t in m.target if t in nn.LAYERS or t in nn.TRAINING_CHECKS], optimizers=[t for t in m.target if t in nn.OPTIMIZERS],
                  schedules=[t for t in m.target if t in schedules.SCHEDULES], datasets=[t for t in m.target if t in nn.STABILITY], checks=m.checks)
  raise ValueError(f"unknown module {m.module!r}")


def _new_failures(m: Mutant, results) -> list:
  from tgkit import ops
  if m.module == "nn": return [r for r in results if r.status != "pass"]
  return [r for r in results if r.status in ("fail", "error") and not ops.is_known(r)]


def caught(m: Mutant) -> list:
  """The failures the mutant's module reports under the patch that are not known clean-tinygrad disagreements."""
  with m.patch(): results = _run_module(m)
  return _new_failures(m, results)


def clean(m: Mutant) -> list:
  """The same run without the patch: new failures here would be false alarms."""
  return _new_failures(m, _run_module(m))
