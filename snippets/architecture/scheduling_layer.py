"""The scheduler: a tensor graph becomes a LINEAR UOp of CALLs (kernels and copies); fusion; memory planning."""
# --8<-- [start:schedule]
from tinygrad import Tensor, Device, Context
from tinygrad.uop.ops import Ops
from tinygrad.codegen import to_program
from tinygrad.engine.realize import run_linear

Tensor.manual_seed(0)
x = Tensor.rand(4, 4).realize()
y = x.softmax(axis=1)

linear = y.schedule_linear()
for i, call in enumerate(linear.src):
  name = to_program(call.src[0], Device["CPU"].renderer).arg.name
  kinds = " ".join("BUFFER" if b.op is Ops.BUFFER else "arena view" for b in call.src[1:])
  print(f"call {i}: {name:8s} buffers: {kinds}")
run_linear(linear)
assert len(linear.src) == 3 and abs(y.sum().item() - 4.0) < 1e-5   # three calls; four rows, each sums to 1
# --8<-- [end:schedule]

# --8<-- [start:fusion]
def count_kernels(build) -> int:
  linear = build().schedule_linear()
  run_linear(linear)                     # keep every tensor valid: always run what you schedule
  return sum(1 for call in linear.src if call.src[0].op is Ops.SINK)

cases = {
  "x + 1": lambda: x + 1,
  "((x + 1).relu() * 2).exp()": lambda: ((x + 1).relu() * 2).exp(),
  "(x * 2).sum()": lambda: (x * 2).sum(),
  "x.sum(axis=1) + 1": lambda: x.sum(axis=1) + 1,
  "x.sum() + x.max()": lambda: x.sum() + x.max(),
  "(x @ x).relu()": lambda: (x @ x).relu(),
  "x.T + 1": lambda: x.T + 1,
  "x - x.max(axis=1, keepdim=True)": lambda: x - x.max(axis=1, keepdim=True),
  "x - x.mean()": lambda: x - x.mean(),
  "x.softmax(axis=1)": lambda: x.softmax(axis=1),
  "(x + 1).contiguous() * 2": lambda: (x + 1).contiguous() * 2,
}
counts = {name: count_kernels(build) for name, build in cases.items()}
for name, n in counts.items(): print(f"{n} kernel{'s' if n > 1 else ' '}  {name}")
assert counts["(x @ x).relu()"] == 1 and counts["x.softmax(axis=1)"] == 3
assert counts["x - x.max(axis=1, keepdim=True)"] == 2 and counts["x - x.mean()"] == 1 and counts["(x + 1).contiguous() * 2"] == 2
# --8<-- [end:fusion]

# --8<-- [start:split]
for n in (128, 256):
  big = Tensor.rand(n, n).realize()
  with Context(SCACHE=0): split = count_kernels(lambda: big.sum())
  with Context(SPLIT_REDUCEOP=0, SCACHE=0): whole = count_kernels(lambda: big.sum())   # SCACHE=0: schedule again
  print(f"{n}x{n} = {n * n:5d} elements summed: {split} kernel(s), {whole} with SPLIT_REDUCEOP=0")
  assert (split, whole) == ((1, 1) if n * n < 32768 else (2, 1))
# --8<-- [end:split]

# --8<-- [start:memory]
def intermediates(planner: bool) -> tuple[int, int]:
  """(number of distinct buffers, bytes) the schedule of a softmax-matmul-softmax chain uses."""
  with Context(NO_MEMORY_PLANNER=int(not planner)):
    z = Tensor.rand(64, 64).realize()
    linear = ((z.softmax(axis=1) @ z).softmax(axis=1)).schedule_linear()
  bufs = {b.base.buf_uop if b.op is not Ops.BUFFER else b for call in linear.src for b in call.src[1:]}
  run_linear(linear)
  return len(bufs), sum(b.arg.dtype.itemsize * b.shape[0] for b in bufs)

(on, on_bytes), (off, off_bytes) = intermediates(True), intermediates(False)
print(f"planner off: {off} buffers, {off_bytes} bytes")
print(f"planner on:  {on} buffers, {on_bytes} bytes")
assert (off, on) == (7, 3) and off_bytes - on_bytes == 512
# --8<-- [end:memory]
