"""Validate tinygrad's Tensor operations against numpy over a declared table of ops, dtypes and shapes.

`OPS` declares each operation once: its group, the tinygrad call, a numpy reference written to
tinygrad's documented (torch-like) semantics, the dtypes it accepts and the shape kinds it runs on.
`run()` expands the table into cases and checks three things:

- value: the output of every case against numpy (dtype, shape, NaN/inf positions, then the
  finite values within the dtype's stated tolerance);
- grad: for float ops, the gradient of `sum(out * w)` for a fixed random `w` against central
  finite differences of the numpy reference computed in float64;
- raises: invalid calls (bad reshape, mismatched matmul, out-of-range axis, ...) raise the
  expected exception type.

`run()` is batched and remembers what it computed before. Each case is built as `run_naive()` (the
baseline `scripts/bench_ops.py` measures against) builds it, on input buffers of its own, so no case
reads another's data: fusing the cases into shared kernels instead (concatenated or stacked inputs)
changes the generated code, and such a kernel can pass where the case's own kernel fails to compile.
The outputs of `BATCH` cases are realized in one schedule, and a batch that fails to build, compile or
run is halved until the failing case is alone. Scheduling a graph and generating its kernels' code is
nearly all of the time on CPU; `tgkit.progcache` keeps both on disk, keyed by the graph and by
tinygrad's source, so a second run (after an edit to `tensor.py`, or none) redoes only what changed.
`tests/test_ops.py` checks that `run()` and `run_naive()` give every case the same status.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import os
import re
import subprocess
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tinygrad import Device, Tensor, dtypes
from tinygrad.dtype import DType, _to_np_dtype

from tgkit.errors import UsageError

DTYPES: dict[str, DType] = {"float32": dtypes.float32, "float16": dtypes.float16, "float64": dtypes.float64,
                            "int32": dtypes.int32, "int8": dtypes.int8, "uint8": dtypes.uint8, "bool": dtypes.bool}
FLOATS = ("float32", "float16", "float64")
SINTS = ("int32", "int8")
INTS = ("int32", "int8", "uint8")
ALL = (*FLOATS, *INTS, "bool")
CHECKS = ("value", "grad", "raises")
STATUSES = ("pass", "fail", "error", "unsupported")
GROUPS = ("unary", "binary", "compare", "reduce", "movement", "matmul", "conv", "activation", "softmax", "where",
          "gather", "cast", "invalid")


@dataclasses.dataclass(frozen=True)
class Tolerance:
  """A check passes where |got - want| <= atol + rtol * |want|."""
  atol: float
  rtol: float


# |got - want| <= atol + rtol * |want| on finite values. Integers and bool compare exactly. float16 results are
# rounded to 11 significant bits (eps 9.8e-4) and tinygrad computes half ops in float32 then rounds, so a
# few ulps are allowed; float32 allows for tinygrad's own transcendental approximations.
TOLERANCES: dict[str, Tolerance] = {
  "float64": Tolerance(1e-10, 1e-8), "float32": Tolerance(1e-5, 1e-4), "float16": Tolerance(4e-3, 4e-3),
  "int32": Tolerance(0, 0), "int8": Tolerance(0, 0), "uint8": Tolerance(0, 0), "bool": Tolerance(0, 0),
}
# gradients are computed in float32 and compared with float64 central differences of the reference
GRAD_TOLERANCE = Tolerance(1e-3, 1e-2)
GRAD_DTYPE = "float32"

# shape kinds: the input shapes of a case, per number of inputs
SHAPE_KINDS = ("scalar", "empty", "1d", "broadcast", "permuted", "odd", "large")
_SHAPES: dict[str, tuple[tuple[int, ...], ...]] = {
  "scalar": ((),), "empty": ((0, 3),), "1d": ((7,),), "permuted": ((5, 3),), "odd": ((5, 7),), "large": ((257, 255),),
  "broadcast": ((3, 1), (1, 4), (3, 4)),
}
UNARY_KINDS = ("scalar", "empty", "1d", "permuted", "odd")
BINARY_KINDS = ("scalar", "empty", "1d", "broadcast", "permuted", "odd")
REDUCE_KINDS = ("1d", "permuted", "odd")
MOVE_KINDS = ("1d", "permuted", "odd")
# the axis a reduction runs over, per shape kind
REDUCE_AXIS: dict[str, int | None] = {"scalar": None, "empty": 0, "1d": 0, "permuted": 1, "odd": 1, "large": 1}
# reductions and softmax run along rows of 7: the permuted kind is a (5, 7) view of a (7, 5) array, so its rows are strided
ROW_SHAPES: dict[str, tuple[tuple[int, ...], ...]] = {"permuted": ((7, 5),)}
NAN_KIND = "1d"   # float inputs of this kind hold nan, +inf and -inf (first, middle and last element of input 0)


@dataclasses.dataclass(frozen=True)
class OpSpec:
  """One declared operation.

  `fn(*tensors, **kw)` calls tinygrad, `ref(*arrays, **kw)` is the numpy reference on float64 copies of float
  inputs (integer and bool inputs keep their dtype, so wrap-around matches). `out` maps the input dtype to the
  expected output dtype. `domains` gives each input's value domain (see `_array`); `slot_dtypes` fixes an
  input's dtype (e.g. a bool condition), None means the case's dtype.
  """
  name: str
  group: str
  fn: Callable[..., Any]
  ref: Callable[..., Any]
  dtypes: tuple[str, ...] = FLOATS
  kinds: tuple[str, ...] = UNARY_KINDS
  domains: tuple[str, ...] = ("any",)
  slot_dtypes: tuple[str | None, ...] = ()
  out: Callable[[str], str] | str | None = None
  grad: bool = True
  nan: bool = True
  tol: float = 1.0          # scales the dtype's tolerance
  min_atol: float = 0.0     # the documented error bound of tinygrad's approximation (erf, asin), a floor on atol
  max_atol: float | None = None   # a ceiling on a value check's atol: tiny inputs ("+tiny") are judged by relative error
  shapes: dict[str, tuple[tuple[int, ...], ...]] | None = None
  raises: type | None = None
  axis: bool = False        # fn and ref take the reduction axis (from REDUCE_AXIS)

  @property
  def arity(self) -> int: return len(self.domains)

  def out_dtype(self, dt: str) -> str:
    """The dtype tinygrad documents for this op's output when its inputs are `dt`."""
    return dt if self.out is None else self.out if isinstance(self.out, str) else self.out(dt)


@dataclasses.dataclass
class Result:
  """One checked case. `shape` lists the input shapes (`T` marks a permuted, non-contiguous input)."""
  op: str
  group: str
  dtype: str
  shape: str
  device: str
  check: str              # value | grad | raises
  status: str             # pass | fail | error | unsupported
  max_error: float | None
  message: str
  kind: str = ""          # the shape kind
  atol: float = 0.0       # the tolerance the check used
  rtol: float = 0.0


# ---------------------------------------------------------------- numpy references

def _erf(x): return np.vectorize(math.erf, otypes=[np.float64])(x) if np.size(x) else np.asarray(x, np.float64)
def _sigmoid(x): return 1 / (1 + np.exp(-x))
def _softplus(x): return np.logaddexp(0, x)
def _relu(x): return np.where(np.isnan(x), x, np.maximum(x, 0))   # torch: relu(nan) = nan
def _sum_dtype(dt): return {"int8": "int32", "uint8": "uint32", "bool": "int32"}.get(dt, dt)
def _mean_dtype(dt): return dt if dt in FLOATS else "float32"
def _float_out(dt): return dt if dt in FLOATS else "float32"


def _logsumexp(x, axis):
  if x.size == 0: return np.log(np.sum(np.exp(x), axis=axis))
  m = np.max(x, axis=axis, keepdims=True)
  m = np.where(np.isfinite(m), m, 0)
  return np.squeeze(m, axis) + np.log(np.sum(np.exp(x - m), axis=axis))


def _softmax(x, axis=-1, log=False):
  m = x - np.max(x, axis=axis, keepdims=True)
  e = np.exp(m)
  return m - np.log(e.sum(axis=axis, keepdims=True)) if log else e / e.sum(axis=axis, keepdims=True)


def _windows(x, k, stride, padding=0, dilation=1, value=0.0):
  x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=value)
  ek = dilation * (k - 1) + 1
  return sliding_window_view(x, (ek, ek), axis=(2, 3))[:, :, ::stride, ::stride, ::dilation, ::dilation]


def _conv2d(x, w, stride=1, padding=0, dilation=1, groups=1):
  win, o, cg = _windows(x, w.shape[2], stride, padding, dilation), w.shape[0] // groups, w.shape[1]
  return np.concatenate([np.einsum("nchwij,ocij->nohw", win[:, g * cg:(g + 1) * cg], w[g * o:(g + 1) * o]) for g in range(groups)], 1)


def _np_axis(x, axis): return axis if axis is None or x.ndim else None


# ---------------------------------------------------------------- the table

def _u(name, fn, ref, group="unary", **kw) -> OpSpec: return OpSpec(name, group, fn, ref, **kw)
def _b(name, fn, ref, group="binary", **kw) -> OpSpec: return OpSpec(name, group, fn, ref, **{"kinds": BINARY_KINDS, "domains": ("any", "any"), **kw})
def _cmp(name, fn, ref) -> OpSpec: return _b(name, fn, ref, group="compare", dtypes=ALL, out="bool", grad=False)
def _r(name, fn, ref, **kw) -> OpSpec:
  return OpSpec(name, "reduce", fn, ref, **{"kinds": REDUCE_KINDS, "axis": True, "shapes": ROW_SHAPES, **kw})
