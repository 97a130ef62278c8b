"""Benchmarks with a verdict: an op over sizes, dtypes and devices, or a model's inference, placed on a roofline.

`operation(op, sizes, dtypes, devices)` times an op of the `tgkit.ops` table (the same op and dtype names as
`tgkit ops`) at each size, dtype and device; `inference(model, x)` times a model's forward pass. Each
measurement runs the workload as `tgkit.profile` does (`run_memory`: every call of the schedule timed): one
warm-up run (it pays for compiling), then `repeats` timed runs, summarised by the median and the interquartile range (IQR) of the repeats, per run and
per kernel, with tinygrad's own estimates of the FLOPs and bytes each kernel moves.

The roofline model compares each kernel with two ceilings of the device (`Ceilings`): its peak compute
(GFLOP/s) and its memory bandwidth (GB/s). A kernel doing `I` FLOPs per byte it moves (its arithmetic
intensity) can at best reach `min(peak, I * bandwidth)` GFLOP/s. Below the ridge point `peak / bandwidth` the
bandwidth caps it: it is memory-bound; above, compute-bound. How far it is from its ceiling is the fraction of
the binding ceiling it reaches: its GB/s over the bandwidth when memory-bound, its GFLOP/s over the peak when
compute-bound (the two are the same number for a kernel that does FLOPs).

The ceilings are those tinygrad reaches on the machine, measured with the functions the host report uses
(`tgkit.hostreport.bench_matmul`: the best float32 matmul GFLOP/s of a few sizes; `bench_elementwise`: the GB/s
of `a + b`): read from a host report (`ceilings_from_report`: a committed `data/devices/*.json` or the build's
cached live report) or measured now (`measure_ceilings`). Every `Ceilings` says where it came from.

Times depend on the host, its load and its clock; so do the achieved GFLOP/s, GB/s and fractions. The
intensity, the ridge point of given ceilings and so the memory-/compute-bound verdict do not. Two devices are
called one faster than the other only when the verdict is robust (`tgkit.profile.verdict`: the medians differ
by more than the threshold and the middle halves of the repeats do not overlap).
"""
from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tgkit.errors import UsageError
from tgkit.profile import HOST_NOTE, check_runs, quartiles, verdict

SCHEMA = "tgkit.bench/1"
BOUNDS = ("memory-bound", "compute-bound")
EMULATORS = ("PYTHON",)   # devices that emulate kernels in Python: tiny sizes only
# default sizes per kind of op: elements per input, the side n of n x n matrices, the side n of an n x n image
SIZES = {"elements": (256, 4096, 65536), "matrix": (32, 64, 128), "image": (16, 32, 64)}
EMULATOR_SIZES = {"elements": (16, 64), "matrix": (4, 8), "image": (5, 8)}
# quick ceilings: matmul sizes, elementwise elements, repeats (the host report's "live" plan, smaller for the emulator)
QUICK_PLANS = {"hardware": ((64, 128, 256), 1 << 22, 3), "emulator": ((8,), 256, 3)}
MLP_WIDTHS = (64, 128, 10)


# ---------------------------------------------------------------- ceilings and the roofline

@dataclasses.dataclass
class Ceilings:
  """The measured ceilings of one device: peak compute and memory bandwidth, and where they came from."""
  device: str
  gflops: float          # peak compute: the best float32 matmul GFLOP/s measured
  gbs: float             # bandwidth: the GB/s of an elementwise a + b
  source: str            # where the numbers come from (a report file, or measured now, with the sizes)
  ridge: float = dataclasses.field(init=False)   # derived: FLOP/byte where the two roofs meet (gflops / gbs)

  def __post_init__(self):
    if not (self.gflops > 0 and self.gbs > 0): raise UsageError(f"ceilings of {self.device} must be positive, got {self.gflops} GFLOP/s, {self.gbs} GB/s")
    self.ridge = self.gflops / self.gbs

  def attainable(self, intensity: float) -> float:
    """The roof at an arithmetic intensity (FLOP/byte): min(peak GFLOP/s, intensity * bandwidth GB/s)."""
    return min(self.gflops, intensity * self.gbs)

  def line(self) -> str:
    """One line: peak, bandwidth, ridge point and source."""
    return f"{self.device}: peak {self.gflops:.4g} GFLOP/s, bandwidth {self.gbs:.4g} GB/s, ridge {self.ridge:.3g} FLOP/byte ({self.source})"


@dataclasses.dataclass
class Placement:
  """Where a kernel (or a whole run) sits on a device's roofline."""
  intensity: float       # FLOPs per byte moved (tinygrad's estimates); inf when it moves no bytes
  ridge: float           # the ceilings' ridge point (FLOP/byte)
  bound: str             # "memory-bound" (intensity below the ridge) or "compute-bound"
  attainable_gflops: float   # min(peak, intensity * bandwidth)
  achieved_gflops: float
  achieved_gbs: float
  fraction: float        # of the binding ceiling: achieved GB/s / bandwidth (memory-bound) or GFLOP/s / peak (compute-bound)


