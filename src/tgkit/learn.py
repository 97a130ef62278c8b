"""`tgkit learn`: the course's exercises, their checkers, and the learner's workspace.

An exercise is one module in `tgkit.exercises` (installed with tgkit, so no clone of the handbook is needed).
It holds its reference solution between `# --8<-- [start:solution]` and `# --8<-- [end:solution]`, an
`EXERCISE = Exercise(...)` record (statement, hints, typical wrong answers) and a `check(mod)` function
that raises `Wrong` at the first failing case. The learner's starter file is derived from the solution
(every function keeps its signature and docstring, its body becomes `...`; every `NAME = value` becomes
`NAME = ...`), so the solution on the page, the answer key and the starter are one source.

Three kinds of exercise:
* code: the learner writes functions; `check` calls them on cases and compares.
* reading: the learner names code (`"tinygrad.engine.realize:run_schedule"`); `check` resolves the
  answer in the installed tinygrad and compares it with the real object, so answers cannot drift from the pin.
* test: the learner writes a regression test in tinygrad's style; it is graded the way tinygrad grades a pull
  request (`grade_test`): it must pass on tinygrad without the bug and fail with the bug, where the bug is a
  mutant from `tgkit.mutants` or a real tinygrad 0.14.0 bug and its fix a patch.

`prove(ex)` is what the build runs for every exercise on its page: the solution must pass and every wrong
answer (the starter included) must fail. `check_file` runs one check in its own process with a time
limit and an output limit, so learner code that raises, hangs or floods the terminal gets a verdict.
"""
from __future__ import annotations

import ast
import contextlib
import dataclasses
import datetime
import importlib
import io
import json
import linecache
import os
import pathlib
import pkgutil
import re
import subprocess
import sys
import tempfile
import time
import traceback
import types
import unittest
from collections.abc import Callable, Iterator

from tgkit.errors import UsageError

PROGRESS_FILE = ".tgkit-learn.json"
PROGRESS_VERSION = 1
DEFAULT_TIMEOUT = 60.0
OUTPUT_LIMIT = 1_000_000          # bytes a check may print before it is stopped
SHOWN_OUTPUT = 20                  # lines of the learner's output shown with a verdict
KINDS = ("code", "reading", "test")
PATHWAYS = ("A", "B", "afternoon")


class Wrong(AssertionError):
  """A failing case: `message` says what was wrong in plain words, `hint` what to try."""
  def __init__(self, message: str, hint: str = ""):
    super().__init__(message)
    self.message, self.hint = message, hint


def expect(ok: bool, message: str, hint: str = "") -> None:
  """Raise `Wrong(message, hint)` unless `ok`."""
  if not ok: raise Wrong(message, hint)


@dataclasses.dataclass(frozen=True)
class Exercise:
  id: str                       # "d1-compare": day, then a short name; also the page anchor
  day: int
  pathway: str                  # "A" (build), "B" (read) or "afternoon"
  kind: str                     # "code", "reading" or "test"
  title: str
  statement: str                # Markdown: what to do, what the checker checks
  hints: tuple[str, ...]
  wrong: dict[str, str]         # name -> source of a typical wrong answer (the starter is added to these)
  minutes: int = 15
  file: str = ""                # the learner's file in the workspace, default "<name>.py" under day<N>/
  module: str = ""              # filled in by the registry: the tgkit.exercises module

  @property
  def path(self) -> str: return f"day{self.day}/{self.file or self.id.split('-', 1)[1].replace('-', '_') + '.py'}"


@dataclasses.dataclass
class Verdict:
  exercise: str
  status: str                   # pass | fail | error | timeout | missing
  message: str = ""             # the first failing case, in plain words
  hint: str = ""                # what to try
  output: str = ""              # the tail of what the learner's code printed
  seconds: float = 0.0

  @property
  def passed(self) -> bool: return self.status == "pass"


# ---------------------------------------------------------------- the registry

def _module(ex_module: str) -> types.ModuleType: return importlib.import_module(ex_module)


def exercises() -> list[Exercise]:
  """Every exercise of the course, by day, then in the order of their modules' `ORDER`."""
  from tgkit import exercises as pkg
  found = []
  for info in pkgutil.iter_modules(pkg.__path__):
    mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
    if not hasattr(mod, "EXERCISE"): continue
    found.append((getattr(mod, "ORDER", 0), dataclasses.replace(mod.EXERCISE, module=mod.__name__)))
  return [ex for _, ex in sorted(found, key=lambda t: (t[1].day, t[0], t[1].id))]


