"""Where tinygrad defines each debugging flag, read from the installed package."""
# --8<-- [start:defined]
import pathlib
import re

import tinygrad
from tinygrad.helpers import ContextVar

PACKAGE = pathlib.Path(tinygrad.__file__).parent


def defined_at(name: str) -> tuple[str, str, str]:
  """(kind, current value, "file:line") of an environment variable tinygrad reads: a ContextVar or a getenv."""
  pattern = re.compile(rf"""(ContextVar|_DEV|getenv)\(\s*["']{re.escape(name)}["']""")  # _DEV: DEV's ContextVar subclass
  for path in sorted(PACKAGE.rglob("*.py")):
    if "autogen" in path.parts: continue
    for i, line in enumerate(path.read_text(encoding="utf8").split("\n")):
      if (m := pattern.search(line)):
        kind = "getenv" if m[1] == "getenv" else "ContextVar"
        value = "-"
        if kind == "ContextVar" and name in ContextVar._cache:
          v = ContextVar._cache[name].value
          if isinstance(v, list): v = ";".join(repr(t) for t in v)  # DEV holds a list of Targets
          value = "(unset)" if v == "" else repr(v)
        return kind, value, f"tinygrad/{path.relative_to(PACKAGE).as_posix()}:{i + 1}"
  raise LookupError(f"tinygrad 0.14.0 does not read {name}")
# --8<-- [end:defined]

# --8<-- [start:table]
import os, subprocess, sys, tempfile
from tinygrad import Tensor, TinyJit, Context, Device, UOp, dtypes
from tinygrad.uop.ops import Ops
from tinygrad.helpers import colored, diskcache_get, diskcache_put, CACHEDB
from tinygrad.codegen import to_program
from tinygrad.engine.realize import run_linear
from tgkit.capture import capture

PIN = "https://github.com/tinygrad/tinygrad/blob/a9069c177a9da9cca18593edf55acd2e6073cca6/tinygrad/"
def pinned(path: str, line: int) -> str: return f"[{path.split('/')[-1]}#L{line}]({PIN}{path}#L{line})"
def program() -> Tensor: return (Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]) * 3 - 4).relu().sum(axis=1)
PROGRAM = "from tinygrad import Tensor\nprint((Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]) * 3 - 4).relu().sum(axis=1).tolist())\n"
BEAMS = """from tinygrad import Tensor, TinyJit, Context
from tinygrad.codegen import to_program_cache
def program(): return (Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]) * 3 - 4).relu().sum(axis=1)
print("phase: plain"); program().realize()
print("phase: jit"); step = TinyJit(lambda: program().realize())
for _ in range(3): step()
for i in range(2):
  to_program_cache.clear(); print(f"phase: BEAM=2 run {i + 1}")
  with Context(BEAM=2): program().realize()
"""

def launch(code: str, **env: str):
  """Start `code` in a fresh Python with `env` added, a temporary directory of its own as TMPDIR and an empty disk cache."""
  tmp = tempfile.mkdtemp(prefix="tinygrad-flag-")
  proc = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, **env, "TMPDIR": tmp, "CACHEDB": f"{tmp}/cache.db"},
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
  return proc, tmp

def finish(run) -> tuple[str, set[str]]:
  """(stdout, names of the files the process left in its TMPDIR, user suffix removed) of a launched run."""
  proc, tmp = run
  out, err = proc.communicate(timeout=50)
  assert proc.returncode == 0, err[-500:]
  files = {f.split(".pkl")[0] + ".pkl" if ".pkl" in f else f for f in os.listdir(tmp)} - {"cache.db", "cache.db-wal", "cache.db-shm"}
  return out, files

# the flags that act at exit or are read once at import need a process of their own: start them all now
runs = {"track1": launch(PROGRAM, TRACK_MATCH_STATS="1"), "print": launch(PROGRAM, TRACK_MATCH_STATS="1", PRINT_MATCH_STATS="1"),
        "track2": launch(PROGRAM, TRACK_MATCH_STATS="2"), "viz": launch(PROGRAM, VIZ="-1"), "profile": launch(PROGRAM, PROFILE="1"),
        "trace": launch(PROGRAM, DEV="PYTHON", TRACE="1"), "jitbeam": launch(BEAMS, JITBEAM="2", BEAM_DEBUG="1"),
        "ignore": launch(BEAMS, BEAM_DEBUG="2", IGNORE_BEAM_CACHE="1")}