def intensity(flops: int, nbytes: int) -> float:
  """Arithmetic intensity in FLOP/byte (inf for a kernel that moves no bytes, 0 for one without FLOPs)."""
  return flops / nbytes if nbytes else (math.inf if flops else 0.0)


def bound(flops: int, nbytes: int, ceilings: Ceilings) -> str:
  """"memory-bound" when the intensity is below the ridge point of `ceilings`, else "compute-bound"."""
  return "memory-bound" if intensity(flops, nbytes) < ceilings.ridge else "compute-bound"


def place(flops: int, nbytes: int, seconds: float, ceilings: Ceilings) -> Placement:
  """Place a kernel that does `flops` and moves `nbytes` in `seconds` on the roofline of `ceilings`.

  Raises:
    UsageError: a negative count or a time that is not positive.
  """
  if flops < 0 or nbytes < 0 or not seconds > 0: raise UsageError(f"need flops >= 0, bytes >= 0 and seconds > 0, got {flops}, {nbytes}, {seconds}")
  i = intensity(flops, nbytes)
  b = bound(flops, nbytes, ceilings)
  gflops, gbs = flops / seconds / 1e9, nbytes / seconds / 1e9
  return Placement(i, ceilings.ridge, b, ceilings.attainable(i), gflops, gbs, gbs / ceilings.gbs if b == "memory-bound" else gflops / ceilings.gflops)


def _report(report: dict | str | Path) -> tuple[dict, str]:
  from tgkit import hostreport
  if isinstance(report, dict): return hostreport.validate(report, "host report"), "host report"
  return hostreport.load(report, str(report)), str(report)


def ceilings_from_report(report: dict | str | Path, device: str = "CPU", name: str = "") -> Ceilings:
  """The ceilings of one target of a host report (the JSON `scripts/device_report.py` writes, or its dict).

  Peak: the best matmul GFLOP/s of the report's sizes; bandwidth: its elementwise GB/s.

  Args:
    report: a report dict or the path of a report file (validated against the schema).
    device: the report's target, e.g. "CPU", "CPU:X86", "PYTHON".
    name: how `source` names the report (default: the path).

  Raises:
    UsageError: an invalid report, a target it does not hold, or a target without benchmarks.
  """
  rep, where = _report(report)
  name = name or where
  benched = {d["target"]: d for d in rep["devices"] if d.get("bench")}
  if device not in benched: raise UsageError.unknown(f"target with benchmarks in {name}", device, benched)
  b = benched[device]["bench"]
  mm = [m for m in b["matmul"] if m.get("gflops", 0) > 0]
  ew = b["elementwise"]
  if not mm or not ew.get("gbs", 0) > 0:
    errs = "; ".join(dict.fromkeys(x["error"] for x in [*b["matmul"], ew] if "error" in x)) or "no positive result"
    raise UsageError(f"{name}: {device} has no usable matmul and elementwise benchmarks ({errs})")
  best = max(mm, key=lambda m: m["gflops"])
  h = rep["host"]
  return Ceilings(device, best["gflops"], ew["gbs"],
                  f"{name}, {h['cpu']}, {h['cores']} cores: best float32 matmul {best['n']}x{best['n']}, a + b on {ew['n']} floats")


def measure_ceilings(device: str | None = None, plan: tuple[tuple[int, ...], int, int] | None = None) -> Ceilings:
  """Measure a device's ceilings now, with the host report's functions (`hostreport.bench_matmul`, `bench_elementwise`).

  Args:
    device: a device that runs kernels, optionally with a renderer ("CPU:LLVM"); default: tinygrad's default.
    plan: (matmul sizes, elementwise elements, repeats); default `QUICK_PLANS` (tiny sizes on an emulator).

  Raises:
    UsageError: the device does not open, or a benchmark fails on it.
  """
  from tinygrad import Context
  from tgkit import hostreport
  from tgkit.ops import _STDERR
  target = check_target(device)
  dev = target.split(":")[0]
  sizes, n, repeats = plan or QUICK_PLANS["emulator" if dev in EMULATORS else "hardware"]
  with Context(DEV=target), _STDERR:
    mm = [hostreport.bench_matmul(dev, s, repeats) for s in sizes]
    ew = hostreport.bench_elementwise(dev, n, repeats)
  errs = [x["error"] for x in [*mm, ew] if "error" in x]
  if errs: raise UsageError(f"cannot measure the ceilings of {target}: {errs[0]}")
  best = max(mm, key=lambda m: m["gflops"])
  return Ceilings(target, best["gflops"], ew["gbs"], f"measured now: best float32 matmul of {', '.join(f'{s}x{s}' for s in sizes)} "
                  f"({best['n']}x{best['n']}), a + b on {n} floats, median of {repeats} runs each")


def check_target(device: str | None) -> str:
  """A device that runs kernels here ("CPU", "CPU:LLVM", "PYTHON"): its DEV string; default: tinygrad's default.

  Raises:
    UsageError: an unknown device or renderer, one that does not open, or a compile-only NULL target (nothing runs).
  """
  from tgkit.devices import check_device, default_device
  if not device: return default_device()
  target = check_device(device)
  if target.split(":")[0] == "NULL": raise UsageError(f"{device!r} is compile-only: its kernels never run, so there is nothing to time")
  return target