def get(exercise_id: str) -> Exercise:
  by_id = {ex.id: ex for ex in exercises()}
  if exercise_id not in by_id: raise UsageError.unknown("exercise", exercise_id, by_id)
  return by_id[exercise_id]


def days() -> list[int]: return sorted({ex.day for ex in exercises()})


def for_day(day: int) -> list[Exercise]:
  if day not in days(): raise UsageError(f"unknown day {day!r}; choose from: {', '.join(map(str, days()))}")
  return [ex for ex in exercises() if ex.day == day]


# ---------------------------------------------------------------- solution, starter, answer key

_SECTION = re.compile(r"^[ \t]*# --8<-- \[start:solution\][^\n]*\n(.*?)^[ \t]*# --8<-- \[end:solution\]", re.S | re.M)


def solution(ex: Exercise) -> str:
  """The reference solution: the `solution` section of the exercise's module, exactly as the page shows it."""
  src = pathlib.Path(_module(ex.module).__file__).read_text(encoding="utf8")
  if not (m := _SECTION.search(src)): raise ValueError(f"{ex.module} has no solution section")
  return m.group(1)


def starter(ex: Exercise) -> str:
  """The learner's starting file: the solution with every body replaced by `...` and every assigned value by `...`."""
  src = solution(ex)
  lines = src.splitlines(keepends=True)
  cut: list[tuple[int, int, str]] = []     # (first line, last line, replacement), 1-based inclusive
  def bodies(nodes):
    for node in nodes:
      if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        body = node.body
        keep = 1 if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
          and isinstance(body[0].value.value, str) else 0
        rest = body[keep:]
        if rest:
          indent = " " * rest[0].col_offset
          cut.append((rest[0].lineno, node.end_lineno, f"{indent}...\n"))
        elif not keep: pass
      elif isinstance(node, ast.ClassDef): bodies(node.body)
      elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.col_offset == 0 and node.value is not None:
        first = lines[node.lineno - 1]
        head = first[:node.value.col_offset] if node.value.lineno == node.lineno else first.split("=", 1)[0] + "= "
        cut.append((node.lineno, node.end_lineno, head.rstrip() + " ...\n"))
  bodies(ast.parse(src).body)
  out, skip_to = [], 0
  starts = {a: (b, r) for a, b, r in cut}
  for i, line in enumerate(lines, 1):
    if i <= skip_to: continue
    if i in starts:
      skip_to, rep = starts[i]
      out.append(rep)
    else: out.append(line)
  return "".join(out)


def wrong_answers(ex: Exercise) -> dict[str, str]:
  return {"the starter file": starter(ex), **ex.wrong}


# ---------------------------------------------------------------- grading

def load_source(source: str, filename: str, name: str = "learner") -> types.ModuleType:
  """Execute learner code as a module (registered in sys.modules while it runs, so unittest and dataclasses work)."""
  mod = types.ModuleType(name)
  mod.__file__ = filename
  if not pathlib.Path(filename).exists(): linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)   # tracebacks show lines
  sys.modules[name] = mod
  try: exec(compile(source, filename, "exec", dont_inherit=True), mod.__dict__)
  finally: sys.modules.pop(name, None)
  return mod


def grade(ex: Exercise, source: str, filename: str = "<answer>") -> Verdict:
  """Run the exercise's checker on a source text in this process; the verdict of the first failing case."""
  t0 = time.perf_counter()
  try:
    mod = load_source(source, filename)
    _module(ex.module).check(mod)
    return Verdict(ex.id, "pass", seconds=time.perf_counter() - t0)
  except Wrong as w: return Verdict(ex.id, "fail", w.message, w.hint, seconds=time.perf_counter() - t0)
  except Exception as e:  # noqa: BLE001 - learner code raising is the normal case
    hint = "fix the line it names; running the file with python shows the same error" if isinstance(e, SyntaxError) else \
      "the line named is in your file: run that call by hand with the same inputs and read the error"
    return Verdict(ex.id, "error", _describe(e, filename), hint, seconds=time.perf_counter() - t0)


