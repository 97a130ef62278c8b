"""Find the functions and lines of tinygrad that a run never executes: the op table, or any pytest file.

`run_ops()` checks a part of the op table (`tgkit.ops`), `run_tests(path)` runs a pytest file or folder; both run
in a fresh Python process under coverage.py, restricted to the tinygrad package that process imports (the
installed one, or a clone's when you run from the clone's root), with branch data so that a function counts as
entered only when its code ran, not when its `def` line did. `analyze()` then maps every statement tinygrad
did not execute to the function that holds it (`functions()`: qualified names and line ranges from the `ast` of
each file) and ranks the functions by the statements they missed: the largest areas that nothing exercised first.

Caches would hide code. A graph found in tgkit's program cache (`tgkit.progcache`) is never scheduled, rendered or
compiled in the measured process, and a kernel source found in tinygrad's disk cache is never compiled
(`Compiler.compile_cached`), so that code does not show as run. The measured process therefore runs with tinygrad's
disk cache off (`CACHELEVEL=0`: compiled binaries, BEAM results), without tgkit's program cache and in one process
(`PARALLEL=0`, no `--jobs` workers, which coverage would not see).
tinygrad's in-memory caches stay on: within one fresh process they only skip work that process already did.
`PYTHONHASHSEED=0` fixes the order of sets of strings, so two runs of the same selection are comparable. The
generated ctypes bindings (`tinygrad/runtime/autogen/`) are left out: they are generated, not written by hand.

    >>> rep = run_ops(ops=["add"], dtypes=["float32"], kinds=["1d"], grads=False, under=["tinygrad/mixin"])
    >>> rep.find("ElementwiseMixin.relu").entered
    False
"""
from __future__ import annotations

import ast
import dataclasses
import json
import os
import pathlib
import subprocess
import sys
import tempfile

from tgkit.errors import UsageError

CACHES = "caches off (CACHELEVEL=0, no tgkit program cache): every kernel was generated and compiled in the measured run"
ENV = {"CACHELEVEL": "0", "PARALLEL": "0", "PYTHONHASHSEED": "0"}   # the measured process's settings, over the caller's environment
OMIT = ("*/tinygrad/runtime/autogen/*",)   # generated ctypes bindings
DEFAULT_LIMIT = 20

_OPS_WORKER = """
import json, sys
import coverage
args = json.loads(sys.argv[1])
cov = coverage.Coverage(config_file=args["rc"])
cov.start()
try:
  from tgkit import ops
  results = ops.run(ops=args["ops"], dtypes=args["dtypes"], device=args["device"], grads=args["grads"], kinds=args["kinds"],
                    quick=args["quick"], cache=False, jobs=1)
finally:
  cov.stop()
  cov.save()
s = ops.summarize(results)
with open(args["out"], "w") as f: json.dump({"cases": s["total"], "by_status": s["by_status"]}, f)
"""


@dataclasses.dataclass(frozen=True)
class Function:
  """A function or method as written in a file.

  Attributes:
    name: qualified name: `Tensor.relu`, `Class.method.inner` for a function defined inside a method.
    line: the `def` line.
    first: the code object's first line (the first decorator's line for a decorated function).
    body: the first line of the body (the `def` line itself for a one-line function).
    end: the last line.
  """
  name: str
  line: int
  first: int
  body: int
  end: int


@dataclasses.dataclass
class FunctionGap:
  """A function with statements the run did not execute.

  Attributes:
    name: qualified name, e.g. `ElementwiseMixin.relu`.
    file: path in the package, e.g. `tinygrad/mixin/elementwise.py`.
    line: the `def` line; `file:line` opens it in an editor.
    end: the function's last line.
    statements: statements in its body (nested functions' bodies are theirs, not this one's).
    missed: how many of them did not run.
    missed_lines: their line numbers.
    entered: whether the function was called at all; a function never entered misses every statement.
  """
  name: str
  file: str
  line: int
  end: int
  statements: int
  missed: int
  missed_lines: list[int]
  entered: bool

  @property
  def where(self) -> str:
    """`file:line`."""
    return f"{self.file}:{self.line}"


@dataclasses.dataclass
class FileCoverage:
  """One tinygrad file: its statements, how many did not run, and whether the run imported it at all."""
  file: str
  statements: int
  missed: int
  imported: bool


