"""The Tensor layer: lazy graphs, realize, virtual tensors, weak dtypes and autograd (tinygrad 0.14.0)."""
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
print("scalar:", s.device, s.dtype)
GlobalCounters.reset()
r.realize()                        # nothing to do: no device, no buffer
assert GlobalCounters.kernel_count == 0 and r.device is None
print("arange + ones(4) lives on", (r + Tensor.ones(4)).device)
# --8<-- [end:virtual]

# --8<-- [start:weak]
f32 = Tensor([1.0, 2.0])                       # float32 data
f16 = Tensor([1.0, 2.0], dtype=dtypes.half)
print((f32 * s).dtype, (f16 * s).dtype, (Tensor([1, 2]) * 2).dtype)
assert (f16 * s).dtype == dtypes.half and s.dtype == dtypes.weakfloat
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
u = Tensor([1.0, 2.0, 3.0])
g, = (u * u).sum().gradient(u)
graph = g.uop.op.name, len(g.uop.toposort())
print("the gradient is a graph too:", graph[0], "with", graph[1], "UOps")
GlobalCounters.reset()
g.realize()
print("realizing it ran", GlobalCounters.kernel_count, "call(s)")
assert graph == ("ADD", 7) and GlobalCounters.kernel_count == 2
assert g.tolist() == [2.0, 4.0, 6.0]
# --8<-- [end:gradgraph]
