"""Day 1, Pathway A: the op validator a learner ends the day with (tgkit.ops is the full version).

A declared table of operations, each with a group, a tinygrad function and a numpy reference; dtypes
with stated tolerances; one batched realize for all value checks; gradient checks against closed
forms; checks that invalid calls raise. Every case becomes a Result record.
"""
# --8<-- [start:run]
import dataclasses
import math

import numpy as np
from tinygrad import Tensor, dtypes


@dataclasses.dataclass
class Result:
  op: str
  group: str
  dtype: str
  check: str         # value | grad | raises
  status: str        # pass | fail | error
  max_error: float = 0.0
  message: str = ""


@dataclasses.dataclass
class Op:
  group: str
  tiny: object       # function of tinygrad Tensors
  ref: object        # the same function of numpy arrays
  arity: int = 1
  grad: object = None  # d/dx of ref(x).sum(), in closed form (unary float ops only)
  positive: bool = False


OPS = {
  "neg": Op("unary", lambda a: -a, lambda a: -a, grad=lambda a: -np.ones_like(a)),
  "exp": Op("unary", lambda a: a.exp(), np.exp, grad=np.exp),
  "log": Op("unary", lambda a: a.log(), np.log, grad=lambda a: 1 / a, positive=True),
  "sqrt": Op("unary", lambda a: a.sqrt(), np.sqrt, grad=lambda a: 0.5 / np.sqrt(a), positive=True),
  "relu": Op("activation", lambda a: a.relu(), lambda a: np.maximum(a, 0), grad=lambda a: (a > 0).astype(a.dtype)),
  "sigmoid": Op("activation", lambda a: a.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), grad=lambda a: np.exp(-a) / (1 + np.exp(-a)) ** 2),
  "add": Op("binary", lambda a, b: a + b, lambda a, b: a + b, 2),
  "sub": Op("binary", lambda a, b: a - b, lambda a, b: a - b, 2),
  "mul": Op("binary", lambda a, b: a * b, lambda a, b: a * b, 2),
  "maximum": Op("binary", lambda a, b: a.maximum(b), np.maximum, 2),
  "lt": Op("compare", lambda a, b: a < b, lambda a, b: a < b, 2),
  "sum": Op("reduce", lambda a: a.sum(axis=1), lambda a: a.sum(axis=1)),
  "max": Op("reduce", lambda a: a.max(axis=0), lambda a: a.max(axis=0)),
  "reshape": Op("movement", lambda a: a.reshape(4, 3), lambda a: a.reshape(4, 3)),
  "permute": Op("movement", lambda a: a.permute(1, 0), lambda a: a.transpose(1, 0)),
  "flip": Op("movement", lambda a: a.flip(0), lambda a: a[::-1]),
  "matmul": Op("matmul", lambda a, b: a @ b.T, lambda a, b: a @ b.T, 2),
}
TOLERANCES = {"float32": (1e-5, 1e-5), "int32": (0, 0)}   # (atol, rtol)
DTYPES = {"float32": (dtypes.float32, np.float32), "int32": (dtypes.int32, np.int32)}
FLOAT_ONLY = {"exp", "log", "sqrt", "sigmoid"}


def inputs(op: Op, dtype: str) -> list[np.ndarray]:
  rng = np.random.default_rng(0)
  lo = 0.5 if op.positive else -3
  return [rng.uniform(lo, 3, (3, 4)).astype(DTYPES[dtype][1]) for _ in range(op.arity)]


def compare(name, op, dtype, check, got, want) -> Result:
  atol, rtol = TOLERANCES[dtype] if check == "value" else (1e-4, 1e-4)
  if got.shape != want.shape: return Result(name, op.group, dtype, check, "fail", math.nan, f"shape {got.shape} != {want.shape}")
  err = float(np.abs(got.astype(np.float64) - want.astype(np.float64)).max()) if got.size else 0.0
  ok = np.allclose(got, want, atol=atol, rtol=rtol, equal_nan=True)
  return Result(name, op.group, dtype, check, "pass" if ok else "fail", err)


def run(names=None, dtype_names=("float32", "int32")) -> list[Result]:
  results, pending = [], []
  for dtype in dtype_names:
    for name in names or OPS:
      op = OPS[name]
      if dtype != "float32" and name in FLOAT_ONLY: continue
      arrays = inputs(op, dtype)
      try: pending.append((name, op, dtype, op.tiny(*[Tensor(a) for a in arrays]), op.ref(*arrays)))
      except Exception as e: results.append(Result(name, op.group, dtype, "value", "error", math.nan, f"{type(e).__name__}: {e}"))
  Tensor.realize(*[p[3] for p in pending])  # one schedule for every value check
  results += [compare(name, op, dtype, "value", out.numpy(), want) for name, op, dtype, out, want in pending]
  for name in names or OPS:
    if (op := OPS[name]).grad is None: continue
    (a,) = inputs(op, "float32")
    t = Tensor(a)
    results.append(compare(name, op, "float32", "grad", op.tiny(t).sum().gradient(t)[0].numpy(), op.grad(a)))
  try:  # invalid input must raise, not compute garbage
    (Tensor.ones(2, 3) @ Tensor.ones(2, 3)).realize()
    results.append(Result("matmul", "matmul", "float32", "raises", "fail", message="(2,3)@(2,3) did not raise"))
  except Exception as e: results.append(Result("matmul", "matmul", "float32", "raises", "pass", message=type(e).__name__))
  return results


results = run()
counts = {s: sum(r.status == s for r in results) for s in ("pass", "fail", "error")}
print(f"{len(results)} checks: {counts}")
for check in ("value", "grad", "raises"):
  print(f"  {check:6s}", sum(r.check == check for r in results), "checks")
assert counts == {"pass": len(results), "fail": 0, "error": 0}, [r for r in results if r.status != "pass"]
# --8<-- [end:run]