def last_source(build, **context) -> tuple[str, tuple]:
  """(C source, applied opts) of the last kernel `build()` schedules, compiled under `context`."""
  linear = build().schedule_linear()
  run_linear(linear)
  ast = [call.src[0] for call in linear.src if call.src[0].op is Ops.SINK][-1]
  with Context(**context): prg = to_program(ast, Device["CPU"].renderer)
  return next(s.arg for s in prg.src if s.op is Ops.SOURCE), prg.src[0].arg.applied_opts

shown: dict[str, str] = {}
with capture(debug=1) as d1: program().realize()
with capture(debug=2) as d2: program().realize()
assert "*** CPU" not in d1.text and d2.text.count("*** CPU") == 2
shown["DEBUG"] = "`*** CPU` lines: 0 at DEBUG=1, 2 at DEBUG=2"
with Context(DEV="PYTHON"): on = Tensor([1.0]).device
assert on == "PYTHON"
shown["DEV"] = f"`Context(DEV=\"PYTHON\")`: a new tensor is on `{on}`"
(_, opts), (_, plain) = last_source(program), last_source(program, NOOPT=1)
assert opts and plain == ()
shown["NOOPT"] = f"opts applied: {len(opts)} by default, {len(plain)} with NOOPT=1"
z = Tensor.ones(16, 16).contiguous().realize()
def planner_line(**context) -> bool:
  with capture(debug=1, **context) as out: (z.softmax(axis=1) @ z).softmax(axis=1).realize()
  return "memory reduced" in out.text
assert planner_line() and not planner_line(NO_MEMORY_PLANNER=1)
shown["NO_MEMORY_PLANNER"] = "DEBUG=1's `memory reduced ...` line disappears"
with capture(debug=1, SCACHE=0) as out: program().realize()
assert "CACHE MISS" in out.text
shown["SCACHE"] = "a graph scheduled before prints `CACHE MISS` again"
with Context(SPEC=1): UOp(Ops.ADD, dtypes.int, (UOp.const(1.0, dtypes.float), UOp.const(2.0, dtypes.float)))  # a wrong dtype passes
try:
  with Context(SPEC=2): UOp(Ops.ADD, dtypes.int, (UOp.const(1.0, dtypes.float), UOp.const(2.0, dtypes.float)))
  raise AssertionError("SPEC=2 accepted a float ADD typed int")
except RuntimeError as e: shown["SPEC"] = f"an `ADD` of floats typed int: built at SPEC=1, at SPEC=2 `{e}`"
with capture(debug=0, CHECK_OOB=1): assert program().tolist() == [7.0, 33.0]
shown["CHECK_OOB"] = f"a correct program passes; the check: {pinned('uop/spec.py', 16)}"
with capture(debug=2, VALIDATE_WITH_CPU=1, DEV="PYTHON") as out: assert program().tolist() == [7.0, 33.0]
with capture(debug=2, DEV="PYTHON") as plain_run: program().tolist()
assert out.text.count("CPU <- PYTHON") > plain_run.text.count("CPU <- PYTHON")
shown["VALIDATE_WITH_CPU"] = f"on `PYTHON`: {out.text.count('CPU <- PYTHON')} copies to the CPU instead of {plain_run.text.count('CPU <- PYTHON')}"
calls = {}
for jit in (1, 0):
  calls[jit] = 0
  def body(a: Tensor) -> Tensor:
    calls[jit] += 1
    return (a * 2).realize()
  with Context(JIT=jit):
    jitted = TinyJit(body)
    for _ in range(3): jitted(Tensor([1.0]).realize())
assert (calls[1], calls[0]) == (2, 3)
shown["JIT"] = f"3 calls run the Python body {calls[1]} times with JIT=1, {calls[0]} with JIT=0"
shown["PARALLEL"] = f"workers only when PARALLEL > 0: {pinned('engine/worker.py', 39)}"
with Context(CACHELEVEL=0):
  diskcache_put("handbook_flags", "key", 1)
  assert diskcache_get("handbook_flags", "key") is None
shown["CACHELEVEL"] = "`diskcache_put` then `diskcache_get` returns `None`"
assert os.path.exists(CACHEDB)
shown["CACHEDB"] = f"this build's cache file `{os.path.basename(CACHEDB)}` exists"
shown["CCACHE"] = f"read when a compiler is created: {pinned('device.py', 305)}"
allocator = Device["CPU"].allocator
kept = {}
for lru in (1, 0):
  allocator.free_cache()
  with Context(LRU=lru): (Tensor.ones(1000) + 1).realize()
  kept[lru] = sum(len(v) for v in allocator.cache.values())
