"""Reference tables generated from the installed tinygrad: environment variables, `Ops` and `GroupOp`, `DEV=` targets.

Every record is read from the package itself: the live `ContextVar._cache`, the `Ops` enum and the `GroupOp` sets, each
runtime's Device class. What a module only shows when it runs on its hardware (the renderer list a Device passes to
`Compiled.__init__`) is read from its source with `ast`, so the tables are the same on every host. Defaults are shown as
written in the source, never as this host's value. `scripts/gen_reference.py` renders the records into the site's reference
pages at build time, and `tests/test_reference.py` checks them against the live package.
"""
from __future__ import annotations

import ast
import bisect
import dataclasses
import functools
import importlib
import pathlib
import re
import types
from collections.abc import Iterator
from importlib.metadata import version

import tinygrad
from tinygrad.helpers import ContextVar

PKG = pathlib.Path(tinygrad.__file__).parent
GENERATOR = "scripts/gen_reference.py"
PAGES = {"env": "reference/env-vars.md", "ops": "reference/ops.md", "dev": "reference/dev.md"}
_SKIP = ("runtime", "autogen")   # ~33 MB of generated ctypes bindings: no settings live there
_SUBCLASS = re.compile(r"^class\s+(\w+)\(\s*(\w+)", re.M)
_PURE = {"abs", "int", "max", "min", "bool", "str", "float"}   # calls that do not make a default depend on the host

# One line each, for the variables a contributor sets; each was checked against the 0.14.0 source where it is read.
MEANINGS = {
  "DEBUG": "Print verbosity on stdout: 1 device opens and schedule summaries, 2 a line per kernel run (time, GFLOPS), 3 applied opts, "
           "4 kernel source, 5 kernel AST, 7 disassembly and buffer allocations.",
  "DEV": "Target device(s): `[IFACE[:INDICES]+]DEVICE[:RENDERER[:ARCH]]`, several separated by `;`; unset, the first device of "
         "`ALL_DEVICES` that opens (see [DEV= and renderers](dev.md)).",
  "BEAM": "Beam width n of a search over kernel optimizations that compiles and times candidates on the device; the winner is cached "
          "on disk. 0 uses the hand-coded heuristics.",
  "NOOPT": "1 skips the hand-coded optimizations, so kernels stay unoptimized unless BEAM or explicit opts apply.",
  "PARALLEL": "Size of the worker-process pool for kernel compilation and BEAM; 0 compiles in this process (capturable output).",
  "JIT": "TinyJit: 0 runs the function eagerly on every call, 1 captures it and batches kernels into graphs, 2 captures without graphs.",
  "JIT_BATCH_SIZE": "Largest number of kernels TinyJit puts into one graph batch (JIT=1).",
  "JITBEAM": "BEAM width for the kernels TinyJit compiles when it captures a function (defaults to BEAM).",
  "VIZ": "1 records every graph rewrite and a profile; at exit saves them to the temp dir and, on a TTY, replaces the process with "
         "the VIZ web server (otherwise prints how to view them). Makes PARALLEL default to 0.",
  "PROFILE": "Record a profile of kernel runs, copies and host events and save it at exit as `profile.pkl.<user>` in the temp dir.",
  "TRACK_MATCH_STATS": "Pattern-matcher statistics, read at import: 1 counts matches and time per rule (PRINT_MATCH_STATS=1 prints "
                       "them at exit), 2 also records every rewrite and saves them as `rewrites.pkl.<user>` in the temp dir (for VIZ), "
                       "3 also prints each match's time.",
  "PRINT_MATCH_STATS": "1 prints TRACK_MATCH_STATS's per-rule match counts and times at exit (its default is 0 by then).",
  "CAPTURE_PROCESS_REPLAY": "1 saves the inputs and outputs of tracked graph rewrites to the disk cache at exit, for process replay.",
  "CACHELEVEL": "0 turns off tinygrad's SQLite disk cache (compiled programs, BEAM results); any value >= 1 turns it on.",
  "CACHEDB": "Path of the SQLite disk cache; default `cache.db` in `$XDG_CACHE_HOME/tinygrad` (`~/.cache/tinygrad`, "
             "`~/Library/Caches/tinygrad` on macOS).",
  "CCACHE": "0 stops caching compiled programs on disk (BEAM results are still cached).",
  "IGNORE_BEAM_CACHE": "1 re-runs BEAM search instead of reading cached results (the new result is still written).",
  "SCACHE": "0 turns off the in-process schedule cache, so an identical graph is scheduled again.",
  "ASSERT_COMPILE": "1 raises if a program has to be compiled, i.e. it is not in the disk cache.",
  "NO_COLOR": "1 makes `colored()` return plain text: no ANSI colors in DEBUG output, kernel names and VIZ.",
  "TRAINING": "Training mode: `Optimizer.step()` raises without it; dropout and BatchNorm's batch statistics apply only with it.",
  "SPEC": "1 verifies the tensor graph, kernel ASTs and programs against tinygrad's UOp spec; 2 also checks every UOp as it is "
          "created; 0 skips the checks.",
  "CHECK_OOB": "1 proves buffer indexes in bounds with the z3 solver (needs `z3-solver`) where UOp range bounds cannot.",
  "VALIDATE_WITH_CPU": "1 reruns every kernel on CPU with copies of its inputs and asserts the outputs match (rtol = atol = 1e-3); "
                       "TinyJit replays are not checked.",
  "EMULATED_DTYPES": "Comma-separated dtype names (e.g. `bfloat16`) that codegen emulates with other dtypes even where the "
                     "renderer supports them.",
  "DEFAULT_FLOAT": "Name of `dtypes.default_float`; must be a float dtype.",
  "DEFAULT_INT": "Name of `dtypes.default_int`; must be an int dtype.",
  "LRU": "1 keeps freed device buffers in the allocator's cache for reuse; 0 frees them at once.",
  "TRANSCENDENTAL": "2 forces tinygrad's own implementations of exp2, log2, sin and sqrt even where the renderer has them; "
                    "otherwise they are used only where it does not.",
  "TC": "0 keeps the optimizers from using tensor cores.",
  "NUM_CPU_THREADS": "CPU threads a CPU kernel may use (the CPU renderers' global size limit); also PARALLEL's default.",
  "ALLOW_DEVICE_USAGE": "0 forbids opening devices other than DISK, TINYFS, NPY and PYTHON (compile workers run with it).",
  "NULL_ALLOW_COPYOUT": "1 lets the NULL device copy buffers out (the destination is left unchanged) instead of raising.",
  "CC": "The C compiler command the CPU Clang renderer (and DSP) runs; default `clang`.",
  "PYTEST_XDIST_WORKER_COUNT": "Read to split PARALLEL's default between pytest-xdist workers.",
  "XDG_CACHE_HOME": "Base directory of tinygrad's cache directory (the disk cache and downloads).",
}

