"""The runtime: devices, allocators, compilers, programs; DEV= targets; PYTHON, NULL, DISK and NPY devices."""
# --8<-- [start:device]
import array
from tinygrad import Tensor, Device, Context, dtypes
from tinygrad.device import Buffer, Compiled
from tinygrad.helpers import Target
from tinygrad.codegen import to_program
from tinygrad.engine.realize import run_linear, get_runtime

cpu = Device["CPU"]
print("default device:", Device.DEFAULT)
def lineage(cls) -> str: return " < ".join(k.__name__ for k in cls.__mro__ if k not in (object,) and k.__name__ != "Generic")
print("device:   ", lineage(type(cpu)))
print("allocator:", lineage(type(cpu.allocator)))
print("renderer: ", lineage(type(cpu.renderer)))
print("compiler: ", lineage(type(cpu.compiler)))
print("program:  ", lineage(cpu.runtime_t))
print("opened once:", Device["CPU"] is cpu, "| the compiler is the renderer's:", cpu.compiler is cpu.renderer.compiler)
assert Device["CPU"] is cpu and cpu.compiler is cpu.renderer.compiler and isinstance(cpu, Compiled)
assert [type(p).__name__ for p in (cpu.allocator, cpu.renderer, cpu.compiler)] + [cpu.runtime_t.__name__] == \
  ["CPUAllocator", "ClangRenderer", "ClangCompiler", "CPUProgram"] and "LRUAllocator" in lineage(type(cpu.allocator))
# --8<-- [end:device]

# --8<-- [start:byhand]
# the kernel of (x * 2 + 1).sum(axis=1) for a 4x4 x, compiled by codegen
x = Tensor.empty(4, 4)
linear = (x * 2 + 1).sum(axis=1).schedule_linear()
run_linear(linear)
prg = to_program(linear.src[0].src[0], cpu.renderer)

# buffers: a host buffer on PYTHON, copied into CPU memory the allocator hands out
host = Buffer("PYTHON", 16, dtypes.float, opaque=memoryview(array.array("f", range(16))).cast("B"))
inp = Buffer("CPU", 16, dtypes.float).allocate().copy_from(host)
out = Buffer("CPU", 4, dtypes.float)
print("allocated before allocate():", out.is_allocated())
assert not out.is_allocated()
out.allocate()

# the program: load the BINARY, launch it with the buffers in PARAM order (output first)
program = get_runtime("CPU", prg)
global_size, local_size = prg.arg.launch_dims({})
program(out._buf, inp._buf, global_size=global_size, local_size=local_size, vals=prg.arg.vals({}), wait=True)
result = out.as_memoryview().cast("f").tolist()
print(prg.arg.name, "outs", prg.arg.outs, "ins", prg.arg.ins, "->", result)
assert result == [16.0, 48.0, 80.0, 112.0]   # row sums of 2*x+1 for x = 0..15
assert (prg.arg.outs, prg.arg.ins) == ((0,), (1,)) and "r_4_4(float* restrict data0_4, float* restrict data1_16)" in prg.src[2].arg
# --8<-- [end:byhand]

# --8<-- [start:targets]
targets = {}
for text in ["CPU", "CPU:LLVM", "NULL:OPENCL", "PYTHON", "CPU:LLVM:x86_64,znver2,avx2", "USB+AMD"]:
  t = targets[text] = Target.parse(text)
  print(f"{text:28s} device={t.device!r:9s} renderer={t.renderer!r:9s} arch={t.arch!r:20s} interface={t.interface!r}")
assert (targets["CPU:LLVM:x86_64,znver2,avx2"].renderer, targets["CPU:LLVM:x86_64,znver2,avx2"].arch) == ("LLVM", "x86_64,znver2,avx2")
assert (targets["USB+AMD"].interface, targets["USB+AMD"].device) == ("USB", "AMD") and targets["NULL:OPENCL"].renderer == "OPENCL"
# --8<-- [end:targets]

# --8<-- [start:python]
with Context(DEV="PYTHON"):               # Device.DEFAULT follows DEV for the block
  t = Tensor([1.0, 2.0, 3.0]) * 2
  print(Device.DEFAULT, t.device, t.tolist(), type(Device["PYTHON"].renderer).__name__, type(Device["PYTHON"].compiler).__name__)
assert t.tolist() == [2.0, 4.0, 6.0] and t.device == "PYTHON" and Device.DEFAULT != "PYTHON"
# --8<-- [end:python]

# --8<-- [start:null]
from tinygrad import GlobalCounters

with Context(DEV="NULL"):
  GlobalCounters.reset()
  n = (Tensor.ones(4) * 2).realize()      # scheduled, rendered, "run": nothing happens, but the calls are counted
  print("calls:", GlobalCounters.kernel_count, "renderer:", type(Device["NULL"].renderer).__name__)
  try: n.tolist()
  except RuntimeError as e: error = e; print(type(e).__name__, e)
  with Context(NULL_ALLOW_COPYOUT=1): allowed = n.tolist()   # no error, but nothing was computed
assert GlobalCounters.kernel_count == 2 and str(error) == "no copyout on NULL" and len(allowed) == 4
# --8<-- [end:null]

# --8<-- [start:disk]
import pathlib, tempfile
import numpy as np

with tempfile.TemporaryDirectory() as d:
  path = pathlib.Path(d) / "weights.bin"
  path.write_bytes(np.arange(4, dtype=np.float32).tobytes())
  w = Tensor(path, dtype=dtypes.float32)            # a view of the file on the DISK device
  print(w.device.split(":")[0], w.shape, w.to("CPU").tolist(), "renderer:", type(Device[w.device].renderer).__name__)
  assert w.device.startswith("DISK:") and w.to("CPU").tolist() == [0.0, 1.0, 2.0, 3.0] and type(Device[w.device].renderer).__name__ == "Renderer"
  out = Tensor.empty(4, dtype=dtypes.float32, device=f"DISK:{d}/out.bin")
  out.assign(Tensor([5.0, 6.0, 7.0, 8.0]))          # writes the file
  written = np.frombuffer((pathlib.Path(d) / "out.bin").read_bytes(), dtype=np.float32).tolist()
  print("out.bin holds", written)
  assert written == [5.0, 6.0, 7.0, 8.0]

arr = Tensor(np.array([1.0, 2.0], dtype=np.float32))
print("numpy data:", arr.uop.op.name, "from", arr.uop.src[0].op.name, "on", arr.uop.src[0].device)
assert (arr.uop.op.name, arr.uop.src[0].op.name, arr.uop.src[0].device) == ("COPY", "BUFFER", "NPY")
try: (Tensor(arr.uop.src[0]) + 1).realize()      # compute on the NPY buffer itself
except NotImplementedError as e: npy_error = e; print("compute on NPY:", type(e).__name__, e)
assert str(npy_error) == "needs a renderer"
# --8<-- [end:disk]
