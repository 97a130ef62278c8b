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
