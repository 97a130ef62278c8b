"""Profile a tinygrad workload per kernel, rank its bottlenecks, and compare two profiles with a noise-aware verdict.

`profile(workload)` builds the workload's tensors `warmup + repeats` times. Each run schedules them
(`Tensor.schedule_linear`), compiles the schedule (`tinygrad.engine.realize.compile_linear`; compiled programs
are cached, so only the warm-up pays for compiling) and executes the calls one by one, waiting for each, the
way `run_linear` does at DEBUG=2. Per call it records the time the runtime reports (the wall time around the
call for copies), and tinygrad's own estimates of the work: FLOPs and bytes moved (`Estimates` from the
compiled program, the numbers DEBUG=2 divides by the time to print GFLOPS and GB/s).

Memory is read from tinygrad's own count of allocated bytes, `GlobalCounters.mem_used`, which `Buffer.allocate`
and `Buffer.deallocate` keep (tinygrad/device.py). Buffers are allocated lazily, when the first call that uses
them runs, so the count before and after each call gives the bytes that call allocated (`KernelStat.alloc_bytes`),
and the largest count above the run's start is the run's peak (`Profile.peak_bytes`). With the memory planner
on (the default; `NO_MEMORY_PLANNER=1` turns it off) a schedule's internal buffers share one arena, allocated
whole at the first call that uses any of them. Memory, unlike time, is the same on every run of a workload.

Times depend on the host, its load and its clock: a profile is for comparing runs on one machine, never
for asserting. `compare(before, after)` therefore decides from medians and interquartile ranges of the
repeats, with a stated threshold (default 10 %):

- "slower": the median grew by more than the threshold and every middle half of `after` lies above the
  middle half of `before` (after's 25th percentile > before's 75th),
- "faster": the mirror image,
- "same": the medians differ by less than the threshold,
- "noisy": the medians differ by more than the threshold but the spreads overlap: repeat with more runs.
"""
from __future__ import annotations

import dataclasses
import gc
import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from tinygrad import Tensor

from tgkit.errors import UsageError

SCHEMA = "tgkit.profile/1"
VERDICTS = ("slower", "faster", "same", "noisy")
MIN_REPEATS = 3          # fewer repeats give no quartiles worth trusting: the verdict is "noisy"
HOST_NOTE = "times are host-dependent: compare profiles taken on the same machine"


@dataclasses.dataclass
class KernelStat:
  """One kernel (or copy) of the workload, aggregated over the calls of one run and over the repeats."""
  name: str
  kind: str              # "kernel" | "copy" | "other"
  calls: int             # calls per run
  times: list[float]     # seconds per run (all calls of this name), one per repeat
  flops: int             # per run, tinygrad's estimate
  bytes: int             # memory moved per run (each buffer byte counted once per call)
  alloc_bytes: int = 0   # bytes tinygrad allocated while this kernel's calls ran (per run)
  median_s: float = dataclasses.field(init=False)   # derived: median of `times`, FLOPs and bytes per median second
  gflops: float = dataclasses.field(init=False)
  gbs: float = dataclasses.field(init=False)

  def __post_init__(self): self.update()

  def update(self) -> None:
    """Recompute the derived fields from `times`, `flops` and `bytes`."""
    self.median_s = statistics.median(self.times) if self.times else 0.0
    self.gflops = self.flops / self.median_s / 1e9 if self.median_s > 0 else 0.0
    self.gbs = self.bytes / self.median_s / 1e9 if self.median_s > 0 else 0.0


@dataclasses.dataclass
class Profile:
  """Per-kernel times of `repeats` runs of a workload. JSON via `save`/`load`."""
  label: str
  device: str
  repeats: int
  warmup: int
  kernels: list[KernelStat]
  totals: list[float]    # seconds per run: the sum of the kernel and copy times
  walls: list[float]     # seconds per run including scheduling and Python overhead
  host: str = dataclasses.field(default_factory=platform.platform)
  note: str = HOST_NOTE
  peak_bytes: int = 0    # the most bytes tinygrad had allocated above the run's start, at any point of a run
  memory_planner: bool = True   # False when the profile was taken under NO_MEMORY_PLANNER=1
  median_s: float = dataclasses.field(init=False)    # derived: median of `totals`
  kernel_count: int = dataclasses.field(init=False)  # derived: kernel calls per run (copies not counted)

  def __post_init__(self):
    self.median_s = statistics.median(self.totals) if self.totals else 0.0
    self.kernel_count = sum(k.calls for k in self.kernels if k.kind == "kernel")

  def kernel(self, name: str) -> KernelStat:
    """The stats of the kernel called `name`.

    Raises:
      UsageError: no kernel of that name.
    """
    for k in self.kernels:
      if k.name == name: return k
    raise UsageError.unknown("kernel", name, [k.name for k in self.kernels])


