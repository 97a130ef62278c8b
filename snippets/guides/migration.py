"""Concepts and paths of older tinygrad guides, checked against the installed tinygrad: old absent, new present."""
# --8<-- [start:checks]
import dataclasses
import importlib
import inspect
import os
import pathlib
import subprocess
import sys

import tinygrad
from handbook.env import ROOT

PACKAGE = pathlib.Path(tinygrad.__file__).parent.parent        # site-packages: holds tinygrad/
REPO_FILES = ROOT / "data" / "tinygrad-repo-files.txt"          # tinygrad's repository at the pinned commit
REPO = {ln for ln in REPO_FILES.read_text().splitlines() if ln and not ln.startswith("#")}


def exists(check: str) -> bool:
  """Whether one name exists in the pinned tinygrad. `check` is `kind:name`:
  path (a file or folder of the installed package), repo (a file of tinygrad's repository),
  module (importable), attr (`module:Obj.attr`), params (`module:func(a,b)`: exactly these parameters),
  kwarg (`Tensor:name` accepted by Tensor()), env (`NAME=value` accepted by a fresh process that opens the default device)."""
  kind, name = check.split(":", 1)
  if kind == "path": return (PACKAGE / name).exists()
  if kind == "repo": return name in REPO or any(f.startswith(name.rstrip("/") + "/") for f in REPO)
  if kind == "module":
    try: importlib.import_module(name); return True
    except ModuleNotFoundError: return False
  if kind == "attr":
    module, attrs = name.split(":")
    try: obj = importlib.import_module(module)
    except ModuleNotFoundError: return False
    for a in attrs.split("."):
      if not hasattr(obj, a): return False
      obj = getattr(obj, a)
    return True
  if kind == "params":
    target, params = name.rstrip(")").split("(")
    if not exists(f"attr:{target}"): return False
    module, attrs = target.split(":")
    fn = importlib.import_module(module)
    for a in attrs.split("."): fn = getattr(fn, a)
    return list(inspect.signature(fn).parameters) == [p for p in params.split(",") if p]
  if kind == "kwarg": return name.split(":")[1] in inspect.signature(tinygrad.Tensor.__init__).parameters
  if kind == "env":
    key, value = name.split("=")
    env = {k: v for k, v in os.environ.items() if k != "DEV"} | {key: value}
    code = "from tinygrad import Tensor; Tensor([1.0]).realize()"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 and "deprecated" not in proc.stderr: raise RuntimeError(f"{name}: {proc.stderr.strip().splitlines()[-1]}")
    return proc.returncode == 0   # False: tinygrad rejects the setting as deprecated
  raise ValueError(f"unknown check kind {kind!r}; choose from: attr, env, kwarg, module, params, path, repo")


@dataclasses.dataclass
class Row:
  old: str                 # what older guides say
  new: str                 # what 0.14.0 has instead
  gone: list[str]          # checks that must all be absent
  there: list[str]         # checks that must all be present
  stale: list[str] = dataclasses.field(default_factory=list)  # words no other page may use