# ---------------------------------------------------------------- measuring

@dataclasses.dataclass
class KernelResult:
  """One kernel call of a measurement's schedule: its work, the median and quartiles of its time, its roofline placement."""
  name: str
  index: int             # position of the call in the run's schedule (two different kernels may share a name)
  flops: int
  bytes: int
  median_s: float
  iqr: list[float]       # [25th, 75th] percentile of its seconds over the repeats
  placement: Placement | None


@dataclasses.dataclass
class Measurement:
  """One benchmarked configuration: an op at a size, dtype and device, or a model's inference at a batch size."""
  label: str
  kind: str              # "op" | "inference"
  op: str                # the op name, or the model's name
  dtype: str
  size: int              # elements, matrix or image side (see SIZES), or the batch size
  device: str
  repeats: int
  warmup: int
  times: list[float]     # seconds per timed run: the sum of its kernel times
  flops: int             # per run, tinygrad's estimates
  bytes: int
  kernels: list[KernelResult]
  placement: Placement | None   # the whole run on the roofline (None: no ceilings, or an error)
  error: str = ""        # one line when the workload failed to build, compile or run
  median_s: float = dataclasses.field(init=False)   # derived: median and quartiles of `times`
  iqr: list[float] = dataclasses.field(init=False)

  def __post_init__(self):
    self.median_s = statistics.median(self.times) if self.times else 0.0
    self.iqr = list(quartiles(self.times))

  @property
  def ok(self) -> bool: return not self.error

  @property
  def per_second(self) -> float:
    """Runs per second at the median (times `size` for inference: samples per second)."""
    return (self.size if self.kind == "inference" else 1) / self.median_s if self.median_s > 0 else 0.0


@dataclasses.dataclass
class DeviceComparison:
  """One configuration measured on several devices: which one is faster, only when that is robust."""
  label: str
  devices: list[str]     # fastest median first
  medians: list[float]
  verdict: str           # "faster": the first device is faster than every other, robustly; "same"; "noisy"
  fastest: str           # the first device when the verdict is "faster", else ""
  ratio: float           # the second median over the first


@dataclasses.dataclass
class Bench:
  """A benchmark run: its measurements, the ceilings used and the device comparisons."""
  measurements: list[Measurement]
  ceilings: list[Ceilings]
  comparisons: list[DeviceComparison]
  threshold: float = 0.10
  note: str = HOST_NOTE

  def ceiling(self, device: str) -> Ceilings | None:
    """The ceilings of `device`, if any."""
    return next((c for c in self.ceilings if c.device == device), None)


def measure(workload: Callable, label: str, *, kind: str = "op", op: str = "", dtype: str = "", size: int = 0, device: str = "",
            repeats: int = 5, warmup: int = 1, ceilings: Ceilings | None = None) -> Measurement:
  """Run a workload `warmup + repeats` times (`tgkit.profile.run_memory`: every call of the schedule timed, tinygrad's
  FLOP and byte estimates) and summarise it, each kernel call placed on `ceilings` if given.

  Kernels are kept per position in the schedule, not merged by name. A workload that raises gives a Measurement
  with `error` set (one line) and no times.

  Args:
    workload: a zero-argument function building the Tensor(s) to compute from inputs realized beforehand.
    label: a name for the measurement; kind, op, dtype, size and device describe it (device default: the
      ceilings' device, else tinygrad's default).
    repeats: timed runs.
    warmup: untimed runs first (they compile).
    ceilings: the device's `Ceilings` (None: no roofline placement).
  """
  from tgkit.ops import _STDERR, error_line
  from tgkit.profile import run_memory
  check_runs(repeats, warmup)
  if not device:
    from tinygrad import Device
    device = ceilings.device if ceilings else Device.DEFAULT
  blank = dict(kind=kind, op=op, dtype=dtype, size=size, device=device, repeats=repeats, warmup=warmup)
  def failed(why: str) -> Measurement: return Measurement(label, times=[], flops=0, bytes=0, kernels=[], placement=None, error=why, **blank)
  try:
    with _STDERR:
      for _ in range(warmup): run_memory(workload)
      runs = [run_memory(workload).calls for _ in range(repeats)]
  except UsageError: raise
  except Exception as e:  # noqa: BLE001 - the failure is the finding
    return failed(error_line(e))
  if any([c[:4] for c in r] != [c[:4] for c in runs[0]] for r in runs): return failed("the schedule changed between runs")
  idx = [i for i, c in enumerate(runs[0]) if c[1] == "kernel"]
  if not idx: return failed("runs no kernel: the result is a view of its input")
  ks = []
  for i in idx:
    name, _, flops, nbytes = runs[0][i][:4]
    ts = [r[i][4] for r in runs]
    med = statistics.median(ts)
    ks.append(KernelResult(name, i, flops, nbytes, med, list(quartiles(ts)), place(flops, nbytes, med, ceilings) if ceilings and med > 0 else None))
  m = Measurement(label, times=[sum(c[4] for c in r) for r in runs], flops=sum(k.flops for k in ks), bytes=sum(k.bytes for k in ks), kernels=ks,
                  placement=None, **blank)
  if ceilings and m.median_s > 0: m.placement = place(m.flops, m.bytes, m.median_s, ceilings)
  return m


