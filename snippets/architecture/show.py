"""Two small tools the architecture pages use to show tinygrad's internals reproducibly.

* `source_table(...)`: where tinygrad defines things, file and line read from the installed package at
  build time, with a link to GitHub at the pinned commit.
* `stable(uop)`: a UOp graph's text with buffer numbers renumbered from 0. tinygrad numbers every new
  buffer from one process-wide counter, so the raw numbers depend on what ran before.
"""
# --8<-- [start:links]
import inspect
import pathlib
import re

import tinygrad

COMMIT = "a9069c177a9da9cca18593edf55acd2e6073cca6"  # GitHub snapshot nearest to 0.14.0
PACKAGE = pathlib.Path(tinygrad.__file__).parent
# Where a file of the released 0.14.0 has a different number of lines than the same file at the snapshot, the
# snapshot line of installed line N is N plus the shifts of every (after, shift) with after < N:
# uop/ops.py has two lines more (placeholder's slot default and tag), codegen/decomp/dtype.py one more (an INDEX
# rule split over four lines), schedule/multi.py three fewer (a GETTUPLE-on-UNSHARD rule only the snapshot has).
SHIFTS = {"tinygrad/uop/ops.py": ((1140, -1), (1147, -1)), "tinygrad/codegen/decomp/dtype.py": ((176, -1),),
          "tinygrad/schedule/multi.py": ((303, 3),)}


def locate(obj) -> tuple[str, int]:
  """(path inside the repository, 1-based line of the `def`/`class`) of a class, function or method
  of the installed tinygrad. The line is found by name in the module's source, so decorators and
  wrappers (`graph_rewrite` is wrapped by `rewrite_group`) don't move it."""
  obj = inspect.unwrap(obj)
  module = inspect.getmodule(obj)
  if "<locals>" in obj.__qualname__: raise ValueError(f"{obj!r} is a decorator's wrapper: pass the module attribute's name, e.g. ('graph_rewrite', module)")
  return find(module, obj.__qualname__)


def find(module, qualname: str) -> tuple[str, int]:
  """Line of `qualname` ("Class.method", "function" or a module-level "name = ...") in `module`'s source file."""
  file = pathlib.Path(inspect.getsourcefile(module))
  lines, at = file.read_text(encoding="utf8").split("\n"), 0
  for part in qualname.split("."):
    definition = re.compile(rf"\s*(async\s+)?(def|class) {re.escape(part)}\b|{re.escape(part)}\s*(:[^=]+)?=[^=]")
    at = next(i for i in range(at, len(lines)) if definition.match(lines[i]))
  return f"tinygrad/{file.relative_to(PACKAGE).as_posix()}", at + 1


def github(path: str, line: int) -> str:
  pinned = line + sum(shift for after, shift in SHIFTS.get(path, ()) if after < line)
  return f"https://github.com/tinygrad/tinygrad/blob/{COMMIT}/{path}#L{pinned}"


def source_table(*named) -> str:
  """A Markdown table: what, file:line in tinygrad 0.14.0, link. Each item is an object, a (label, object)
  pair, or a (name, module) pair for names a decorator hides, e.g. ("graph_rewrite", tinygrad.uop.ops)."""
  rows = ["| definition | in tinygrad 0.14.0 | on GitHub |", "| --- | --- | --- |"]
  for item in named:
    if isinstance(item, tuple) and inspect.ismodule(item[1]): label, (path, line) = item[0], find(item[1], item[0])
    else:
      label, obj = item if isinstance(item, tuple) else (item.__qualname__, item)
      path, line = locate(obj)
    url = github(path, line)
    rows.append(f"| `{label}` | `{path}:{line}` | [`{path.split('/')[-1]}#{url.rsplit('#', 1)[1]}`]({url}) |")   # code: __init__ is not bold
  return "\n".join(rows)
# --8<-- [end:links]

# --8<-- [start:stable]
_SLOT = re.compile(r"ParamArg\((-?\d+),")


def stable(u) -> str:
  """`str(u)` with the BUFFER numbers (ParamArg slots) renumbered 0, 1, ... in order of appearance."""
  seen: dict[str, int] = {}
  return _SLOT.sub(lambda m: f"ParamArg({seen.setdefault(m[1], len(seen))},", str(u))
# --8<-- [end:stable]


if __name__ == "__main__":
  from tinygrad import Tensor
  from tinygrad.uop import ops
  table = source_table(Tensor.realize, ("Tensor.sum", Tensor.sum), ops.UOp, ("graph_rewrite", ops))
  print(table)
  assert "`tinygrad/tensor.py:" in table and "`tinygrad/uop/ops.py:" in table
  print(stable((Tensor([1.0, 2.0]) + Tensor.ones(2)).uop))
  assert "ParamArg(0," in stable(Tensor([1.0, 2.0]).uop)
  path, line = find(ops, "graph_rewrite")
  assert pathlib.Path(PACKAGE.parent, path).read_text().split("\n")[line - 1].startswith("def graph_rewrite(")