def _describe(e: BaseException, filename: str) -> str:
  """`ValueError: ... (day1/compare.py, line 7, in compare)`: the exception and the learner's own frames only."""
  if isinstance(e, SyntaxError) and e.filename == filename:
    return f"SyntaxError: {e.msg} ({pathlib.Path(filename).name}, line {e.lineno})"
  frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == filename]
  where = f" ({pathlib.Path(filename).name}, line {frames[-1].lineno}, in {frames[-1].name}: {frames[-1].line})" if frames else ""
  first = (str(e).strip().splitlines() or [""])[0]
  if isinstance(e, NotImplementedError) or (isinstance(e, TypeError) and "NoneType" in first):
    first += " - is the function still the starter's `...`?"
  return f"{type(e).__name__}: {first}{where}"


def prove(ex: Exercise) -> dict[str, Verdict]:
  """The build's proof of a checker: the solution passes and every wrong answer fails. Raises AssertionError otherwise."""
  results = {"solution": grade(ex, solution(ex), ex.path)}   # named as the learner's file, so messages read as the learner sees them
  for name, src in wrong_answers(ex).items(): results[name] = grade(ex, src, ex.path)
  bad = [f"the solution fails: {results['solution'].message}"] if not results["solution"].passed else []
  bad += [f"the wrong answer {name!r} passes the checker" for name, v in results.items() if name != "solution" and v.passed]
  if bad: raise AssertionError(f"exercise {ex.id}: " + "; ".join(bad))
  return results


# ---------------------------------------------------------------- checker helpers used by exercise modules

def function(mod: types.ModuleType, name: str) -> Callable:
  """The learner's function `name`, or a Wrong that says it is missing."""
  fn = getattr(mod, name, None)
  expect(callable(fn), f"your file defines no function `{name}`", f"keep the name `{name}` from the starter file")
  return fn


def answer(mod: types.ModuleType, name: str) -> str:
  """The learner's answer `name` (a string), or a Wrong that says it is not filled in."""
  value = getattr(mod, name, Ellipsis)
  expect(value is not Ellipsis, f"`{name}` is not answered yet (it is still `...`)", "replace `...` with a string")
  expect(isinstance(value, str), f"`{name}` should be a string, got {type(value).__name__}")
  return value.strip()


def resolve(name: str):
  """A code name in the installed package: `tinygrad.engine.realize:run_schedule`, `tinygrad/engine/realize.py:run_schedule`
  or `tinygrad.engine.realize.run_schedule`. Returns the object, or raises Wrong naming what did not resolve."""
  name = name.strip().strip("`")
  if ":" in name: mod_name, qual = name.split(":", 1)
  else: mod_name, _, qual = name.rpartition(".")
  mod_name = mod_name.removesuffix(".py").replace("/", ".").strip(".").removesuffix(".__init__")   # a package's own module, not a copy
  try: obj = importlib.import_module(mod_name)
  except ImportError:
    # `tinygrad.engine.realize.run_schedule` with no colon: the module may be longer than the last dot
    raise Wrong(f"there is no module {mod_name!r} in the installed tinygrad", "write it as module:function, "
                "e.g. tinygrad.tensor:Tensor.realize") from None
  for part in filter(None, qual.split(".")):
    if not hasattr(obj, part): raise Wrong(f"{mod_name} has no {qual!r}", "open the module and search for the name")
    obj = getattr(obj, part)
  return obj


def unwrap(obj):
  while hasattr(obj, "__wrapped__"): obj = obj.__wrapped__
  return getattr(obj, "__func__", obj)


def expect_code(mod: types.ModuleType, name: str, want, question: str, hint: str = "") -> None:
  """The learner's answer `name` must name the object `want` (compared after unwrapping decorators)."""
  got = answer(mod, name)
  obj = resolve(got)
  expect(unwrap(obj) is unwrap(want), f"{name}: {got} is not the answer to '{question}'", hint)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
  with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()): yield


def run_tests(mod: types.ModuleType) -> unittest.TestResult:
  """Run the unittest test cases a learner module defines; the result, nothing printed."""
  suite = unittest.defaultTestLoader.loadTestsFromModule(mod)
  result = unittest.TestResult()
  with _quiet(): suite.run(result)
  return result