@dataclasses.dataclass
class CoverageReport:
  """What ran, under which settings, and what of tinygrad it left unexecuted.

  Attributes:
    target: what ran, e.g. `op table: add; float32; 1d; values only` or `tests: test/test_x.py`.
    under: the parts of tinygrad reported (empty: all of it).
    caches: how the run kept caches from hiding code (`CACHES`).
    run: the run's own outcome: cases and statuses for the op table, pytest's exit code for tests.
    statements: statements in the reported files.
    missed: how many of them did not run.
    files: every reported file, in path order.
    functions: every function with a missed statement, ranked (`rank`).
  """
  target: str
  under: list[str]
  caches: str
  run: dict
  statements: int
  missed: int
  files: list[FileCoverage]
  functions: list[FunctionGap]

  @property
  def covered(self) -> float:
    """The share of the reported statements that ran."""
    return 1 - self.missed / self.statements if self.statements else 1.0

  def find(self, name: str) -> FunctionGap | None:
    """The gap of the function with this qualified name (None: every statement of it ran, or it is not in the report)."""
    return next((f for f in self.functions if f.name == name), None)

  def never_entered(self) -> list[FunctionGap]:
    """The functions the run never called, in rank order."""
    return [f for f in self.functions if not f.entered]


# ---------------------------------------------------------------- mapping lines to functions

def functions(source: str) -> list[Function]:
  """Every function and method in a file's source, with its qualified name and line range, in source order.

  Raises:
    SyntaxError: the source does not parse.
  """
  out: list[Function] = []
  def visit(node: ast.AST, prefix: str) -> None:
    for child in ast.iter_child_nodes(node):
      if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
        name = prefix + child.name
        first = min([d.lineno for d in child.decorator_list] + [child.lineno])
        out.append(Function(name, child.lineno, first, child.body[0].lineno, child.end_lineno or child.lineno))
        visit(child, name + ".")
      elif isinstance(child, ast.ClassDef): visit(child, prefix + child.name + ".")
      else: visit(child, prefix)
  visit(ast.parse(source), "")
  return sorted(out, key=lambda f: (f.line, f.name))


def gaps(file: str, funcs: list[Function], statements: set[int], missing: set[int], arcs: set[tuple[int, int]] | None = None) -> list[FunctionGap]:
  """Assign each statement to the innermost function whose body holds it and list the functions that missed any.

  Args:
    file: the file's name in the report.
    funcs: `functions()` of the file.
    statements: the statement lines coverage.py found in the file.
    missing: those that did not run.
    arcs: the executed arcs (branch data). A call into a function records an arc from `-first` (its code object's
      first line); without arcs a function counts as entered when a statement of its body ran, so a one-line function,
      whose body shares the `def` line that runs at import, always counts as entered.

  Returns:
    One FunctionGap per function with a missed statement, unranked.
  """
  owner: dict[int, Function] = {}
  for f in sorted(funcs, key=lambda f: (f.body, -f.end)):   # inner functions start later: they overwrite their outer one's lines
    for ln in range(f.body, f.end + 1):
      if ln in statements: owner[ln] = f
  body: dict[Function, list[int]] = {}
  for ln, f in sorted(owner.items()): body.setdefault(f, []).append(ln)
  starts = {-a for a, _ in arcs if a < 0} if arcs is not None else None
  out = []
  for f, lines in body.items():
    entered = f.first in starts if starts is not None else any(ln not in missing and ln != f.line for ln in lines)
    missed = [ln for ln in lines if ln in missing] if entered else lines
    if missed: out.append(FunctionGap(f.name, file, f.line, f.end, len(lines), len(missed), missed, entered))
  return out


def rank(found: list[FunctionGap]) -> list[FunctionGap]:
  """Most missed statements first; on a tie a function never entered before one that ran in part, then by file and line."""
  return sorted(found, key=lambda g: (-g.missed, g.entered, g.file, g.line))


def line_ranges(lines: list[int]) -> str:
  """`[3, 4, 5, 9]` -> `3-5, 9`."""
  out: list[str] = []
  for ln in sorted(lines):
    if out and ln == int(out[-1].split("-")[-1]) + 1: out[-1] = f"{out[-1].split('-')[0]}-{ln}"
    else: out.append(str(ln))
  return ", ".join(out)


# ---------------------------------------------------------------- which files

def _package_dir() -> pathlib.Path:
  import importlib.util
  spec = importlib.util.find_spec("tinygrad")
  if spec is None or not spec.origin: raise UsageError("tinygrad is not installed in this Python")
  return pathlib.Path(spec.origin).parent


