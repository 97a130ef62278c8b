"""The runtime: devices, allocators, compilers, programs; DEV= targets; PYTHON, NULL, DISK and NPY devices."""
# --8<-- [start:device]
import array
from tinygrad import Tensor, Device, Context, dtypes
from tinygrad.device import Buffer
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
out = Buffer("CPU", 4, dtypes.float).allocate()

# the program: load the BINARY, launch it with the buffers in PARAM order (output first)
program = get_runtime("CPU", prg)
global_size, local_size = prg.arg.launch_dims({})
program(out._buf, inp._buf, global_size=global_size, local_size=local_size, vals=prg.arg.vals({}), wait=True)
result = out.as_memoryview().cast("f").tolist()
print(prg.arg.name, "->", result)
assert result == [16.0, 48.0, 80.0, 112.0]   # row sums of 2*x+1 for x = 0..15
# --8<-- [end:byhand]

# --8<-- [start:targets]
for text in ["CPU", "CPU:LLVM", "NULL:OPENCL", "PYTHON", "CPU:LLVM:x86_64,znver2,avx2"]:
  t = Target.parse(text)
  print(f"{text:28s} device={t.device!r:9s} renderer={t.renderer!r:9s} arch={t.arch!r}")
# --8<-- [end:targets]

# --8<-- [start:python]
with Context(DEV="PYTHON"):               # Device.DEFAULT follows DEV for the block
  t = Tensor([1.0, 2.0, 3.0]) * 2
  print(Device.DEFAULT, t.device, t.tolist(), type(Device["PYTHON"].renderer).__name__)
assert t.tolist() == [2.0, 4.0, 6.0] and Device.DEFAULT != "PYTHON"
# --8<-- [end:python]

# --8<-- [start:null]
with Context(DEV="NULL"):
  n = (Tensor.ones(4) * 2).realize()      # scheduled, "compiled", "run": nothing happens
  try: n.tolist()
  except RuntimeError as e: print(type(e).__name__, e)
# --8<-- [end:null]

# --8<-- [start:disk]
import pathlib, tempfile
import numpy as np

with tempfile.TemporaryDirectory() as d:
  path = pathlib.Path(d) / "weights.bin"
  path.write_bytes(np.arange(4, dtype=np.float32).tobytes())
  w = Tensor(path, dtype=dtypes.float32)            # a view of the file on the DISK device
  print(w.device.split(":")[0], w.shape, w.to("CPU").tolist())
  out = Tensor.empty(4, dtype=dtypes.float32, device=f"DISK:{d}/out.bin")
  out.assign(Tensor([5.0, 6.0, 7.0, 8.0]))          # writes the file
  written = np.frombuffer((pathlib.Path(d) / "out.bin").read_bytes(), dtype=np.float32).tolist()
  print("out.bin holds", written)
  assert written == [5.0, 6.0, 7.0, 8.0]

arr = Tensor(np.array([1.0, 2.0], dtype=np.float32))
print("numpy data:", arr.uop.op.name, "from", arr.uop.src[0].op.name, "on", arr.uop.src[0].device)
# --8<-- [end:disk]