ROWS = [
  Row("`tinygrad/shape/`, `ShapeTracker`, `View`",
      "movement UOps (`Ops.RESHAPE`, `Ops.PERMUTE`, ...) indexed by rangeify: `tinygrad/schedule/rangeify.py`, `tinygrad/schedule/indexing.py`",
      ["path:tinygrad/shape", "module:tinygrad.shape.shapetracker"],
      ["path:tinygrad/schedule/rangeify.py", "path:tinygrad/schedule/indexing.py", "attr:tinygrad.uop:Ops.RESHAPE"],
      ["ShapeTracker", "tinygrad/shape/"]),
  Row("`LazyBuffer`, `Tensor.lazydata`", "`Tensor.uop`, a `UOp`", ["attr:tinygrad.tensor:Tensor.lazydata", "attr:tinygrad.tensor:LazyBuffer"],
      ["attr:tinygrad.tensor:Tensor.uop", "attr:tinygrad.uop.ops:UOp"], ["LazyBuffer", "lazydata"]),
  Row("`create_schedule(outs)` in `tinygrad/engine/schedule.py`, `Tensor.schedule()`",
      "`Tensor.schedule_linear()`: a `LINEAR` UOp of `CALL`s; the scheduler lives in `tinygrad/schedule/__init__.py`, whose "
      "`create_schedule(sched_sink)` is internal: it orders the kernels of the kernel graph that `get_kernel_graph` builds",
      ["path:tinygrad/engine/schedule.py", "attr:tinygrad.tensor:Tensor.schedule", "params:tinygrad.schedule:create_schedule(outs)"],
      ["attr:tinygrad.tensor:Tensor.schedule_linear", "path:tinygrad/schedule/__init__.py", "attr:tinygrad.uop:Ops.LINEAR",
       "params:tinygrad.schedule:create_schedule(sched_sink)", "attr:tinygrad.schedule.rangeify:get_kernel_graph"],
      ["tinygrad/engine/schedule.py", "Tensor.schedule()"]),
  Row("`ScheduleItem`, `ExecItem`, `run_schedule`, `lower_schedule`", "`CALL` UOps in the `LINEAR`, run by `tinygrad.engine.realize.run_linear`",
      [f"attr:tinygrad.engine.realize:{name}" for name in ("ExecItem", "run_schedule", "lower_schedule", "ScheduleItem")],
      ["attr:tinygrad.engine.realize:run_linear", "attr:tinygrad.uop:Ops.CALL"], ["ScheduleItem", "ExecItem", "run_schedule", "lower_schedule"]),
  Row("`get_program(ast, renderer)`, `Kernel`, `Linearizer`",
      "`tinygrad.codegen.to_program(ast, renderer)`: a `PROGRAM` UOp; optimisations in `tinygrad/codegen/opt/`",
      ["attr:tinygrad.codegen:get_program", "attr:tinygrad.engine.realize:get_program", "path:tinygrad/codegen/kernel.py"],
      ["attr:tinygrad.codegen:to_program", "path:tinygrad/codegen/opt/postrange.py", "attr:tinygrad.uop:Ops.PROGRAM"], ["get_program", "Linearizer"]),
  Row("`tinygrad/engine/memory.py`",
      "`tinygrad/schedule/memory.py`", ["path:tinygrad/engine/memory.py"], ["path:tinygrad/schedule/memory.py"], ["tinygrad/engine/memory.py"]),
  Row("`tinygrad.ops`",
      "`tinygrad.uop.ops` (`UOp`), `tinygrad.uop` (`Ops`, `GroupOp`)", ["module:tinygrad.ops"],
      ["module:tinygrad.uop.ops", "attr:tinygrad.uop:GroupOp"]),
  Row("`tinygrad/runtime/ops_remote.py` (`REMOTE=1`), a device of its own",
      "no `REMOTE` device; `REMOTE=host:port` makes the AMD and NV drivers open a GPU that `extra/remote/serve.py` serves over TCP "
      "(`RemotePCIDevice` in `tinygrad/runtime/support/system.py`)",
      ["path:tinygrad/runtime/ops_remote.py"], ["attr:tinygrad.runtime.support.system:RemotePCIDevice", "repo:extra/remote/serve.py"], ["ops_remote"]),
  Row("`tinygrad/runtime/ops_clang.py`, `tinygrad/runtime/ops_llvm.py`",
      "renderers of the CPU device in `tinygrad/runtime/ops_cpu.py`: `DEV=CPU`, `DEV=CPU:LLVM`",
      ["path:tinygrad/runtime/ops_clang.py", "path:tinygrad/runtime/ops_llvm.py"], ["path:tinygrad/runtime/ops_cpu.py"], ["ops_clang", "ops_llvm"]),
  Row("`Tensor.train()`, `Tensor.training`, `Tensor.no_grad`", "`Context(TRAINING=1)` (also a decorator); no-grad mode is not needed",
      ["attr:tinygrad.tensor:Tensor.train", "attr:tinygrad.tensor:Tensor.training", "attr:tinygrad.tensor:Tensor.no_grad"],
      ["attr:tinygrad.helpers:TRAINING", "attr:tinygrad:Context"], ["Tensor.train", "Tensor.training", "Tensor.no_grad"]),
  Row("`Tensor(..., requires_grad=True)`",
      "nothing to set: `backward()` fills `.grad`; tensors an optimizer must not update are marked with `Tensor.is_param_(False)`",
      ["kwarg:Tensor:requires_grad"], ["attr:tinygrad.tensor:Tensor.is_param_", "attr:tinygrad.tensor:Tensor.gradient"], ["requires_grad"]),
  Row("`tinygrad.device.is_dtype_supported(dtype)`", "`Device[name].renderer.supported_dtypes()`",
      ["attr:tinygrad.device:is_dtype_supported"], ["attr:tinygrad.renderer:Renderer.supported_dtypes"], ["is_dtype_supported"]),
  Row("`CPU=1`, `PYTHON=1` device flags", "`DEV=CPU`, `DEV=CPU:LLVM`, `DEV=PYTHON`, or `Context(DEV=...)`",
      ["env:CPU=1", "env:PYTHON=1"], ["env:DEV=CPU", "attr:tinygrad.helpers:DEV"], ["CPU=1", "PYTHON=1"]),
  Row("`Tensor.kernelize()`", "`Tensor.realize()` or `Tensor.schedule_linear()`", ["attr:tinygrad.tensor:Tensor.kernelize"],
      ["attr:tinygrad.tensor:Tensor.realize"], ["kernelize"]),
  Row("`setup.py`", "`pyproject.toml`", ["repo:setup.py"], ["repo:pyproject.toml"]),
  Row("`test/test_ops.py`", "`test/backend/test_ops.py`", ["repo:test/test_ops.py"], ["repo:test/backend/test_ops.py"], ["test/test_ops.py"]),
  Row("`test/test_tensor.py`", "`test/backend/test_tensor.py`, `test/null/test_tensor.py`", ["repo:test/test_tensor.py"],
      ["repo:test/backend/test_tensor.py", "repo:test/null/test_tensor.py"], ["test/test_tensor.py"]),
  Row("`test/test_uops.py`", "`test/backend/test_uops.py`, `test/null/test_uops.py`", ["repo:test/test_uops.py"],
      ["repo:test/backend/test_uops.py", "repo:test/null/test_uops.py"], ["test/test_uops.py"]),
  Row("`test/test_nn.py`", "`test/backend/test_nn.py`", ["repo:test/test_nn.py"], ["repo:test/backend/test_nn.py"], ["test/test_nn.py"]),
  Row("`test/unit/test_device.py`",
      "`test/null/test_device.py`", ["repo:test/unit/test_device.py"], ["repo:test/null/test_device.py"], ["test/unit/test_device.py"]),
]


def check(row: Row) -> list[str]:
  """The problems with one row: old names still present, new names missing."""
  return [f"still present: {c}" for c in row.gone if exists(c)] + [f"missing: {c}" for c in row.there if not exists(c)]


def render(rows: list[Row]) -> str:
  """The migration table as Markdown, one row per concept, after checking every row."""
  out = ["| older guides | tinygrad 0.14.0 | checked |", "| --- | --- | --- |"]
  for row in rows:
    problems = check(row)
    assert not problems, f"{row.old}: {problems}"
    out.append(f"| {row.old} | {row.new} | {len(row.gone)} absent, {len(row.there)} present |")
  return "\n".join(out)
# --8<-- [end:checks]


if __name__ == "__main__":
  print(render(ROWS))