MOVE_DTYPES = ("float32", "float16", "int8", "bool")   # movement does not look at values: one dtype per width
def _m(name, fn, ref, **kw) -> OpSpec: return OpSpec(name, "movement", fn, ref, **{"kinds": MOVE_KINDS, "dtypes": MOVE_DTYPES, **kw})
def _a(name, fn, ref, **kw) -> OpSpec: return OpSpec(name, "activation", fn, ref, **kw)
def _cast(dst: str) -> OpSpec:
  src = tuple(d for d in ALL if d != dst)
  return OpSpec(f"cast_{dst}", "cast", lambda x: x.cast(DTYPES[dst]), lambda x: x, dtypes=src, out=dst, grad=False, kinds=("1d", "permuted", "odd"),
                domains=(f"cast_{dst}",), nan=dst in FLOATS or dst == "bool")
def _bad(name, fn, exc) -> OpSpec:
  return OpSpec(name, "invalid", fn, lambda x: x, dtypes=("float32",), kinds=("odd",), grad=False, raises=exc)

_SHIFT = ("int32", "uint8")
_OPS_LIST: list[OpSpec] = [
  # unary
  _u("neg", lambda x: -x, lambda x: -x, dtypes=(*FLOATS, *SINTS)),
  _u("abs", lambda x: x.abs(), np.abs, dtypes=(*FLOATS, *SINTS)),
  _u("square", lambda x: x.square(), np.square, dtypes=(*FLOATS, *SINTS)),
  _u("sign", lambda x: x.sign(), np.sign, dtypes=(*FLOATS, *SINTS), grad=False),
  _u("exp", lambda x: x.exp(), np.exp, kinds=(*UNARY_KINDS, "large"), domains=("any+expo",)),
  _u("exp2", lambda x: x.exp2(), np.exp2, domains=("any+expo",)),
  _u("log", lambda x: x.log(), np.log, domains=("pos",)),
  _u("log2", lambda x: x.log2(), np.log2, domains=("pos",)),
  _u("log10", lambda x: x.log10(), np.log10, domains=("pos",)),
  _u("sqrt", lambda x: x.sqrt(), np.sqrt, domains=("pos",)),
  _u("rsqrt", lambda x: x.rsqrt(), lambda x: 1 / np.sqrt(x), domains=("pos",)),
  _u("reciprocal", lambda x: x.reciprocal(), lambda x: 1 / x, domains=("nonzero",)),
  _u("sin", lambda x: x.sin(), np.sin, domains=("any+tiny",), max_atol=1e-12),
  _u("cos", lambda x: x.cos(), np.cos),
  _u("tan", lambda x: x.tan(), np.tan, domains=("unit",), tol=2),
  _u("asin", lambda x: x.asin(), np.arcsin, domains=("unit",), tol=2, min_atol=5e-8),
  _u("acos", lambda x: x.acos(), np.arccos, domains=("unit",), tol=2, min_atol=5e-8),
  _u("atan", lambda x: x.atan(), np.arctan, min_atol=5e-8, domains=("any+big",)),
  _u("sinh", lambda x: x.sinh(), np.sinh, domains=("any+tiny",), max_atol=1e-12),
  _u("cosh", lambda x: x.cosh(), np.cosh),
  _u("asinh", lambda x: x.asinh(), np.arcsinh, domains=("any+big+tiny",), max_atol=1e-12),
  _u("acosh", lambda x: x.acosh(), np.arccosh, domains=("ge1",)),
  _u("atanh", lambda x: x.atanh(), np.arctanh, domains=("unit+tiny",), tol=2, max_atol=1e-12),
  _u("erf", lambda x: x.erf(), _erf, tol=10, min_atol=2e-7),
  _u("floor", lambda x: x.floor(), np.floor, grad=False),
  _u("ceil", lambda x: x.ceil(), np.ceil, grad=False),
  _u("round", lambda x: x.round(), np.round, grad=False, domains=("any+ties",)),
  _u("trunc", lambda x: x.trunc(), np.trunc, grad=False),
  _u("isnan", lambda x: x.isnan(), np.isnan, out="bool", grad=False),
  _u("isinf", lambda x: x.isinf(), np.isinf, out="bool", grad=False),
  _u("isfinite", lambda x: x.isfinite(), np.isfinite, out="bool", grad=False),
  _u("logical_not", lambda x: x.logical_not(), np.logical_not, dtypes=("bool",), grad=False),
  _u("bitwise_not", lambda x: x.bitwise_not(), np.invert, dtypes=(*INTS, "bool"), grad=False),
  # binary
  _b("add", lambda a, b: a + b, np.add, dtypes=ALL, kinds=(*BINARY_KINDS, "large")),
  _b("sub", lambda a, b: a - b, np.subtract, dtypes=(*FLOATS, *INTS)),
  _b("mul", lambda a, b: a * b, np.multiply, dtypes=ALL),
  _b("div", lambda a, b: a / b, np.divide, dtypes=(*FLOATS, *INTS), domains=("any", "nonzero+neg"), out=_float_out),
  _b("floordiv", lambda a, b: a // b, np.floor_divide, dtypes=INTS, domains=("any", "nonzero+neg"), grad=False),
  _b("mod", lambda a, b: a % b, np.mod, dtypes=(*INTS, "float32"), domains=("any", "nonzero+neg"), grad=False),
  _b("pow", lambda a, b: a ** b, np.power, dtypes=(*FLOATS, "int32"), domains=("pos", "exp"), tol=2),
  _b("maximum", lambda a, b: a.maximum(b), np.maximum, dtypes=(*FLOATS, *INTS)),
  _b("minimum", lambda a, b: a.minimum(b), np.minimum, dtypes=(*FLOATS, *INTS)),
  _b("copysign", lambda a, b: a.copysign(b), np.copysign, domains=("any", "any")),
  _b("logaddexp", lambda a, b: a.logaddexp(b), np.logaddexp, domains=("any+logit", "any+logit")),
  _b("bitwise_and", lambda a, b: a & b, np.bitwise_and, dtypes=(*INTS, "bool"), grad=False),
  _b("bitwise_or", lambda a, b: a | b, np.bitwise_or, dtypes=(*INTS, "bool"), grad=False),
  _b("bitwise_xor", lambda a, b: a ^ b, np.bitwise_xor, dtypes=(*INTS, "bool"), grad=False),
  _b("lshift", lambda a, b: a << b, np.left_shift, dtypes=_SHIFT, domains=("any", "shift"), grad=False),
  _b("rshift", lambda a, b: a >> b, np.right_shift, dtypes=_SHIFT, domains=("any", "shift"), grad=False),
  # comparisons
  _cmp("lt", lambda a, b: a < b, np.less), _cmp("le", lambda a, b: a <= b, np.less_equal),
  _cmp("gt", lambda a, b: a > b, np.greater), _cmp("ge", lambda a, b: a >= b, np.greater_equal),
  _cmp("eq", lambda a, b: a == b, np.equal), _cmp("ne", lambda a, b: a != b, np.not_equal),
  # reductions (axis from REDUCE_AXIS per shape kind)
  _r("sum", lambda x, axis: x.sum(axis), lambda x, axis: np.sum(x, _np_axis(x, axis)), dtypes=ALL, out=_sum_dtype,
     kinds=("scalar", "empty", *REDUCE_KINDS, "large")),
  _r("mean", lambda x, axis: x.mean(axis), lambda x, axis: np.mean(x.astype(np.float64), _np_axis(x, axis)), dtypes=(*FLOATS, *INTS),
     out=_mean_dtype),
  _r("max", lambda x, axis: x.max(axis), lambda x, axis: np.max(x, _np_axis(x, axis)), dtypes=ALL),
  _r("min", lambda x, axis: x.min(axis), lambda x, axis: np.min(x, _np_axis(x, axis)), dtypes=ALL),
  _r("prod", lambda x, axis: x.prod(axis), lambda x, axis: np.prod(x, _np_axis(x, axis)), dtypes=(*FLOATS, "int32"), domains=("prod",)),
  _r("std", lambda x, axis: x.std(axis), lambda x, axis: np.std(x, axis, ddof=1), tol=2, domains=("any+offset",)),
  _r("var", lambda x, axis: x.var(axis), lambda x, axis: np.var(x, axis, ddof=1), tol=2, domains=("any+offset",)),
  _r("argmax", lambda x, axis: x.argmax(axis), lambda x, axis: np.argmax(x, axis), dtypes=(*FLOATS, *INTS, "bool"), out="int32", grad=False),
  _r("argmin", lambda x, axis: x.argmin(axis), lambda x, axis: np.argmin(x, axis), dtypes=(*FLOATS, *INTS, "bool"), out="int32", grad=False),
  _r("cumsum", lambda x, axis: x.cumsum(axis), lambda x, axis: np.cumsum(x, axis), dtypes=(*FLOATS, *INTS, "bool"), out=_sum_dtype),
  _r("cumprod", lambda x, axis: x.cumprod(axis), lambda x, axis: np.cumprod(x, axis), domains=("prod",)),
  _r("cummax", lambda x, axis: x.cummax(axis)[0], lambda x, axis: np.maximum.accumulate(x, axis), dtypes=(*FLOATS, "int32")),
  _r("logsumexp", lambda x, axis: x.logsumexp(axis), lambda x, axis: _logsumexp(x, axis), tol=2, domains=("any+logit",)),
  _r("any", lambda x, axis: x.any(axis), lambda x, axis: np.any(x, axis), dtypes=("bool", "float32", "int32"), out="bool", grad=False),
  _r("all", lambda x, axis: x.all(axis), lambda x, axis: np.all(x, axis), dtypes=("bool", "float32", "int32"), out="bool", grad=False),
  # movement
  _m("reshape", lambda x: x.reshape(x.shape[-1], -1), lambda x: x.reshape(x.shape[-1], -1)),
  _m("permute", lambda x: x.permute(*reversed(range(x.ndim))), lambda x: np.transpose(x)),
  _m("expand", lambda x: x.reshape(1, *x.shape).expand(3, *x.shape), lambda x: np.broadcast_to(x, (3, *x.shape))),
  _m("pad", lambda x: x.pad(((1, 2),) * x.ndim), lambda x: np.pad(x, ((1, 2),) * x.ndim)),
  _m("pad_value", lambda x: x.pad(((2, 1),) * x.ndim, value=True if x.dtype == dtypes.bool else 2),
     lambda x: np.pad(x, ((2, 1),) * x.ndim, constant_values=2)),
  _m("shrink", lambda x: x.shrink(tuple((1, s - 1) for s in x.shape)), lambda x: x[tuple(slice(1, s - 1) for s in x.shape)]),
  _m("flip", lambda x: x.flip(0), lambda x: np.flip(x, 0)),
  _m("slice", lambda x: x[1:4], lambda x: x[1:4]),
  _m("slice_step", lambda x: x[::-2], lambda x: x[::-2]),
  _m("index", lambda x: x[-1], lambda x: x[-1]),
  _m("cat", lambda x: x.cat(x.flip(0), dim=0), lambda x: np.concatenate([x, np.flip(x, 0)], 0)),
  _m("stack", lambda x: Tensor.stack(x, x.flip(0), dim=1), lambda x: np.stack([x, np.flip(x, 0)], 1)),
  _m("repeat", lambda x: x.repeat(2, *[1] * (x.ndim - 1)), lambda x: np.tile(x, (2, *[1] * (x.ndim - 1)))),
  _m("squeeze_unsqueeze", lambda x: x.unsqueeze(0).unsqueeze(-1).squeeze(0), lambda x: x[..., None]),
  _m("roll", lambda x: x.roll(2, 0), lambda x: np.roll(x, 2, 0)),
  # matmul
  OpSpec("matmul", "matmul", lambda a, b: a @ b, np.matmul, dtypes=(*FLOATS, "int32"), domains=("any", "any"), tol=4,
         kinds=("empty", "1d", "broadcast", "permuted", "odd", "large"),
         shapes={"empty": ((0, 7), (7, 3)), "1d": ((7,), (7, 3)), "broadcast": ((2, 5, 7), (7, 3)), "permuted": ((7, 5), (3, 7)),
                 "odd": ((5, 7), (7, 3)), "large": ((64, 64), (64, 64))}),
  OpSpec("dot", "matmul", lambda a, b: a.dot(b), np.dot, dtypes=("float32", "float64", "int32"), domains=("any", "any"), tol=4, kinds=("1d",)),
  OpSpec("einsum", "matmul", lambda a, b: Tensor.einsum("ij,kj->ik", a, b), lambda a, b: np.einsum("ij,kj->ik", a, b), dtypes=("float32",),
         domains=("any", "any"), tol=4, kinds=("odd",), shapes={"odd": ((5, 7), (3, 7))}),
  # conv and pooling
  OpSpec("conv2d", "conv", lambda x, w: x.conv2d(w), _conv2d, dtypes=("float32", "float16", "float64"), domains=("any", "any"), tol=4,
         kinds=("odd",), shapes={"odd": ((1, 2, 7, 7), (3, 2, 3, 3))}),
  OpSpec("conv2d_stride_pad", "conv", lambda x, w: x.conv2d(w, stride=2, padding=1), lambda x, w: _conv2d(x, w, 2, 1), dtypes=("float32",),
         domains=("any", "any"), tol=4, kinds=("odd",), shapes={"odd": ((2, 2, 7, 7), (3, 2, 3, 3))}),
  OpSpec("conv2d_groups_dilation", "conv", lambda x, w: x.conv2d(w, groups=2, dilation=2), lambda x, w: _conv2d(x, w, 1, 0, 2, 2),
         dtypes=("float32",), domains=("any", "any"), tol=4, kinds=("odd",), shapes={"odd": ((1, 4, 7, 7), (4, 2, 3, 3))}),
  OpSpec("avg_pool2d", "conv", lambda x: x.avg_pool2d(), lambda x: _windows(x, 2, 2).mean((-1, -2)), dtypes=("float32", "float16"),
         kinds=("odd",), shapes={"odd": ((1, 2, 7, 7),)}),
  OpSpec("max_pool2d", "conv", lambda x: x.max_pool2d(), lambda x: _windows(x, 2, 2).max((-1, -2)), dtypes=("float32", "float16"),
         kinds=("odd",), shapes={"odd": ((1, 2, 7, 7),)}, nan=False),
  # activations
  _a("relu", lambda x: x.relu(), _relu, kinds=(*UNARY_KINDS, "large")),
  _a("relu6", lambda x: x.relu6(), lambda x: np.clip(x, 0, 6)),
  _a("leaky_relu", lambda x: x.leaky_relu(0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
  _a("sigmoid", lambda x: x.sigmoid(), _sigmoid, domains=("any+logit",)),
  _a("tanh", lambda x: x.tanh(), np.tanh, domains=("any+logit+tiny",), max_atol=1e-12),
  _a("gelu", lambda x: x.gelu(), lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))), tol=2),
  _a("quick_gelu", lambda x: x.quick_gelu(), lambda x: x * _sigmoid(1.702 * x)),
  _a("silu", lambda x: x.silu(), lambda x: x * _sigmoid(x), domains=("any+logit",)),
  _a("elu", lambda x: x.elu(), lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0)))),
  _a("celu", lambda x: x.celu(0.5), lambda x: np.maximum(x, 0) + np.minimum(0, 0.5 * np.expm1(np.minimum(x, 0) / 0.5))),
  _a("selu", lambda x: x.selu(), lambda x: 1.0507 * np.where(x >= 0, x, 1.67326 * np.expm1(np.minimum(x, 0)))),
  _a("softplus", lambda x: x.softplus(), _softplus, domains=("any+logit",)),
  _a("mish", lambda x: x.mish(), lambda x: x * np.tanh(_softplus(x)), tol=2, domains=("any+logit",)),
  _a("logsigmoid", lambda x: x.logsigmoid(), lambda x: -_softplus(-x), domains=("any+logit",)),
  _a("softsign", lambda x: x.softsign(), lambda x: x / (1 + np.abs(x))),
  _a("hardswish", lambda x: x.hardswish(), lambda x: x * np.clip(x + 3, 0, 6) / 6),
  _a("hardsigmoid", lambda x: x.hardsigmoid(), lambda x: np.clip(x / 6 + 0.5, 0, 1)),
  _a("hardtanh", lambda x: x.hardtanh(), lambda x: np.clip(x, -1, 1)),
  # softmax
  OpSpec("softmax", "softmax", lambda x: x.softmax(-1), _softmax, kinds=(*REDUCE_KINDS, "large"), tol=2, shapes=ROW_SHAPES, domains=("any+logit",)),
  OpSpec("log_softmax", "softmax", lambda x: x.log_softmax(-1), lambda x: _softmax(x, log=True), kinds=REDUCE_KINDS, tol=2,
         shapes=ROW_SHAPES, domains=("any+logit",)),
  OpSpec("softmax_axis0", "softmax", lambda x: x.softmax(0), lambda x: _softmax(x, 0), kinds=("permuted", "odd"), tol=2, domains=("any+logit",)),
  # where and friends
  OpSpec("where", "where", lambda c, a, b: c.where(a, b), np.where, dtypes=ALL, domains=("any", "any", "any"), slot_dtypes=("bool", None, None),
         kinds=BINARY_KINDS),
  OpSpec("masked_fill", "where", lambda x, m: x.masked_fill(m, 3), lambda x, m: np.where(m, 3, x), dtypes=(*FLOATS, *INTS),
         domains=("any", "any"), slot_dtypes=(None, "bool"), kinds=("1d", "broadcast", "odd")),
  OpSpec("clip", "where", lambda x: x.clip(-1, 1), lambda x: np.clip(x, -1, 1), dtypes=(*FLOATS, *SINTS), kinds=("1d", "permuted", "odd")),
  OpSpec("lerp", "where", lambda a, b: a.lerp(b, 0.25), lambda a, b: a + (b - a) * 0.25, domains=("any", "any"), kinds=("1d", "broadcast", "odd")),
  # gather and indexing with tensors
  OpSpec("gather", "gather", lambda x, i: x.gather(1, i), lambda x, i: np.take_along_axis(x, i.astype(np.int64), 1),
         dtypes=("float32", "float16", "int32", "uint8"), domains=("any", "idx7"), slot_dtypes=(None, "int32"), kinds=("odd",),
         shapes={"odd": ((5, 7), (5, 3))}),
  OpSpec("index_tensor", "gather", lambda x, i: x[i], lambda x, i: x[i.astype(np.int64)], dtypes=("float32", "int32", "bool"),
         domains=("any", "idx5"), slot_dtypes=(None, "int32"), kinds=("odd",), shapes={"odd": ((5, 7), (4,))}),
  OpSpec("one_hot", "gather", lambda i: i.one_hot(5), lambda i: (i[..., None] == np.arange(5)), dtypes=("int32",), out="weakint",
         domains=("idx5",), kinds=("1d", "odd"), grad=False),
  # casts: one op per target dtype, run from every other dtype
  *[_cast(d) for d in ALL],
  OpSpec("cast_float16_roundtrip", "cast", lambda x: x.cast(dtypes.float16).cast(x.dtype), lambda x: x.astype(np.float16),
         dtypes=("float32", "float64"),
         domains=("cast_float16",), grad=False, kinds=("1d", "odd")),
  # invalid calls must raise
  _bad("reshape_bad_size", lambda x: x.reshape(6, 7), ValueError),
  _bad("matmul_mismatch", lambda x: x @ x, RuntimeError),
  _bad("sum_axis_out_of_range", lambda x: x.sum(axis=2), IndexError),
  _bad("permute_not_a_permutation", lambda x: x.permute(0, 0), RuntimeError),
  _bad("expand_bad_shape", lambda x: x.expand(5, 8), ValueError),
  _bad("shrink_out_of_bounds", lambda x: x.shrink(((0, 9), None)), ValueError),
  _bad("index_out_of_range", lambda x: x[5], IndexError),
  _bad("softmax_axis_out_of_range", lambda x: x.softmax(3), IndexError),
]
OPS: dict[str, OpSpec] = {s.name: s for s in _OPS_LIST}