def shapes(op: str, n: int) -> tuple[tuple[int, ...], ...]:
  """The input shapes of op `op` at size `n`: n elements per input; n x n matrices (matmul, einsum; dot: two
  vectors of n); an image of n x n pixels with the op table's channels and weights (conv); n rows (gather).

  Raises:
    UsageError: an unknown op, an invalid-call check (nothing to time) or a size below 1.
  """
  from tgkit.ops import OPS
  if op not in OPS: raise UsageError.unknown("op", op, [k for k, v in OPS.items() if v.group != "invalid"])
  spec = OPS[op]
  if spec.group == "invalid": raise UsageError(f"op {op!r} checks that an invalid call raises: there is nothing to time")
  if not isinstance(n, int) or n < 1: raise UsageError(f"sizes must be whole numbers >= 1, got {n!r}")
  if spec.group == "matmul": return ((n,), (n,)) if spec.name == "dot" else ((n, n), (n, n))
  if spec.group == "conv":
    first, *rest = spec.shapes["odd"]
    return ((*first[:2], n, n), *rest)
  if spec.group == "gather" and spec.shapes:
    first, *rest = spec.shapes["odd"]
    return ((n, *first[1:]), *((n, *s[1:]) if len(s) == len(first) else s for s in rest))
  return ((n,),) * spec.arity


def size_kind(op: str) -> str:
  """What a size means for `op`: "matrix" (matmul), "image" (conv), else "elements"."""
  from tgkit.ops import OPS
  g = OPS[op].group if op in OPS else ""
  return "matrix" if g == "matmul" and op != "dot" else "image" if g == "conv" else "elements"


def size_label(kind: str, n: int) -> str:
  """"n=4096" (elements), "64x64" (matrix), "32x32 image" (image)."""
  return f"{n}x{n}" if kind == "matrix" else f"{n}x{n} image" if kind == "image" else f"n={n}"


def default_sizes(op: str, targets: list[str]) -> tuple[int, ...]:
  """`SIZES` for the op's kind, or the tiny `EMULATOR_SIZES` when any target is an emulator (so devices line up)."""
  table = EMULATOR_SIZES if any(t.split(":")[0] in EMULATORS for t in targets) else SIZES
  return table[size_kind(op)]


def _inputs(op: str, dtype: str, n: int, device: str) -> list:
  """Deterministic inputs from the op table's gentle value domains (`tgkit.ops._array`), realized on `device`."""
  from tinygrad import Tensor
  from tgkit.ops import OPS, _array
  spec = OPS[op]
  out = []
  for i, shape in enumerate(shapes(op, n)):
    dt = (spec.slot_dtypes[i] if i < len(spec.slot_dtypes) else None) or dtype
    arr = _array.__wrapped__(dt, shape, spec.domains[i].split("+")[0], False, i)   # not cached: sizes can be large
    out.append(Tensor(arr, device=device).realize())
  return out


def _check_selection(ops_: list[str], dtypes: list[str]) -> None:
  from tgkit.ops import OPS, select
  for op in ops_: shapes(op, 1)   # an op of the table (not a group), and not an invalid-call check
  select(dtypes=dtypes)
  for op in ops_:
    bad = [d for d in dtypes if d not in OPS[op].dtypes]
    if bad: raise UsageError(f"op {op!r} has no dtype {bad[0]!r} in the op table; choose from: {', '.join(OPS[op].dtypes)}")


def _resolve_ceilings(targets: list[str], ceilings) -> dict[str, Ceilings]:
  if ceilings is None: return {}
  if isinstance(ceilings, str):
    if ceilings != "measure": raise UsageError(f"ceilings are a list of Ceilings, \"measure\" or None, not {ceilings!r}")
    return {t: measure_ceilings(t) for t in targets}
  if isinstance(ceilings, Ceilings): ceilings = [ceilings]
  return {c.device: c for c in ceilings}


def compare_devices(measurements: list[Measurement], threshold: float = 0.10) -> list[DeviceComparison]:
  """For each configuration measured on two or more devices: the fastest, when it is faster than every other robustly.

  The verdict is "faster" when `tgkit.profile.verdict(other, fastest)` says "faster" for every other device (the
  medians differ by more than `threshold` and the middle halves of the repeats do not overlap), "same" when a
  median is within the threshold, else "noisy".
  """
  groups: dict[tuple, list[Measurement]] = {}
  for m in measurements:
    if m.ok: groups.setdefault((m.kind, m.op, m.dtype, m.size), []).append(m)
  out = []
  for ms in groups.values():
    if len({m.device for m in ms}) < 2: continue
    ms = sorted(ms, key=lambda m: (m.median_s, m.device))
    votes = [verdict(m.times, ms[0].times, threshold) for m in ms[1:]]
    v = "faster" if all(x == "faster" for x in votes) else "same" if "same" in votes else "noisy"
    label = ms[0].label.rsplit(" on ", 1)[0]
    out.append(DeviceComparison(label, [m.device for m in ms], [m.median_s for m in ms], v, ms[0].device if v == "faster" else "",
                                ms[1].median_s / ms[0].median_s if ms[0].median_s > 0 else math.inf))
  return out