# What `arch` means on each device; each was checked in the Device's __init__ and the renderers that read `target.arch`.
ARCH = {
  "AMD": "the GPU's gfx target, read from the device (`'gfx%d%x%x' % self.target`, e.g. `gfx1100`)",
  "CL": "the device's OpenCL extensions, comma-joined, plus `IMAGE_PITCH_ALIGNMENT=<n>` with `cl_khr_image2d_from_buffer`; "
        "the renderer enables half and double from `cl_khr_fp16` and `cl_khr_fp64` in it",
  "CPU": "`<isa>,<cpu>[,<features>]`; the default is this host's ISA from `platform.machine()` (`x86_64`, `arm64`, ...) and `native`, "
         "so it depends on the host. Clang and LLVM compile with it; X86 accepts only `x86_64`",
  "CUDA": "`sm_<major><minor>`, the GPU's compute capability",
  "HIP": "the GPU's `gcnArchName` from `hipGetDeviceProperties`",
  "METAL": "the GPU family, e.g. `Apple7`; the renderer uses tensor cores from `Apple7` on",
  "NV": "`sm_<nn>`, from the GPU's SM version",
  "QCOM": "`a<chip id>` (`'a%d%d%d' % gpu_id`), plus `,IMAGE_PITCH_ALIGNMENT=64` when IMAGE is set",
  "WEBGPU": "`shader-f16` when the adapter supports f16 shaders (the renderer then allows half), else empty",
  "PYTHON": "none from the device; an arch in DEV picks the tensor cores the emulator emulates: `METAL`, `gfx...` (AMD) or `sm_...` (CUDA)",
  "NULL": "none from the device; an arch in DEV goes to the chosen renderer, e.g. `DEV=NULL:HIP:gfx1100`",
}

# What each run-time-built name stands for, by (file, name expression); each was read where the name is built.
PATTERN_FORMS = {
  ("tinygrad/device.py", "d"): "`<DEV>=1`, deprecated: asserts, naming `DEV=<DEV>`",
  ("tinygrad/device.py", 'f"{self.device}_{self._renderer_name(r)}"'): "`<DEV>_<RENDERER>=1`, deprecated: asserts, naming `DEV=<DEV>:<RENDERER>`",
  ("tinygrad/device.py", "k:=f'{type(self).__name__[:-6].upper()}_IFACE'"): "`<DEV>_IFACE=<x>`, deprecated: asserts, naming `DEV=<x>+<DEV>`",
  ("tinygrad/helpers.py", 'k:=f"{dev}_CC"'): "`<DEV>_CC=<x>`, deprecated: asserts, naming `DEV=<DEV>:<x>`",
  ("tinygrad/runtime/support/c.py", "nm.replace('-', '_').upper()+\"_PATH\""): "`<LIB>_PATH`: a file `DLL.findlib` loads instead of searching "
                                                                               "for the library `<lib>`",
}

# Target.parse on these strings is executed on the DEV page (the last one shows the error).
TARGET_EXAMPLES = ["CPU", "cpu:llvm", "CPU:CLANG:x86_64,znver2", "NULL:HIP:gfx1100", "PYTHON::sm_80", ":LLVM", "PCI:0-1+AMD",
                   "USB+AMD:LLVM", "CPU:LLVM:x86_64:extra"]


# **** source access ****

def _rel(path: pathlib.Path) -> str: return path.relative_to(PKG.parent).as_posix()


def package_files() -> list[str]:
  """Every module of the installed package outside `tinygrad/runtime/autogen`, as `tinygrad/...` paths, sorted."""
  return sorted(_rel(p) for p in PKG.rglob("*.py") if p.relative_to(PKG).parts[:2] != _SKIP)


@functools.cache
def _text(path: str) -> str: return (PKG.parent / path).read_text(encoding="utf8")


@functools.cache
def _parsed(path: str) -> tuple[str, ast.Module]: return _text(path), ast.parse(_text(path))