def _norm_under(under) -> list[str]:
  """`uop`, `tinygrad/uop/`, `./tinygrad/uop` -> `tinygrad/uop`; checked against the installed package's files."""
  pkg = _package_dir()
  files = {"tinygrad/" + p.relative_to(pkg).as_posix() for p in pkg.rglob("*.py")}
  out = []
  for u in under or ():
    n = u.strip().replace("\\", "/").removeprefix("./").rstrip("/")
    if not n.startswith("tinygrad/") and n != "tinygrad": n = "tinygrad/" + n
    if not any(_is_under(f, [n]) for f in files):
      raise UsageError(f"no tinygrad file under {u!r}; give a folder or file of the package, such as tinygrad/uop or tinygrad/tensor.py")
    out.append(n)
  return out


def _is_under(file: str, under: list[str]) -> bool:
  return not under or any(file == u or file.startswith(u + "/") for u in under)


# ---------------------------------------------------------------- analysis

def _config(tmp: pathlib.Path) -> pathlib.Path:
  rc = tmp / "coveragerc"
  rc.write_text("[run]\nbranch = True\nsource_pkgs = tinygrad\nparallel = False\n"
                f"data_file = {tmp / 'coverage.data'}\nomit =\n" + "".join(f"  {o}\n" for o in OMIT) +
                "disable_warnings = module-not-imported, no-data-collected, module-not-measured\n", encoding="utf8")
  return rc


def analyze(config: str | os.PathLike, under=None) -> tuple[int, int, list[FileCoverage], list[FunctionGap]]:
  """Read a coverage.py data file (through its config file) and map what did not run to tinygrad's functions.

  Args:
    config: the coverage config file of the run (it names the data file).
    under: report only these parts of tinygrad, e.g. ["tinygrad/uop"] (None: all of it).

  Returns:
    (statements, missed, files, ranked functions) over the reported files.

  Raises:
    UsageError: the run never imported tinygrad.
  """
  import coverage
  cov = coverage.Coverage(config_file=str(config))
  cov.load()
  data = cov.get_data()
  measured = sorted(data.measured_files())
  init = [f for f in measured if pathlib.Path(f).name == "__init__.py" and pathlib.Path(f).parent.name == "tinygrad" and data.lines(f)]
  if not init: raise UsageError("the run never imported tinygrad: there is nothing of it to measure")
  root = pathlib.Path(init[0]).parent.parent
  files, found = [], []
  for path in measured:
    try: rel = pathlib.Path(path).relative_to(root).as_posix()
    except ValueError: continue
    if not rel.startswith("tinygrad/") or not _is_under(rel, under or []): continue
    _, statements, _, missing, _ = cov.analysis2(path)
    st, mi = set(statements), set(missing)
    files.append(FileCoverage(rel, len(st), len(mi), bool(data.lines(path))))
    try: funcs = functions(pathlib.Path(path).read_text(encoding="utf8"))
    except (OSError, SyntaxError, ValueError): continue
    found += gaps(rel, funcs, st, mi, set(data.arcs(path) or ()) if data.has_arcs() else None)
  return sum(f.statements for f in files), sum(f.missed for f in files), files, rank(found)


def _env(device: str | None = None) -> dict[str, str]:
  env = {**os.environ, **ENV}
  if device: env["DEV"] = device
  return env


def _last_line(text: str) -> str:
  return next((ln.strip() for ln in reversed(text.strip().splitlines()) if ln.strip()), "")


# ---------------------------------------------------------------- runs

def run_ops(ops=None, dtypes=None, kinds=None, quick=False, grads=True, device=None, under=None) -> CoverageReport:
  """Check a part of the op table in a fresh process under coverage.py, with the caches off, and report what of tinygrad it never ran.

  Args:
    ops: op or group names (None: the whole table), as for `tgkit.ops.run`.
    dtypes: dtype names (None: all).
    kinds: shape kinds (None: all).
    quick: only the quick shape kinds (1d, broadcast, odd).
    grads: also check gradients.
    device: the tinygrad device (None: tinygrad's default).
    under: report only these parts of tinygrad, e.g. ["tinygrad/uop"] (None: all of it).

  Raises:
    UsageError: an unknown op, group, dtype, shape kind or part of tinygrad.
    RuntimeError: the measured process failed.
  """
  from tgkit import ops as table
  table.select(ops, dtypes, kinds)
  parts = _norm_under(under)
  picked = [", ".join(ops) if ops else "all ops", ", ".join(dtypes) if dtypes else "all dtypes",
            ", ".join(table.QUICK_KINDS if quick else kinds or ("all shape kinds",)), "values and gradients" if grads else "values only"]
  with tempfile.TemporaryDirectory(prefix="tgkit-coverage-") as d:
    tmp = pathlib.Path(d)
    rc = _config(tmp)
    args = {"rc": str(rc), "out": str(tmp / "run.json"), "ops": ops, "dtypes": dtypes, "kinds": kinds, "quick": quick, "grads": grads, "device": device}
    p = subprocess.run([sys.executable, "-c", _OPS_WORKER, json.dumps(args)], env=_env(device), capture_output=True, text=True, check=False)
    if p.returncode != 0: raise RuntimeError(f"the op-table run failed: {_last_line(p.stderr) or f'exit code {p.returncode}'}")
    run = json.loads((tmp / "run.json").read_text(encoding="utf8"))
    statements, missed, files, found = analyze(rc, parts)
  return CoverageReport("op table: " + "; ".join(picked), parts, CACHES, run, statements, missed, files, found)


