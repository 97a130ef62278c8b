"""Memory of tinygrad workloads: what a model holds, what a run allocates, what the memory planner saves, and
whether a step leaks.

Every number here is tinygrad's own count of allocated bytes, `GlobalCounters.mem_used` (and its per-device
split), which `Buffer.allocate` raises and `Buffer.deallocate` lowers (tinygrad/device.py). It counts the
buffers tinygrad holds for tensors, schedules and JITs, not the process's memory: a freed buffer may stay in
the device allocator's cache for reuse (`cache_bytes`; `LRU=0` turns the cache off), and DISK buffers and
buffers on memory tinygrad did not allocate are not counted.

- `param_bytes(model)`: bytes of a model's tensors, from their shapes: nothing is allocated, so a model that does not
  fit can be refused before it exists (`check_budget`).
- `dry_run(workload)`: the peak a workload would allocate, measured on the NULL device, whose allocator
  counts every buffer and reserves no memory.
- `planner_effect(workload)`: the peak with the memory planner and under `NO_MEMORY_PLANNER=1`.
- `leak_check(step, runs)`: runs a step many times and says whether the allocated bytes plateau or grow, and
  which buffers (device, dtype, size) grow.
"""
from __future__ import annotations

import dataclasses
import gc
import importlib
import importlib.util
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tinygrad import Context, Tensor

from tgkit.errors import UsageError
from tgkit.profile import run_memory, size_str

VERDICTS = ("plateau", "grows")
MIN_RUNS = 4   # the verdict compares the second half of the runs with the first: at least two runs in each
LEAK_RULE = ("grows: the bytes allocated after the last run are more than after any run of the first half; "
             "plateau: otherwise (a one-time allocation, such as a JIT capturing its buffers on its second call, is a plateau)")


# ---------------------------------------------------------------- a model's bytes and a budget

def _tensors(obj) -> list[Tensor]:
  from tinygrad.nn.state import get_parameters
  if isinstance(obj, Tensor): return [obj]
  if isinstance(obj, (list, tuple)) and all(isinstance(t, Tensor) for t in obj): return list(obj)
  return get_parameters(obj)


def param_bytes(obj) -> int:
  """Bytes of every tensor of a model (what `get_parameters` finds: weights, biases and buffers such as BatchNorm's
  running statistics), each tensor counted once, from shapes and dtypes alone: nothing is realized or allocated.

  Args:
    obj: a model (an object whose attributes hold tensors), a Tensor, or a list of Tensors.
  """
  seen: dict[int, Tensor] = {id(t): t for t in _tensors(obj)}
  return sum(t.nbytes() for t in seen.values())


class OverBudget(UsageError):
  """A model or workload needs more bytes than the budget allows; raised before anything is allocated."""

  def __init__(self, what: str, need: int, budget: int):
    self.need, self.budget = need, budget
    super().__init__(f"{what} needs {size_str(need)} ({need} bytes), more than the budget of {size_str(budget)} ({budget} bytes); "
                     f"refused before allocating it")


def check_budget(need, budget: int, what: str = "model") -> int:
  """Refuse what does not fit a memory budget, before it is allocated.

  Args:
    need: bytes, or a model / Tensor / list of Tensors whose `param_bytes` are counted.
    budget: the most bytes allowed (> 0).
    what: how the refusal names it.

  Returns:
    The bytes needed, when they fit.

  Raises:
    OverBudget: more bytes than the budget (a UsageError: one line in the CLI).
    UsageError: a budget that is not a positive number of bytes.
  """
  if isinstance(budget, bool) or not isinstance(budget, int) or budget <= 0:
    raise UsageError(f"a budget is a positive number of bytes, got {budget!r}")
  n = need if isinstance(need, int) and not isinstance(need, bool) else param_bytes(need)
  if n > budget: raise OverBudget(what, n, budget)
  return n


def dry_run(workload: Callable, device: str = "NULL") -> int:
  """The peak bytes a workload allocates, measured on the NULL device: its allocator reserves no memory, yet every
  buffer is counted, so a workload far larger than this machine's memory can be measured.

  The workload must build all its tensors (the model too) inside the call, so that they are created on `device`.
  Kernels are compiled for the NULL renderer and never run: the values are garbage, the bytes are real.

  Returns:
    The most bytes allocated above what was live before, at any point of one run.
  """
  with Context(DEV=device): return run_memory(workload).peak_bytes


@dataclasses.dataclass
class PlannerEffect:
  """The peak memory of one run of a workload with the memory planner (the default) and without it."""
  planned: int           # peak bytes with the planner
  unplanned: int         # peak bytes under NO_MEMORY_PLANNER=1
  saved: int = dataclasses.field(init=False)    # derived: unplanned - planned

  def __post_init__(self): self.saved = self.unplanned - self.planned