def _module_name(path: str) -> str: return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _module_path(name: str) -> str:
  p = PKG.parent / name.replace(".", "/")
  return _rel(p / "__init__.py") if p.is_dir() else _rel(p.with_suffix(".py"))


@functools.cache
def _lines(text: str) -> list[bytes]: return [ln.encode() for ln in text.splitlines(keepends=True)]


def _segment(text: str, node: ast.AST) -> str:
  """The source of `node` as written, whitespace collapsed (`ast.get_source_segment` without re-splitting the file every call)."""
  lines = _lines(text)[node.lineno - 1:node.end_lineno]  # type: ignore[attr-defined]
  if len(lines) == 1: src = lines[0][node.col_offset:node.end_col_offset]  # type: ignore[attr-defined]
  else: src = lines[0][node.col_offset:] + b"".join(lines[1:-1]) + lines[-1][:node.end_col_offset]  # type: ignore[attr-defined]
  return " ".join(src.decode().split())


def _literal(node: ast.AST) -> tuple[bool, object]:
  try: return True, ast.literal_eval(node)
  except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError): return False, None


def _str_arg(call: ast.Call) -> str | None:
  a = call.args[0] if call.args else None
  return a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None


def _is_getenv(call: ast.Call) -> bool: return isinstance(call.func, ast.Name) and call.func.id == "getenv"


def _depends(node: ast.AST, pyvars: dict[str, str]) -> tuple[str, ...]:
  """What a default expression is computed from: settings it reads (by name) and `f()` for every other call."""
  out: set[str] = set()
  for n in ast.walk(node):
    if isinstance(n, ast.Name) and n.id in pyvars: out.add(pyvars[n.id])
    elif isinstance(n, ast.Call):
      if _is_getenv(n) and (key := _str_arg(n)): out.add(key)
      elif (f := ast.unparse(n.func)) not in _PURE and not (isinstance(n.func, ast.Name) and n.func.id in pyvars): out.add(f + "()")
  return tuple(sorted(out))


# **** ContextVars ****

@dataclasses.dataclass(frozen=True)
class ContextVarInfo:
  """One `ContextVar` tinygrad defines.

  Attributes:
    name: the environment variable it reads (its key in `ContextVar._cache`).
    default: the default exactly as written in the source, e.g. `0`, `"float32"`, `abs(VIZ.value)`.
    type: the type of the default: `getenv` casts the environment string to it.
    module: the defining file relative to site-packages, e.g. `tinygrad/helpers.py`.
    line: the line of the definition.
    cls: `ContextVar`, or the subclass that defines it (`_DEV` parses DEV into a list of `Target`).
    depends: what a computed default is computed from (settings, and `f()` for calls); empty for a literal.
    host: whether the default may depend on the host (it calls something, directly or through another setting).
  """
  name: str
  default: str
  type: str
  module: str
  line: int
  cls: str = "ContextVar"
  depends: tuple[str, ...] = ()
  host: bool = False

  @property
  def computed(self) -> bool:
    """The default is an expression evaluated at import, not a literal."""
    return bool(self.depends) or not _literal(ast.parse(self.default, mode="eval").body)[0]


def _contextvar_classes() -> set[str]:
  """`ContextVar` and the names of its subclasses in the package (`_DEV`), by their first base."""
  pairs = [m.groups() for p in package_files() if "ContextVar" in _text(p) for m in _SUBCLASS.finditer(_text(p))]
  names = {"ContextVar"}
  while (more := {c for c, b in pairs if b in names} - names): names |= more
  return names


def _hits(path: str, words: tuple[str, ...]) -> list[int]:
  """Sorted line numbers of `path` that contain one of `words`."""
  return [i + 1 for i, ln in enumerate(_text(path).split("\n")) if any(w in ln for w in words)]


def _nodes(tree: ast.AST, lines: list[int], fn: ast.AST | None = None) -> Iterator[tuple[ast.AST, ast.AST | None]]:
  """(node, innermost enclosing function) for the nodes of `tree` whose line span holds one of `lines`: the rest is not walked."""
  for c in ast.iter_child_nodes(tree):
    if hasattr(c, "end_lineno"):
      i = bisect.bisect_left(lines, c.lineno)
      if i == len(lines) or lines[i] > c.end_lineno: continue
    yield c, fn
    yield from _nodes(c, lines, c if isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else fn)


@functools.cache
def _definitions() -> tuple[tuple[str, str, ast.Call, str], ...]:
  """(path, text, call, python variable or "") of every `ContextVar("NAME", default)` call (or a subclass's) in the source."""
  classes, out = _contextvar_classes(), []
  words = tuple(c + "(" for c in classes)
  for path in package_files():
    if not any(w in _text(path) for w in words): continue
    text, tree = _parsed(path)
    named: dict[int, str] = {}
    for n, _ in (nodes := list(_nodes(tree, _hits(path, words)))):
      if isinstance(n, ast.Assign):
        for t in n.targets:
          pairs = zip(t.elts, n.value.elts) if isinstance(t, ast.Tuple) and isinstance(n.value, ast.Tuple) else [(t, n.value)]
          named.update({id(v): k.id for k, v in pairs if isinstance(k, ast.Name)})
    out += [(path, text, n, named.get(id(n), "")) for n, _ in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            and n.func.id in classes and _str_arg(n) and len(n.args) + len(n.keywords) >= 2]
  return tuple(out)


