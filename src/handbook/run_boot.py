"""Runs in the reader's browser (Pyodide 0.29.5, WebAssembly) once, before the first block: what tinygrad 0.14.0 needs
there, then `run`, which executes a block the way the build does. The build serves it as pyodide/run_boot.py
(scripts/gen_pyodide.py); docs/javascripts/run.js loads it. It lives outside docs/, where pytest would import it."""
import contextlib, importlib.util, io, os, pathlib, random, sys, traceback, types

# It edits the installed tinygrad (below), so it refuses to run anywhere but in Pyodide.
if sys.platform != "emscripten": raise RuntimeError("run_boot.py changes the installed tinygrad: it runs only in the browser (Pyodide)")

# tinygrad reads its settings when tinygrad.helpers is imported, so they are set first.
# DEV=PYTHON: no C compiler runs in the browser; every kernel runs on the PYTHON device, tinygrad's UOp interpreter.
# PARALLEL=0: Pyodide has no multiprocessing, and a backward pass would compile its kernels in a worker pool.
# CACHELEVEL=0: tinygrad never opens its kernel cache database (there is no sqlite3, below).
# NO_COLOR=1, LRU=0: as in the build (src/handbook/env.py).
os.environ.update(DEV="PYTHON", PARALLEL="0", CACHELEVEL="0", NO_COLOR="1", LRU="0")

# tinygrad/helpers.py imports sqlite3 at the top, and Pyodide's standard library has no sqlite3: an empty module stands in.
sys.modules["sqlite3"] = types.ModuleType("sqlite3")

# tinygrad/tensor.py, Tensor._buffer: a tensor with no device is realized on "CPU", which needs a C compiler.
# It is realized on the default device instead (canonicalize_device(None) is Device.DEFAULT, here PYTHON).
tensor_py = pathlib.Path(importlib.util.find_spec("tinygrad").submodule_search_locations[0]) / "tensor.py"
OLD, NEW = 'x = x.clone("CPU")', "x = x.clone(canonicalize_device(None))"
assert tensor_py.read_text().count(OLD) == 1, f"{tensor_py}: expected one {OLD!r}"
tensor_py.write_text(tensor_py.read_text().replace(OLD, NEW))

from tinygrad import Tensor  # noqa: E402

namespaces: dict[str, dict] = {}


def run(code: str, session: str | None) -> tuple[str, bool]:
  """Execute one block: in its session's namespace (a new one is seeded, as in the build: Python's random and
  Tensor.manual_seed(0)), or, without a session, in a fresh seeded namespace. Returns what it printed (with the
  traceback when it raised) and whether it finished."""
  if session is None or session not in namespaces:
    random.seed(0)
    Tensor.manual_seed(0)
  ns = namespaces.setdefault(session, {}) if session else {}
  ns["__name__"] = "__main__"
  out = io.StringIO()
  try:
    with contextlib.redirect_stdout(out): exec(compile(code, "<block>", "exec"), ns)
    return out.getvalue(), True
  except BaseException:  # noqa: BLE001 - the reader sees the traceback, as Python would print it
    return out.getvalue() + traceback.format_exc(), False