def run_tests(path: str, under=None, cwd=None, pytest_args=(), device=None) -> CoverageReport:
  """Run a pytest file or folder (`FILE`, `FILE::test_name`) in a fresh process under coverage.py, with the caches off,
  and report what of tinygrad it never ran. Only that process is measured: tests that start processes of their own, or
  pytest-xdist workers, are not seen.

  Args:
    path: what to give pytest, relative to `cwd`.
    under: report only these parts of tinygrad (None: all of it).
    cwd: the folder pytest runs in (None: the current one). Run from a tinygrad clone's root to measure that clone.
    pytest_args: more arguments for pytest, e.g. ("-k", "relu").
    device: sets `DEV` for the run (None: as the environment has it).

  Raises:
    UsageError: no such file, a part of tinygrad that does not exist, no tests collected, or a pytest usage error.
    RuntimeError: pytest could not run the file.
  """
  where = pathlib.Path(cwd or ".")
  if not (where / path.split("::")[0]).exists(): raise UsageError(f"{path}: no such file or folder")
  parts = _norm_under(under)
  with tempfile.TemporaryDirectory(prefix="tgkit-coverage-") as d:
    tmp = pathlib.Path(d)
    rc = _config(tmp)
    cmd = [sys.executable, "-m", "coverage", "run", f"--rcfile={rc}", "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args, path]
    p = subprocess.run(cmd, cwd=where, env=_env(device), capture_output=True, text=True, check=False)
    if p.returncode == 5: raise UsageError(f"{path}: pytest collected no tests")
    if p.returncode == 4: raise UsageError(f"{path}: pytest: {_last_line(p.stderr) or _last_line(p.stdout)}")
    if p.returncode not in (0, 1):
      raise RuntimeError(f"pytest could not run {path} (exit code {p.returncode}): {_last_line(p.stdout) or _last_line(p.stderr)}")
    if not (tmp / "coverage.data").exists(): raise RuntimeError(f"coverage wrote no data for {path}: {_last_line(p.stderr)}")
    statements, missed, files, found = analyze(rc, parts)
  run = {"exit_code": p.returncode, "summary": _last_line(p.stdout)}
  return CoverageReport(f"tests: {path}", parts, CACHES, run, statements, missed, files, found)


# ---------------------------------------------------------------- output

def limited(rep: CoverageReport, limit: int | None = DEFAULT_LIMIT, never_entered: bool = False) -> list[FunctionGap]:
  """The report's ranked functions, only those never entered if asked, the first `limit` of them (None or 0: all)."""
  found = rep.never_entered() if never_entered else rep.functions
  return found[:limit] if limit else found


def to_dict(rep: CoverageReport, limit: int | None = None, never_entered: bool = False) -> dict:
  """The report as JSON-ready data, with `covered` and the functions cut as `limited` cuts them."""
  d = dataclasses.asdict(rep)
  d["covered"] = round(rep.covered, 4)
  d["functions"] = [{**dataclasses.asdict(g), "where": g.where} for g in limited(rep, limit, never_entered)]
  return d


def render_text(rep: CoverageReport, limit: int | None = DEFAULT_LIMIT, never_entered: bool = False) -> str:
  """A summary line, the caches note, and the ranked functions, one per line: missed/statements, where, name, missed lines."""
  shown = limited(rep, limit, never_entered)
  scope = ", ".join(rep.under) or "tinygrad"
  lines = [f"{rep.target}", f"{scope}: {rep.statements - rep.missed}/{rep.statements} statements ran ({rep.covered:.0%}) "
           f"in {len(rep.files)} files; {len(rep.functions)} functions missed some, {len(rep.never_entered())} never entered", rep.caches]
  for g in shown:
    lines.append(f"{g.missed:4d}/{g.statements:<4d} {'never entered' if not g.entered else 'partly run':13s} {g.where}  {g.name}"
                 + (f"  missed {line_ranges(g.missed_lines)}" if g.entered else ""))
  return "\n".join(lines)