def registry() -> dict[str, ContextVar]:
  """The live `ContextVar._cache` after importing tinygrad and every module that defines ContextVars (those that import here)."""
  for path in sorted({d[0] for d in _definitions()}):
    try: importlib.import_module(_module_name(path))
    except Exception: pass   # a runtime whose library is missing here: its definitions still come from the source
  return dict(ContextVar._cache)


@functools.cache
def _context_vars() -> tuple[ContextVarInfo, ...]:
  defs, live = _definitions(), registry()
  pyvars = {var: _str_arg(call) or "" for _, _, call, var in defs if var}
  raw = []
  for path, text, call, _ in defs:
    name, cls = _str_arg(call) or "", getattr(call.func, "id", "")
    node = call.args[1] if len(call.args) > 1 else call.keywords[0].value
    ok, value = _literal(node)
    # a computed default's type is the live value's (getenv keeps the default's type); "?" when its module does not import here
    typ = type(value).__name__ if ok else type(live[name].value).__name__ if name in live and cls == "ContextVar" else "?"
    raw.append(ContextVarInfo(name, _segment(text, node), typ, path, call.lineno, cls, _depends(node, pyvars)))
  host = {r.name for r in raw if any(d.endswith("()") for d in r.depends)}
  while (more := {r.name for r in raw if host & set(r.depends)} - host): host |= more
  return tuple(sorted((dataclasses.replace(r, host=r.name in host) for r in raw), key=lambda r: r.name))


def context_vars() -> list[ContextVarInfo]:
  """Every ContextVar tinygrad 0.14.0 defines, sorted by name: its definitions in the source, checked against the live registry.

  Raises:
    LookupError: a ContextVar is registered that no `ContextVar(...)` call in the source defines.
  """
  records = list(_context_vars())
  if (gaps := coverage_gaps(records)): raise LookupError(f"registered ContextVars missing from the source scan: {sorted(gaps)}")
  return records


def coverage_gaps(records: list[ContextVarInfo]) -> set[str]:
  """Names in the live `ContextVar._cache` (after `registry()`) that `records` lack: empty at 100% coverage."""
  return set(registry()) - {r.name for r in records}


# **** plain environment reads ****

@dataclasses.dataclass(frozen=True)
class EnvRead:
  """One place the source reads an environment variable directly (not through a ContextVar).

  Attributes:
    name: the variable.
    file: the file, e.g. `tinygrad/device.py`.
    line: the line of the read.
    default: the default as written; None when the read has none (`getenv` then returns the int 0, `os.environ[]` raises).
    call: how it is read: `getenv`, `os.getenv`, `os.environ.get` or `os.environ[]`.
    computed: the default is an expression, not a literal.
    host: the default calls something (e.g. `os.path.expanduser`), so it may depend on the host.
  """
  name: str
  file: str
  line: int
  default: str | None
  call: str
  computed: bool = False
  host: bool = False


@dataclasses.dataclass(frozen=True)
class EnvName:
  """A plain environment variable and every place tinygrad reads it.

  Attributes:
    name: the variable.
    reads: its reads, sorted by file and line.
  """
  name: str
  reads: tuple[EnvRead, ...]

  @property
  def files(self) -> tuple[str, ...]:
    """The files that read it, sorted."""
    return tuple(sorted({r.file for r in self.reads}))

  @property
  def defaults(self) -> tuple[str, ...]:
    """Its distinct defaults as written: `0 (implicit)` where a `getenv` call gives none, `none` for other reads without one."""
    return tuple(dict.fromkeys(r.default if r.default is not None else "0 (implicit)" if r.call == "getenv" else "none" for r in self.reads))


@dataclasses.dataclass(frozen=True)
class EnvPattern:
  """An environment read whose name is built at run time (e.g. `f"{dev}_CC"`).

  Attributes:
    expr: the name expression as written.
    call: the whole read as written.
    file: the file.
    line: the line.
  """
  expr: str
  call: str
  file: str
  line: int


_READERS = {"getenv": "getenv", "os.getenv": "os.getenv", "os.environ.get": "os.environ.get", "environ.get": "os.environ.get"}


def _params(fn: ast.AST | None) -> set[str]:
  a = getattr(fn, "args", None)
  return {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs} if a else set()


def _reads_in(path: str, pyvars: dict[str, str]) -> tuple[list[EnvRead], list[EnvPattern]]:
  """The environment reads of one file. A name that is a parameter of the enclosing function is tinygrad's own machinery
  (`getenv` itself, `ContextVar.__init__`) and is skipped."""
  text, tree = _parsed(path)
  reads, patterns = [], []
  for n, fn in _nodes(tree, _hits(path, ("getenv", "environ"))):
    if isinstance(n, ast.Call) and n.args and (kind := _READERS.get(ast.unparse(n.func)) if isinstance(n.func, (ast.Name, ast.Attribute)) else None):
      key, default = n.args[0], n.args[1] if len(n.args) > 1 else next((k.value for k in n.keywords if k.arg == "default"), None)
    elif isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Load) and ast.unparse(n.value) in ("os.environ", "environ"):
      kind, key, default = "os.environ[]", n.slice, None
    else: continue
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
      computed = default is not None and not _literal(default)[0]
      host = computed and any(d.endswith("()") for d in _depends(default, pyvars))  # type: ignore[arg-type]
      reads.append(EnvRead(key.value, path, n.lineno, None if default is None else _segment(text, default), kind, computed, host))
    elif not (isinstance(key, ast.Name) and key.id in _params(fn)):
      patterns.append(EnvPattern(_segment(text, key), _segment(text, n), path, n.lineno))
  return reads, patterns