def planner_effect(workload: Callable) -> PlannerEffect:
  """Run a workload with the memory planner and under `NO_MEMORY_PLANNER=1` and compare the peaks.

  The planner (`memory_plan_rewrite` in tinygrad/schedule/memory.py) packs the schedule's internal buffers, the ones
  no tensor keeps, into one arena per device, so buffers whose lifetimes do not overlap share bytes.
  Each setting runs the workload twice (the first run compiles) and keeps the second run's peak.
  """
  peaks = {}
  for off in (0, 1):
    with Context(NO_MEMORY_PLANNER=off):
      run_memory(workload)
      peaks[off] = run_memory(workload).peak_bytes
  return PlannerEffect(peaks[0], peaks[1])


# ---------------------------------------------------------------- live buffers

def _counted(buf) -> bool:
  """Whether tinygrad counts this allocated base buffer in GlobalCounters.mem_used (device.py's rule)."""
  return buf.is_allocated() and not buf.device.startswith("DISK") and (buf.options is None or buf.options.external_ptr is None)


def live_buffers() -> Counter:
  """The allocated buffers that tinygrad's UOps refer to, counted by (device, dtype name, size in elements).

  Views are counted as their base buffer, each base once.
  """
  from tinygrad.device import MultiBuffer
  from tinygrad.uop.ops import buffers
  seen, out = set(), Counter()
  for b in list(buffers.values()):
    for one in (b.bufs if isinstance(b, MultiBuffer) else [b]):
      base = one.base
      if id(base) in seen or not _counted(base): continue
      seen.add(id(base))
      out[(base.device, base.dtype.name, base.size)] += 1
      _ITEMSIZE[base.dtype.name] = base.dtype.itemsize
  return out


_ITEMSIZE: dict[str, int] = {}   # dtype name -> bytes per element, for every dtype live_buffers has seen


def _group_bytes(counts: Counter) -> int:
  return sum(n * size * _ITEMSIZE[name] for (_, name, size), n in counts.items())


def cache_bytes() -> int:
  """Bytes of freed buffers the opened devices' allocators keep for reuse (tinygrad's LRU allocator cache)."""
  from tinygrad import Device
  total = 0
  for name in sorted(Device._opened_devices):
    cache = getattr(Device[name].allocator, "cache", None)
    if cache: total += sum(size * len(opaques) for (size, _), opaques in cache.items())
  return total


# ---------------------------------------------------------------- leak check

@dataclasses.dataclass
class BufferGroup:
  """Buffers of one device, dtype and size, counted after the middle run and after the last one."""
  device: str
  dtype: str
  size: int              # elements per buffer
  nbytes: int            # bytes per buffer
  before: int            # count after the middle run
  after: int             # count after the last run
  added: int = dataclasses.field(init=False)        # derived: after - before
  added_bytes: int = dataclasses.field(init=False)

  def __post_init__(self):
    self.added = self.after - self.before
    self.added_bytes = self.added * self.nbytes


@dataclasses.dataclass
class LeakReport:
  """What `leak_check` measured: the allocated bytes after every run, the verdict, and the buffers that grew."""
  label: str
  runs: int
  warmup: int
  mem: list[int]         # bytes allocated after each measured run, above the count before the first one
  cached: list[int]      # bytes in the allocators' caches after each run (freed buffers kept for reuse)
  verdict: str           # "plateau" | "grows"
  growth: int            # bytes added over the second half of the runs
  per_run: float         # growth per run over the second half
  groups: list[BufferGroup]   # buffer kinds whose count changed over the second half, most bytes first
  untracked: int         # bytes of that growth in buffers no UOp refers to (device-internal buffers)
  rule: str = LEAK_RULE


def _realize(out) -> None:
  items = out if isinstance(out, (list, tuple)) else [out]
  todo = [t for t in items if isinstance(t, Tensor)]
  if todo: Tensor.realize(*todo)