# Known places where tinygrad 0.14.0 disagrees with its documented (torch-like) semantics. A failure is known only when
# its op, dtype, shape kind and check match an entry AND its message matches the entry's in full: the kind of failure
# (NaN, inf, values) and where it is. `where` maps the case's inputs (float64, flat, in output order) to the positions the
# disagreement is at; the message template's {at} and {n} are those positions (`positions()`) and their count. So a new,
# different failure of a known op (another position, another kind of mismatch, a crash) is reported as new.
# The NaN/inf ones show on the "1d" kind, whose float inputs hold nan, +inf and -inf at positions 0, 3 and 6; the others on
# the hard inputs (`_HARD`). tgkit.bugs has the real bugs among them as regression tests.
@dataclasses.dataclass(frozen=True)
class Known:
  op: str
  dtype: str                # a dtype or "*"
  kind: str                 # a shape kind or "*"
  check: str
  message: str              # a regex for the whole message; {at} and {n} are filled from `where`
  why: str
  where: Callable[..., np.ndarray] | None = None


_NAN_EXTRA = r"NaN mismatch at {at}: {n} NaN where numpy has none, 0 numpy NaN missing"     # tinygrad gives NaN where numpy does not
_NAN_LOST = r"NaN mismatch at {at}: 0 NaN where numpy has none, {n} numpy NaN missing"      # tinygrad loses numpy's NaN
_OUTSIDE = r"{n} of \d+ values outside atol=\S+ rtol=\S+ at {at}"
def _is(*vals): return lambda x, *_: np.any([np.isclose(x, v, rtol=1e-3, atol=0) for v in vals], 0)   # input 0 is one of vals (as rounded)
def _nan(x, *_): return np.isnan(x)
def _posinf(x, *_): return np.isposinf(x)
def _neginf(x, *_): return np.isneginf(x)
def _inf(x, *_): return np.isinf(x)
_tiny = _is(1e-6, -1e-6, 3e-5, -1e-7, 1e-3, -1e-3, 2e-3, -5e-4)   # the "+tiny" inputs (_HARD["tiny"])
def _half_rounds(x, *_):                             # float16 rounding moves x by more than the float32 tolerance
  h, t = x.astype(np.float16).astype(np.float64), TOLERANCES["float32"]
  return np.abs(h - x) > t.atol + t.rtol * np.abs(h)