@functools.cache
def _env_reads() -> tuple[tuple[EnvRead, ...], tuple[EnvPattern, ...]]:
  pyvars = {var: _str_arg(call) or "" for _, _, call, var in _definitions() if var}
  reads, patterns = [], []
  for path in package_files():
    if "getenv" not in _text(path) and "environ" not in _text(path): continue
    r, p = _reads_in(path, pyvars)
    reads, patterns = reads + r, patterns + p
  return tuple(sorted(reads, key=lambda r: (r.name, r.file, r.line))), tuple(sorted(patterns, key=lambda p: (p.file, p.line, p.expr)))


def getenv_names() -> list[EnvName]:
  """Every plain environment variable tinygrad reads outside `tinygrad/runtime/autogen`, sorted by name.

  Counts `getenv("NAME", ...)`, `os.getenv`, `os.environ.get` and `os.environ["NAME"]` reads with a literal name; a name that
  is also a ContextVar appears here when the source reads it with getenv as well.
  """
  by: dict[str, list[EnvRead]] = {}
  for r in _env_reads()[0]: by.setdefault(r.name, []).append(r)
  return [EnvName(n, tuple(rs)) for n, rs in sorted(by.items())]


def env_patterns() -> list[EnvPattern]:
  """Environment reads whose names are built at run time (the deprecated `<DEV>_CC`, `<LIB>_PATH`, ...), sorted by place."""
  return list(_env_reads()[1])


def unknown_meanings(meanings: dict[str, str] | None = None) -> set[str]:
  """Names in `meanings` (default `MEANINGS`) that are neither a ContextVar nor a getenv name of the installed tinygrad."""
  real = {r.name for r in _context_vars()} | {e.name for e in getenv_names()}
  return set(MEANINGS if meanings is None else meanings) - real


# **** Ops and GroupOp ****

@dataclasses.dataclass(frozen=True)
class OpInfo:
  """One member of `tinygrad.uop.Ops`.

  Attributes:
    name: the member name.
    value: its integer value (the enum's order).
    groups: the `GroupOp` sets it belongs to, in the order `GroupOp` defines them.
  """
  name: str
  value: int
  groups: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class GroupInfo:
  """One `GroupOp` set.

  Attributes:
    name: the attribute name on `GroupOp`, e.g. `ALU`.
    members: its Ops member names, in enum order.
  """
  name: str
  members: tuple[str, ...]


def op_groups() -> list[GroupInfo]:
  """Every set of `Ops` members that `GroupOp` defines, found by introspection, in definition order."""
  from tinygrad.uop import GroupOp, Ops
  return [GroupInfo(k, tuple(o.name for o in sorted(v))) for k, v in vars(GroupOp).items()
          if isinstance(v, (set, frozenset)) and v and all(isinstance(o, Ops) for o in v)]


def ops_groups() -> list[OpInfo]:
  """Every `Ops` member in enum order, with the `GroupOp` sets it belongs to."""
  from tinygrad.uop import Ops
  groups = op_groups()
  return [OpInfo(o.name, int(o.value), tuple(g.name for g in groups if o.name in g.members)) for o in sorted(Ops)]


# **** DEV= targets ****

@dataclasses.dataclass(frozen=True)
class RendererInfo:
  """A renderer a device can select with `DEV=DEVICE:NAME`.

  Attributes:
    name: what `DEV=DEVICE:NAME` selects: `Compiled._renderer_name` of the class on this device.
    cls: the renderer class.
    module: where the class is defined, e.g. `tinygrad/renderer/cstyle.py`.
    compiler: the compiler as the renderer's source assigns it, e.g. `ClangCompiler(target.arch.split(","))`; "" if not found.
    compiler_in: the class (the renderer or a base) whose source assigns it.
    when: the condition in the Device's `__init__` under which it passes this renderer ("" for always).
  """
  name: str
  cls: str
  module: str
  compiler: str = ""
  compiler_in: str = ""
  when: str = ""


@dataclasses.dataclass(frozen=True)
class DeviceInfo:
  """A runtime: a device `DEV=` can name.

  Attributes:
    device: the device name (`ops_<name>.py` upper-cased).
    module: the runtime module, e.g. `tinygrad/runtime/ops_cpu.py`.
    cls: its Device class.
    renderers: the renderers in the order the Device passes them (selection order).
    arch: the `arch=` the Device passes to `Compiled.__init__`, as written ("" for none).
    interfaces: the names `IFACE+DEVICE` selects (`Device.ifaces`), where the Device has any.
    auto: its position in `ALL_DEVICES`, the order `Device.DEFAULT` tries when DEV names no device; None if never tried.
    source: "source" when the renderer list was read with `ast`; "opened" when it is built at run time and was read from the opened
      device; "unknown" when such a device does not open here.
  """
  device: str
  module: str
  cls: str
  renderers: tuple[RendererInfo, ...]
  arch: str = ""
  interfaces: tuple[str, ...] = ()
  auto: int | None = None
  source: str = "source"

  @property
  def defaults(self) -> tuple[RendererInfo, ...]:
    """The renderer used when DEV names none: the first of the list (of each list, where `__init__` passes one per branch).

    tinygrad takes the first whose constructor succeeds, which is the first unless it fails on this host.
    """
    return tuple(r for i, r in enumerate(self.renderers) if all(p.when != r.when for p in self.renderers[:i]))