def leak_verdict(mem: list[int]) -> str:
  """"grows" when the last value exceeds every value of the first half of `mem`, else "plateau" (see LEAK_RULE).

  Raises:
    UsageError: fewer than 4 values.
  """
  if len(mem) < MIN_RUNS: raise UsageError(f"a verdict needs at least {MIN_RUNS} runs, got {len(mem)}")
  return "grows" if mem[-1] > max(mem[:len(mem) // 2]) else "plateau"


def leak_check(step: Callable, runs: int = 20, warmup: int = 2, label: str = "") -> LeakReport:
  """Run `step` `warmup + runs` times and decide whether the bytes tinygrad has allocated plateau or grow.

  After every run the step's result (a Tensor or a list of Tensors is realized first) is dropped and the garbage
  collector runs; then `GlobalCounters.mem_used` is read. The live buffers are counted by (device, dtype, size) after
  the middle run and after the last, so the report names the kinds of buffer that grew.

  A real leak in tinygrad is a reference kept across steps: a list of realized tensors, or a lazy tensor built from
  every step's result (`total = total + loss`), whose graph keeps each step's buffer alive. A `TinyJit` holds the
  buffers of the kernels it captured, once: that is a plateau.

  Args:
    step: a zero-argument function, one step of the workload.
    runs: measured runs (at least 4: the verdict compares the halves).
    warmup: runs before measuring (a JIT captures on its second call).
    label: a name for the report.

  Raises:
    UsageError: runs < 4, warmup < 0, or a step that is not callable.
  """
  if not callable(step): raise UsageError(f"a step is a zero-argument function, got {type(step).__name__}")
  if runs < MIN_RUNS or warmup < 0: raise UsageError(f"runs must be >= {MIN_RUNS} and warmup >= 0, got runs={runs} warmup={warmup}")
  from tinygrad.helpers import GlobalCounters
  for _ in range(warmup): _realize(step())
  gc.collect(1)   # the young generations: what the warm-up left (a full collection of a large process takes long)
  gc.freeze()     # objects alive now are left out of later collections: each one scans only what the runs made
  try:
    start = GlobalCounters.mem_used
    half = runs // 2
    mem, cached, middle, middle_total = [], [], Counter(), 0
    for i in range(runs):
      _realize(step())
      gc.collect()
      mem.append(GlobalCounters.mem_used - start)
      cached.append(cache_bytes())
      if i == half - 1: middle, middle_total = live_buffers(), GlobalCounters.mem_used
    last, last_total = live_buffers(), GlobalCounters.mem_used
  finally: gc.unfreeze()
  groups = [BufferGroup(dev, name, size, size * _ITEMSIZE[name], middle[(dev, name, size)], last[(dev, name, size)])
            for dev, name, size in sorted(set(middle) | set(last)) if middle[(dev, name, size)] != last[(dev, name, size)]]
  groups.sort(key=lambda g: (-abs(g.added_bytes), g.device, g.dtype, g.size))
  growth = mem[-1] - mem[half - 1]
  tracked = _group_bytes(last) - _group_bytes(middle)
  return LeakReport(label, runs, warmup, mem, cached, leak_verdict(mem), growth, growth / (runs - half), groups,
                    (last_total - middle_total) - tracked)


def render_leak(rep: LeakReport) -> str:
  """Plain text: the verdict, the bytes after each run, the allocator caches and the buffers that grew."""
  lines = [f"leak check {rep.label or '(unnamed)'}: {rep.verdict} ({rep.runs} runs after {rep.warmup} warm-up; "
           f"{size_str(rep.growth)} over the last {rep.runs - rep.runs // 2} runs, {rep.per_run:.1f} bytes per run)",
           f"rule: {rep.rule}",
           "bytes allocated after each run: " + ", ".join(str(m) for m in rep.mem),
           f"allocator caches: {size_str(rep.cached[0])} after the first run, {size_str(rep.cached[-1])} after the last"]
  if rep.groups:
    lines.append("buffers that changed over the second half (device dtype x elements: count before -> after):")
    for g in rep.groups:
      lines.append(f"  {g.device} {g.dtype} x{g.size} ({size_str(g.nbytes)} each): {g.before} -> {g.after} ({g.added_bytes:+d} bytes)")
  else: lines.append("no buffer kind changed its count over the second half")
  if rep.untracked: lines.append(f"  and {rep.untracked:+d} bytes in buffers no UOp refers to (device-internal)")
  return "\n".join(lines)


# ---------------------------------------------------------------- loading a step for the CLI

STEP_SPEC = re.compile(r"^(?P<target>[\w./\\-]+\.py|[A-Za-z_][\w.]*):(?P<func>[A-Za-z_]\w*)$")


def load_step(spec: str) -> Callable | None:
  """The function named by `FILE.py:FUNCTION` or `MODULE:FUNCTION`, or None when `spec` has neither form.

  Raises:
    UsageError: no such file or module, the import failed, or no such function in it.
  """
  m = STEP_SPEC.match(spec.strip())
  if not m: return None
  target, func = m["target"], m["func"]
  try:
    if target.endswith(".py"):
      path = Path(target)
      if not path.is_file(): raise UsageError(f"{path}: no such file")
      mod_spec = importlib.util.spec_from_file_location(f"tgkit_step_{path.stem}", path)
      module = importlib.util.module_from_spec(mod_spec)
      sys.path.insert(0, str(path.resolve().parent))
      try: mod_spec.loader.exec_module(module)
      finally: sys.path.pop(0)
    else:
      try: module = importlib.import_module(target)
      except ModuleNotFoundError as e: raise UsageError(f"no module named {target!r}") from e
  except UsageError: raise
  except Exception as e:  # noqa: BLE001 - the user's module failed to import: one line
    raise UsageError(f"importing {target} raised {type(e).__name__}: {(str(e).strip().splitlines() or [''])[0]}") from e
  fn = getattr(module, func, None)
  if not callable(fn): raise UsageError(f"{target} has no function {func!r}")
  return fn