_TINY_WHY = "loses relative precision near 0 ({f}: cancellation); numpy and torch are accurate there"
KNOWN_DISAGREEMENTS: list[Known] = [
  Known("sign", "*", "1d", "value", _NAN_LOST, "sign(nan) is 1.0; numpy gives nan", _nan),
  Known("atan", "*", "1d", "value", _NAN_EXTRA, "atan(+-inf) is nan (asin(x / sqrt(1 + x*x))); numpy and torch give +-pi/2", _inf),
  Known("atan", "float32", "*", "value", _OUTSIDE, "atan(+-1e20) is 0.0 in float32: x*x overflows in asin(x / sqrt(1 + x*x)); numpy and "
        "torch give +-pi/2", _is(1e20, -1e20)),
  Known("atan", "float64", "*", "value", _OUTSIDE, "atan(-1e200) is 0.0 in float64: x*x overflows; numpy and torch give -pi/2", _is(-1e200)),
  Known("asinh", "*", "1d", "value", _NAN_EXTRA, "asinh(-inf) is nan (log(x + sqrt(x*x + 1))); numpy and torch give -inf", _neginf),
  Known("asinh", "float32", "*", "value", r"inf mismatch at {n} positions {at}", "asinh(-1e5) is -inf in float32 (x + sqrt(x*x + 1) cancels "
        "to 0) and asinh(+-1e20) is inf (x*x overflows); numpy and torch give -12.2 and +-46.4", _is(-1e5, 1e20, -1e20)),
  Known("asinh", "float16", "*", "value", r"inf mismatch at {n} positions {at}", "asinh(+-60000) is +-inf in float16; numpy and torch give "
        "+-11.7", _is(60000, -60000)),
  Known("asinh", "float64", "*", "value", r"inf mismatch at {n} positions {at}", "asinh(-1e200) is inf in float64 (x*x overflows); numpy "
        "and torch give -461.2", _is(-1e200)),
  *[Known(op, dt, "*", "value", _OUTSIDE, f"{op} " + _TINY_WHY.format(f=f), where) for op, f in
    (("sinh", "(exp(x) - exp(-x)) / 2"), ("tanh", "2 * sigmoid(2x) - 1: tanh(1e-6) is 1.07e-6"), ("atanh", "log((1 + x) / (1 - x)) / 2"))
    for dt, where in (("float32", _tiny), ("float16", lambda x, *_: np.abs(x) < 0.01))],   # float16: atanh(-0.004) too
  Known("logaddexp", "*", "1d", "value", _NAN_EXTRA, "logaddexp(inf, x) is nan (inf - inf in the max shift); numpy and torch give inf", _posinf),
  Known("le", "*", "1d", "value", r"{n} of 7 values differ at {at}", "nan <= x is True (le is computed as not gt); numpy and torch give False", _nan),
  Known("ge", "*", "1d", "value", r"{n} of 7 values differ at {at}", "nan >= x is True (ge is computed as not lt); numpy and torch give False", _nan),
  # max, min and cummax drop a NaN that is not the first element (max([1, nan, 2]) is 2, max([nan, 1, 2]) is nan): the "1d" kind puts
  # NaN first, so the table does not show it (tgkit.bugs.max_drops_nan does)
  Known("argmax", "*", "1d", "value", r"1 of 1 values differ at \[0\]", "argmax of a row holding NaN is not the NaN's index ([nan, 1, 2] gives "
        "3, out of range); numpy and torch return the index of the first NaN"),
  Known("argmin", "*", "1d", "value", r"1 of 1 values differ at \[0\]", "argmin of a row holding NaN is not the NaN's index ([nan, 1, 2] gives "
        "3, out of range); numpy and torch return the index of the first NaN"),
  Known("relu", "*", "1d", "value", _NAN_LOST, "relu(nan) is 0; torch gives nan", _nan),
  Known("relu6", "*", "1d", "value", r"NaN mismatch at {at}: 1 NaN where numpy has none, 1 numpy NaN missing",
        "relu6(nan) is 0 and relu6(inf) is nan (relu(x) - relu(x - 6)); torch gives nan and 6", lambda x, *_: np.isnan(x) | np.isposinf(x)),
  Known("elu", "*", "1d", "value", _NAN_LOST, "elu(nan) is 0; torch gives nan", _nan),
  Known("hardsigmoid", "*", "1d", "value", r"NaN mismatch at {at}: 1 NaN where numpy has none, 1 numpy NaN missing",
        "hardsigmoid(nan) is 0 and hardsigmoid(inf) is nan; torch gives nan and 1", lambda x, *_: np.isnan(x) | np.isposinf(x)),
  Known("hardswish", "*", "1d", "value", _NAN_EXTRA, "hardswish(inf) is nan; torch gives inf (and nan at -inf, as tinygrad does)", _posinf),
  Known("softplus", "*", "1d", "value", _NAN_EXTRA, "softplus(inf) is nan (logaddexp(inf, 0)); numpy and torch give inf", _posinf),
  Known("mish", "*", "1d", "value", _NAN_EXTRA, "mish(inf) is nan (softplus(inf)); torch gives inf (and nan at -inf, as tinygrad does)", _posinf),
  Known("logsigmoid", "*", "1d", "value", _NAN_EXTRA, "logsigmoid(-inf) is nan (softplus(inf)); numpy and torch give -inf", _neginf),
  Known("cast_float16_roundtrip", "float32", "*", "value", _OUTSIDE, "x.cast(float16).cast(float32) returns x unrounded: codegen folds the "
        "pair with an image-only rule (codegen/late/coalesce.py) on every device; torch and numpy round to float16", _half_rounds),
  Known("pow", "int32", "odd", "value", r"7 of 35 values differ at \[8, 10, 12, 14, 22, 23, 31\]",
        "int32 ** int32 goes through float exp2/log2 and truncates "
        "(3**4 is 80 and 5**2 is 24, while 3**2 is 9); numpy and torch are exact"),
  Known("pow", "int32", "*", "value", r"compile failed: .*assigning to 'int\d+' .*from incompatible type 'float\d+'.*",
        "int32 ** int32 on 2 to 8 elements does not compile on CPU: clang rejects an int vector assigned from a float vector"),
]