def renderer_name(device: str, cls_name: str) -> str:
  """The `DEV=DEVICE:NAME` name of a renderer class on a device, by tinygrad's own `Compiled._renderer_name`."""
  from tinygrad.device import Compiled
  return Compiled._renderer_name(types.SimpleNamespace(device=device), type(cls_name, (), {}))  # type: ignore[arg-type]


def _assigned_compiler(cls_node: ast.ClassDef, text: str) -> str:
  """The `compiler = ...` (class body) or `self.compiler = ...` (`__init__`) of one class, as written; "" if it has none."""
  for st in cls_node.body:
    if isinstance(st, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "compiler" for t in st.targets): return _segment(text, st.value)
    if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name) and st.target.id == "compiler" and st.value: return _segment(text, st.value)
    if isinstance(st, ast.FunctionDef) and st.name == "__init__":
      for n in ast.walk(st):
        if not isinstance(n, ast.Assign): continue
        for t in n.targets:
          elts = t.elts if isinstance(t, ast.Tuple) else [t]
          for i, e in enumerate(elts):
            if isinstance(e, ast.Attribute) and e.attr == "compiler" and ast.unparse(e.value) == "self":
              return _segment(text, n.value.elts[i] if isinstance(t, ast.Tuple) and isinstance(n.value, ast.Tuple) else n.value)
  return ""


def _compiler_of(module: str, cls_name: str) -> tuple[str, str]:
  """(compiler as written, class that assigns it), walking the renderer's bases; from the source alone if it does not import."""
  try: mro = [(_module_path(k.__module__), k.__name__) for k in getattr(importlib.import_module(_module_name(module)), cls_name).__mro__[:-1]]
  except Exception: mro = [(module, cls_name)]
  for path, name in mro:
    text, tree = _parsed(path)
    node = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)
    if node and (expr := _assigned_compiler(node, text)): return expr, name
  return "", ""


def _class_module(path: str, name: str) -> str:
  """The file defining class `name` as seen from module `path` (defined there, or imported with `from x import name`)."""
  _, tree = _parsed(path)
  if any(isinstance(n, ast.ClassDef) and n.name == name for n in tree.body): return path
  for n in ast.walk(tree):
    if isinstance(n, ast.ImportFrom) and n.module and any(a.name == name for a in n.names): return _class_module(_module_path(n.module), name)
  return path


def _super_inits(body: list[ast.stmt], when: str = "") -> list[tuple[ast.Call, str]]:
  """Every `super().__init__(...)` call in a function body, with the `if` condition it runs under."""
  out = []
  for st in body:
    if isinstance(st, ast.If):
      out += _super_inits(st.body, ast.unparse(st.test)) + _super_inits(st.orelse, f"not {ast.unparse(st.test)}")
    for n in ([] if isinstance(st, ast.If) else ast.walk(st)):
      if isinstance(n, ast.Call) and ast.unparse(n.func) == "super().__init__": out.append((n, when))
  return out


def _interfaces(path: str, cls_node: ast.ClassDef) -> tuple[str, ...]:
  """`i.__name__[:-5]` of every `ifaces` entry, as `Compiled._select_iface` names them; from the live class where it imports."""
  try: return tuple(i.__name__[:-5] for i in getattr(importlib.import_module(_module_name(path)), cls_node.name).ifaces)
  except Exception: pass
  for st in cls_node.body:
    if isinstance(st, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "ifaces" for t in st.targets) and isinstance(st.value, ast.List):
      return tuple(e.id[:-5] if isinstance(e, ast.Name) else ast.unparse(e) for e in st.value.elts)
  return ()


def _device(path: str) -> DeviceInfo | None:
  from tinygrad.device import ALL_DEVICES
  text, tree = _parsed(path)
  dev = pathlib.Path(path).stem[len("ops_"):].upper()
  cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name.lower() == dev.lower() + "device"), None)
  if cls is None: return None
  init = next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
  calls = _super_inits(init.body) if init else []
  renderers, source, arch = [], "source", ""
  for call, when in calls:
    arg = call.args[2] if len(call.args) > 2 else next((k.value for k in call.keywords if k.arg == "renderers"), None)
    arch = arch or next((_segment(text, k.value) for k in call.keywords if k.arg == "arch"), "")
    if isinstance(arg, ast.List) and not arg.elts: renderers.append(("Renderer", "tinygrad/renderer/__init__.py", when))  # `renderers or [Renderer]`
    elif isinstance(arg, ast.List) and all(isinstance(e, ast.Name) for e in arg.elts):
      renderers += [(e.id, _class_module(path, e.id), when) for e in arg.elts]
    else:   # built at run time (NULL): open the device, which needs no hardware
      from tinygrad import Device
      try: renderers += [(r.__name__, _module_path(r.__module__), when) for r in Device[dev].renderers]
      except Exception: source = "unknown"   # listed without renderers rather than guessed
      else: source = "opened"
  infos = tuple(RendererInfo(renderer_name(dev, n), n, m, *_compiler_of(m, n), when=w) for n, m, w in renderers)
  return DeviceInfo(dev, path, cls.name, infos, arch, _interfaces(path, cls), ALL_DEVICES.index(dev) if dev in ALL_DEVICES else None, source)