# ---------------------------------------------------------------- measuring

def _outputs(workload: Callable) -> list[Tensor]:
  out = workload()
  outs = list(out) if isinstance(out, (tuple, list)) else [out]
  if not outs or not all(isinstance(t, Tensor) for t in outs):
    raise UsageError("a workload is a zero-argument function returning a Tensor or a list of Tensors")
  return outs


def _call_info(call) -> tuple[str, str, int, int]:
  """(name, kind, flops, bytes) of one compiled call of a LINEAR."""
  from tinygrad.engine.realize import estimate_uop
  from tinygrad.helpers import ansistrip
  from tinygrad.uop.ops import Ops
  ast, est = call.src[0], estimate_uop(call)
  if ast.op is Ops.PROGRAM: return ansistrip(ast.arg.name), "kernel", int(est.ops), int(est.mem)
  if ast.op is Ops.COPY:
    return f"copy {call.src[2].device} -> {call.src[1].device}", "copy", 0, int(est.mem)
  return ast.op.name, "other", int(est.ops), int(est.mem)


@dataclasses.dataclass
class Run:
  """One run of a workload: every call with its time and the bytes it allocated, and the run's peak memory."""
  calls: list[tuple[str, str, int, int, float, int]]   # (name, kind, flops, bytes, seconds, bytes allocated) per call
  wall: float            # seconds of the whole run
  peak_bytes: int        # the most bytes allocated above the run's start


def run_memory(workload: Callable) -> Run:
  """Build, schedule, compile and run the workload once, timing every call and counting the bytes it allocates.

  The garbage collector is paused for the run, so the count moves only by what the run itself allocates.
  """
  from tinygrad.engine.realize import ExecContext, compile_linear, pm_exec
  from tinygrad.helpers import GlobalCounters
  enabled = gc.isenabled()
  gc.disable()
  try:
    st, start = time.perf_counter(), GlobalCounters.mem_used
    todo = [t for t in _outputs(workload) if not t.uop.is_virtual and not t.uop.has_buffer_identity()]
    calls, peak = [], 0
    if todo:
      linear = compile_linear(Tensor.schedule_linear(*todo))
      ctx = ExecContext(wait=True)
      peak = GlobalCounters.mem_used - start
      for call in linear.src:
        before, t0 = GlobalCounters.mem_used, time.perf_counter()
        ets = pm_exec.rewrite(call, ctx)
        wall = time.perf_counter() - t0
        reported = [e for e in (ets or []) if e is not None]
        calls.append((*_call_info(call), float(sum(reported)) if reported else wall, GlobalCounters.mem_used - before))
        peak = max(peak, GlobalCounters.mem_used - start)
    return Run(calls, time.perf_counter() - st, max(peak, 0))
  finally:
    if enabled: gc.enable()


def run_once(workload: Callable) -> tuple[list[tuple[str, str, int, int, float]], float]:
  """Build, schedule, compile and run the workload once, timing every call.

  Returns:
    ([(name, kind, flops, bytes, seconds) per call in schedule order], wall seconds of the whole run).
    `run_memory` gives the same with the bytes each call allocated and the run's peak.
  """
  run = run_memory(workload)
  return [c[:5] for c in run.calls], run.wall


def check_runs(repeats: int, warmup: int) -> None:
  """Raise UsageError unless repeats >= 1 and warmup >= 0 (the timed and untimed runs of a measurement)."""
  if repeats < 1 or warmup < 0: raise UsageError(f"repeats must be >= 1 and warmup >= 0, got repeats={repeats} warmup={warmup}")