def _first_problem(result: unittest.TestResult) -> str:
  for test, tb in result.errors + result.failures + result.expectedFailures:
    lines = [ln.strip() for ln in tb.strip().splitlines() if ln.strip()]
    at = next((i for i, ln in enumerate(lines) if re.match(r"^[\w.]+(Error|Exception)\b", ln)), len(lines) - 1)
    exc = " ".join(lines[at:at + 3]) if lines[at].endswith(":") else lines[at]   # the exception line (numpy's message follows it)
    return f"{test.id().split('.', 1)[-1]}: {exc[:300]}"
  for test in result.unexpectedSuccesses: return f"{test.id().split('.', 1)[-1]}: passed but is marked expectedFailure"
  return ""


def grade_test(mod: types.ModuleType, bug: Callable[[], contextlib.AbstractContextManager], bug_name: str,
               fix: Callable[[], contextlib.AbstractContextManager] | None = None, hint: str = "") -> None:
  """Grade a learner's regression test the way tinygrad grades a pull request's test.

  `bug()` makes tinygrad buggy, `fix()` makes it correct (None: tinygrad as installed is correct). The test must pass
  with the fix and fail with the bug; for a real bug (a fix given) it may instead be marked `@unittest.expectedFailure`,
  as tinygrad marks a known bug: then it fails as expected on the bug and succeeds with the fix.
  A test that passes both ways tests nothing about the bug, and says so (`hint`: what to try then, when a numpy comparison is not it)."""
  n = unittest.defaultTestLoader.loadTestsFromModule(mod).countTestCases()
  expect(n > 0, "your file has no test: define a unittest.TestCase subclass with a method whose name starts with test_",
         "class TestX(unittest.TestCase):\n    def test_y(self): ...")
  with (fix() if fix else contextlib.nullcontext()): ok = run_tests(mod)
  # a real bug (a fix is given) may be marked @unittest.expectedFailure, tinygrad's way for a known bug: with the fix it succeeds
  unexpected = ok.unexpectedSuccesses if fix is None else []
  expect(not ok.failures and not ok.errors and not unexpected and not ok.expectedFailures,
         f"your test fails on tinygrad without the bug{' (it is marked expectedFailure, and still fails with the fix)' if ok.expectedFailures else ''}: "
         f"{_first_problem(ok)}",
         "a regression test must pass once the bug is fixed; check your numpy reference and tolerances")
  with bug(): broken = run_tests(mod)
  if not (broken.failures or broken.errors or broken.expectedFailures):   # an unexpected success did not fail on the bug either
    raise Wrong(f"your test passes whatever tinygrad does: it still passes with the bug ({bug_name})",
                hint or "make the test compute the buggy operation and compare it with a numpy reference (np.testing.assert_allclose)")


# ---------------------------------------------------------------- checking a file in its own process

