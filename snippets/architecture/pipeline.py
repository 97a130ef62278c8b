"""One small program followed through every layer of tinygrad: Tensor, UOp graph, schedule, codegen, runtime.

Run it on its own with `python snippets/architecture/pipeline.py`; the architecture overview page
executes the same sections.
"""
# --8<-- [start:tensor]
from tinygrad import Tensor, Device, GlobalCounters
from tinygrad.uop.ops import Ops
from tinygrad.codegen import to_program, to_program_key, to_program_cache
from tinygrad.engine.realize import run_linear

GlobalCounters.reset()             # count the calls run from here on
a = Tensor([1.0, 2.0, 3.0, 4.0])   # data from a Python list
b = Tensor.ones(4)                 # a tensor filled by a kernel
c = (a * 2 + b).sum()              # nothing runs yet: c is a graph
print(c)
assert (c.device, c.shape, c.dtype.name) == ("CPU", (), "float") and GlobalCounters.kernel_count == 0
# --8<-- [end:tensor]

# --8<-- [start:uops]
graph = c.uop.toposort()
ops = [u.op.name for u in graph]
print(len(ops), "UOps:", " ".join(ops))
print("list data on", next(u.device for u in graph if u.op is Ops.BUFFER), "copied to", next(u.device for u in graph if u.op is Ops.COPY))
assert ops == ["CONST", "BUFFER", "COPY", "CONST", "MUL", "BUFFER", "CONST", "CONST", "RESHAPE", "STACK", "RESHAPE", "EXPAND",
               "STORE", "AFTER", "ADD", "REDUCE"]
assert [u.device for u in graph if u.op in (Ops.BUFFER, Ops.COPY)] == ["PYTHON", "CPU", "CPU"]
# --8<-- [end:uops]

# --8<-- [start:schedule]
linear = c.schedule_linear()       # a LINEAR UOp: one CALL per kernel or copy, in order
print(linear.op, "with", len(linear.src), "calls")
for call in linear.src:
  body, buffers = call.src[0], call.src[1:]
  print(f"  {call.op.name}({body.op.name}) on buffers", " ".join(f"{b.device}[{b.shape[0]}]" for b in buffers))
assert all(call.op is Ops.CALL for call in linear.src)
assert [call.src[0].op for call in linear.src] == [Ops.COPY, Ops.SINK, Ops.SINK]
# c now stands for the buffer the last call writes; nothing has been allocated or run yet
print("c is now", c.uop.base.op, "allocated:", c.uop.base.buffer.is_allocated())
assert c.uop.base.op is Ops.BUFFER and not c.uop.base.buffer.is_allocated()
# --8<-- [end:schedule]

# --8<-- [start:codegen]
kernels = [call.src[0] for call in linear.src if call.src[0].op is Ops.SINK]
programs = [to_program(ast, Device["CPU"].renderer) for ast in kernels]
for prg in programs:
  info = prg.arg                   # a ProgramInfo
  print(f"{info.name}: outs {info.outs} ins {info.ins}, PROGRAM src = {[s.op.name for s in prg.src]}")
print(next(s.arg for s in programs[-1].src if s.op is Ops.SOURCE))
assert [p.arg.name for p in programs] == ["E_4", "r_4"]
assert all([s.op for s in p.src] == [Ops.SINK, Ops.LINEAR, Ops.SOURCE, Ops.BINARY] for p in programs)
# --8<-- [end:codegen]

# --8<-- [start:runtime]
cached = all(to_program_key(ast, Device["CPU"].renderer) in to_program_cache for ast in kernels)
GlobalCounters.reset()
c.item()                           # too early: c already names its buffer, so this runs nothing and reads unwritten memory
assert GlobalCounters.kernel_count == 0
run_linear(linear)                 # compile what is not cached, allocate, copy and launch, in order
print("both kernels already compiled:", cached, "| calls run:", GlobalCounters.kernel_count, "| c =", c.item())
assert cached and GlobalCounters.kernel_count == 3   # the copy and the two kernels
assert c.item() == 24.0            # 2*(1+2+3+4) + 4*1
# --8<-- [end:runtime]
