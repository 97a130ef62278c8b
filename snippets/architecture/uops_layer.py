"""The UOp layer: the Ops enum, building graphs, hash-consing, pattern matching and graph_rewrite."""
# --8<-- [start:ops]
from tinygrad import UOp, dtypes
from tinygrad.uop import Ops, GroupOp
from tinygrad.uop.ops import UPat, PatternMatcher, graph_rewrite

print(len(Ops), "ops:", " ".join(op.name for op in Ops))
assert len(Ops) == 79
# --8<-- [end:ops]

# --8<-- [start:groups]
for name in sorted(n for n in vars(GroupOp) if not n.startswith("_") and n != "All"):
  members = sorted(op.name for op in getattr(GroupOp, name))
  print(f"{name:13s} {len(members):2d}  {' '.join(members)}")
assert GroupOp.All == set(Ops)
# --8<-- [end:groups]

# --8<-- [start:stages]
from tinygrad import Tensor, Device
from tinygrad.uop.ops import exec_alu
from tinygrad.codegen import to_program
from tinygrad.engine.realize import run_linear

a = Tensor([1.0, 2.0, 3.0, 4.0]).realize()
b = Tensor.zeros(2).contiguous().realize()
b.assign(a.reshape(2, 2).sum(axis=1))                      # an assign: the tensor graph stores
stages = {"tensor graph": {u.op for u in b.uop.toposort()}}
linear = b.schedule_linear()
stages["schedule"] = {linear.op} | {c.op for c in linear.src} | {c.src[0].op for c in linear.src}
ast = next(c.src[0] for c in linear.src if c.src[0].op is Ops.SINK)
stages["kernel AST"] = {u.op for u in ast.toposort()}
prg = to_program(ast, Device["CPU"].renderer)
stages["program"] = {prg.op} | {s.op for s in prg.src} | {u.op for u in prg.src[1].src}   # PROGRAM, its sources, its LINEAR
run_linear(linear)
for stage, seen in stages.items(): print(f"{stage:12s} {' '.join(sorted(op.name for op in seen))}")
assert b.tolist() == [3.0, 7.0]
assert {Ops.STORE, Ops.AFTER, Ops.REDUCE} <= stages["tensor graph"] and {Ops.STORE, Ops.REDUCE, Ops.RANGE} <= stages["kernel AST"]
print("-7 // 2 and -7 % 2:", "CDIV/CMOD", [exec_alu(op, dtypes.int, (-7, 2)) for op in (Ops.CDIV, Ops.CMOD)],
      "FLOORDIV/FLOORMOD", [exec_alu(op, dtypes.int, (-7, 2)) for op in (Ops.FLOORDIV, Ops.FLOORMOD)])
assert [exec_alu(op, dtypes.int, (-7, 2)) for op in (Ops.CDIV, Ops.CMOD, Ops.FLOORDIV, Ops.FLOORMOD)] == [-3, -1, -4, 1]
# --8<-- [end:stages]

# --8<-- [start:build]
x = UOp.variable("x", 0, 10)     # a symbolic int between 0 and 10
y = (x * 1 + 2) * 1
print(y.op, y.dtype, "sources:", [s.op.name for s in y.src])
print("value range of y:", y.vmin, "..", y.vmax)
print(y)
assert y.op is Ops.MUL and y.dtype == dtypes.weakint and [s.op for s in y.src] == [Ops.ADD, Ops.CONST]
assert (y.vmin, y.vmax) == (2, 12)
# --8<-- [end:build]

# --8<-- [start:hashcons]
a, b = x + 2, x + 2
print("x + 2 built twice is one object:", a is b)
assert a is b and y.src[0].src[0].src[0] is x
c = UOp.const(1.5, dtypes.float)
print("same op, dtype, arg and sources -> same UOp:", c is UOp.const(1.5, dtypes.float))
print("another dtype -> another UOp:", c is UOp.const(1.5, dtypes.half))
assert c is UOp.const(1.5, dtypes.float) and c is not UOp.const(1.5, dtypes.half)
# --8<-- [end:hashcons]

# --8<-- [start:rewrite]
times_one = PatternMatcher([
  (UPat.var("v") * 1, lambda v: v),   # x*1 -> x (MUL is commutative: 1*x matches too)
])
z = graph_rewrite(y, times_one)
print(z)
assert z is x + 2 and graph_rewrite(1 * x, times_one) is x
# --8<-- [end:rewrite]

# --8<-- [start:simplify]
from tinygrad.uop.render import pyrender
from tinygrad.uop.symbolic import sym

print(pyrender(y))                    # the graph as Python code (what DEBUG=5 prints for kernels)
s = graph_rewrite(y, sym)             # tinygrad's own symbolic rules, x*1 among them
print(pyrender(s))
assert s is x + 2 and y.simplify() is s
# --8<-- [end:simplify]