assert kept[1] > 0 and kept[0] == 0
shown["LRU"] = f"freed CPU buffers kept in the allocator's cache: {kept[1]} with LRU=1, {kept[0]} with LRU=0"
with Context(NO_COLOR=0): colour = colored("x", "red")
with Context(NO_COLOR=1): none = colored("x", "red")
assert colour != "x" and none == "x"
shown["NO_COLOR"] = "`colored(\"x\", \"red\")` returns `x`"
x4 = Tensor([1.0, 2.0, 3.0, 4.0]).realize()
(native, _), (own, _) = last_source(lambda: x4.sqrt()), last_source(lambda: x4.sqrt(), TRANSCENDENTAL=2)
assert "__builtin_sqrt" in native and "__builtin_sqrt" not in own
shown["TRANSCENDENTAL"] = "CPU `sqrt`: `__builtin_sqrtf` by default, none left with TRANSCENDENTAL=2"
with Context(EMULATED_DTYPES="bfloat16"):
  bf, _ = last_source(lambda: Tensor([1.0, 2.0], dtype=dtypes.bfloat16) * 3)
  assert (Tensor([1.0, 2.0], dtype=dtypes.bfloat16) * 3).tolist() == [3.0, 6.0]
assert "__bf16" not in bf
shown["EMULATED_DTYPES"] = "`bfloat16` kernels compile without `__bf16` (which Debian's clang 14 rejects)"
with Context(TRAINING=0): off = Tensor.ones(8).dropout(0.5).tolist()
with Context(TRAINING=1): on_ = Tensor.ones(8).dropout(0.5).tolist()
assert off == [1.0] * 8 and 0.0 in on_
shown["TRAINING"] = "`dropout(0.5)` is the identity at TRAINING=0 and zeroes elements at 1"
try:
  with Context(DEV="NULL"): (Tensor.ones(2) * 2).tolist()
  raise AssertionError("NULL copied out")
except RuntimeError as e: refused = str(e)
with Context(DEV="NULL", NULL_ALLOW_COPYOUT=1): got = (Tensor.ones(2) * 2).tolist()
shown["NULL_ALLOW_COPYOUT"] = f"`{refused}` without it; with it `{got}`"

out = {name: finish(run) for name, run in runs.items()}
assert out["track1"] == ("[7.0, 33.0]\n", set())
shown["TRACK_MATCH_STATS"] = "1 alone prints nothing more; 2 prints `rewrote N graphs ...` and leaves " + \
  " ".join(f"`{f}`" for f in sorted(out["track2"][1]))
assert out["track2"][0].startswith("[7.0, 33.0]\nrewrote ") and out["track2"][1] == {"rewrites.pkl"}
assert "TOTAL" in out["print"][0] and "rules," in out["print"][0]
shown["PRINT_MATCH_STATS"] = "with TRACK_MATCH_STATS=1: a line per rule and a `TOTAL` line at exit"
assert out["viz"][1] == {"rewrites.pkl", "profile.pkl"} and "saved viz files" in out["viz"][0]
shown["VIZ"] = "VIZ=-1 leaves " + " ".join(f"`{f}`" for f in sorted(out["viz"][1])) + f"; VIZ=1 on a terminal: {pinned('uop/ops.py', 1621)}"
assert out["profile"][1] == {"profile.pkl"}
shown["PROFILE"] = "leaves `profile.pkl`, no `rewrites.pkl`"
trace_lines = [ln for ln in out["trace"][0].split("\n") if " Ops." in ln]
assert trace_lines and out["trace"][0].endswith("[7.0, 33.0]\n")
shown["TRACE"] = f"{len(trace_lines)} executed UOps printed, e.g. `{trace_lines[0].split(' [')[0]}`"
def searches(text: str) -> list[int]:
  """BEAM_SEARCH results per phase of the BEAMS script."""
  return [part.count("BEAM_SEARCH: final") for part in text.split("phase: ")[1:]]