def check_file(ex: Exercise, file: pathlib.Path, timeout: float = DEFAULT_TIMEOUT, output_limit: int = OUTPUT_LIMIT) -> Verdict:
  """Run the exercise's checker on the learner's file in a fresh Python process, in the file's workspace, with a time
  limit and an output limit. Whatever the learner's code does, this returns a verdict."""
  file = pathlib.Path(file).resolve()
  if not file.exists(): return Verdict(ex.id, "missing", f"{file} does not exist", "run `tgkit learn start` to write the starter files")
  t0 = time.perf_counter()
  with tempfile.TemporaryDirectory(prefix="tgkit-learn-") as tmp:
    result, log = pathlib.Path(tmp) / "verdict.json", pathlib.Path(tmp) / "output.txt"
    env = {**os.environ, "PARALLEL": os.environ.get("PARALLEL", "0"), "PYTHONDONTWRITEBYTECODE": "1"}
    with open(log, "wb") as out:
      proc = subprocess.Popen([sys.executable, "-m", "tgkit.learn", ex.id, str(file), str(result)], cwd=file.parent.parent,
                              stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
      why = ""
      while proc.poll() is None:
        if time.perf_counter() - t0 > timeout: why = "timeout"
        elif log.stat().st_size > output_limit: why = "output"
        if why:
          _kill(proc)
          break
        time.sleep(0.05)
    output = _tail(log)
    seconds = time.perf_counter() - t0
    if why == "timeout":
      return Verdict(ex.id, "timeout", f"stopped after {timeout:g} s: your code did not finish", "look for a loop that never ends, or a "
                     "tensor far larger than the exercise needs; `--timeout` gives a check more time", output, seconds)
    if why == "output":
      return Verdict(ex.id, "error", f"stopped: your code printed more than {output_limit // 1000} kB", "remove the print inside the loop",
                     output, seconds)
    if not result.exists():
      return Verdict(ex.id, "error", f"the check process ended without a verdict (exit code {proc.returncode})",
                     "your file must not call sys.exit() or exit(); a crash of Python itself also ends here", output, seconds)
    v = Verdict(**json.loads(result.read_text(encoding="utf8")))
    v.output, v.seconds = output, seconds
    return v


def _kill(proc: subprocess.Popen) -> None:
  import signal
  with contextlib.suppress(ProcessLookupError, PermissionError): os.killpg(proc.pid, signal.SIGKILL)
  proc.wait()


def _tail(log: pathlib.Path) -> str:
  with open(log, "rb") as f:
    f.seek(max(0, log.stat().st_size - 4000))
    lines = f.read().decode("utf8", "replace").splitlines()
  return "\n".join(ln if len(ln) <= 160 else ln[:160] + " ..." for ln in lines[-SHOWN_OUTPUT:])


def _child(exercise_id: str, file: str, result: str) -> int:
  """Inside the check process: grade the file and write the verdict as JSON (the learner's prints go to the log)."""
  ex = get(exercise_id)
  v = grade(ex, pathlib.Path(file).read_text(encoding="utf8"), file)
  v.message = v.message.replace(file, pathlib.Path(file).name)
  pathlib.Path(result).write_text(json.dumps(dataclasses.asdict(v)), encoding="utf8")
  return 0


# ---------------------------------------------------------------- the workspace and its progress file

class Workspace:
  """The learner's folder: day<N>/ starter files and `.tgkit-learn.json` with each exercise's status and hints seen."""

  def __init__(self, root: str | os.PathLike):
    self.root = pathlib.Path(root)
    self.progress_path = self.root / PROGRESS_FILE

  def progress(self) -> dict:
    """The progress record; a file that cannot be read is reported and left exactly as it is."""
    if not self.progress_path.exists(): return {"version": PROGRESS_VERSION, "exercises": {}}
    try:
      data = json.loads(self.progress_path.read_text(encoding="utf8"))
      if not isinstance(data, dict) or not isinstance(data.get("exercises"), dict): raise ValueError("no 'exercises' object")
      return data
    except (ValueError, UnicodeDecodeError) as e:
      raise UsageError(f"progress file {self.progress_path} is damaged ({str(e).splitlines()[0]}); it was left as it is: "
                       f"repair it or move it away to start a fresh record") from None

  def save(self, data: dict) -> None:
    self.root.mkdir(parents=True, exist_ok=True)
    tmp = self.progress_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf8")
    tmp.replace(self.progress_path)

  def entry(self, data: dict, exercise_id: str) -> dict:
    return data["exercises"].setdefault(exercise_id, {"status": "not started", "attempts": 0, "hints": 0})

  def start(self, day: int) -> list[tuple[Exercise, pathlib.Path, bool]]:
    """Write the day's starter files; a file that exists is kept as it is. Returns (exercise, path, written)."""
    data = self.progress()
    done = []
    for ex in for_day(day):
      path = self.root / ex.path
      written = not path.exists()
      if written:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'"""{ex.id}: {ex.title}\n\nCheck it with: tgkit learn check {ex.id}\n"""\n' + starter(ex), encoding="utf8")
      e = self.entry(data, ex.id)
      if e["status"] == "not started": e["status"] = "started"
      done.append((ex, path, written))
    self.save(data)
    return done

  def check(self, ex: Exercise, timeout: float = DEFAULT_TIMEOUT) -> Verdict:
    data = self.progress()
    v = check_file(ex, self.root / ex.path, timeout)
    if v.status != "missing":
      e = self.entry(data, ex.id)
      e["attempts"] += 1
      e["status"] = "passed" if v.passed or e["status"] == "passed" else "failing"
      e["last"] = v.status
      e["last_checked"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
      self.save(data)
    return v

  def hint(self, ex: Exercise) -> tuple[int, str | None]:
    """The next hint not yet seen (1-based number, text); (n, None) once all were shown."""
    data = self.progress()
    e = self.entry(data, ex.id)
    if e["hints"] >= len(ex.hints): return len(ex.hints), None
    e["hints"] += 1
    self.save(data)
    return e["hints"], ex.hints[e["hints"] - 1]

  def status(self) -> list[tuple[Exercise, dict]]:
    data = self.progress()
    return [(ex, data["exercises"].get(ex.id, {"status": "not started", "attempts": 0, "hints": 0})) for ex in exercises()]


# ---------------------------------------------------------------- the page

def markdown(ex: Exercise, proof: dict[str, Verdict] | None = None) -> str:
  """The exercise as the page shows it: statement, starter, the command that checks it, hints and the solution collapsed."""
  label = {"A": "Pathway A", "B": "Pathway B", "afternoon": "Afternoon"}[ex.pathway]
  ind = lambda text: "\n".join(("    " + ln) if ln.strip() else "" for ln in text.strip("\n").splitlines())  # noqa: E731
  parts = [f"#### {ex.title} {{ #{ex.id} }}", "",
           f"*Exercise `{ex.id}` · {label} · about {ex.minutes} min · your file: `{ex.path}`*", "", ex.statement.strip(), "",
           f"```python title=\"{ex.path} (starter)\"", starter(ex).rstrip("\n"), "```", "",
           f"Check it: `tgkit learn check {ex.id}`", ""]
  for i, h in enumerate(ex.hints, 1): parts += [f'??? tip "Hint {i}"', ind(h), ""]
  if proof:
    wrong = [n for n in proof if n != "solution"]
    parts += [f'??? success "Solution"', f"    The build ran the checker on this solution (it passes) and on {len(wrong)} wrong answers "
              f"(each fails: {', '.join(wrong)}).", "", "    ```python", ind(solution(ex).rstrip("\n")), "    ```", ""]
  else: parts += ['??? success "Solution"', "    ```python", ind(solution(ex).rstrip("\n")), "    ```", ""]
  return "\n".join(parts)


PARTS = (("morning", ("A", "B")), ("afternoon", ("afternoon",)))


def lesson_plan(day: int) -> str:
  """An instructor's view of a day, generated from its exercises: the plan with timings, where learners get stuck
  (each typical wrong answer with what the checker tells the learner, found by running the checker), the answer key."""
  exs = for_day(day)
  label = {"A": "Pathway A", "B": "Pathway B", "afternoon": "both"}
  lines = ["| part | exercise | pathway | minutes | checked with |", "| --- | --- | --- | --- | --- |"]
  for part, pathways in PARTS:
    for ex in (e for e in exs if e.pathway in pathways):
      lines.append(f"| {part} | [{ex.title}](../course/day{day}.md#{ex.id}) | {label[ex.pathway]} | {ex.minutes} | `tgkit learn check {ex.id}` |")
  totals = {p: sum(e.minutes for e in exs if e.pathway == p) for p in ("A", "B", "afternoon")}
  lines += ["", f"Exercise time: Pathway A {totals['A']} min, Pathway B {totals['B']} min, afternoon {totals['afternoon']} min.", "",
            "**Where learners get stuck.** Each typical wrong answer below was run through its checker while this page was built; "
            "the quote is what the learner sees.", ""]
  for ex in exs:
    for name, v in prove(ex).items():
      if name == "solution" or name == "the starter file": continue
      lines.append(f"- `{ex.id}`, {name}: \u201c{v.message}\u201d" + (f" \u2192 *{v.hint}*" if v.hint else ""))
  lines += ["", '??? note "Answer key"']
  for ex in exs:
    lines += [f"    **{ex.id}**: {ex.title}", "", "    ```python"] + \
             [("    " + ln) if ln.strip() else "" for ln in solution(ex).rstrip("\n").splitlines()] + ["    ```", ""]
  return "\n".join(lines)


def show(exercise_id: str) -> None:
  """Print the exercise for its page, after proving its checker both ways (a page block calls this; a broken checker fails the build).

  It prints with the calling block's `print` when the block has its own: markdown-exec captures a block's output by
  giving the block a `print` of its own, which a library's print would bypass."""
  ex = get(exercise_id)
  out = sys._getframe(1).f_globals.get("print", print)
  out(markdown(ex, prove(ex)))


if __name__ == "__main__":   # `python -m tgkit.learn ID FILE RESULT`: one check, run by check_file
  from tgkit import learn   # the imported module, whose Wrong the exercises raise (not this __main__ copy)
  sys.exit(learn._child(*sys.argv[1:4]))
