"""Codegen: one kernel's AST optimised, linearised, rendered and compiled with to_program."""
# --8<-- [start:ast]
from tinygrad import Tensor, Device, Context
from tinygrad.uop.ops import Ops, GroupOp
from tinygrad.uop.render import pyrender
from tinygrad.codegen import to_program
from tinygrad.engine.realize import run_linear

Tensor.manual_seed(0)
x = Tensor.rand(4, 4).realize()
linear = (x * 2 + 1).sum(axis=1).schedule_linear()
run_linear(linear)
ast = linear.src[0].src[0]            # the kernel's AST: a SINK
print(pyrender(ast))
assert ast.op is Ops.SINK and not any(u.op in GroupOp.Movement for u in ast.toposort())   # no RESHAPE, EXPAND, ...
# --8<-- [end:ast]

# --8<-- [start:program]
from tinygrad.codegen.opt import Opt, OptOps

def source(prg) -> str: return next(s.arg for s in prg.src if s.op is Ops.SOURCE)

prg = to_program(ast, Device["CPU"].renderer)
print("PROGRAM src:", [s.op.name for s in prg.src])
info = prg.arg
print(f"ProgramInfo: name={info.name} global_size={info.global_size} local_size={info.local_size} globals={info.globals} outs={info.outs} ins={info.ins}")
print("applied opts:", prg.src[0].arg.applied_opts)
print(source(prg))
assert [s.op.name for s in prg.src] == ["SINK", "LINEAR", "SOURCE", "BINARY"]
assert (info.globals, info.outs, info.ins) == ((0, 1), (0,), (1,))   # buffer 0 is written, buffer 1 read
assert prg.src[0].arg.applied_opts == (Opt(OptOps.UNROLL, 0, 0),)
store = next(line for line in source(prg).split("\n") if line.strip().startswith("*(data0_4")).split(" = ")[1]   # the stored value
assert "float4 val0" in source(prg) and store.count("*2.0f") == 4 and store.count("+") == 4 and store.endswith("+4.0f);")
print("OptOps:", [o.name for o in OptOps])
# --8<-- [end:program]

# --8<-- [start:noopt]
with Context(NOOPT=1):
  plain = to_program(ast, Device["CPU"].renderer)
print("applied opts:", plain.src[0].arg.applied_opts)
print(source(plain))
assert plain.src[0].arg.applied_opts == () and "for (int Ridx0" in source(plain)
# --8<-- [end:noopt]

# --8<-- [start:renderers]
cpu = Device["CPU"]
print("CPU renderers:", [cpu._renderer_name(r) for r in cpu.renderers], "default:", type(cpu.renderer).__name__)
with Context(DEV="NULL:OPENCL"):      # the NULL device renders with another device's renderer, compiles and runs nothing
  opencl = to_program(ast, Device["NULL"].renderer)
print(type(opencl.arg).__name__, opencl.arg.name, "local_size", opencl.arg.local_size, "| BINARY is the source's bytes:",
      opencl.src[-1].arg == source(opencl).encode())
print(source(opencl))
assert [cpu._renderer_name(r) for r in cpu.renderers] == ["CLANG", "LLVM", "LVP", "X86"] and type(cpu.renderer).__name__ == "ClangRenderer"
assert "get_local_id" in source(opencl) and opencl.arg.local_size == (4, 1, 1) and opencl.src[-1].arg == source(opencl).encode()
# --8<-- [end:renderers]
