"""One small program run at every DEBUG level, with tinygrad's output captured by tgkit.capture."""
# --8<-- [start:program]
import re
from tinygrad import Tensor
from tgkit.capture import capture

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


if __name__ == "__main__":
  for level in range(1, 8):
    with capture(debug=level) as out:
      assert program().tolist() == [7.0, 33.0]
    text = without_disassembly(out.text) if level == 7 else out.text
    print(f"--- DEBUG={level}: {len(out.lines)} lines\n{text}")
    assert ("*** CPU" in text) == (level >= 2) and ("void r_2_3" in text) == (level >= 4)
