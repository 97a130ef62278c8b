"""Day 1, Pathway A: the op validator's core, one check of tinygrad against numpy."""
import numpy as np

from tgkit.learn import Exercise, expect, function

ORDER = 1
EXERCISE = Exercise(
  id="d1-validate", day=1, pathway="A", kind="code", minutes=25,
  title="Validate one op against numpy",
  statement="""
Write `validate(tiny_fn, np_fn, *inputs)`: run `tiny_fn` on tinygrad tensors made from the numpy `inputs` and
`np_fn` on the inputs themselves, and return `"pass"`, `"fail"` or `"error"`:

- `"error"` when tinygrad raises (the validator must survive a broken op and report it);
- `"fail"` when the shapes differ, or the values differ by more than `atol + rtol * |want|`;
- `"pass"` otherwise. NaN in the same place on both sides is agreement, and an empty result is a pass
  when the shapes match.

The checker calls your function on an add that is right, a wrong op, a shape change, NaNs, an empty tensor
and an op that raises.
""",
  hints=(
    "Turn the inputs into tensors with `[Tensor(a) for a in inputs]`, call `tiny_fn(*tensors).numpy()` inside a `try`, "
    "and return `\"error\"` from the `except`.",
    "Compare shapes before values: `np.allclose` broadcasts, so a `(3,)` result would match a `(1, 3)` reference.",
    "`np.allclose(got, want, atol=atol, rtol=rtol, equal_nan=True)` treats NaN == NaN and handles empty arrays.",
  ),
  wrong={
    "NaN counted as a disagreement": '''
import numpy as np
from tinygrad import Tensor
def validate(tiny_fn, np_fn, *inputs, atol=1e-6, rtol=1e-5):
  try: got = tiny_fn(*[Tensor(a) for a in inputs]).numpy()
  except Exception: return "error"
  want = np_fn(*inputs)
  if got.shape != want.shape: return "fail"
  return "pass" if np.allclose(got, want, atol=atol, rtol=rtol) else "fail"
''',
    "shapes not compared": '''
import numpy as np
from tinygrad import Tensor
def validate(tiny_fn, np_fn, *inputs, atol=1e-6, rtol=1e-5):
  try: got = tiny_fn(*[Tensor(a) for a in inputs]).numpy()
  except Exception: return "error"
  return "pass" if np.allclose(got, np_fn(*inputs), atol=atol, rtol=rtol, equal_nan=True) else "fail"
''',
    "errors not caught": '''
import numpy as np
from tinygrad import Tensor
def validate(tiny_fn, np_fn, *inputs, atol=1e-6, rtol=1e-5):
  got, want = tiny_fn(*[Tensor(a) for a in inputs]).numpy(), np_fn(*inputs)
  if got.shape != want.shape: return "fail"
  return "pass" if np.allclose(got, want, atol=atol, rtol=rtol, equal_nan=True) else "fail"
''',
  },
)

# --8<-- [start:solution]
import numpy as np
from tinygrad import Tensor

def validate(tiny_fn, np_fn, *inputs, atol=1e-6, rtol=1e-5) -> str:
  """Run an op in tinygrad and in numpy on the same inputs: "pass", "fail" (values or shape) or "error" (tinygrad raised)."""
  try: got = tiny_fn(*[Tensor(a) for a in inputs]).numpy()
  except Exception: return "error"
  want = np_fn(*inputs)
  if got.shape != want.shape: return "fail"
  return "pass" if np.allclose(got, want, atol=atol, rtol=rtol, equal_nan=True) else "fail"
# --8<-- [end:solution]


def check(mod):
  validate = function(mod, "validate")
  x = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -6.0]], dtype=np.float32)
  nan = np.array([1.0, np.nan, 3.0], dtype=np.float32)
  def bad_op(a): raise ValueError("this op is broken")
  cases = [
    ("an add that is right", (lambda a, b: a + b, lambda a, b: a + b, x, x), "pass"),
    ("tinygrad's a*2 against numpy's a*3", (lambda a: a * 2, lambda a: a * 3, x), "fail"),
    ("a sum with a different shape than the reference", (lambda a: a.sum(axis=0).reshape(1, 3), lambda a: a.sum(axis=0), x), "fail"),
    ("NaN in the same place on both sides", (lambda a: a * 1, lambda a: a * 1, nan), "pass"),
    ("an empty tensor", (lambda a: a + 1, lambda a: a + 1, np.zeros((0, 3), dtype=np.float32)), "pass"),
    ("an op that raises", (bad_op, lambda a: a, x), "error"),
  ]
  for what, args, want in cases:
    got = validate(*args)
    expect(got == want, f"on {what}, validate returned {got!r}; the right answer is {want!r}",
           {"pass": "compare with np.allclose(..., equal_nan=True) after checking the shapes",
            "fail": "check the shapes first, then the values", "error": "wrap the tinygrad call in try/except"}[want])