def dev_targets() -> list[DeviceInfo]:
  """Every runtime of the installed tinygrad (`tinygrad/runtime/ops_*.py`), sorted by device name, with its renderers."""
  return [d for p in package_files() if p.startswith("tinygrad/runtime/ops_") and (d := _device(p)) is not None]


# **** Markdown ****

def _code(s: str) -> str:
  """`s` as inline code inside a table cell (pipes escaped, backticks fenced)."""
  s = s.replace("|", "\\|")
  return f"`` {s} ``" if "`" in s else f"`{s}`"


def _table(head: list[str], rows: list[list[str]]) -> str:
  return "\n".join(["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"] + ["| " + " | ".join(r) + " |" for r in rows]) + "\n"


def _header(title: str, what: str) -> str:
  return (f"# {title}\n\n!!! info \"Generated: do not edit by hand\"\n    This page is generated from the installed tinygrad {version('tinygrad')} "
          f"by `{GENERATOR}` (with `tgkit.reference`) at every build. It must not be edited by hand: change the generator. {what}\n\n")


def _places(reads: tuple[EnvRead, ...]) -> str:
  lines: dict[str, list[str]] = {}
  for r in reads: lines.setdefault(r.file, []).append(str(r.line))
  return "<br>".join(f"`{f}:{','.join(ls)}`" for f, ls in sorted(lines.items()))


def render_env_page(cvs: list[ContextVarInfo], envs: list[EnvName], patterns: list[EnvPattern]) -> str:
  """The environment-variables page: a summary line, the contributor table, then every ContextVar and every getenv name."""
  cv_by, env_by = {c.name: c for c in cvs}, {e.name: e for e in envs}
  meant = sorted(n for n in MEANINGS if n in cv_by or n in env_by)
  out = _header("Environment variables", "Defaults are shown as written in tinygrad's source, not as this host's values.")
  out += f"**{len(cvs)} ContextVars, {len(envs)} getenv names, {len(meant)} with a meaning.**\n\n"
  out += ("A `ContextVar` reads its variable once, when its module is imported, and can then be changed in-process with "
          "`Context(NAME=value)` or `.value` (some are only read at import). A plain `getenv` name is read on first use and cached "
          "for the process (`getenv` is `functools.cache`d). Deprecated per-device forms (`<DEV>=1`, `<DEV>_<RENDERER>=1`, "
          "`<DEV>_CC`, `<DEV>_IFACE`) raise an assertion that names the `DEV=` replacement.\n\n")
  out += "## For contributors\n\n"
  rows = []
  for n in meant:
    kind = "ContextVar" + (" and getenv" if n in env_by else "") if n in cv_by else "getenv"
    default = cv_by[n].default if n in cv_by else ", ".join(env_by[n].defaults)
    rows.append([f"`{n}`", kind, _code(default), MEANINGS[n]])
  out += _table(["name", "kind", "default (as written)", "meaning in 0.14.0"], rows)
  out += "\n## All ContextVars\n\nEvery `ContextVar(...)` in the package, alphabetically; coverage of the live `ContextVar._cache` is tested.\n\n"
  rows = []
  for c in cvs:
    notes = [f"`{c.cls}` subclass: the value is parsed into a list of `Target`"] if c.cls != "ContextVar" else []
    if c.computed: notes.append("computed at import" + (" from " + ", ".join(f"`{d}`" for d in c.depends) if c.depends else ""))
    if c.host: notes.append("**depends on the host**")
    rows.append([f"`{c.name}`", _code(c.default), f"`{c.type}`", f"`{c.module}:{c.line}`", "; ".join(notes)])
  out += _table(["name", "default (as written)", "type", "defined in", "notes"], rows)
  out += ("\n## All getenv names\n\nEvery environment variable read directly (not through a ContextVar), alphabetically, with "
          "every place that reads it.\n\n")
  rows = []
  for e in envs:
    notes = (["also a ContextVar"] if e.name in cv_by else []) + (["computed default"] if any(r.computed for r in e.reads) else [])
    notes += ["**default may depend on the host**"] if any(r.host for r in e.reads) else []
    calls = sorted({r.call for r in e.reads} - {"getenv"})
    notes += [f"read with {', '.join(f'`{c}`' for c in calls)}"] if calls else []
    rows.append([f"`{e.name}`", "<br>".join(_code(d) for d in e.defaults), _places(e.reads), "; ".join(notes)])
  out += _table(["name", "default (as written)", "read at", "notes"], rows)
  out += "\n## Names built at run time\n\nReads whose variable name is computed; they are not counted above.\n\n"
  out += _table(["name", "read (as written)", "at"],
                [[PATTERN_FORMS.get((p.file, p.expr), ""), _code(p.call), f"`{p.file}:{p.line}`"] for p in patterns])
  return out