def operation(op: str | list[str], sizes: list[int] | None = None, dtypes: list[str] | None = None, devices: list[str] | None = None,
              repeats: int = 5, warmup: int = 1, ceilings: Any = "measure", threshold: float = 0.10,
              progress: Callable[[int, int], None] | None = None) -> Bench:
  """Benchmark an op of the op table (`tgkit.ops.OPS`) over sizes, dtypes and devices: the course's `benchmark_operation`.

  Args:
    op: an op name of `tgkit ops` (or a list of them), e.g. "add", "matmul", "relu".
    sizes: sizes to time (see `shapes`: elements, matrix side or image side); default `default_sizes`.
    dtypes: dtype names (default ["float32"]); each must be one the op table lists for the op.
    devices: devices side by side, e.g. ["CPU", "PYTHON"] (default: tinygrad's default device).
    repeats: timed runs per configuration.
    warmup: untimed runs first (they compile).
    ceilings: "measure" (measure each device's ceilings now), a list of `Ceilings` (e.g. from a host report),
      or None (no roofline placement).
    threshold: the relative difference of medians the device comparison needs.
    progress: called with (done, total) after each configuration.

  Returns:
    A Bench: one Measurement per op, dtype, size and device (in that order), the ceilings and the comparisons.

  Raises:
    UsageError: an unknown op, dtype or device, an op/dtype pair the op table does not list, bad sizes or repeats.
  """
  from tinygrad import Context
  ops_ = [op] if isinstance(op, str) else list(op)
  dts = list(dtypes or ["float32"])
  if not ops_: raise UsageError("give at least one op")
  _check_selection(ops_, dts)
  check_runs(repeats, warmup)
  if sizes is not None and not sizes: raise UsageError("give at least one size")
  for s in sizes or (): shapes(ops_[0], s)
  targets = list(dict.fromkeys(check_target(d) for d in (devices or [None])))
  ceils = _resolve_ceilings(targets, ceilings)
  todo = [(o, dt, s, t) for o in ops_ for dt in dts for s in (sizes or default_sizes(o, targets)) for t in targets]
  out = []
  for i, (o, dt, s, t) in enumerate(todo):
    dev = t.split(":")[0]
    label = f"{o} {dt} {size_label(size_kind(o), s)} on {t}"
    with Context(DEV=t):
      try: xs = _inputs(o, dt, s, dev)
      except Exception as e:  # noqa: BLE001 - e.g. a dtype the device cannot hold
        from tgkit.ops import error_line
        out.append(Measurement(label, "op", o, dt, s, t, repeats, warmup, [], 0, 0, [], None, error_line(e)))
      else:
        from tgkit.ops import OPS
        spec = OPS[o]
        kw = {"axis": 0} if spec.axis else {}
        out.append(measure(lambda spec=spec, xs=xs, kw=kw: spec.fn(*xs, **kw), label, op=o, dtype=dt, size=s, device=t, repeats=repeats,
                           warmup=warmup, ceilings=ceils.get(t)))
    if progress: progress(i + 1, len(todo))
  return Bench(out, [ceils[t] for t in targets if t in ceils], compare_devices(out, threshold), threshold)


# ---------------------------------------------------------------- inference

class MLP:
  """A small multilayer perceptron of `tinygrad.nn.Linear` layers with ReLU between them.

  The weights are drawn by numpy from `seed` (uniform in +-1/sqrt(fan_in), as `nn.Linear` draws them), so the same
  seed gives the same model and no random-number kernel has to compile; they are created on tinygrad's default device.
  """

  def __init__(self, widths: tuple[int, ...] = MLP_WIDTHS, seed: int = 0):
    import numpy as np
    from tinygrad import Tensor, nn
    if len(widths) < 2 or any(not isinstance(w, int) or w < 1 for w in widths):
      raise UsageError(f"an MLP needs two or more widths >= 1, got {list(widths)}")
    rng = np.random.default_rng(seed)
    self.widths = tuple(widths)
    self.layers = []
    for a, b in zip(widths, widths[1:]):
      layer, bound = nn.Linear(a, b), 1 / math.sqrt(a)
      layer.weight = Tensor(rng.uniform(-bound, bound, (b, a)).astype(np.float32))
      layer.bias = Tensor(rng.uniform(-bound, bound, (b,)).astype(np.float32))
      self.layers.append(layer)

  def __call__(self, x):
    for i, layer in enumerate(self.layers):
      x = layer(x)
      if i < len(self.layers) - 1: x = x.relu()
    return x

  @property
  def name(self) -> str: return "mlp " + "-".join(map(str, self.widths))