def profile(workload: Callable, repeats: int = 5, warmup: int = 1, label: str = "") -> Profile:
  """Run a workload `warmup + repeats` times and aggregate the timed runs per kernel.

  Args:
    workload: a zero-argument function that builds the Tensor(s) to compute (fresh each call; inputs it reads
      may be realized once outside).
    repeats: timed runs (at least 1; `compare` wants 3 or more).
    warmup: untimed runs first (they pay for compiling).
    label: a name for the profile (shown in reports).

  Returns:
    A Profile; kernels are ordered by their first appearance in the schedule. Its `peak_bytes` and each kernel's
    `alloc_bytes` count what tinygrad allocated (`GlobalCounters.mem_used`), under the memory planner setting in force.

  Raises:
    UsageError: repeats < 1, warmup < 0, or a workload that does not return Tensors.
  """
  check_runs(repeats, warmup)
  from tinygrad import Device
  from tinygrad.helpers import NO_MEMORY_PLANNER
  for _ in range(warmup): run_memory(workload)
  runs = [run_memory(workload) for _ in range(repeats)]
  stats: dict[str, KernelStat] = {}
  for r, run in enumerate(runs):
    for name, kind, flops, nbytes, sec, alloc in run.calls:
      k = stats.setdefault(name, KernelStat(name, kind, 0, [0.0] * repeats, 0, 0))
      k.times[r] += sec
      if r == 0: k.calls, k.flops, k.bytes, k.alloc_bytes = k.calls + 1, k.flops + flops, k.bytes + nbytes, k.alloc_bytes + alloc
  for k in stats.values(): k.update()
  totals = [sum(c[4] for c in run.calls) for run in runs]
  outs = _outputs(workload)
  device = str(outs[0].device) if outs[0].device is not None else Device.DEFAULT
  return Profile(label, device, repeats, warmup, list(stats.values()), totals, [run.wall for run in runs],
                 peak_bytes=max(run.peak_bytes for run in runs), memory_planner=not NO_MEMORY_PLANNER)


def from_samples(samples: dict[str, list[float]], label: str = "", flops: dict[str, int] | None = None,
                 nbytes: dict[str, int] | None = None, device: str = "") -> Profile:
  """A Profile from times measured elsewhere (seconds per repeat for each kernel name).

  Args:
    samples: kernel name -> one time per repeat (all lists of equal length).
    label, device: shown in reports.
    flops, nbytes: per-kernel work estimates (default 0).

  Raises:
    UsageError: lists of different lengths or no samples.
  """
  lengths = {len(v) for v in samples.values()}
  if len(lengths) != 1 or 0 in lengths:
    raise UsageError(f"samples need one non-empty time list per kernel, all equally long; got lengths {sorted(lengths)}")
  n = lengths.pop()
  kernels = [KernelStat(k, "kernel", 1, [float(x) for x in v], (flops or {}).get(k, 0), (nbytes or {}).get(k, 0)) for k, v in samples.items()]
  totals = [sum(k.times[i] for k in kernels) for i in range(n)]
  return Profile(label, device, n, 0, kernels, totals, list(totals))


# ---------------------------------------------------------------- analysis

@dataclasses.dataclass
class Bottleneck:
  rank: int
  name: str
  kind: str
  share: float           # of the run's median total time
  median_s: float
  calls: int
  gflops: float
  gbs: float
  intensity: float       # FLOPs per byte moved: low means memory-bound


def bottlenecks(prof: Profile, top: int = 5) -> list[Bottleneck]:
  """The `top` kernels by median time, with their share of the run's total."""
  total = sum(k.median_s for k in prof.kernels) or 1.0
  ranked = sorted(prof.kernels, key=lambda k: (-k.median_s, k.name))[:top]
  return [Bottleneck(i + 1, k.name, k.kind, k.median_s / total, k.median_s, k.calls, k.gflops, k.gbs,
                     k.flops / k.bytes if k.bytes else 0.0) for i, k in enumerate(ranked)]


@dataclasses.dataclass
class Delta:
  """One kernel (or the total) before and after."""
  name: str
  before_s: float        # medians
  after_s: float
  change: float          # after / before - 1
  before_iqr: list[float]  # [25th, 75th] percentile
  after_iqr: list[float]
  verdict: str


@dataclasses.dataclass
class Comparison:
  threshold: float
  rule: str
  total: Delta
  kernels: list[Delta]   # kernels present in both, in `after`'s order
  added: list[str]       # kernels only in `after`
  removed: list[str]     # kernels only in `before`
  note: str = HOST_NOTE
  peak_bytes: list[int] = dataclasses.field(default_factory=list)   # [before, after]: the peak memory of each (not timed: no noise)

  @property
  def verdict(self) -> str: return self.total.verdict


