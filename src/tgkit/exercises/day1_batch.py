"""Day 1, Pathway A: validate a table of cases with one realize for all of them."""
import numpy as np
import tinygrad.tensor

from tgkit.learn import Exercise, expect, function
from tgkit.mutants import patched

ORDER = 2
EXERCISE = Exercise(
  id="d1-batch", day=1, pathway="A", kind="code", minutes=25,
  title="Batch the realize",
  statement="""
Write `compare(got, want)` and `validate_all(cases, *inputs)`. `cases` maps a name to a pair
`(tiny_fn, np_fn)`, as in Step 3. `validate_all` builds every case's output tensor first, then realizes
them together with one `Tensor.realize(*outs)`, then compares each with its numpy reference.
It returns `{name: "pass" | "fail" | "error"}` in the order of `cases`:

- `"error"` when building the case's tinygrad output raises (for example a reshape to an impossible shape);
- `"fail"` when `compare` says the shapes or the values differ (the same rules as `d1-validate`);
- `"pass"` otherwise.

The checker counts how many times tinygrad runs a schedule (`run_linear`) while `validate_all` runs:
it must be once for the whole table, however many cases there are.
""",
  hints=(
    "Make the tensors once, `tensors = [Tensor(a) for a in inputs]`, and build `outs[name] = tiny_fn(*tensors)` "
    "inside a `try`, so a case that raises is recorded as \"error\" and left out of the realize.",
    "`Tensor.realize(*outs.values())` schedules and runs every output at once; after it, `out.numpy()` only reads "
    "the result back (no second schedule for these cases).",
    "Return `{name: status[name] for name in cases}` to keep the order of the table.",
  ),
  wrong={
    "one numpy() per case": '''
import numpy as np
from tinygrad import Tensor
def compare(got, want, atol=1e-6, rtol=1e-5):
  if got.shape != want.shape: return "fail"
  return "pass" if np.allclose(got, want, atol=atol, rtol=rtol, equal_nan=True) else "fail"
def validate_all(cases, *inputs):
  tensors, out = [Tensor(a) for a in inputs], {}
  for name, (tiny_fn, np_fn) in cases.items():
    try: out[name] = compare(tiny_fn(*tensors).numpy(), np_fn(*inputs))
    except Exception: out[name] = "error"
  return out
''',
    "a raising case stops the table": '''
import numpy as np
from tinygrad import Tensor
def compare(got, want, atol=1e-6, rtol=1e-5):
  if got.shape != want.shape: return "fail"
  return "pass" if np.allclose(got, want, atol=atol, rtol=rtol, equal_nan=True) else "fail"
def validate_all(cases, *inputs):
  tensors = [Tensor(a) for a in inputs]
  outs = {name: t(*tensors) for name, (t, _) in cases.items()}
  Tensor.realize(*outs.values())
  return {name: compare(outs[name].numpy(), n(*inputs)) for name, (_, n) in cases.items()}
''',
  },
)

# --8<-- [start:solution]
import numpy as np
from tinygrad import Tensor

def compare(got, want, atol=1e-6, rtol=1e-5) -> str:
  """"pass" when `got` has the shape of `want` and close values (NaN in the same place counts as equal), else "fail"."""
  if got.shape != want.shape: return "fail"
  return "pass" if np.allclose(got, want, atol=atol, rtol=rtol, equal_nan=True) else "fail"

def validate_all(cases, *inputs) -> dict:
  """Validate every case of `cases` ({name: (tiny_fn, np_fn)}) on the same numpy inputs with one realize for all of them.
  Returns {name: "pass" | "fail" | "error"} in the order of `cases`; a case whose tinygrad output cannot be built is an "error"."""
  tensors = [Tensor(a) for a in inputs]
  outs, status = {}, {}
  for name, (tiny_fn, _) in cases.items():
    try: outs[name] = tiny_fn(*tensors)
    except Exception: status[name] = "error"
  Tensor.realize(*outs.values())   # one schedule, one run for every case
  for name, out in outs.items(): status[name] = compare(out.numpy(), cases[name][1](*inputs))
  return {name: status[name] for name in cases}
# --8<-- [end:solution]


def check(mod):
  compare, validate_all = function(mod, "compare"), function(mod, "validate_all")
  a = np.arange(6, dtype=np.float32).reshape(2, 3)
  expect(compare(a, a.copy()) == "pass", f"compare of two equal arrays returned {compare(a, a.copy())!r}; the right answer is 'pass'")
  expect(compare(a.reshape(3, 2), a) == "fail", "compare of a (3, 2) array with a (2, 3) one did not return 'fail'", "compare shapes first")
  cases = {
    "add": (lambda x, y: x + y, lambda x, y: x + y),
    "mul wrong": (lambda x, y: x * 2, lambda x, y: x * 3),
    "sum": (lambda x, y: x.sum(axis=1), lambda x, y: x.sum(axis=1)),
    "bad reshape": (lambda x, y: x.reshape(7), lambda x, y: x.reshape(7)),
    "max": (lambda x, y: x.maximum(y), np.maximum),
  }
  want = {"add": "pass", "mul wrong": "fail", "sum": "pass", "bad reshape": "error", "max": "pass"}
  runs = [0]
  def counting(orig):
    def run_linear(*a, **kw):
      runs[0] += 1
      return orig(*a, **kw)
    return run_linear
  b = np.array([[1.0, -1.0, 5.0], [0.0, 9.0, -2.0]], dtype=np.float32)
  with patched(tinygrad.tensor, "run_linear", counting): got = validate_all(cases, a, b)
  expect(isinstance(got, dict), f"validate_all returned {type(got).__name__}; it should return a dict {{name: status}}")
  for name, status in want.items():
    expect(got.get(name) == status, f"case {name!r}: validate_all returned {got.get(name)!r}; the right answer is {status!r}",
           "build each output inside try/except; a case that raises is 'error'" if status == "error" else "")
  expect(list(got) == list(cases), f"the result's order {list(got)} is not the table's order {list(cases)}", EXERCISE.hints[2])
  expect(runs[0] == 1, f"tinygrad ran {runs[0]} schedules for a table of {len(cases)} cases; batched, it runs one",
         EXERCISE.hints[1])