jitbeam, ignore = out["jitbeam"][0], out["ignore"][0]
assert searches(jitbeam) == [0, 1, 0, 0] and searches(ignore) == [0, 0, 1, 1]
shown["JITBEAM"] = "searches per phase (plain, TinyJit, BEAM=2 twice): " + ", ".join(map(str, searches(jitbeam)))
shown["BEAM"] = "`Context(BEAM=2)` searched the kernel (`BEAM_SEARCH: final ...`)"
shown["IGNORE_BEAM_CACHE"] = "BEAM=2 runs searched " + ", ".join(map(str, searches(jitbeam)[2:])) + " times after a cached search, " + \
  ", ".join(map(str, searches(ignore)[2:])) + " with it"
candidates = lambda text: sum(1 for ln in text.split("\n") if "compile/" in ln)
assert candidates(jitbeam) == 0 and candidates(ignore) > 0
shown["BEAM_DEBUG"] = "1: the AST and `BEAM_SEARCH: final ...`, no candidate lines; 2: a line per candidate"

EFFECTS = {
  "DEBUG": "1-7: what tinygrad prints ([DEBUG levels](index.md))",
  "DEV": "device[:renderer[:arch]] to run on, e.g. `CPU:LLVM`, `PYTHON`, `NULL:OPENCL`",
  "NOOPT": "1: no hand-coded optimisations (plain loops, unless BEAM is set)",
  "BEAM": "n: beam search of width n for each new kernel, result cached on disk",
  "JITBEAM": "n: BEAM only for the kernels TinyJit captures (environment only)",
  "IGNORE_BEAM_CACHE": "1: search again instead of using the cached BEAM result (environment only: read at import)",
  "BEAM_DEBUG": "1: print each searched kernel and the search's choice; 2: also every candidate's time (environment only)",
  "VIZ": "1: record rewrites and a profile, at exit open the viewer on a terminal; -1: only save (environment only)",
  "PROFILE": "1: record device events, save `profile.pkl.<user>` to the temp directory at exit",
  "TRACK_MATCH_STATS": "1: count matches per rule (printed only with PRINT_MATCH_STATS); 2: also save every rewrite (VIZ sets it)",
  "PRINT_MATCH_STATS": "1: print TRACK_MATCH_STATS's per-rule counts and times at exit",
  "SPEC": "1 (default): verify UOp graphs at each stage; 2: also every UOp as it is built, and pyrender round trips",
  "CHECK_OOB": "1: check kernel memory indexes against buffer sizes (value ranges, then z3)",
  "VALIDATE_WITH_CPU": "1: rerun every kernel on the CPU on copies of its inputs and compare",
  "JIT": "0: TinyJit runs the function every time, nothing is captured",
  "PARALLEL": "n: processes compiling kernels; 0 compiles in-process",
  "CACHELEVEL": "0: no disk cache at all (compiled binaries, BEAM results)",
  "CACHEDB": "path of the disk cache (SQLite)",
  "CCACHE": "0: compilers created afterwards keep no binaries on disk",
  "SCACHE": "0: disable the in-process schedule cache",
  "NO_MEMORY_PLANNER": "1: give every intermediate buffer its own allocation",
  "LRU": "0: free device memory at once instead of keeping it for reuse",
  "NO_COLOR": "1: no ANSI colours in DEBUG output",
  "TRANSCENDENTAL": "2: use tinygrad's own exp2/log2/sin/sqrt even where the renderer has them",
  "EMULATED_DTYPES": "dtypes to emulate with others, e.g. `bfloat16`",
  "TRAINING": "1: optimizers may step, dropout and BatchNorm batch statistics are on",
  "TRACE": "1: the PYTHON device prints every UOp it executes (environment only)",
  "NULL_ALLOW_COPYOUT": "1: reading data from the NULL device does not raise (the data was never computed)",
}
assert set(EFFECTS) == set(shown), set(EFFECTS) ^ set(shown)
print("| flag | effect | shown while this page was built | kind | value in this build | defined at |")
print("| --- | --- | --- | --- | --- | --- |")
for flag, effect in EFFECTS.items():
  kind, value, where = defined_at(flag)
  print(f"| `{flag}` | {effect} | {shown[flag]} | {kind} | `{value}` | `{where}` |")
# --8<-- [end:table]


if __name__ == "__main__":
  for flag in ("DEBUG", "DEV", "NOOPT", "BEAM", "TRACE", "CACHEDB"):
    print(flag, *defined_at(flag))
  try: defined_at("NOT_A_FLAG")
  except LookupError as e: print(e)
  assert defined_at("NOOPT")[0] == "ContextVar" and defined_at("TRACE")[0] == "getenv"
