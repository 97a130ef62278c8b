"""Where a tinygrad object is defined in the installed package, and its page on GitHub at the pinned commit."""
# --8<-- [start:where]
import inspect
import pathlib

import tinygrad

COMMIT = "a9069c177a9da9cca18593edf55acd2e6073cca6"  # the GitHub snapshot nearest tinygrad 0.14.0
PKG = pathlib.Path(tinygrad.__file__).parent.parent


def unwrap(obj):
  """The function itself, also when a decorator wrapped it without functools.wraps (tinygrad's rewrite_group)."""
  obj = inspect.unwrap(obj)
  while "<locals>" in getattr(obj, "__qualname__", ""):
    inner = [c.cell_contents for c in obj.__closure__ or () if inspect.isfunction(c.cell_contents)]
    if not inner: break
    obj = inner[0]
  return obj


def name(obj) -> str:
  """The qualified name of a function or class, e.g. `Tensor.realize`."""
  return unwrap(obj).__qualname__


def where(obj) -> str:
  """`tinygrad/<file>.py:<first>-<last>` for a function or class of the installed tinygrad."""
  obj = unwrap(obj)
  lines, start = inspect.getsourcelines(obj)
  path = pathlib.Path(inspect.getsourcefile(obj)).relative_to(PKG).as_posix()
  return f"{path}:{start}-{start + len(lines) - 1}"


def github(path: str) -> str:
  """The file's address in tinygrad's repository at the pinned commit."""
  return f"https://github.com/tinygrad/tinygrad/blob/{COMMIT}/{path}"
# --8<-- [end:where]

if __name__ == "__main__":
  from tinygrad import Tensor
  from tinygrad.uop.ops import graph_rewrite
  assert where(Tensor.realize).startswith("tinygrad/tensor.py:")
  assert where(graph_rewrite).startswith("tinygrad/uop/ops.py:") and name(graph_rewrite) == "graph_rewrite"
  print(where(Tensor.realize), where(graph_rewrite))