def inference(model: Callable, x, repeats: int = 5, warmup: int = 1, label: str = "", ceilings: Ceilings | None = None) -> Measurement:
  """Benchmark a model's forward pass `model(x)`: the course's `benchmark_inference`.

  The model's parameters (`tinygrad.nn.state.get_parameters`) and `x` are realized first, so the timed runs
  compute the forward pass only. The result's `size` is the batch (`x.shape[0]`), and `per_second` the samples
  per second at the median.

  Args:
    model: a callable taking a Tensor, e.g. an `MLP` or any tinygrad.nn model.
    x: the input batch, on the device to time.
    repeats: timed runs.
    warmup: untimed runs first (they compile).
    label: a name (default: the model's `name`, else its class name).
    ceilings: the device's `Ceilings` to place the kernels on the roofline (None: no placement).

  Returns:
    A Measurement of kind "inference" (its `error` set when the forward pass raises).

  Raises:
    UsageError: repeats < 1 or warmup < 0, or `x` is not a Tensor.
  """
  from tinygrad import Tensor
  from tinygrad.nn.state import get_parameters
  from tgkit.ops import dtype_name
  if not isinstance(x, Tensor): raise UsageError(f"x must be a Tensor, got {type(x).__name__}")
  check_runs(repeats, warmup)
  for p in get_parameters(model): p.realize()
  x = x.realize()
  name = label or getattr(model, "name", "") or type(model).__name__
  batch = x.shape[0] if x.ndim else 1
  dtype = dtype_name(x.dtype)
  return measure(lambda: model(x), f"{name} batch {batch} on {x.device}", kind="inference", op=name, dtype=dtype, size=batch,
                 device=str(x.device), repeats=repeats, warmup=warmup, ceilings=ceilings)


def inference_devices(widths: tuple[int, ...] = MLP_WIDTHS, batch: int = 32, devices: list[str] | None = None, repeats: int = 5,
                      warmup: int = 1, ceilings: Any = "measure", threshold: float = 0.10) -> Bench:
  """Benchmark an `MLP` of `widths` on a seeded batch of `batch` inputs on each device, side by side.

  Raises:
    UsageError: bad widths, batch, repeats or device.
  """
  import numpy as np
  from tinygrad import Context, Tensor
  if not isinstance(batch, int) or batch < 1: raise UsageError(f"the batch size must be >= 1, got {batch!r}")
  MLP(widths)   # checks the widths
  targets = list(dict.fromkeys(check_target(d) for d in (devices or [None])))
  ceils = _resolve_ceilings(targets, ceilings)
  out = []
  for t in targets:
    with Context(DEV=t):
      model = MLP(widths)
      x = Tensor(np.random.default_rng(1).standard_normal((batch, widths[0]), dtype=np.float32), device=t.split(":")[0])
      m = inference(model, x, repeats, warmup, ceilings=ceils.get(t))
      m.device, m.label = t, f"{model.name} batch {batch} on {t}"
      out.append(m)
  return Bench(out, [ceils[t] for t in targets if t in ceils], compare_devices(out, threshold), threshold)


# ---------------------------------------------------------------- a host report's own measurements

def from_report(report: dict | str | Path, device: str = "CPU", name: str = "") -> list[Measurement]:
  """The matmul and elementwise benchmarks of one target of a host report as Measurements on its own ceilings.

  The report keeps each benchmark's samples (`samples_ms`), so medians and IQRs are those it measured; FLOPs and
  bytes are the benchmarks' own counts (matmul n: 2 n^3 FLOPs, 12 n^2 bytes; a + b on n floats: n FLOPs, 12 n bytes).
  Measured once and stored, they draw the same plots on every build.

  Raises:
    UsageError: as `ceilings_from_report`.
  """
  rep, where = _report(report)
  ceil = ceilings_from_report(rep, device, name or where)
  b = next(d for d in rep["devices"] if d["target"] == device)["bench"]
  out = []
  items = [("matmul", "matrix", m, 2 * m["n"] ** 3, 12 * m["n"] ** 2) for m in b["matmul"]]
  items.append(("add", "elements", b["elementwise"], b["elementwise"]["n"], 12 * b["elementwise"]["n"]))
  for op, kind, x, flops, nbytes in items:
    label = f"{op} float32 {size_label(kind, x['n'])} on {device}"
    if "error" in x or not x.get("samples_ms"):
      out.append(Measurement(label, "op", op, "float32", x["n"], device, x["repeats"], 1, [], 0, 0, [], None, x.get("error", "no samples")))
      continue
    times = [t / 1e3 for t in x["samples_ms"]]
    m = Measurement(label, "op", op, "float32", x["n"], device, x["repeats"], 1, times, flops, nbytes, [], None)
    m.placement = place(flops, nbytes, m.median_s, ceil)
    out.append(m)
  return out


# ---------------------------------------------------------------- output

def _finite(x):
  if isinstance(x, float) and not math.isfinite(x): return None
  if isinstance(x, dict): return {k: _finite(v) for k, v in x.items()}
  if isinstance(x, list): return [_finite(v) for v in x]
  return x