def render_ops_page(ops: list[OpInfo], groups: list[GroupInfo]) -> str:
  """The Ops page: a summary line, the groups with their sizes and the member x group table."""
  out = _header("Ops and GroupOps", "Groups are found by introspecting `tinygrad.uop.GroupOp`, not listed by hand.")
  out += f"**{len(ops)} `Ops` members, {len(groups)} `GroupOp` sets.**\n\n"
  out += "## Groups\n\nIn the order `GroupOp` defines them; members in enum order.\n\n"
  out += _table(["group", "size", "members"], [[f"`GroupOp.{g.name}`", str(len(g.members)), ", ".join(g.members)] for g in groups])
  out += "\n## Members\n\nIn enum order (by value); a mark means the member is in that `GroupOp` set.\n\n"
  out += _table(["member", "value", *[g.name for g in groups]],
                [[f"`Ops.{o.name}`", str(o.value), *["●" if g.name in o.groups else "" for g in groups]] for o in ops])
  return out


def _target_block() -> str:
  return ('```python exec="on" source="above" result="text"\nfrom tinygrad.helpers import Target\n\n'
          f"for s in {TARGET_EXAMPLES!r}:\n  try: t = Target.parse(s)\n"
          "  except RuntimeError as e: print(f\"{s!r:26} RuntimeError: {e}\"); continue\n"
          "  print(f\"{s!r:26} device={t.device!r:9} renderer={t.renderer!r:8} arch={t.arch!r:16} interface={t.interface!r:6} \"\n"
          "        f\"indices={t.indices!r:6} -> {t!r}\")\n```\n")


def _renderer_cell(d: DeviceInfo, r: RendererInfo) -> str:
  return f"`{r.name}`" + (f" (when `{r.when}`)" if r.when else "")


def render_dev_page(devices: list[DeviceInfo]) -> str:
  """The DEV= page: the syntax, an executed `Target.parse` example, the device table, the renderer table and what arch means."""
  combos = sum(len(d.renderers) for d in devices)
  out = _header("DEV= and renderers", "Renderer lists are read from each runtime's Device class, so no hardware is needed.")
  out += f"**{len(devices)} devices, {combos} device/renderer combinations.**\n\n"
  out += ("## Syntax\n\n`DEV` holds one or more targets separated by `;`, each `[INTERFACE[:INDICES]+]DEVICE[:RENDERER[:ARCH]]` "
          "(`tinygrad.helpers.Target.parse`). Device and renderer are upper-cased, the rest is kept as written. Each device uses the "
          "first target that names it or names no device. `Device.DEFAULT` is the first target's device; with none, tinygrad opens "
          "the devices of `ALL_DEVICES` in order and takes the first that works.\n\n"
          "- **RENDERER**: a device takes the renderer `DEV` names (an unknown name raises), otherwise the first in its list whose "
          "constructor succeeds. Where two classes share a name (NULL), the first of them that constructs wins.\n"
          "- **ARCH**: passed to the renderer in its `Target`; an arch in `DEV` replaces the one the device reports.\n"
          "- **INTERFACE**: on devices with interfaces (AMD, NV), how the device is reached; without one, the first that opens, never a "
          "`MOCK` one. **INDICES** (`0-1` or `0,2`) picks which physical devices are visible.\n\n")
  out += _target_block()
  out += ("\n## Devices\n\nRenderer names are what `DEV=DEVICE:NAME` selects: the class name upper-cased, without `RENDERER` and "
          "without the device's name in front, or the device name when nothing is left (`Compiled._renderer_name`). They are listed "
          "in selection order. A Device that passes no renderers gets the base `Renderer`, named after the device "
          "(`Compiled.__init__`).\n\n")
  rows = [[f"`{d.device}`", f"`{d.module}`", f"`{d.cls}`", ", ".join(_renderer_cell(d, r) for r in d.renderers),
           ", ".join(_renderer_cell(d, r) for r in d.defaults), ", ".join(f"`{i}`" for i in d.interfaces), "" if d.auto is None else str(d.auto + 1)]
          for d in devices]
  out += _table(["device", "runtime module", "Device class", "renderers", "default", "interfaces", "auto-select order"], rows)
  out += ("\n## Renderers\n\nEvery device/renderer combination. The compiler is shown as the renderer's source assigns it, in "
          "the renderer class or the base named. `Compiler()` is the base class, whose `compile` returns the source as bytes: the "
          "runtime's Program takes the source itself (CL compiles it there with its device's `CLCompiler`).\n\n")
  rows = [[f"`DEV={d.device}:{r.name}`" + (" (default)" if r in d.defaults else ""), f"`{r.cls}`", f"`{r.module}`",
           (_code(r.compiler) + (f" in `{r.compiler_in}`" if r.compiler_in != r.cls else "")) if r.compiler else ""]
          for d in devices for r in d.renderers]
  out += _table(["target", "renderer class", "defined in", "compiler (as written)"], rows)
  out += "\n## What arch means\n\nDevices without an entry take no arch.\n\n"
  out += _table(["device", "`arch=` the Device passes (as written)", "meaning"],
                [[f"`{d.device}`", _code(d.arch) if d.arch else "none", ARCH[d.device]] for d in devices if d.device in ARCH])
  return out


def pages() -> dict[str, str]:
  """The three generated pages, path -> Markdown.

  Raises:
    LookupError: the ContextVar coverage is below 100%, or a meaning names a variable tinygrad does not read.
  """
  cvs = context_vars()
  if (bad := unknown_meanings()): raise LookupError(f"MEANINGS names variables tinygrad {version('tinygrad')} does not read: {sorted(bad)}")
  return {PAGES["env"]: render_env_page(cvs, getenv_names(), env_patterns()), PAGES["ops"]: render_ops_page(ops_groups(), op_groups()),
          PAGES["dev"]: render_dev_page(dev_targets())}
