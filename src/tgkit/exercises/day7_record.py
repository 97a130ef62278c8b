"""Day 7, Pathway A step 1: the platform's common record, and the wrapper that turns any check into one."""
import numpy as np
from tinygrad import Tensor

from tgkit.learn import Exercise, expect, function

ORDER = 1
EXERCISE = Exercise(
  id="d7-record", day=7, pathway="A", kind="code", minutes=25,
  title="One record for every check",
  statement="""
Every tool of the week produced its own kind of result; the platform needs one shape for all of them. `Finding` is
given. Write `record(suite, name, fn)`: call `fn()`, which returns a pair `(ok, detail)`, and return a `Finding`:

- status `"pass"` when `ok` is true, `"fail"` when it is false, with the check's `detail` as a string;
- status `"error"` when `fn()` raises, with the detail `"ExceptionType: message"` (the first line of the message).
  A check that raises is a result, not the end of the run: the next check must still run.

The checker calls it on a check that passes, one that fails, one that raises a `ValueError`, one that returns a
numpy boolean, and a tinygrad matmul of mismatched shapes (which raises inside tinygrad).
""",
  hints=(
    "`try: ok, detail = fn()` / `except Exception as e: return Finding(suite, name, \"error\", ...)`; the pass/fail "
    "return goes after the `try`, so an exception in your own code is not counted as the check's.",
    "`f\"{type(e).__name__}: {(str(e).splitlines() or [''])[0]}\"` is the error's detail; a message may be empty.",
    "`\"pass\" if ok else \"fail\"` works for `np.bool_` too; `ok is True` does not (`np.True_ is True` is false).",
  ),
  wrong={
    "exceptions not caught": '''
import dataclasses
@dataclasses.dataclass
class Finding:
  suite: str
  name: str
  status: str
  detail: str = ""
def record(suite, name, fn):
  ok, detail = fn()
  return Finding(suite, name, "pass" if ok else "fail", str(detail))
''',
    "an exception counted as a failure": '''
import dataclasses
@dataclasses.dataclass
class Finding:
  suite: str
  name: str
  status: str
  detail: str = ""
def record(suite, name, fn):
  try: ok, detail = fn()
  except Exception as e: return Finding(suite, name, "fail", str(e))
  return Finding(suite, name, "pass" if ok else "fail", str(detail))
''',
    "ok compared with `is True`": '''
import dataclasses
@dataclasses.dataclass
class Finding:
  suite: str
  name: str
  status: str
  detail: str = ""
def record(suite, name, fn):
  try: ok, detail = fn()
  except Exception as e: return Finding(suite, name, "error", f"{type(e).__name__}: {str(e).splitlines()[0]}")
  return Finding(suite, name, "pass" if ok is True else "fail", str(detail))
''',
  },
)

# --8<-- [start:solution]
import dataclasses

@dataclasses.dataclass
class Finding:
  suite: str        # ops | devices | schedule | nn
  name: str
  status: str       # pass | fail | error
  detail: str = ""

def record(suite: str, name: str, fn) -> Finding:
  """Run one check: `fn()` returns `(ok, detail)`. The Finding's status is "pass" (ok is true), "fail" (ok is false) or
  "error" (fn raised; the detail is "ExceptionType: first line of the message"). Never raises for the check's sake."""
  try: ok, detail = fn()
  except Exception as e:  # noqa: BLE001 - a check that raises is a finding
    return Finding(suite, name, "error", f"{type(e).__name__}: {(str(e).splitlines() or [''])[0]}")
  return Finding(suite, name, "pass" if ok else "fail", str(detail))
# --8<-- [end:solution]


def _raises():
  raise ValueError("the op is broken\nsecond line")


def _matmul():
  try: (Tensor.ones(2, 3) @ Tensor.ones(2, 3)).realize()
  except Exception as e: return type(e).__name__  # noqa: BLE001
  raise AssertionError("a mismatched matmul no longer raises in this tinygrad")


def check(mod):
  record = function(mod, "record")
  mm_exc = _matmul()
  cases = [
    ("a check that passes", lambda: (True, "max error 1e-07"), "pass", lambda d: d == "max error 1e-07", "the check's detail, 'max error 1e-07'"),
    ("a check that fails", lambda: (False, "3 kernel(s), want 1"), "fail", lambda d: d == "3 kernel(s), want 1", "'3 kernel(s), want 1'"),
    ("a check that raises ValueError('the op is broken\\nsecond line')", _raises, "error",
     lambda d: d == "ValueError: the op is broken", "'ValueError: the op is broken' (type, then the first line)"),
    ("a check returning np.bool_(True)", lambda: (np.float32(1.0) > 0, "numpy comparison"), "pass", lambda d: d == "numpy comparison",
     "'numpy comparison'"),
    ("a tinygrad matmul of shapes (2, 3) and (2, 3)", lambda: ((Tensor.ones(2, 3) @ Tensor.ones(2, 3)).numpy() is not None, ""), "error",
     lambda d: isinstance(d, str) and d.startswith(mm_exc + ":"), f"one that starts with '{mm_exc}:'"),
  ]
  for what, fn, want, detail_ok, detail_want in cases:
    try: got = record("ops", "case", fn)
    except Exception as e:  # noqa: BLE001
      raise_hint = "wrap the call of fn() in try/except Exception: an exception is a finding with status 'error'"
      expect(False, f"on {what}, record raised {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", raise_hint)
    expect(got is not None, f"on {what}, record returned None: is it still the starter's `...`?", "return a Finding(suite, name, status, detail)")
    status, detail = getattr(got, "status", None), getattr(got, "detail", None)
    expect((getattr(got, "suite", None), getattr(got, "name", None)) == ("ops", "case"),
           f"on {what}, the Finding should keep suite 'ops' and name 'case', got {got!r:.120}", "pass suite and name through unchanged")
    expect(status == want, f"on {what}, status is {status!r}; the right answer is {want!r}",
           EXERCISE.hints[2] if want == "pass" else EXERCISE.hints[0])
    expect(detail_ok(detail), f"on {what}, detail is {detail!r}; want {detail_want}", EXERCISE.hints[1])