def to_dict(b: Bench) -> dict:
  """The benchmark as a JSON-ready dict with the schema name (an infinite intensity becomes null)."""
  return {"schema": SCHEMA, **_finite(dataclasses.asdict(b))}


def _pct(x: float) -> str: return f"{x:.1%}" if x >= 0.01 else f"{x * 100:.2g}%"


def _g(x: float) -> str:
  """Three significant digits, no exponent: 2620, 0.0141, 0.000227."""
  if x == 0 or not math.isfinite(x): return f"{x:g}"
  return f"{x:.{max(0, 2 - math.floor(math.log10(abs(x))))}f}"


def _fi(x: float) -> str: return "inf" if math.isinf(x) else _g(x)


MASK = "<t>"


def rows(b: Bench, stable: bool = False) -> list[list[str]]:
  """One row per measurement (`COLUMNS`): label, median and IQR in ms, GFLOP/s, GB/s, FLOP/byte, bound, fraction of the ceiling.

  Args:
    stable: replace everything that depends on time (median, IQR, GFLOP/s, GB/s, fraction) with `MASK`, so the
      rows are the same on every run; the intensity and the bound stay.
  """
  out = []
  for m in b.measurements:
    if not m.ok:
      out.append([m.label, "error:", m.error[:100], "", "", "", "", ""])
      continue
    p = m.placement
    t = [_g(m.median_s * 1e3), f"{_g(m.iqr[0] * 1e3)}-{_g(m.iqr[1] * 1e3)}", _g(m.flops / m.median_s / 1e9), _g(m.bytes / m.median_s / 1e9)]
    frac = _pct(p.fraction) if p else "-"
    if stable: t, frac = [MASK] * 4, (MASK if p else "-")
    out.append([m.label, *t, _fi(intensity(m.flops, m.bytes)), p.bound if p else "-", frac])
  return out


COLUMNS = ["measurement", "median ms", "IQR ms", "GFLOP/s", "GB/s", "FLOP/byte", "bound", "of ceiling"]


def comparison_line(c: DeviceComparison, threshold: float = 0.10, stable: bool = False) -> str:
  """One line per compared configuration: the faster device (only when robust) and by how much (masked if `stable`)."""
  if c.verdict == "faster": return f"{c.label}: {c.fastest} is faster than {', '.join(c.devices[1:])} ({MASK if stable else _g(c.ratio)}x by median)"
  if c.verdict == "same": return f"{c.label}: {', '.join(c.devices)} take the same time within {threshold:.0%}"
  return f"{c.label}: no robust difference between {', '.join(c.devices)} (noisy: repeat with more runs)"


def render_text(b: Bench, stable: bool = False, kernels: bool = False) -> str:
  """Plain text: the ceilings, a table of the measurements, the device comparisons (and every kernel if `kernels`).

  Args:
    stable: mask the time-dependent numbers (see `rows`) so the text is the same on every run.
    kernels: add a line per kernel with its intensity, bound and fraction.
  """
  lines = [f"{len(b.measurements)} measurement(s), median of {b.measurements[0].repeats if b.measurements else 0} runs after "
           f"{b.measurements[0].warmup if b.measurements else 0} warm-up; {b.note}"]
  lines += ["ceilings:"] + [f"  {c.line()}" for c in b.ceilings] if b.ceilings else ["ceilings: none (no roofline placement)"]
  table = [COLUMNS] + rows(b, stable)
  widths = [max(len(r[i]) for r in table) for i in range(len(COLUMNS))]
  lines += [""] + ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in table]
  if kernels:
    lines += ["", "kernels:"]
    for m in b.measurements:
      for k in m.kernels:
        p = k.placement
        lines.append(f"  {m.label}: {k.name}, {_fi(intensity(k.flops, k.bytes))} FLOP/byte"
                     + (f", {p.bound}, {MASK if stable else _pct(p.fraction)} of its ceiling" if p else ""))
  if b.comparisons: lines += ["", "devices side by side:"] + [f"  {comparison_line(c, b.threshold, stable)}" for c in b.comparisons]
  return "\n".join(lines)


# ---------------------------------------------------------------- plots

@dataclasses.dataclass
class Point:
  """A point to draw on a roofline: an intensity and the GFLOP/s achieved there (None: drawn on the roof, hollow)."""
  label: str
  device: str
  intensity: float
  gflops: float | None


def points(measurements: list[Measurement], kernels: bool = False, achieved: bool = True) -> list[Point]:
  """Roofline points of measurements (or of their kernels); `achieved=False` leaves the times out (points on the roof)."""
  out = []
  for m in measurements:
    if not m.ok: continue
    items = [(f"{m.label.rsplit(' on ', 1)[0]}: {k.name} (call {k.index})", k.flops, k.bytes, k.median_s) for k in m.kernels] if kernels else \
            [(m.label.rsplit(" on ", 1)[0], m.flops, m.bytes, m.median_s)]
    for label, f, nb, s in items:
      i = intensity(f, nb)
      if f <= 0 or not math.isfinite(i): continue   # no FLOPs or no bytes: not on a log-log roofline
      out.append(Point(label, m.device, i, f / s / 1e9 if achieved and s > 0 else None))
  return out