def quartiles(xs: list[float]) -> tuple[float, float]:
  """25th and 75th percentile (inclusive method; a single value is its own quartiles)."""
  if len(xs) < 2: return (xs[0], xs[0]) if xs else (0.0, 0.0)
  q = statistics.quantiles(xs, n=4, method="inclusive")
  return q[0], q[2]


def verdict(before: list[float], after: list[float], threshold: float = 0.10) -> str:
  """"slower", "faster", "same" or "noisy" for two samples of times (see the module docstring)."""
  if not before or not after: return "noisy"
  mb, ma = statistics.median(before), statistics.median(after)
  change = ma / mb - 1 if mb > 0 else (0.0 if ma == 0 else float("inf"))
  if abs(change) <= threshold: return "same"
  if min(len(before), len(after)) < MIN_REPEATS: return "noisy"
  (b25, b75), (a25, a75) = quartiles(before), quartiles(after)
  if change > 0 and a25 > b75: return "slower"
  if change < 0 and a75 < b25: return "faster"
  return "noisy"


def _delta(name: str, before: list[float], after: list[float], threshold: float) -> Delta:
  mb, ma = statistics.median(before), statistics.median(after)
  change = ma / mb - 1 if mb > 0 else 0.0
  return Delta(name, mb, ma, change, list(quartiles(before)), list(quartiles(after)), verdict(before, after, threshold))


def compare(before: Profile, after: Profile, threshold: float = 0.10) -> Comparison:
  """Compare two profiles of the same workload (e.g. before and after a change) with a noise-aware verdict.

  Args:
    before: the profile taken before the change, ideally with >= 3 repeats.
    after: the profile taken after it, with as many repeats.
    threshold: the smallest relative change of the median that counts (0.10 = 10 %).

  Returns:
    A Comparison: a verdict for the total and per shared kernel, plus kernels added and removed.

  Raises:
    UsageError: a threshold outside (0, 10).
  """
  if not 0 < threshold < 10: raise UsageError(f"threshold must be a fraction such as 0.10, got {threshold}")
  rule = (f"slower/faster: the median changed by more than {threshold:.0%} and the interquartile ranges do not overlap; "
          f"same: the median changed by at most {threshold:.0%}; noisy: a larger change but overlapping ranges "
          f"(or fewer than {MIN_REPEATS} repeats)")
  b = {k.name: k for k in before.kernels}
  a = {k.name: k for k in after.kernels}
  kernels = [_delta(n, b[n].times, a[n].times, threshold) for n in a if n in b]
  return Comparison(threshold, rule, _delta("total", before.totals, after.totals, threshold), kernels,
                    [n for n in a if n not in b], [n for n in b if n not in a], peak_bytes=[before.peak_bytes, after.peak_bytes])


# ---------------------------------------------------------------- JSON

def to_dict(prof: Profile) -> dict:
  """The profile as a JSON-ready dict, with the schema name (derived medians, GFLOP/s and GB/s included)."""
  return {"schema": SCHEMA, **dataclasses.asdict(prof)}


def save(prof: Profile, path: str | Path) -> Path:
  """Write the profile as JSON; returns the path."""
  p = Path(path)
  p.write_text(json.dumps(to_dict(prof), indent=1) + "\n")
  return p


def _init_fields(cls, skip=()) -> tuple[list[str], list[str]]:
  """(required, optional) constructor fields: an optional one may be missing from a profile saved by an older tgkit."""
  fs = [f for f in dataclasses.fields(cls) if f.init and f.name not in skip]
  has_default = [f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING for f in fs]
  return [f.name for f, d in zip(fs, has_default) if not d], [f.name for f, d in zip(fs, has_default) if d]


_KERNEL_FIELDS, _KERNEL_OPTIONAL = _init_fields(KernelStat)
_PROFILE_FIELDS, _PROFILE_OPTIONAL = _init_fields(Profile, skip=("kernels",))


def _pick(d: dict, required: list[str], optional: list[str]) -> dict:
  return {**{f: d[f] for f in required}, **{f: d[f] for f in optional if f in d}}


