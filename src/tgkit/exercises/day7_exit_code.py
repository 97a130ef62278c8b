"""Day 7, Pathway A step 2: the exit code a CI job reads."""
import dataclasses

from tgkit.learn import Exercise, expect, function

ORDER = 2
_FINDING = '''
import dataclasses
@dataclasses.dataclass
class Finding:
  suite: str
  name: str
  status: str
  detail: str = ""
'''
EXERCISE = Exercise(
  id="d7-exit-code", day=7, pathway="A", kind="code", minutes=15,
  title="The exit code CI reads",
  statement="""
A CI job knows one thing about a run: its exit code. Write `summary(findings)`, the count of each status as
`{"pass": n, "fail": n, "error": n}` (all three keys, zeros included), and `exit_code(findings)`:

- `0` when at least one check ran and every finding passed;
- `1` when any finding failed or errored, **and** when there are no findings at all: a run that checked nothing
  has validated nothing (a suite filter that matches no check, a section that was skipped), and a CI job must not
  go green on it.

The result is an `int`, not a `bool`. The checker calls both on an all-pass run, a run with one failure, a run with
one error and no failure, and an empty run.
""",
  hints=(
    "`{s: sum(f.status == s for f in findings) for s in (\"pass\", \"fail\", \"error\")}` counts all three.",
    "An error is as bad as a failure for CI: the check could not say whether tinygrad is right.",
    "`all(...)` of an empty list is `True`: test `len(findings) > 0` (or `summary[\"pass\"] > 0`) as well.",
  ),
  wrong={
    "errors do not fail the run": _FINDING + '''
def summary(findings): return {s: sum(f.status == s for f in findings) for s in ("pass", "fail", "error")}
def exit_code(findings): return 1 if summary(findings)["fail"] else 0
''',
    "an empty run passes": _FINDING + '''
def summary(findings): return {s: sum(f.status == s for f in findings) for s in ("pass", "fail", "error")}
def exit_code(findings): return 0 if all(f.status == "pass" for f in findings) else 1
''',
    "zero counts left out": _FINDING + '''
import collections
def summary(findings): return dict(collections.Counter(f.status for f in findings))
def exit_code(findings): return 0 if findings and all(f.status == "pass" for f in findings) else 1
''',
  },
)

# --8<-- [start:solution]
def summary(findings) -> dict[str, int]:
  """How many findings have each status: {"pass": n, "fail": n, "error": n}, every key present."""
  return {s: sum(f.status == s for f in findings) for s in ("pass", "fail", "error")}

def exit_code(findings) -> int:
  """0 when at least one check ran and all passed; 1 when any failed or errored, or when nothing ran."""
  s = summary(findings)
  return 0 if s["pass"] > 0 and s["fail"] == s["error"] == 0 else 1
# --8<-- [end:solution]


@dataclasses.dataclass
class _Finding:
  suite: str
  name: str
  status: str
  detail: str = ""


def check(mod):
  summary, exit_code = function(mod, "summary"), function(mod, "exit_code")
  f = lambda *st: [_Finding("ops", f"c{i}", s) for i, s in enumerate(st)]  # noqa: E731
  runs = [("three passing checks", f("pass", "pass", "pass"), {"pass": 3, "fail": 0, "error": 0}, 0),
          ("two passes and a failure", f("pass", "fail", "pass"), {"pass": 2, "fail": 1, "error": 0}, 1),
          ("a pass and an error, no failure", f("pass", "error"), {"pass": 1, "fail": 0, "error": 1}, 1),
          ("an empty run (no findings)", [], {"pass": 0, "fail": 0, "error": 0}, 1)]
  for what, findings, want_sum, want_code in runs:
    got = summary(findings)
    expect(got == want_sum, f"summary of {what} is {got!r}; the right answer is {want_sum!r}", EXERCISE.hints[0])
    code = exit_code(findings)
    expect(type(code) is int, f"exit_code of {what} returned {code!r} ({type(code).__name__}); an exit code is an int, 0 or 1",
           "return 0 or 1, not True/False or None")
    expect(code == want_code, f"exit_code of {what} is {code}; the right answer is {want_code}",
           EXERCISE.hints[2] if not findings else EXERCISE.hints[1])
