"""The Tensor layer: lazy graphs, realize, virtual tensors, weak dtypes and autograd (tinygrad 0.14.0)."""
# --8<-- [start:mixins]
import collections, inspect
from tinygrad import Tensor, GlobalCounters, dtypes
from tinygrad.uop.ops import UOp, Ops

print("Tensor.__slots__ =", Tensor.__slots__)
def home(name: str) -> str:           # the module that defines a Tensor method, behind tensor.py's metadata wrapper
  f = inspect.getattr_static(Tensor, name)
  return inspect.unwrap(f.fget if isinstance(f, property) else f).__module__.split(".")[-1]
homes = collections.Counter(home(n) for n in dir(Tensor) if not n.startswith("_") and callable(getattr(Tensor, n)))
print("public methods by defining module:", dict(homes.most_common()))
mixins = [k for k in Tensor.__mro__[1:] if k is not object]
print("mixins shared with UOp:", all(k in UOp.__mro__ for k in mixins), [k.__name__ for k in mixins])
print("Tensor.sum:", Tensor([1.0, 2.0]).sum().uop.op, "| UOp.sum:", Tensor([1.0, 2.0]).uop.sum().op)
assert Tensor.__slots__ == ("uop", "is_param", "grad") and all(k in UOp.__mro__ for k in mixins)
assert homes["tensor"] < sum(homes.values()) / 4   # most methods come from tinygrad/mixin/
# --8<-- [end:mixins]

# --8<-- [start:lazy]
from tinygrad import Tensor, GlobalCounters, dtypes
from tinygrad.uop.ops import Ops


x = Tensor([1.0, 2.0, 3.0])
y = x * x + 1
print("before:", y.uop.op, "realized:", y.uop.is_realized)
y.realize()
print("after: ", y.uop.op, "realized:", y.uop.is_realized)
assert y.uop.op is Ops.BUFFER and y.tolist() == [2.0, 5.0, 10.0]
# --8<-- [end:lazy]

# --8<-- [start:together]
p, q = x + 1, x * 3
GlobalCounters.reset()
Tensor.realize(p, q)               # one schedule for both outputs
print("kernels:", GlobalCounters.kernel_count, p.tolist(), q.tolist())
assert GlobalCounters.kernel_count == 2   # one schedule, one kernel per output
# --8<-- [end:together]

# --8<-- [start:virtual]
r = Tensor.arange(4)
s = Tensor(2.5)
print("arange:", r.device, r.dtype, "virtual:", r.uop.is_virtual)
print("scalar:", s.device, s.dtype, "virtual:", s.uop.is_virtual)
GlobalCounters.reset()
r.realize()                        # nothing to do: no device, no buffer
assert GlobalCounters.kernel_count == 0 and r.device is None and r.uop.is_virtual and s.uop.is_virtual
print("r.tolist():", r.tolist())
print("arange + ones(4) lives on", (r + Tensor.ones(4)).device, "| arange + ones(4, device='PYTHON') on", (r + Tensor.ones(4, device="PYTHON")).device)
assert r.tolist() == [0, 1, 2, 3] and (r + Tensor.ones(4, device="PYTHON")).device == "PYTHON"
# --8<-- [end:virtual]

# --8<-- [start:weak]
f32 = Tensor([1.0, 2.0])                       # float32 data
f16 = Tensor([1.0, 2.0], dtype=dtypes.half)
i32 = Tensor([1, 2])                           # int32 data
print("float32 * 2.5:", (f32 * s).dtype, "| half * 2.5:", (f16 * s).dtype, "| int * 2:", (i32 * 2).dtype)
assert ((f32 * s).dtype, (f16 * s).dtype, (i32 * 2).dtype, s.dtype) == (dtypes.float, dtypes.half, dtypes.int, dtypes.weakfloat)
m = i32 * 2.5                                  # int data, float scalar: the result is weak, hence virtual
print("int * 2.5:", m.dtype, "virtual:", m.uop.is_virtual, "| read:", m.tolist(), "| + half:", (m + f16).dtype)
assert m.dtype == dtypes.weakfloat and m.uop.is_virtual and m.tolist() == [2.5, 5.0] and (m + f16).dtype == dtypes.half
print("weak dtypes:", dtypes.weaks)
# --8<-- [end:weak]

# --8<-- [start:autograd]
w = Tensor([1.0, 2.0, 3.0])
loss = (w * w).sum()
loss.backward()                    # fills .grad of every float tensor with a device in the graph
print("w.grad =", w.grad.tolist())
assert w.grad.tolist() == [2.0, 4.0, 6.0]

v = Tensor([2.0, 3.0])
dv, = (v ** 3).sum().gradient(v)   # functional form: returns the gradients, sets nothing
print("d/dv sum(v^3) =", dv.tolist(), "v.grad is", v.grad)
assert dv.tolist() == [12.0, 27.0] and v.grad is None
# --8<-- [end:autograd]

# --8<-- [start:gradgraph]
from tinygrad.engine.realize import run_linear

u = Tensor([1.0, 2.0, 3.0])
g, = (u * u).sum().gradient(u)
graph = [x.op.name for x in g.uop.toposort()]
print("the gradient is a graph too:", " ".join(graph))
linear = g.schedule_linear()
calls = [call.src[0].op.name for call in linear.src]
print("its schedule:", calls)
run_linear(linear)                 # run the schedule made (reading g first would read unwritten memory)
assert graph == ["CONST", "BUFFER", "COPY", "CONST", "EXPAND", "MUL", "ADD"] and calls == ["COPY", "SINK"]
assert g.tolist() == [2.0, 4.0, 6.0]
# --8<-- [end:gradgraph]