def plot_roofline(ceilings: list[Ceilings], pts: list[Point], title: str = "roofline") -> str:
  """SVG: each device's roof (bandwidth slope, then peak) on log-log axes, its ridge point, and the points.

  Achieved points are filled; points without a time (`Point.gflops` None) are hollow, on the roof at their intensity.
  Deterministic: the same inputs draw the same bytes (matplotlib's SVG with a fixed hash salt and no date).
  """
  from tgkit.hostreport import _plt, _svg
  plt = _plt()
  from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
  fig, ax = plt.subplots(figsize=(9, 4.6), dpi=100)
  xs = [p.intensity for p in pts] + [c.ridge for c in ceilings]
  lo, hi = (min(xs) / 4, max(xs) * 4) if xs else (0.01, 100.0)
  grid = [lo * (hi / lo) ** (k / 200) for k in range(201)]
  colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
  devs = list(dict.fromkeys([c.device for c in ceilings] + [p.device for p in pts]))
  color = {d: colors[i % len(colors)] for i, d in enumerate(devs)}
  for c in ceilings:
    ax.plot(grid, [c.attainable(x) for x in grid], color=color[c.device], lw=2, label=f"{c.device} roof")
    ax.plot([c.ridge], [c.gflops], marker="D", color=color[c.device], ms=5)
    ax.annotate(f"ridge {c.ridge:.3g} FLOP/B", (c.ridge, c.gflops), textcoords="offset points", xytext=(6, -12), fontsize=7, color=color[c.device])
  markers = "osv^<>pPX*h"
  labels = list(dict.fromkeys(p.label for p in pts))
  for p in pts:
    c = next((c for c in ceilings if c.device == p.device), None)
    y = p.gflops if p.gflops is not None else (c.attainable(p.intensity) if c else None)
    if y is None or y <= 0: continue
    mk = markers[labels.index(p.label) % len(markers)]
    face = color[p.device] if p.gflops is not None else "none"
    ax.plot([p.intensity], [y], linestyle="none", marker=mk, ms=7, markerfacecolor=face, markeredgecolor=color[p.device],
            label=f"{p.label} ({p.device})" + ("" if p.gflops is not None else ", on the roof"))
  ax.set_xscale("log")
  ax.set_yscale("log")
  for axis in (ax.xaxis, ax.yaxis):
    axis.set_major_locator(LogLocator(subs=(1.0,)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())
  ax.set_xlabel("arithmetic intensity (FLOP per byte, tinygrad's estimates)")
  ax.set_ylabel("GFLOP/s")
  ax.set_title(title)
  ax.grid(True, which="major", alpha=0.3)
  if ax.get_legend_handles_labels()[0]: ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
  fig.tight_layout()
  return _svg(fig)


def plot_times(measurements: list[Measurement], title: str = "time against size") -> str:
  """SVG: median time against size (log-log), one line per op, dtype and device, the IQR as error bars. Deterministic."""
  from tgkit.hostreport import _plt, _svg
  plt = _plt()
  from matplotlib.ticker import FuncFormatter, NullFormatter
  fig, ax = plt.subplots(figsize=(7, 4.2), dpi=100)
  lines: dict[str, list[Measurement]] = {}
  for m in measurements:
    if m.ok and m.median_s > 0: lines.setdefault(f"{m.op} {m.dtype} ({m.device})", []).append(m)
  sizes = sorted({m.size for ms in lines.values() for m in ms})
  for name, ms in lines.items():
    ms = sorted(ms, key=lambda m: m.size)
    med = [m.median_s * 1e3 for m in ms]
    err = [[(m.median_s - m.iqr[0]) * 1e3 for m in ms], [(m.iqr[1] - m.median_s) * 1e3 for m in ms]]
    ax.errorbar([m.size for m in ms], med, yerr=err, marker="o", capsize=3, label=name)
  ax.set_xscale("log", base=2)
  ax.set_yscale("log")
  if sizes and max(sizes) <= 64 * min(sizes): ax.set_xticks(sizes, [str(s) for s in sizes])
  else: ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}" if v >= 1 else f"{v:g}"))
  ax.xaxis.set_minor_formatter(NullFormatter())
  ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
  ax.yaxis.set_minor_formatter(NullFormatter())
  kinds = sorted({size_kind(m.op) if m.kind == "op" else "batch" for ms in lines.values() for m in ms})
  ax.set_xlabel("size (" + ", ".join({"elements": "elements", "matrix": "n of n x n matrices", "image": "n of n x n images",
                                       "batch": "batch"}[k] for k in kinds) + ")")
  ax.set_ylabel("ms per run (median; bars: IQR)")
  ax.set_title(title)
  ax.grid(True, which="major", alpha=0.3)
  if lines: ax.legend(fontsize=8)
  fig.tight_layout()
  return _svg(fig)


def svg_img(svg: str, alt: str) -> str:
  """An SVG as an HTML `<img>` with the SVG inline as a data URI: a document of its own, so the ids of two plots on
  one page never clash, and `alt` describes it."""
  import base64
  import html
  return f'<img alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}">'
