"""One small program run at every DEBUG level, with tinygrad's output captured by tgkit.capture."""
# --8<-- [start:program]
import re
from tinygrad import Tensor
from tgkit.capture import capture, stabilize

def program() -> Tensor:
  x = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
  return (x * 3 - 4).relu().sum(axis=1)

assert program().tolist() == [7.0, 33.0]   # relu(3x-4) summed per row: 0+2+5, 8+11+14
# --8<-- [end:program]

# --8<-- [start:hostspecific]
def without_disassembly(text: str) -> str:
  """DEBUG=7 output with objdump's listing replaced by one line: the machine code depends on the host CPU."""
  out, skipping = [], False
  for line in text.split("\n"):
    if line.startswith("system: 'objdump"): skipping = True
    elif skipping and line.startswith(("buffer:", "***")): skipping = False
    if skipping:
      if line.startswith("system: 'objdump"): out.append("[objdump -d listing of the kernel: host-specific, omitted here]")
      continue
    out.append(line)
  return "\n".join(out)
# --8<-- [end:hostspecific]

# --8<-- [start:levels]
import os, subprocess, sys
from tinygrad import TinyJit
from tinygrad.helpers import ansistrip

def workload() -> None:
  """Everything the table's rows need: a copy and a kernel, a one-call schedule, intermediates to plan, a TinyJit capture."""
  program().realize()
  Tensor.ones(3).contiguous().realize()                              # a schedule of one call
  z = Tensor.ones(16, 16).contiguous().realize()
  (z.softmax(axis=1) @ z).softmax(axis=1).realize()                  # intermediate buffers for the memory planner
  step = TinyJit(lambda a: (a * 2).sum().realize())
  for _ in range(3): step(Tensor.ones(4).contiguous().realize())     # call 2 captures

runs = {}
for level in range(8):
  with capture(debug=level) as runs[level]: workload()
# a fresh process opening the CPU device at DEBUG=4: device, library and helper-program messages
env = {**os.environ, "DEBUG": "4"}
fresh = subprocess.run([sys.executable, "-c", "from tinygrad import Device; Device['CPU']"], env=env, capture_output=True, text=True).stdout

def first(text: str, pattern: str) -> str:
  """The first line of `text` matching `pattern` (asserting there is one), shortened for the table."""
  line = next((ln for ln in text.split("\n") if re.search(pattern, ln)), None)
  assert line is not None, f"no line matches {pattern!r}"
  line = re.sub(r"\s+", " ", stabilize(line).strip())
  line = re.sub(r" from /\S+", " from <path>", re.sub(r"returned \d+ bytes", "returned <n> bytes", line))   # host-specific
  return "`" + (line[:70] + " ..." if len(line) > 70 else line).replace("|", "\\|") + "`"

def new_at(level: int, pattern: str) -> str:
  """A line matching `pattern` that DEBUG=`level` prints and DEBUG=`level`-1 does not."""
  assert not re.search(pattern, runs[level - 1].text, re.M), f"DEBUG={level - 1} already prints {pattern!r}"
  return first(runs[level].text, pattern)

ROWS = [  # (level, what it adds, evidence produced by this build)
  (1, "one line per schedule of more than one call, with its time, the schedule cache's verdict and the calling line",
   new_at(1, r"^scheduled 2 kernels")),
  (1, "the memory planner's savings", new_at(1, r"^memory reduced")),
  (1, "TinyJit's capture", new_at(1, r"^JIT captured")),
  (1, "a `compiling` progress bar, on stderr", "stderr: `compiling r_2_3`" if "compiling r_2_3" in ansistrip(runs[1].stderr) and not runs[0].stderr else None),
  (1, "each device as it opens (fresh process)", first(fresh, r"^opened device CPU")),
  (2, "one line per kernel or copy run: device, count, name, buffers, memory, time, throughput", new_at(2, r"^\*\*\* CPU .* r_2_3")),
  (3, "the optimisations applied to each kernel", new_at(3, r"r_2_3 +opts:")),
  (3, "every schedule, one call included", new_at(3, r"^scheduled 1 kernels")),
  (3, "the libraries loaded as devices open (fresh process)", first(fresh, r"^loading libc")),
  (4, "the generated source of each compiled kernel", new_at(4, r"^void r_2_3\(")),
  (4, "the source of the CPU device's four helper programs (fresh process)",
   first(fresh, r"^void worker_prog") if len(re.findall(r"^void \w+_prog\(", fresh, re.M)) == 4 else None),
  (5, "each kernel's AST as Python (`pyrender`), before optimisation", new_at(5, r"^ast = ")),
  (6, "nothing more on CPU: the output is the DEBUG=5 output", "identical text" if runs[6].text == runs[5].text else None),
  (6, "libusb's own logging, on USB-attached GPUs",
   "[usb.py#L20](https://github.com/tinygrad/tinygrad/blob/a9069c177a9da9cca18593edf55acd2e6073cca6/tinygrad/runtime/support/usb.py#L20)"),
  (7, "every buffer allocation and free", new_at(7, r"^buffer: allocate")),
  (7, "the disassembled binary of each kernel (`objdump -d`)", new_at(7, r"^system: 'objdump")),
]
for level in range(1, 8):   # the levels add up: each prints every line the level below it prints
  assert set(runs[level - 1].lines) <= set(runs[level].lines), f"DEBUG={level} drops lines of DEBUG={level - 1}"
assert all(evidence for *_, evidence in ROWS) and not runs[0].text
print("| DEBUG | adds | produced in this build |\n| --- | --- | --- |")
for level, adds, evidence in ROWS: print(f"| {level} | {adds} | {evidence} |")
# --8<-- [end:levels]


if __name__ == "__main__":
  for level in range(1, 8):
    with capture(debug=level) as out:
      assert program().tolist() == [7.0, 33.0]
    text = without_disassembly(out.text) if level == 7 else out.text
    print(f"--- DEBUG={level}: {len(out.lines)} lines\n{text}")
    assert ("*** CPU" in text) == (level >= 2) and ("void r_2_3" in text) == (level >= 4)