def _case_inputs(r: Result) -> list[np.ndarray]:
  """The inputs of the case a result comes from, as float64 (floats) and flat in output order (permuted views copied)."""
  c = next(c for c in build_cases([r.op], [r.dtype], False, [r.kind]) if c.check == r.check)
  return [np.ascontiguousarray(a).astype(np.float64 if dt in FLOATS else a.dtype).reshape(-1) for a, dt in zip(c.arrays(), c.dts)]


def is_known(r: Result) -> str:
  """The known disagreement a failing result matches (op, dtype, kind, check, and its message: the kind of failure and
  where it is), or "" (pass results never match)."""
  if r.status not in ("fail", "error"): return ""
  for k in KNOWN_DISAGREEMENTS:
    if k.op != r.op or k.dtype not in ("*", r.dtype) or k.kind not in ("*", r.kind) or k.check != r.check: continue
    if k.where is None: pattern = k.message
    else:
      try: inputs = _case_inputs(r)
      except (StopIteration, UsageError): continue   # a record of a case this table does not have
      with np.errstate(all="ignore"): mask = k.where(*inputs)
      pattern = k.message.format(at=re.escape(positions(mask)), n=int(mask.sum()))
    if re.fullmatch(pattern, r.message): return k.why
  return ""


# ---------------------------------------------------------------- cases and inputs

@dataclasses.dataclass
class Case:
  """One op at one dtype and shape kind, for one check; `build_cases` makes them from the table."""
  spec: OpSpec
  dtype: str
  kind: str
  check: str
  shapes: tuple[tuple[int, ...], ...]
  dts: tuple[str, ...]
  kw: dict

  @property
  def permuted(self) -> bool: return self.kind == "permuted"

  def label(self) -> str:
    return "+".join(str(tuple(reversed(s))) + "T" if self.permuted and len(s) == 2 else str(s) for s in self.shapes)

  def keys(self) -> list[tuple]:
    """The `_array` arguments of each input (equal keys: the same array, shared between cases)."""
    nan = self.check == "value" and self.spec.nan and self.kind == NAN_KIND
    doms = self.spec.domains if self.check == "value" else tuple(d.partition("+")[0] for d in self.spec.domains)   # hard inputs: values only
    return [(dt, s, dom, nan and slot == 0 and dt in FLOATS, slot) for slot, (dt, s, dom) in enumerate(zip(self.dts, self.shapes, doms))]

  def arrays(self) -> list[np.ndarray]:
    """The numpy inputs, permuted (non-contiguous views) for the "permuted" kind."""
    arrs = [_array(*k) for k in self.keys()]
    return [a.T if self.permuted and a.ndim == 2 else a for a in arrs]


def _case_shapes(spec: OpSpec, kind: str) -> tuple[tuple[int, ...], ...]:
  if spec.shapes and kind in spec.shapes: return spec.shapes[kind]
  base = _SHAPES[kind]
  return tuple(base[i] for i in range(spec.arity)) if kind == "broadcast" else base * spec.arity


_INT_DOMAIN = {"any": (-9, 10), "nonzero": (1, 6), "pos": (1, 6), "exp": (0, 4), "shift": (0, 4), "prod": (-3, 4), "unit": (-1, 2), "ge1": (1, 6)}
_FLOAT_DOMAIN = {"any": (-2.0, 2.0), "pos": (0.1, 3.0), "unit": (-0.9, 0.9), "ge1": (1.1, 3.0), "exp": (-2.0, 2.0), "nonzero": (-2.0, 2.0),
                 "prod": (-1.5, 1.5)}
_CAST_RANGE = {"int32": (-1000, 1000), "int8": (-100, 100), "uint8": (0, 200)}
# Hard inputs: a domain "any+logit+big" holds these values (per float dtype) at every other position that is not a NaN/inf slot,
# in value checks (gradients keep the gentle domain). They are where a naive formula overflows, underflows or cancels.
_HARD: dict[str, dict[str, tuple[float, ...]]] = {
  # logits: exp(x) overflows; softmax, logsumexp, sigmoid, softplus, logaddexp, tanh must not go through it
  "logit": {"float16": (30, -30, 1000, -1000), "float32": (100, -100, 1000, -1000), "float64": (1000, -1000, 800, -800)},
  # large magnitudes: x*x overflows (atan, asinh) and x + sqrt(x*x + 1) cancels for x < 0 (asinh)
  "big": {"float16": (1000, -1000, 60000, -60000), "float32": (1e5, -1e5, 1e20, -1e20), "float64": (1e5, -1e5, 1e20, -1e200)},
  # near 0: exp(x) - exp(-x), exp(x) - 1 and log(1 + x) cancel; judged by relative error (OpSpec.max_atol)
  "tiny": {"float16": (1e-3, -1e-3, 2e-3, -5e-4), "float32": (1e-6, -1e-6, 3e-5, -1e-7), "float64": (1e-6, -1e-6, 3e-5, -1e-7)},
  # exponents past overflow and into underflow
  "expo": {"float16": (12, -12, 20, -30), "float32": (100, -100, 130, -150), "float64": (800, -800, 1100, -1100)},
  # .5 ties: round is half to even
  "ties": {dt: (0.5, -0.5, 1.5, -1.5, 2.5, -2.5) for dt in FLOATS},
}
# a large common offset (the whole input): E[x*x] - E[x]**2 cancels where the two-pass variance does not
_OFFSET = {"float16": 100.0, "float32": 1e4, "float64": 1e6}