def from_dict(d: dict) -> Profile:
  """Rebuild a Profile from `to_dict` output (a profile saved before memory was recorded loads with zero bytes).

  Raises:
    UsageError: not a tgkit profile, or fields missing.
  """
  if not isinstance(d, dict) or d.get("schema") != SCHEMA: raise UsageError(f"not a tgkit profile (expected \"schema\": \"{SCHEMA}\")")
  try:
    kernels = [KernelStat(**_pick(k, _KERNEL_FIELDS, _KERNEL_OPTIONAL)) for k in d["kernels"]]
    return Profile(kernels=kernels, **_pick(d, _PROFILE_FIELDS, _PROFILE_OPTIONAL))
  except (KeyError, TypeError) as e:
    raise UsageError(f"malformed tgkit profile: missing or bad field {e}") from e


def load(path: str | Path) -> Profile:
  """Read a profile written by `save`.

  Raises:
    UsageError: the file is missing, is not JSON, or is not a tgkit profile.
  """
  p = Path(path)
  try: data = json.loads(p.read_text())
  except FileNotFoundError as e: raise UsageError(f"no such profile file: {p}") from e
  except json.JSONDecodeError as e: raise UsageError(f"{p} is not JSON: {e.msg} at line {e.lineno}") from e
  return from_dict(data)


# ---------------------------------------------------------------- renderers

def _ms(s: float) -> str: return f"{s * 1e3:.3f} ms"


def size_str(n: int) -> str:
  """Bytes in binary units: 512 B, 16.0 KiB, 1.50 MiB, 2.00 GiB."""
  if abs(n) < 1024: return f"{n} B"
  for unit, scale, digits in (("KiB", 1 << 10, 1), ("MiB", 1 << 20, 2), ("GiB", 1 << 30, 2)):
    if abs(n) < scale << 10 or unit == "GiB": return f"{n / scale:.{digits}f} {unit}"
  return f"{n} B"


def memory_line(prof: Profile) -> str:
  """One line: the run's peak memory and whether the memory planner was on."""
  return (f"memory: peak {size_str(prof.peak_bytes)} allocated above what was live before the run "
          f"(memory planner {'on' if prof.memory_planner else 'off: NO_MEMORY_PLANNER=1'})")


def render_text(prof: Profile, top: int = 5) -> str:
  """A plain-text table of every kernel and the top bottlenecks (timings are host-dependent)."""
  lines = [f"profile {prof.label or '(unnamed)'} on {prof.device}: {prof.repeats} runs after {prof.warmup} warm-up, "
           f"{prof.kernel_count} kernels per run, median {_ms(prof.median_s)} ({HOST_NOTE})", memory_line(prof), "",
           f"{'name':32s} {'calls':>5s} {'median':>11s} {'MFLOP':>9s} {'MB':>9s} {'GFLOP/s':>8s} {'GB/s':>7s} {'allocated':>10s}"]
  for k in prof.kernels:
    lines.append(f"{k.name:32s} {k.calls:5d} {_ms(k.median_s):>11s} {k.flops / 1e6:9.3f} {k.bytes / 1e6:9.3f} {k.gflops:8.2f} {k.gbs:7.2f} "
                 f"{size_str(k.alloc_bytes):>10s}")
  lines += ["", "bottlenecks:"]
  for b in bottlenecks(prof, top):
    lines.append(f"  {b.rank}. {b.name} {b.share:.0%} of the time, {b.intensity:.2f} FLOP/byte")
  return "\n".join(lines)


def render_comparison(c: Comparison) -> str:
  """Plain text: the overall verdict, then each kernel's change and verdict, then added and removed kernels."""
  t = c.total
  lines = [f"verdict: {t.verdict} (total median {_ms(t.before_s)} -> {_ms(t.after_s)}, {t.change:+.1%}; threshold {c.threshold:.0%})",
           f"rule: {c.rule}", c.note, ""]
  for d in c.kernels:
    lines.append(f"  {d.name:32s} {_ms(d.before_s):>11s} -> {_ms(d.after_s):>11s} {d.change:+7.1%}  {d.verdict}")
  if c.added: lines.append("  added: " + ", ".join(c.added))
  if c.removed: lines.append("  removed: " + ", ".join(c.removed))
  if len(c.peak_bytes) == 2 and any(c.peak_bytes):
    b, a = c.peak_bytes
    lines.append(f"peak memory: {size_str(b)} -> {size_str(a)} ({a - b:+d} bytes)")
  return "\n".join(lines)
