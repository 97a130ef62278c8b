"""Where DEBUG=4 kernel source goes when kernels compile in worker processes (PARALLEL>0) or in-process (PARALLEL=0)."""
# --8<-- [start:run]
import os
import subprocess
import sys

# The child redirects its own stdout while two new kernels compile at DEBUG=4, then reports how many
# lines of C source it caught. Whatever the redirection missed reaches the child's real stdout.
CHILD = """
import io, contextlib
from tinygrad import Tensor, Context, Device
Device[Device.DEFAULT]
buf = io.StringIO()
with contextlib.redirect_stdout(buf), Context(DEBUG=4):
  (Tensor.ones(4, 4).contiguous() * 3 + 1).sum().realize()
caught = sum(ln.startswith("void ") for ln in buf.getvalue().splitlines())
print("CAUGHT", caught)
"""


def run_child(parallel: int) -> tuple[int, int]:
  """Run CHILD with PARALLEL=parallel and a fresh kernel cache; return (kernels caught, kernels leaked)."""
  env = {**os.environ, "PARALLEL": str(parallel), "CACHELEVEL": "0", "NO_COLOR": "1"}
  out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120).stdout
  caught = int(next(ln for ln in out.splitlines() if ln.startswith("CAUGHT")).split()[1])
  leaked = sum(ln.startswith("void ") for ln in out.splitlines())
  return caught, leaked


results = {parallel: run_child(parallel) for parallel in (2, 0)}
for parallel, (caught, leaked) in results.items():
  print(f"PARALLEL={parallel}: kernel sources caught by redirect_stdout {caught}, printed past it {leaked}")
assert results[0] == (2, 0)                        # in-process: everything caught
assert results[2][0] < 2 and results[2][1] > 0     # worker processes: source escapes
# --8<-- [end:run]