def _hard_positions(n: int) -> list[int]:
  """The positions of a flat input that are not NaN/inf slots (first, middle, last); every other one past 8 elements."""
  pos = [i for i in range(1, n - 1) if i != n // 2]
  return pos if n <= 8 else pos[::2]


@functools.lru_cache(maxsize=None)
def _array(dt: str, shape: tuple[int, ...], domain: str, nan: bool, slot: int) -> np.ndarray:
  """Deterministic input values for one (dtype, shape, domain) slot; equal arguments give the same array. A domain
  "base+hard+..." takes the base domain's values and puts the `_HARD` values at `_hard_positions` ("+neg": negative
  integers too, "+offset": the whole input shifted by `_OFFSET`)."""
  if "+" in domain: return _hard_array(dt, shape, domain, nan, slot)
  rng = np.random.default_rng(zlib.crc32(repr((dt, shape, domain, nan, slot)).encode()))
  n = math.prod(shape)
  if domain.startswith("idx"): return rng.integers(0, int(domain[3:]), n).astype(np.int32).reshape(shape)
  if dt == "bool": return (rng.random(n) < 0.5).reshape(shape)
  npdt = np.dtype(_to_np_dtype(DTYPES[dt]))
  if domain.startswith("cast_"):
    tgt = domain[5:]
    if dt in INTS:
      info = np.iinfo(npdt)
      lo, hi = (max(info.min, -300), min(info.max, 300)) if tgt in INTS else (info.min, info.max)
      return rng.integers(lo, hi, n, endpoint=True).astype(npdt).reshape(shape)
    lo, hi = _CAST_RANGE.get(tgt, (-1000, 1000))
    a = rng.uniform(lo, hi, n)
  elif dt in INTS:
    lo, hi = _INT_DOMAIN[domain]
    if dt == "uint8": lo, hi = max(lo, 0) if domain != "prod" else 0, hi + (9 if domain == "any" else 0)
    a = rng.integers(lo, hi, n)
    if domain == "nonzero": a[a == 0] = 1
    return a.astype(npdt).reshape(shape)
  else:
    lo, hi = _FLOAT_DOMAIN[domain]
    a = rng.uniform(lo, hi, n)
    if domain in ("any", "nonzero"): a = np.sign(a) * (np.abs(a) + (0.5 if domain == "nonzero" else 0.05))
  a = a.astype(npdt)
  if nan and n >= 3: a[[0, n // 2, n - 1]] = [np.nan, np.inf, -np.inf]
  return a.reshape(shape)


def _hard_array(dt: str, shape: tuple[int, ...], domain: str, nan: bool, slot: int) -> np.ndarray:
  base, *hard = domain.split("+")
  a = _array(dt, shape, base, False, slot).copy().reshape(-1)
  if "neg" in hard and dt in SINTS:   # negative divisors: flip the sign of every other value
    a[1::2] = -a[1::2]
  if "offset" in hard and dt in FLOATS: a = (a.astype(np.float64) + _OFFSET[dt]).astype(a.dtype)
  vals = [v for h in hard if h in _HARD and dt in FLOATS for v in _HARD[h][dt]]
  if vals and (pos := _hard_positions(a.size)): a[pos] = [vals[i % len(vals)] for i in range(len(pos))]
  if nan and a.size >= 3: a[[0, a.size // 2, a.size - 1]] = [np.nan, np.inf, -np.inf]
  return a.reshape(shape)


def _weights(shape: tuple[int, ...]) -> np.ndarray:
  return np.random.default_rng(zlib.crc32(repr(("w", shape)).encode())).uniform(-1, 1, shape)


def select(ops=None, dtypes=None, kinds=None) -> tuple[list[OpSpec], tuple[str, ...], tuple[str, ...]]:
  """Resolve op, dtype and shape-kind names (None: all), raising UsageError naming the choices."""
  for name in ops or (): 
    if name not in OPS and name not in GROUPS: raise UsageError.unknown("op", name, [*OPS, *GROUPS])
  for name in dtypes or ():
    if name not in DTYPES: raise UsageError.unknown("dtype", name, DTYPES)
  for name in kinds or ():
    if name not in SHAPE_KINDS: raise UsageError.unknown("shape kind", name, SHAPE_KINDS)
  specs = [s for s in OPS.values() if ops is None or s.name in ops or s.group in ops]
  return specs, tuple(dtypes or DTYPES), tuple(kinds or SHAPE_KINDS)


def build_cases(ops=None, dtypes=None, grads=True, kinds=None) -> list[Case]:
  """Expand the table into the cases `run` and `run_naive` check (same list for both)."""
  specs, dts, knds = select(ops, dtypes, kinds)
  cases = []
  for spec in specs:
    for dt in spec.dtypes:
      if dt not in dts: continue
      op_kinds = [k for k in spec.kinds if k in knds]
      for kind in op_kinds:
        slot_dts = tuple((spec.slot_dtypes[i] if i < len(spec.slot_dtypes) else None) or dt for i in range(spec.arity))
        kw = {"axis": REDUCE_AXIS[kind]} if spec.axis else {}
        cases.append(Case(spec, dt, kind, "raises" if spec.raises else "value", _case_shapes(spec, kind), slot_dts, kw))
      grad_kinds = ([k for k in ("broadcast", "odd") if k in op_kinds] or [k for k in op_kinds if k not in ("scalar", "empty", "large")])[:1]
      if grads and spec.grad and not spec.raises and dt == GRAD_DTYPE:
        for kind in grad_kinds:
          slot_dts = tuple((spec.slot_dtypes[i] if i < len(spec.slot_dtypes) else None) or dt for i in range(spec.arity))
          kw = {"axis": REDUCE_AXIS[kind]} if spec.axis else {}
          cases.append(Case(spec, dt, kind, "grad", _case_shapes(spec, kind), slot_dts, kw))
  return cases


# ---------------------------------------------------------------- checking

def _result(c: Case, device: str, status: str, err: float | None, msg: str, tol: Tolerance | None = None) -> Result:
  tol = tol or Tolerance(0, 0)
  return Result(c.spec.name, c.spec.group, c.dtype, c.label(), device, c.check, status, err, msg, c.kind, tol.atol, tol.rtol)


def first_line(e: BaseException) -> str:
  """`ExcType: first line of the message`, short enough for a table cell."""
  text = (str(e).strip().split("\n") or [""])[0][:160]
  return f"{type(e).__name__}: {text}" if text else type(e).__name__


def compare(got: np.ndarray, want: np.ndarray, tol: Tolerance) -> tuple[bool, float | None, str]:
  """Compare an output with its reference: shape, NaN positions, inf positions and signs, then finite values.

  Returns:
    (ok, max_error, message): max_error is the largest absolute difference on positions where both are finite.
  """
  if got.shape != want.shape: return False, None, f"shape {got.shape}, expected {want.shape}"
  if got.size == 0: return True, 0.0, ""
  with np.errstate(all="ignore"): return _compare(got, want, tol)


def positions(mask: np.ndarray, limit: int = 8) -> str:
  """The flat indices where `mask` holds, as `[i, j, ...]` (the first `limit`); known disagreements match on them."""
  idx = np.flatnonzero(mask)
  return "[" + ", ".join(map(str, idx[:limit])) + (", ..." if idx.size > limit else "") + "]"


def _compare(got: np.ndarray, want: np.ndarray, tol: Tolerance) -> tuple[bool, float | None, str]:
  if want.dtype.kind in "biu" and got.dtype.kind in "biu":
    diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
    bad = int((diff != 0).sum())
    return bad == 0, float(diff.max()), f"{bad} of {got.size} values differ at {positions(diff != 0)}" if bad else ""
  g, w = got.astype(np.float64), want.astype(np.float64)
  gn, wn = np.isnan(g), np.isnan(w)
  if (gn != wn).any():
    return False, None, (f"NaN mismatch at {positions(gn != wn)}: {int((gn & ~wn).sum())} NaN where numpy has none, "
                         f"{int((wn & ~gn).sum())} numpy NaN missing")
  gi, wi = np.isinf(g), np.isinf(w)
  if (infbad := (gi | wi) & ~(g == w)).any(): return False, None, f"inf mismatch at {int(infbad.sum())} positions {positions(infbad)}"
  fin = np.isfinite(g) & np.isfinite(w)
  err = np.abs(g - w)[fin]
  if err.size == 0: return True, 0.0, ""
  out = np.zeros(g.shape, bool)
  out[fin] = err > tol.atol + tol.rtol * np.abs(w[fin])
  bad = int(out.sum())
  return bad == 0, float(err.max()), f"{bad} of {got.size} values outside atol={tol.atol:g} rtol={tol.rtol:g} at {positions(out)}" if bad else ""


def _tol(c: Case) -> Tolerance:
  base = GRAD_TOLERANCE if c.check == "grad" else TOLERANCES.get(c.spec.out_dtype(c.dtype), Tolerance(0, 0))
  atol = max(base.atol * c.spec.tol, c.spec.min_atol if c.check == "value" else 0)
  if c.check == "value" and c.spec.max_atol is not None: atol = min(atol, c.spec.max_atol)
  return Tolerance(atol, base.rtol * c.spec.tol)


def reference(c: Case) -> np.ndarray:
  """The numpy reference output of a value case, in the dtype tinygrad documents for the op."""
  arrs = [a.astype(np.float64) if dt in FLOATS else a for a, dt in zip(c.arrays(), c.dts)]
  with np.errstate(all="ignore"):
    out = np.asarray(c.spec.ref(*arrs, **c.kw))
    return out.astype(_to_np_dtype(DTYPES.get(c.spec.out_dtype(c.dtype)) or getattr(dtypes, c.spec.out_dtype(c.dtype))))


GRAD_POSITIONS = 48   # larger inputs check the partial derivatives at this many fixed positions


def _grad_positions(n: int) -> np.ndarray:
  return np.arange(n) if n <= GRAD_POSITIONS else np.random.default_rng(n).choice(n, GRAD_POSITIONS, replace=False)


def reference_grad(c: Case) -> list[np.ndarray]:
  """Central finite differences (float64) of `sum(ref(*inputs) * w)` for each float input of a grad case."""
  arrs = [a.astype(np.float64) if dt in FLOATS else a for a, dt in zip(c.arrays(), c.dts)]
  with np.errstate(all="ignore"):
    w = _weights(np.shape(c.spec.ref(*arrs, **c.kw)))
    def loss(xs): return float(np.sum(c.spec.ref(*xs, **c.kw) * w))
    grads = []
    for i, dt in enumerate(c.dts):
      if dt not in FLOATS: continue
      x, g = arrs[i].copy(), np.full(arrs[i].shape, np.nan)
      flat, gflat = x.reshape(-1), g.reshape(-1)
      for j in _grad_positions(flat.size):
        h, v = 1e-6 * max(1.0, abs(flat[j])), flat[j]
        flat[j] = v + h; hi = loss(arrs[:i] + [x] + arrs[i + 1:])
        flat[j] = v - h; lo = loss(arrs[:i] + [x] + arrs[i + 1:])
        flat[j] = v
        gflat[j] = (hi - lo) / (2 * h)
      grads.append(g)
    return grads


def _inputs(c: Case, device: str) -> list[Tensor]:
  """tinygrad inputs of a case, each on a buffer of its own: two tensors of one numpy array share a buffer, and tinygrad
  fuses kernels of different cases that read the same buffer."""
  out = []
  for k in c.keys():
    t = Tensor(_array(*k).copy(), device=device)
    out.append(t.permute(1, 0) if c.permuted and t.ndim == 2 else t)
  return out


def dtype_name(dt: DType) -> str:
  """The `DTYPES` name of a tinygrad dtype (e.g. int8), else tinygrad's own (uint, weakint)."""
  return next((k for k, v in DTYPES.items() if v == dt), str(dt).removeprefix("dtypes."))


def _expected_dtype(c: Case) -> DType:
  name = c.spec.out_dtype(c.dtype)
  return DTYPES.get(name) or getattr(dtypes, name)


def _build_value(c: Case, device: str) -> Tensor:
  out = c.spec.fn(*_inputs(c, device), **c.kw)
  if out.dtype != _expected_dtype(c): raise _DtypeMismatch(f"dtype {dtype_name(out.dtype)}, expected {dtype_name(_expected_dtype(c))}")
  return out


class _DtypeMismatch(Exception): pass


def _build_grad(c: Case, device: str) -> tuple[Tensor, list[Tensor]]:
  """(loss, float inputs) for a grad case, on fresh input tensors so no other case contributes."""
  xs = _inputs(c, device)
  out = c.spec.fn(*xs, **c.kw)
  loss = (out * Tensor(_weights(out.shape).astype(np.float32), device=device)).sum()
  return loss, [x for x, dt in zip(xs, c.dts) if dt in FLOATS]


def _check_raises(c: Case, device: str) -> Result:
  try:
    c.spec.fn(*_inputs(c, device)).realize()
  except c.spec.raises as e:
    return _result(c, device, "pass", None, f"raised {first_line(e)}")
  except Exception as e:  # noqa: BLE001 - the wrong error type is the finding
    return _result(c, device, "fail", None, f"raised {first_line(e)}, expected {c.spec.raises.__name__}")
  return _result(c, device, "fail", None, f"did not raise, expected {c.spec.raises.__name__}")


def _judge_value(c: Case, device: str, got: np.ndarray) -> Result:
  tol = _tol(c)
  ok, err, msg = compare(got, reference(c), tol)
  return _result(c, device, "pass" if ok else "fail", err, msg, tol)


def _judge_grad(c: Case, device: str, got: list[np.ndarray]) -> Result:
  tol, worst, msgs = _tol(c), 0.0, []
  for i, (g, want) in enumerate(zip(got, reference_grad(c))):
    pos = ~np.isnan(want)   # positions the finite differences covered
    ok, err, msg = compare(g[pos], want[pos], tol) if g.shape == want.shape else (False, None, f"shape {g.shape}, expected {want.shape}")
    worst = max(worst, err or 0.0) if err is not None else worst
    if not ok: msgs.append(f"input {i}: {msg}")
  return _result(c, device, "fail" if msgs else "pass", worst, "; ".join(msgs), tol)


PROBE = (1, 2, 3, 1, 2, 3, 1, 2)   # 8 elements, so renderers that vectorise do; x * 2 + 1 is exact in every dtype, fp8 included
PROBE_BOOL = ((True, False, True, True, False, True, True, False), (True,) * 4 + (False,) * 4)


def dtype_support(device: str, dtype: str) -> str:
  """"" when `device` computes `x * 2 + 1` (bool: `x & y`) on 8 elements in `dtype` here, else why not (one line).

  Any tinygrad dtype name works (bfloat16, fp8e4m3, ...). Remembered per device, renderer (`Context(DEV="CPU:X86")`
  changes it) and dtype."""
  try: renderer = type(Device[device].renderer).__name__
  except Exception: renderer = ""  # noqa: BLE001 - the probe below reports why the device does not work
  return _dtype_support(device, renderer, dtype)


@functools.lru_cache(maxsize=None)
def _dtype_support(device: str, renderer: str, dtype: str) -> str:
  dt, pos = getattr(dtypes, dtype), _STDERR.position()
  try:
    if dtype == "bool":
      x, y = PROBE_BOOL
      got, want = (Tensor(list(x), dtype=dt, device=device) & Tensor(list(y), device=device)).tolist(), [a and b for a, b in zip(x, y)]
    else: got, want = (Tensor(list(PROBE), dtype=dt, device=device) * 2 + 1).tolist(), [v * 2 + 1 for v in PROBE]
    return "" if got == want else f"computes {got} instead of {want}"
  except Exception as e:  # noqa: BLE001 - the failure is the finding
    return error_line(e, pos)


def _device(device: str | None) -> str:
  if device is None:
    from tgkit.devices import default_device
    return default_device()
  name = device.upper()
  try: Device[name]
  except Exception as e:  # noqa: BLE001
    raise UsageError(f"device {device!r} does not open here: {first_line(e)}") from e
  return name


def _partition(cases: list[Case], device: str, progress) -> tuple[list[Result], list[Case]]:
  """Settle the cases that need no kernel (raises checks, unsupported dtypes); return the rest."""
  done, rest = [], []
  for c in cases:
    why = next((w for w in (dtype_support(device, d) for d in {*c.dts, c.spec.out_dtype(c.dtype)} if d in DTYPES) if w), "")
    if why: done.append(_result(c, device, "unsupported", None, why))
    elif c.check == "raises": done.append(_check_raises(c, device))
    else: rest.append(c)
  if progress and done: progress(len(done))
  return done, rest


# ---------------------------------------------------------------- one case at a time

class _CompilerStderr:
  """Collects what compilers write to fd 2 (clang diagnostics) during a run, so failing kernels become one-line
  messages instead of pages of C on the terminal."""
  def __init__(self): self.file, self.saved = None, None

  def __enter__(self):
    import sys, tempfile
    sys.stderr.flush()
    self.file, self.saved = tempfile.TemporaryFile(mode="w+b"), os.dup(2)
    os.dup2(self.file.fileno(), 2)
    return self

  def __exit__(self, *exc):
    import sys
    sys.stderr.flush()
    os.dup2(self.saved, 2)
    os.close(self.saved)
    self.file.close()

  def position(self) -> int | None:
    """Where the next diagnostic will start (None outside the block)."""
    return self.file.seek(0, 2) if self.file is not None and not self.file.closed else None

  def diagnostics(self, since: int | None = None) -> list[str]:
    """The compiler's `error:` lines, all of them or those written after `position()` returned `since`."""
    if self.file is None or self.file.closed: return []
    self.file.seek(since or 0)
    lines = [ln.strip() for ln in self.file.read().decode(errors="replace").splitlines() if "error:" in ln]
    self.file.seek(0, 2)
    return lines


_STDERR = _CompilerStderr()


def error_line(e: BaseException, since: int | None = None) -> str:
  """One line for an error; for a compiler that failed, its diagnostic (inside a run: the first one after `since`, a
  `_STDERR.position()`, else the latest)."""
  if isinstance(e, subprocess.CalledProcessError) and (errs := _STDERR.diagnostics(since)):
    return f"compile failed: {errs[0] if since is not None else errs[-1]}"[:200]
  return first_line(e)


def _error(c: Case, device: str, e: Exception) -> Result:
  return _result(c, device, "error", None, error_line(e), _tol(c))


def _run_one(c: Case, device: str) -> Result:
  try:
    if c.check == "grad":
      loss, xs = _build_grad(c, device)
      gs = loss.gradient(*xs)
      Tensor.realize(*gs)
      return _judge_grad(c, device, [g.numpy() for g in gs])
    return _judge_value(c, device, _build_value(c, device).numpy())
  except _DtypeMismatch as e:
    return _result(c, device, "fail", None, str(e), _tol(c))
  except Exception as e:  # noqa: BLE001 - a crash of the op is a result
    return _error(c, device, e)


def _counter(progress, total: int):
  if progress is None: return None
  done = 0
  def tick(n: int) -> None:
    nonlocal done
    done += n
    progress(done, total)
  return tick


def run_naive(ops=None, dtypes=None, device=None, grads=True, progress=None, kinds=None) -> list[Result]:
  """Check every case with its own realize (the slow baseline `run` is measured against).

  Args: as for `run`.
  Returns:
    One Result per case, in table order.
  """
  cases, dev = build_cases(ops, dtypes, grads, kinds), _device(device)
  with _STDERR: return _run_naive(cases, dev, _counter(progress, len(cases)))


def _run_naive(cases: list[Case], dev: str, progress) -> list[Result]:
  done, rest = _partition(cases, dev, progress)
  for c in rest:
    done.append(_run_one(c, dev))
    if progress: progress(1)
  return _in_order(cases, done)


# ---------------------------------------------------------------- batched

BATCH = 64   # cases realized in one schedule


def _in_order(cases: list[Case], results: list[Result]) -> list[Result]:
  pos = {(c.spec.name, c.dtype, c.kind, c.check): i for i, c in enumerate(cases)}
  return sorted(results, key=lambda r: pos[(r.op, r.dtype, r.kind, r.check)])


def _outputs(c: Case, device: str) -> list[Tensor]:
  """A case's output tensors, built as `_run_one` builds them (on inputs of its own)."""
  if c.check == "grad":
    loss, xs = _build_grad(c, device)
    return list(loss.gradient(*xs))
  return [_build_value(c, device)]


def _realize_batch(cases: list[Case], device: str) -> list[Result]:
  """Realize the outputs of many cases in one schedule and judge each; where the batch fails to build, compile or
  run, halve it until the failing case is alone, and `_run_one` reports it as a one-at-a-time run does."""
  if len(cases) == 1: return [_run_one(cases[0], device)]
  results, built = [], []
  for c in cases:
    try: built.append((c, _outputs(c, device)))
    except _DtypeMismatch as e: results.append(_result(c, device, "fail", None, str(e), _tol(c)))
    except Exception as e:  # noqa: BLE001 - a crash of the op is a result
      results.append(_error(c, device, e))
  if not built: return results
  try:
    Tensor.realize(*[t for _, ts in built for t in ts])
    arrays = [[t.numpy() for t in ts] for _, ts in built]
  except Exception:  # noqa: BLE001 - find the case that breaks the batch
    half = (len(built) + 1) // 2
    return results + _realize_batch([c for c, _ in built[:half]], device) + _realize_batch([c for c, _ in built[half:]], device)
  for (c, _), arrs in zip(built, arrays):
    results.append(_judge_grad(c, device, arrs) if c.check == "grad" else _judge_value(c, device, arrs[0]))
  return results


QUICK_KINDS = ("1d", "broadcast", "odd")


def quick_kinds() -> tuple[str, ...]:
  """The shape kinds of the quick subset: 1-D (with NaN/inf), broadcast and odd 2-D shapes."""
  return QUICK_KINDS


def run(ops=None, dtypes=None, device=None, grads=True, progress=None, kinds=None, quick=False, cache=True, jobs=None) -> list[Result]:
  """Check the op table on a device, batched.

  Args:
    ops: op names or group names to run (None: all of `OPS`).
    dtypes: dtype names from `DTYPES` (None: all).
    device: a tinygrad device such as "CPU" or "PYTHON" (None: the default device).
    grads: also check gradients of float ops (in float32).
    progress: called as `progress(done, total)` (case counts) as batches of cases finish.
    kinds: shape kinds from `SHAPE_KINDS` (None: all).
    quick: a fast subset: the "odd", "broadcast" and "1d" shape kinds only.
    cache: take schedules and compiled programs from tgkit's disk cache and store new ones (`tgkit.progcache`);
      turn it off when tinygrad's internals are patched in-process, which the cache cannot see.
    jobs: processes that check cases (this one and `jobs - 1` workers, each with its own tinygrad and device). None:
      `default_jobs()`, every usable core once the run is long enough to pay for starting workers, one with `cache=False`.
      Results are the same, in the same order, whatever `jobs` is.

  Returns:
    One Result per case, in table order.

  Raises:
    UsageError: an unknown op, group, dtype or shape kind, or a device that does not open.
  """
  if quick: kinds = tuple(k for k in QUICK_KINDS if kinds is None or k in kinds)
  dev = _device(device)
  if kinds is None and dev == "PYTHON": kinds = tuple(k for k in SHAPE_KINDS if k != "large")
  cases = build_cases(ops, dtypes, grads, kinds)
  from tgkit import progcache
  with _STDERR, progcache.enabled() if cache else contextlib.nullcontext():
    return _run_batched(cases, dev, _counter(progress, len(cases)), jobs, (ops, dtypes, grads, kinds), cache)


def _run_batched(cases: list[Case], dev: str, progress, jobs=1, selection=None, cache=True) -> list[Result]:
  done, rest = _partition(cases, dev, progress)
  chunks = [rest[i:i + BATCH] for i in range(0, len(rest), BATCH)]
  n = default_jobs(len(rest), cache) if jobs is None else _check_jobs(jobs)
  if n > 1 and len(chunks) > 1 and selection is not None: done += _run_parallel(chunks, dev, progress, min(n, len(chunks)), selection, cache)
  else:
    for chunk in chunks:
      done += _realize_batch(chunk, dev)
      if progress: progress(len(chunk))
  return _in_order(cases, done)


# ---------------------------------------------------------------- on every core

MIN_CASES_PER_JOB = 2 * BATCH   # a worker starts in about a second (tinygrad, numpy); a cold batch takes ten
last_run = {"jobs": 1, "batches": 0, "in_workers": 0}   # the last run on several processes: batches, and how many workers checked


def cores() -> int:
  """Usable cores: `TGKIT_JOBS` when set, else the CPUs this process may run on."""
  if (value := os.environ.get("TGKIT_JOBS", "").strip()): return _check_jobs(value, "TGKIT_JOBS")
  try: return len(os.sched_getaffinity(0))
  except AttributeError: return os.cpu_count() or 1


def _check_jobs(value, name: str = "jobs") -> int:
  try: n = int(value)
  except (TypeError, ValueError): n = 0
  if n < 1: raise UsageError(f"{name}={value!r}: expected a whole number of processes, 1 or more")
  return n


def default_jobs(cases: int, cache: bool = True) -> int:
  """Processes for a run of `cases` kernel cases: every usable core (`cores()`), but no more than one per
  `MIN_CASES_PER_JOB` cases; one when the disk cache is off, the sign that tinygrad is patched in this process (workers
  would not see the patch)."""
  return max(1, min(cores(), cases // MIN_CASES_PER_JOB)) if cache else 1


def _key(c: Case) -> tuple[str, str, str, str]: return (c.spec.name, c.dtype, c.kind, c.check)


def _run_parallel(chunks: list[list[Case]], dev: str, progress, jobs: int, selection: tuple, cache: bool) -> list[Result]:
  """Check `chunks` (the serial run's batches, unchanged) in this process and `jobs - 1` spawned workers. The workers
  take batches from the front, this process from the back. A batch a worker cannot check (it died, or its table
  differs from this one: an op added in-process) is checked here."""
  import concurrent.futures as cf
  import multiprocessing
  from tinygrad.helpers import ContextVar
  settings = {k: v.value if isinstance(v.value, (int, float, str)) else repr(v) for k, v in ContextVar._cache.items()   # DEV: "CPU:X86"
              if isinstance(v.value, (int, float, str)) or k == "DEV"}
  todo, running, done, broken = list(reversed(chunks)), {}, [], False
  last_run.update(jobs=jobs, batches=len(chunks), in_workers=0)
  def finish(fut):
    chunk = running.pop(fut)
    try: rs = fut.result()
    except Exception: rs = _realize_batch(chunk, dev)  # noqa: BLE001 - a worker that died or lacks a case: check it here
    else: last_run["in_workers"] += 1
    done.extend(rs)
    if progress: progress(len(chunk))
  pool = cf.ProcessPoolExecutor(jobs - 1, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start,
                                initargs=(dev, selection, cache, settings))
  try:
    while todo or running:
      for fut in [f for f in running if f.done()]: finish(fut)
      while len(todo) > 1 and not broken and len(running) < 2 * (jobs - 1):   # the last batch left is this process's
        try:
          with _main_hidden(): running[pool.submit(_worker_check, [_key(c) for c in todo[-1]])] = todo[-1]
        except Exception: broken = True  # noqa: BLE001 - the workers could not start: the rest is checked here
        else: todo.pop()
      if todo:
        chunk = todo.pop(0)
        done += _realize_batch(chunk, dev)
        if progress: progress(len(chunk))
      elif running: finish(next(cf.as_completed(running)))
  finally: pool.shutdown(wait=True, cancel_futures=True)
  return done


@contextlib.contextmanager
def _main_hidden():
  """While workers start: a spawned process imports the caller's `__main__` again, and a script without a
  `if __name__ == "__main__":` guard would run again in it. Workers need nothing from it, so they are not told of it."""
  import sys
  main = sys.modules.get("__main__")
  saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if main is not None and k in main.__dict__}
  if main is not None:
    main.__dict__.pop("__file__", None)
    main.__spec__ = None   # multiprocessing reads it: None, and no __file__, is "nothing to import"
  try: yield
  finally:
    if main is not None: main.__dict__.update(saved)


_WORKER: dict = {}


def _worker_start(dev: str, selection: tuple, cache: bool, settings: dict) -> None:
  """In a spawned worker: the caller's tinygrad settings, its cases by key, tgkit's disk cache for the worker's life."""
  from tinygrad.helpers import ContextVar
  for k, v in settings.items():
    if k in ContextVar._cache: ContextVar._cache[k].value = v
  _WORKER.update(dev=dev, cases={_key(c): c for c in build_cases(*selection)})
  if cache:
    from tgkit import progcache
    _WORKER["cache"] = progcache.enabled()
    _WORKER["cache"].__enter__()


def _worker_check(keys: list[tuple]) -> list[Result]:
  cases = [_WORKER["cases"][k] for k in keys]   # a KeyError sends the batch back to the caller
  with _STDERR: return _realize_batch(cases, _WORKER["dev"])


# ---------------------------------------------------------------- summaries and renderers

def summarize(results: list[Result]) -> dict:
  """Counts per status, per check and per group, the op-table size, and the failures (known or new).

  Returns:
    A JSON-serialisable dict: total, ops, by_status, by_check, by_group ({group: {status: n}}), failures
    (list of result dicts with a `known` reason, "" when new) and new_failures (count).
  """
  by_status = {s: sum(r.status == s for r in results) for s in STATUSES}
  by_check = {k: sum(r.check == k for r in results) for k in CHECKS}
  by_group: dict[str, dict[str, int]] = {}
  for r in results:
    g = by_group.setdefault(r.group, {s: 0 for s in STATUSES})
    g[r.status] += 1
  failures = [{**dataclasses.asdict(r), "known": is_known(r)} for r in results if r.status in ("fail", "error")]
  return {"total": len(results), "ops": len({r.op for r in results}), "by_status": by_status, "by_check": by_check,
          "by_group": by_group, "failures": failures, "new_failures": sum(not f["known"] for f in failures)}


def _fmt_err(e: float | None) -> str: return "" if e is None else f"{e:.3g}"


def render_markdown(results: list[Result]) -> str:
  """A Markdown report: a summary line, a table per group, then every result that did not pass."""
  s = summarize(results)
  st = s["by_status"]
  lines = [f"**{st['pass']}/{s['total']} cases pass** ({s['ops']} ops; {st['fail']} fail, {st['error']} error, "
           f"{st['unsupported']} unsupported; {s['new_failures']} not in the known list)", "",
           "| group | pass | fail | error | unsupported |", "|---|---:|---:|---:|---:|"]
  for g, c in s["by_group"].items(): lines.append(f"| {g} | {c['pass']} | {c['fail']} | {c['error']} | {c['unsupported']} |")
  bad = [r for r in results if r.status != "pass"]
  if bad:
    lines += ["", "| op | dtype | shape | check | status | max error | tolerance | message |", "|---|---|---|---|---|---:|---|---|"]
    for r in bad:
      known = is_known(r)
      msg = (r.message + (f" (known: {known})" if known else "")).replace("|", "\\|")
      lines.append(f"| {r.op} | {r.dtype} | {r.shape} | {r.check} | {r.status} | {_fmt_err(r.max_error)} | "
                   f"atol={r.atol:g} rtol={r.rtol:g} | {msg} |")
  lines += ["", "Tolerances (|got - want| <= atol + rtol * |want|; an op may scale them): " +
            ", ".join(f"{k} atol={t.atol:g} rtol={t.rtol:g}" for k, t in TOLERANCES.items()) +
            f"; gradients atol={GRAD_TOLERANCE.atol:g} rtol={GRAD_TOLERANCE.rtol:g}."]
  return "\n".join(lines) + "\n"
