"""Day 6, Pathway A step 1: parameter counts, from get_parameters and in closed form."""
from tinygrad import nn
from tinygrad.nn.state import get_parameters

from tgkit.learn import Exercise, expect, function

ORDER = 1
EXERCISE = Exercise(
  id="d6-param-count", day=6, pathway="A", kind="code", minutes=20,
  title="Parameter counts in closed form",
  statement="""
Write `param_count(layer)`, the number of elements in all tensors `get_parameters(layer)` returns, and the closed
forms of that number for three layers:

- `linear_params(in_features, out_features, bias=True)` for `nn.Linear`;
- `conv2d_params(in_channels, out_channels, kernel_size, bias=True)` for `nn.Conv2d` with a square kernel;
- `batchnorm_params(channels)` for `nn.BatchNorm`: count what `get_parameters` returns, which is more than what
  the optimizer trains.

The checker compares each closed form with `param_count` of the real layer over several sizes, with and without bias.
""",
  hints=(
    "`sum(p.numel() for p in get_parameters(layer))`: `len(get_parameters(layer))` counts tensors, not elements.",
    "A Conv2d weight has the shape `(out_channels, in_channels, kernel_size, kernel_size)`; the bias has one value per output channel.",
    "Print `get_state_dict(nn.BatchNorm(3))`: besides `weight` and `bias` it holds `running_mean`, `running_var` and a "
    "one-element `num_batches_tracked`.",
  ),
  wrong={
    "tensors counted instead of elements": '''
from tinygrad.nn.state import get_parameters
def param_count(layer): return len(get_parameters(layer))
def linear_params(i, o, bias=True): return i * o + (o if bias else 0)
def conv2d_params(ci, co, k, bias=True): return co * ci * k * k + (co if bias else 0)
def batchnorm_params(c): return 4 * c + 1
''',
    "BatchNorm's trainable tensors only": '''
from tinygrad.nn.state import get_parameters
def param_count(layer): return sum(p.numel() for p in get_parameters(layer))
def linear_params(i, o, bias=True): return i * o + (o if bias else 0)
def conv2d_params(ci, co, k, bias=True): return co * ci * k * k + (co if bias else 0)
def batchnorm_params(c): return 2 * c
''',
    "the bias forgotten": '''
from tinygrad.nn.state import get_parameters
def param_count(layer): return sum(p.numel() for p in get_parameters(layer))
def linear_params(i, o, bias=True): return i * o
def conv2d_params(ci, co, k, bias=True): return co * ci * k * k
def batchnorm_params(c): return 4 * c + 1
''',
  },
)

# --8<-- [start:solution]
from tinygrad.nn.state import get_parameters

def param_count(layer) -> int:
  """Elements in every tensor get_parameters finds on the layer (buffers such as running statistics included)."""
  return sum(p.numel() for p in get_parameters(layer))

def linear_params(in_features: int, out_features: int, bias=True) -> int:
  """nn.Linear: a (out, in) weight and an (out,) bias."""
  return in_features * out_features + (out_features if bias else 0)

def conv2d_params(in_channels: int, out_channels: int, kernel_size: int, bias=True) -> int:
  """nn.Conv2d with a square kernel: an (out, in, k, k) weight and an (out,) bias."""
  return out_channels * in_channels * kernel_size * kernel_size + (out_channels if bias else 0)

def batchnorm_params(channels: int) -> int:
  """nn.BatchNorm: weight, bias, running_mean, running_var (one value per channel each) and num_batches_tracked (one)."""
  return 4 * channels + 1
# --8<-- [end:solution]


def check(mod):
  param_count = function(mod, "param_count")
  cases = [("linear_params", (8, 4), {}, lambda: nn.Linear(8, 4)),
           ("linear_params", (3, 5), {"bias": False}, lambda: nn.Linear(3, 5, bias=False)),
           ("conv2d_params", (3, 6, 3), {}, lambda: nn.Conv2d(3, 6, 3)),
           ("conv2d_params", (2, 4, 5), {"bias": False}, lambda: nn.Conv2d(2, 4, 5, bias=False)),
           ("batchnorm_params", (5,), {}, lambda: nn.BatchNorm(5)), ("batchnorm_params", (1,), {}, lambda: nn.BatchNorm(1))]
  for fn_name, args, kw, make in cases:
    layer = make()
    want = sum(p.numel() for p in get_parameters(layer))
    call = f"{fn_name}({', '.join(map(str, args))}{''.join(f', {k}={v}' for k, v in kw.items())})"
    got = param_count(layer)
    expect(got == want, f"param_count on the layer of {call} returned {got!r}; its tensors hold {want} elements", EXERCISE.hints[0])
    got = function(mod, fn_name)(*args, **kw)
    expect(got == want, f"{call} returned {got!r}; get_parameters finds {want} elements",
           EXERCISE.hints[2] if fn_name == "batchnorm_params" else EXERCISE.hints[1])
