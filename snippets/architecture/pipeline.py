"""One small program followed through every layer of tinygrad: Tensor, UOp graph, schedule, codegen, runtime.

Run it on its own with `python snippets/architecture/pipeline.py`; the architecture overview page
executes the same sections.
"""
# --8<-- [start:tensor]
from tinygrad import Tensor, Device
from tinygrad.uop.ops import Ops
from tinygrad.codegen import to_program
from tinygrad.engine.realize import run_linear

a = Tensor([1.0, 2.0, 3.0, 4.0])   # data from a Python list
b = Tensor.ones(4)                 # a tensor filled by a kernel
c = (a * 2 + b).sum()              # nothing runs yet: c is a graph
print(c)
# --8<-- [end:tensor]

# --8<-- [start:uops]
ops = [u.op.name for u in c.uop.toposort()]
print(len(ops), "UOps:", " ".join(ops))
assert c.uop.op is Ops.REDUCE and len(ops) == 16
# --8<-- [end:uops]

# --8<-- [start:schedule]
linear = c.schedule_linear()       # a LINEAR UOp: one CALL per kernel or copy, in order
print(linear.op, "with", len(linear.src), "calls")
for call in linear.src:
  body, buffers = call.src[0], call.src[1:]
  print(f"  {call.op.name}({body.op.name}) on buffers", " ".join(f"{b.device}[{b.shape[0]}]" for b in buffers))
assert [call.src[0].op for call in linear.src] == [Ops.COPY, Ops.SINK, Ops.SINK]
# --8<-- [end:schedule]

# --8<-- [start:codegen]
kernels = [call.src[0] for call in linear.src if call.src[0].op is Ops.SINK]
programs = [to_program(ast, Device["CPU"].renderer) for ast in kernels]
for prg in programs:
  info = prg.arg                   # a ProgramInfo
  print(f"{info.name}: outs {info.outs} ins {info.ins}, PROGRAM src = {[s.op.name for s in prg.src]}")
print(next(s.arg for s in programs[-1].src if s.op is Ops.SOURCE))
assert [p.arg.name for p in programs] == ["E_4", "r_4"]
# --8<-- [end:codegen]

# --8<-- [start:runtime]
run_linear(linear)                 # compile (cached), allocate, copy and launch, in order
print(c.item())
assert c.item() == 24.0            # 2*(1+2+3+4) + 4*1
# --8<-- [end:runtime]
