"""One JSON report per host: which tinygrad devices and targets work here, what they compute and how fast.

`collect()` tries every target of this host and returns a plain dict (the JSON form, checked against
`data/devices/schema.json` by `validate`):

- host targets that run kernels: each device that opens, with each of its renderers ("CPU", "CPU:LLVM",
  "CPU:X86", a GPU device on a GPU host), and "PYTHON", tinygrad's emulator;
- compile-only targets (tinygrad's NULL device with a GPU renderer, `tgkit.devices.compile_only_targets`):
  their natively rendered dtypes and tensor cores, never run.

For a target that runs, the report holds its renderer and compiler; the dtypes it computes, found by running
`x * 2 + 1` on 8 elements per dtype (native: the renderer renders it; emulated: tinygrad lowers it to other
dtypes; failing: the computation raised or was wrong, with the reason); the op table of `tgkit.ops` (counts
per status, dtype and group, every failing case, and which subset ran); and microbenchmarks (medians of
repeats): matmul GFLOP/s at a few sizes, elementwise GB/s, kernel compile time (fresh kernels, caches off)
and the launch overhead of a tiny cached kernel. Host descriptions hold no user names, host names or paths.

    python scripts/device_report.py --out data/devices/<name>.json     # the CLI over collect() and write()

The renderers (`render_page`, `plot_gflops`, `plot_compile`) turn validated reports into the handbook's
device-capability page.
"""
from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import json
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from tgkit import __version__
from tgkit.errors import UsageError
from tgkit.ops import error_line

SCHEMA_VERSION = 1
# the repository's data/devices/schema.json; an installed tgkit carries a copy next to this module (handbook.wheel puts it there)
SCHEMA_PATH = next((p for p in (Path(__file__).resolve().parents[2] / "data" / "devices" / "schema.json",
                                Path(__file__).with_name("device-report.schema.json")) if p.is_file()), Path(__file__).with_name("device-report.schema.json"))
# committed reports: the repository's data/devices/, or the copies an installed tgkit carries in tgkit/reports/ (handbook.wheel)
REPORT_DIRS = (Path(__file__).resolve().parents[2] / "data" / "devices", Path(__file__).with_name("reports"))
MODES = ("hardware", "emulator", "compile-only")
STAGES = ("run", "compile", "render", "none")   # how far kernels get here: run, compile only, render only, nothing
MODE_WORDS = {"hardware": "real hardware", "emulator": "emulator", "compile-only": "compile-only"}


@dataclasses.dataclass(frozen=True)
class OpSubset:
  """Which part of the op table a target runs (`tgkit.ops.run` arguments)."""
  name: str
  ops: tuple[str, ...] | None    # op or group names, None: all
  kinds: tuple[str, ...] | None  # shape kinds, None: all
  grads: bool


@dataclasses.dataclass(frozen=True)
class BenchPlan:
  """Microbenchmark sizes and repeat counts for one kind of target."""
  matmul_sizes: tuple[int, ...]
  elementwise_n: int
  repeats: int
  compile_repeats: int
  launch_calls: int


# one or two ops per group at one odd 2-D shape: every group and dtype is touched in about 10 s on 2 cores
LIVE_OPS = ("neg", "exp", "sqrt", "add", "div", "lt", "sum", "max", "reshape", "pad", "matmul", "conv2d", "relu", "sigmoid", "softmax",
            "where", "gather", "cast_int32", "cast_float16", "reshape_bad_size")
SUBSETS = {"full": OpSubset("full", None, None, True), "quick": OpSubset("quick", None, ("1d", "broadcast", "odd"), True),
           "live": OpSubset("live", LIVE_OPS, ("odd",), False)}
PLANS = {"hardware": BenchPlan((64, 256, 512, 1024), 1 << 22, 5, 3, 200), "gpu": BenchPlan((256, 1024, 2048, 4096), 1 << 24, 5, 3, 200),
         "emulator": BenchPlan((8, 16), 1 << 10, 3, 3, 50), "live": BenchPlan((64, 128, 256), 1 << 20, 3, 3, 200)}
# a report's profile: the op subset and benchmark plan per kind of target ("default": the default renderer of a device)
PROFILES = {
  "full": {"default": ("full", "hardware"), "renderer": ("quick", "hardware"), "emulator": ("quick", "emulator")},
  "quick": {"default": ("quick", "hardware"), "renderer": ("quick", "hardware"), "emulator": ("quick", "emulator")},
  # the build's live report: the op table and benchmarks on the default device only, dtypes everywhere (under a minute on 2 cores)
  "live": {"default": ("live", "live"), "renderer": (None, None), "emulator": (None, None)},
}
MATMUL_SOURCE_N = 16   # the matmul whose kernel source every target renders
COMPILE_KERNELS = ("elementwise", "reduce", "matmul", "conv2d")


# ---------------------------------------------------------------- the host

def _cpu_model() -> str:
  try:
    for ln in Path("/proc/cpuinfo").read_text().splitlines():
      if ln.startswith("model name"): return ln.split(":", 1)[1].strip()
  except OSError: pass
  if platform.system() == "Darwin":
    try: return subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError): pass
  return platform.processor() or platform.machine()


def _distro() -> str:
  if platform.system() == "Darwin": return f"macOS {platform.mac_ver()[0]}"
  try: return platform.freedesktop_os_release().get("PRETTY_NAME", "")
  except OSError: return ""


def _clang() -> str:
  """The first line of `clang --version` (the compiler tinygrad's CPU device uses; CC overrides it)."""
  try: out = subprocess.run([os.environ.get("CC", "clang"), "--version"], capture_output=True, text=True, timeout=30).stdout
  except (OSError, subprocess.SubprocessError): return ""
  return out.splitlines()[0].strip() if out else ""


@functools.cache
def host() -> dict:
  """The host without opening a device: OS, distribution, CPU model, cores, Python, clang (no user, host names or paths)."""
  from tgkit.report import host_description
  d = host_description()
  return {"os": d["os"], "distro": _distro(), "machine": d["machine"], "cpu": _cpu_model(), "cores": d["cpu_count"], "python": d["python"],
          "clang": _clang()}


def source_hash() -> str:
  """sha256 of what produces a report: every tgkit module, scripts/device_report.py and the schema."""
  root = Path(__file__).resolve().parents[2]
  files = sorted(Path(__file__).parent.glob("*.py")) + [root / "scripts" / "device_report.py", SCHEMA_PATH]
  h = hashlib.sha256()
  for f in files:
    if f.exists(): h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
  return h.hexdigest()


def live_key(extra: str = "") -> str:
  """The cache key of a live report: tinygrad's version, `source_hash()`, the host and `extra` (the build environment)."""
  blob = json.dumps({"tinygrad": version("tinygrad"), "source": source_hash(), "host": host(), "extra": extra}, sort_keys=True)
  return hashlib.sha256(blob.encode()).hexdigest()[:16]


def live_path(cache_dir: str | Path, extra: str = "") -> Path:
  """Where the build keeps the live report of this host: `cache_dir/live-<live_key(extra)>.json`."""
  return Path(cache_dir) / f"live-{live_key(extra)}.json"


# ---------------------------------------------------------------- measuring one target

def _mode(device: str) -> str: return "emulator" if device == "PYTHON" else "compile-only" if device == "NULL" else "hardware"


def probe_dtypes(device: str, renderer) -> dict:
  """Run the probe for every dtype: native (the renderer renders it), emulated (tinygrad lowers it), failing (with the reason)."""
  from tgkit.devices import DTYPE_ORDER, _dtype_names
  from tgkit.ops import _STDERR, dtype_support
  claimed = _dtype_names(renderer.supported_dtypes())
  out = {"method": "run", "claimed": claimed, "native": [], "emulated": [], "failing": []}
  with _STDERR:
    for dt in DTYPE_ORDER:
      why = dtype_support(device, dt)
      if why: out["failing"].append({"dtype": dt, "reason": why})
      else: out["native" if dt in claimed else "emulated"].append(dt)
  return out


def op_table(device: str, subset: OpSubset, progress: Callable[[str], None] | None = None) -> dict:
  """Run the op table subset on `device` (under the caller's DEV context) and count the results."""
  from tgkit import ops
  last = [-1]
  def tick(done, total):
    pct = done * 10 // max(total, 1)
    if progress and pct != last[0]: progress(f"{done}/{total} cases")
    last[0] = pct
  st = time.perf_counter()
  results = ops.run(ops=list(subset.ops) if subset.ops else None, device=device, grads=subset.grads, kinds=subset.kinds, progress=tick)
  s = ops.summarize(results)
  by_dtype: dict[str, dict[str, int]] = {}
  for r in results: by_dtype.setdefault(r.dtype, dict.fromkeys(ops.STATUSES, 0))[r.status] += 1
  fails = [{"op": f["op"], "group": f["group"], "dtype": f["dtype"], "kind": f["kind"], "check": f["check"], "status": f["status"],
            "message": f["message"], "known": f["known"]} for f in s["failures"]]
  return {"subset": subset.name, "selection": {"ops": list(subset.ops) if subset.ops else None, "kinds": list(subset.kinds) if subset.kinds else None,
                                               "grads": subset.grads},
          "total": s["total"], "op_count": s["ops"], "by_status": s["by_status"], "by_dtype": by_dtype, "by_group": s["by_group"],
          "failures": fails, "seconds": round(time.perf_counter() - st, 1)}


def _ms(xs: list[float]) -> list[float]: return [round(x * 1e3, 4) for x in xs]


def _sig(x: float) -> float: return float(f"{x:.4g}")


def _kernel_ast(t):
  from tinygrad.uop.ops import Ops
  lin = t.schedule_linear()
  return next(c.src[0] for c in lin.src if c.src[0].op is Ops.SINK)


def _data(device: str, *shape: int):
  """Uniform [0, 1) float32 inputs copied from numpy: no kernel has to compile before a benchmark (rand's may not, on a broken backend)."""
  import numpy as np
  from tinygrad import Tensor
  return Tensor(np.random.default_rng(0).random(shape, dtype=np.float32), device=device).realize()


def _compile_builds(device: str) -> dict[str, tuple[str, Callable]]:
  from tinygrad import Tensor
  x, w = Tensor.empty(64, 64, device=device), Tensor.empty(4, 1, 3, 3, device=device)   # only the kernels' ASTs are needed
  return {"elementwise": ("(x * 3 + 1).relu(), x 64x64", lambda: (x * 3 + 1).relu()), "reduce": ("x.sum(axis=1), x 64x64", lambda: x.sum(1)),
          "matmul": ("x @ x, x 64x64", lambda: x @ x), "conv2d": ("conv2d 1x1x64x64 * 4x1x3x3", lambda: x.reshape(1, 1, 64, 64).conv2d(w))}


def bench_matmul(device: str, n: int, repeats: int) -> dict:
  """float32 n x n matmul: GFLOP/s from the median kernel time (2 n^3 FLOPs) over `repeats` runs after one warm-up."""
  from tgkit.profile import profile
  try:
    a, b = _data(device, n, n), _data(device, n, n)
    p = profile(lambda: a @ b, repeats=repeats, warmup=1)
    return {"n": n, "repeats": repeats, "median_ms": _sig(p.median_s * 1e3), "gflops": _sig(2 * n ** 3 / p.median_s / 1e9),
            "samples_ms": _ms(p.totals)}
  except Exception as e:  # noqa: BLE001
    return {"n": n, "repeats": repeats, "error": error_line(e)}


def bench_elementwise(device: str, n: int, repeats: int) -> dict:
  """float32 `a + b` on n elements: GB/s from the median kernel time (3 * 4 n bytes moved)."""
  from tgkit.profile import profile
  try:
    a, b = _data(device, n), _data(device, n)
    p = profile(lambda: a + b, repeats=repeats, warmup=1)
    return {"n": n, "repeats": repeats, "median_ms": _sig(p.median_s * 1e3), "gbs": _sig(12 * n / p.median_s / 1e9), "samples_ms": _ms(p.totals)}
  except Exception as e:  # noqa: BLE001
    return {"n": n, "repeats": repeats, "error": error_line(e)}


def bench_compile(device: str, renderer, kernel: str, expression: str, build: Callable, repeats: int) -> dict:
  """Lower, render and compile one kernel `repeats` times with tinygrad's program and disk caches off, and the compiler alone."""
  from tinygrad import Context
  from tinygrad.codegen import do_to_program
  from tinygrad.uop.ops import Ops
  try:
    ast, total, comp = _kernel_ast(build()), [], []
    with Context(CACHELEVEL=0):
      for _ in range(repeats):
        st = time.perf_counter()
        prg = do_to_program(ast, renderer)
        total.append(time.perf_counter() - st)
        src = next(s.arg for s in prg.src if s.op is Ops.SOURCE)
        st = time.perf_counter()
        renderer.compiler.compile(src)
        comp.append(time.perf_counter() - st)
    return {"kernel": kernel, "expression": expression, "repeats": repeats, "median_ms": _sig(statistics.median(total) * 1e3),
            "compiler_median_ms": _sig(statistics.median(comp) * 1e3), "samples_ms": _ms(total)}
  except Exception as e:  # noqa: BLE001
    return {"kernel": kernel, "expression": expression, "repeats": repeats, "error": error_line(e)}


def bench_launch(device: str, calls: int) -> dict:
  """A tiny cached kernel (4 floats + 1) called `calls` times through the runtime, waiting for each; and `(y + 1).realize()`."""
  from tinygrad.engine.realize import ExecContext, compile_linear, pm_exec
  from tinygrad.uop.ops import Ops
  try:
    y = _data(device, 4)
    call = next(c for c in compile_linear((y + 1).schedule_linear()).src if c.src[0].op is Ops.PROGRAM)
    ctx, runs, realizes = ExecContext(wait=True), [], []
    for _ in range(10): pm_exec.rewrite(call, ctx)
    for _ in range(calls):
      st = time.perf_counter()
      pm_exec.rewrite(call, ctx)
      runs.append(time.perf_counter() - st)
    for _ in range(max(calls // 10, 5)):
      st = time.perf_counter()
      (y + 1).realize()
      realizes.append(time.perf_counter() - st)
    return {"calls": calls, "median_us": _sig(statistics.median(runs) * 1e6), "realize_calls": len(realizes),
            "realize_median_us": _sig(statistics.median(realizes) * 1e6)}
  except Exception as e:  # noqa: BLE001
    return {"calls": calls, "error": error_line(e)}


def benchmarks(device: str, renderer, plan: BenchPlan, progress: Callable[[str], None] | None = None) -> dict:
  """Every microbenchmark of `plan` on `device` (under the caller's DEV context). Times depend on the host and its load."""
  from tgkit.ops import _STDERR
  say = progress or (lambda _: None)
  with _STDERR:
    say("matmul " + ", ".join(map(str, plan.matmul_sizes)))
    mm = [bench_matmul(device, n, plan.repeats) for n in plan.matmul_sizes]
    say(f"elementwise {plan.elementwise_n}")
    ew = bench_elementwise(device, plan.elementwise_n, plan.repeats)
    say("compile " + ", ".join(COMPILE_KERNELS))
    comp = [bench_compile(device, renderer, k, expr, build, plan.compile_repeats) for k, (expr, build) in _compile_builds(device).items()]
    say("launch")
    launch = bench_launch(device, plan.launch_calls)
  return {"load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
          "matmul": mm, "elementwise": ew, "compile": comp, "launch": launch}


def matmul_source(target: str) -> list[dict] | None:
  """The kernels of one small float32 matmul rendered for `target`: [{"name", "source"}], or None when it does not render."""
  from tinygrad import Tensor
  from tgkit.devices import kernel_source
  n = MATMUL_SOURCE_N
  try: return [{"name": k, "source": s} for k, s in kernel_source(lambda: Tensor.empty(n, n) @ Tensor.empty(n, n), target)]
  except Exception:  # noqa: BLE001 - a renderer that cannot render it has no source to show
    return None


def _entry(target: str, device: str, **kw) -> dict:
  return {"target": target, "device": device, "mode": _mode(device), "opened": False, "default": False, "reason": "", "renderer": None,
          "compiler": None, "stage": "none", "dtypes": None, "tensor_cores": [], "ops": None, "bench": None, "matmul_source": None, **kw}


def measure_target(target: str, default: bool, subset: OpSubset | None, plan: BenchPlan | None,
                   progress: Callable[[str], None] | None = None) -> dict:
  """Everything the report holds about one target that runs kernels here (it must open: see `plan_targets`)."""
  from tinygrad import Context, Device
  from tgkit.devices import capabilities
  device = target.split(":")[0]
  say = progress or (lambda _: None)
  caps = capabilities(target)
  with Context(DEV=target):
    r = Device[device].renderer
    e = _entry(target, device, opened=True, default=default, reason=caps.reason, renderer=type(r).__name__, compiler=type(r.compiler).__name__,
               stage="run", tensor_cores=caps.tensor_cores)
    say("dtypes")
    e["dtypes"] = probe_dtypes(device, r)
    if subset is not None:
      say(f"op table ({subset.name} subset)")
      e["ops"] = op_table(device, subset, say)
    if plan is not None: e["bench"] = benchmarks(device, r, plan, say)
  e["matmul_source"] = matmul_source(target)
  return e


def compile_only_entry(target: str) -> dict:
  """A compile-only target: its renderer's native dtypes and tensor cores, and whether it compiles or only renders here."""
  from tgkit.devices import capabilities
  c = capabilities(target)
  if not c.available: return _entry(c.target, "NULL", reason=c.reason)
  return _entry(c.target, "NULL", opened=True, reason=c.reason, renderer=c.renderer, compiler=_compiler_name(c.target), stage=c.mode,
                dtypes={"method": "renderer", "claimed": c.native_dtypes, "native": c.native_dtypes, "emulated": [], "failing": []},
                tensor_cores=c.tensor_cores, matmul_source=matmul_source(c.target))


def _compiler_name(target: str) -> str | None:
  from tgkit.devices import _resolve
  r = _resolve(target)[1]
  return None if r is None or type(r.compiler).__name__ == "_RenderOnly" else type(r.compiler).__name__


# ---------------------------------------------------------------- the whole report

@dataclasses.dataclass
class Planned:
  """One target to report on: `kind` is "default" (a device's default renderer), "renderer", "emulator", "compile-only", or
  "closed" (it does not open here; `reason` says why)."""
  target: str
  kind: str
  reason: str = ""
  renderer: str | None = None


def plan_targets(targets: list[str] | None = None) -> list[Planned]:
  """The targets to try: every device tinygrad auto-selects from with each renderer, PYTHON and the compile-only candidates;
  or exactly `targets` (DEV strings such as "CPU", "CPU:X86", "METAL", "NULL:PTX:sm_80").

  Raises:
    UsageError: an unknown device or renderer name (a known device that does not open here is a result, not an error).
  """
  from tinygrad import Device
  from tgkit.devices import COMPILE_ONLY_CANDIDATES, _canonical, discover, first_line, try_renderers
  if targets is None:
    out = []
    for d in discover():
      if not d.opened: out.append(Planned(d.name, "closed", d.reason))
      for r in d.renderers:
        tgt = d.name if r.default else f"{d.name}:{r.name}"
        if r.works: out.append(Planned(tgt, "default" if r.default else "renderer"))
        else: out.append(Planned(tgt, "closed", r.detail, _renderer_class(d.name, r.name)))
    return out + [Planned("PYTHON", "emulator")] + [Planned(t, "compile-only") for t in COMPILE_ONLY_CANDIDATES]
  out, seen, statuses = [], set(), {}
  for t in targets:
    parsed, name = _canonical(t)
    if name in seen: continue
    seen.add(name)
    if parsed.device == "NULL":
      out.append(Planned(name, "compile-only"))
      continue
    try: dev = Device[parsed.device]
    except Exception as e:  # noqa: BLE001 - it does not open: a result
      out.append(Planned(name, "closed", first_line(e)))
      continue
    names = {dev._renderer_name(r): r for r in dev.renderers}
    if parsed.renderer and parsed.renderer not in names: raise UsageError.unknown(f"renderer for {parsed.device}", parsed.renderer, names)
    rname = parsed.renderer or dev._renderer_name(type(dev.renderer))
    kind = "emulator" if parsed.device == "PYTHON" else "default" if type(dev.renderer) is names[rname] else "renderer"
    if parsed.device not in statuses: statuses[parsed.device] = try_renderers(parsed.device) if parsed.device != "PYTHON" else []
    works = next((r for r in statuses[parsed.device] if r.name == rname), None)
    out.append(Planned(name, kind) if works is None or works.works else Planned(name, "closed", works.detail, names[rname].__name__))
  return out


def _renderer_class(device: str, name: str) -> str | None:
  from tinygrad import Device
  return next((r.__name__ for r in Device[device].renderers if Device[device]._renderer_name(r) == name), None)


def _gpu(e: dict) -> str:
  """"CUDA sm_89": a GPU device that opened here, with its architecture."""
  from tinygrad import Device
  try: arch = getattr(Device[e["device"]], "arch", None) or Device[e["device"]].renderer.target.arch
  except Exception: arch = ""  # noqa: BLE001 - the name alone is still worth reporting
  return f"{e['device']} {arch}".strip()


def _closed_entry(p: Planned) -> dict: return _entry(p.target, p.target.split(":")[0], reason=p.reason, renderer=p.renderer)


def collect(targets: list[str] | None = None, profile: str = "full", progress: Callable[[str], None] | None = None) -> dict:
  """Measure this host and return the report (the JSON form, valid against the schema).

  Args:
    targets: DEV strings to try (None: everything, see `plan_targets`).
    profile: "full" (the whole op table on each device's default renderer, the quick subset elsewhere), "quick" (the quick
      subset everywhere) or "live" (the build's report: a small op subset and short benchmarks on the default device only).
    progress: called with one line per step.

  Raises:
    UsageError: an unknown profile, device or renderer.
  """
  if profile not in PROFILES: raise UsageError.unknown("profile", profile, PROFILES)
  st, say = time.perf_counter(), progress or (lambda _: None)
  planned = plan_targets(targets)
  entries = []
  for i, p in enumerate(planned):
    step = lambda msg, p=p, i=i: say(f"[{i + 1}/{len(planned)}] {p.target}: {msg}")  # noqa: E731
    if p.kind == "closed":
      step(f"does not open ({p.reason[:80]})")
      entries.append(_closed_entry(p))
    elif p.kind == "compile-only":
      step("compile-only capabilities")
      entries.append(compile_only_entry(p.target))
    else:
      sub, plan = PROFILES[profile][p.kind]
      if plan == "hardware" and p.target.split(":")[0] != "CPU": plan = "gpu"
      entries.append(measure_target(p.target, p.kind == "default", SUBSETS.get(sub), PLANS.get(plan), step))
  h = {**host(), "gpus": [_gpu(e) for e in entries if e["opened"] and e["mode"] == "hardware" and e["device"] != "CPU" and e["default"]]}
  return {"schema_version": SCHEMA_VERSION, "tgkit_version": __version__, "tinygrad_version": version("tinygrad"),
          "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "host": h,
          "profile": profile, "targets_requested": list(targets) if targets else None, "devices": entries,
          "seconds": round(time.perf_counter() - st, 1)}


# ---------------------------------------------------------------- validation and files

@functools.cache
def schema() -> dict:
  """The JSON Schema of a report (data/devices/schema.json)."""
  return json.loads(SCHEMA_PATH.read_text(encoding="utf8"))


def _consistency(report: dict) -> str:
  """Checks the schema cannot express: counts add up. Returns "path: problem" or ""."""
  for i, d in enumerate(report["devices"]):
    if (o := d.get("ops")) is None: continue
    if (n := sum(o["by_status"].values())) != o["total"]: return f"devices/{i}/ops/by_status: counts add up to {n}, total is {o['total']}"
    for key in ("by_dtype", "by_group"):
      got = {s: sum(c[s] for c in o[key].values()) for s in o["by_status"]}
      if got != o["by_status"]: return f"devices/{i}/ops/{key}: counts {got} differ from by_status {o['by_status']}"
    bad = o["by_status"]["fail"] + o["by_status"]["error"]
    if len(o["failures"]) != bad: return f"devices/{i}/ops/failures: {len(o['failures'])} listed, by_status counts {bad} fail + error"
  return ""


def validate(report, name: str) -> dict:
  """Check a report against the schema (and that its counts add up); return it.

  Args:
    report: the parsed JSON.
    name: how to name it in errors, e.g. "data/devices/foo.json".

  Raises:
    UsageError: one line naming the file and the field path, e.g.
      `data/devices/foo.json: devices/0/dtypes/native/3: 'float99' is not one of [...]`.
  """
  import jsonschema
  if not isinstance(report, dict): raise UsageError(f"{name}: a device report is a JSON object, got {type(report).__name__}")
  if report.get("schema_version") != SCHEMA_VERSION:
    raise UsageError(f"{name}: schema_version: this checkout reads version {SCHEMA_VERSION}, the file has {report.get('schema_version')!r} "
                     "(re-run scripts/device_report.py with this checkout)")
  err = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema()).iter_errors(report))
  if err is not None:
    path = "/".join(str(p) for p in err.absolute_path) or "(top level)"
    raise UsageError(f"{name}: {path}: {err.message[:300]}")
  if (why := _consistency(report)): raise UsageError(f"{name}: {why}")
  return report


def committed(name: str) -> Path:
  """The path of the committed report `name` (e.g. "debian12-x86_64-cpu.json"): in the repository's data/devices/, or
  in an installed tgkit, which carries the committed reports.

  Raises:
    UsageError: no committed report of that name.
  """
  for d in REPORT_DIRS:
    if (p := d / name).is_file() and name != "schema.json": return p
  known = sorted({p.name for d in REPORT_DIRS if d.is_dir() for p in d.glob("*.json")} - {"schema.json"})
  raise UsageError.unknown("committed device report", name, known)


def load(path: str | Path, name: str | None = None) -> dict:
  """Read and validate one report file.

  Raises:
    UsageError: the file is missing, is not JSON, or is not a valid report (one line naming the file and the field).
  """
  p, name = Path(path), name or str(path)
  try: data = json.loads(p.read_text(encoding="utf8"))
  except FileNotFoundError as e: raise UsageError(f"{name}: no such file") from e
  except json.JSONDecodeError as e: raise UsageError(f"{name}: malformed JSON at line {e.lineno}, column {e.colno}: {e.msg}") from e
  return validate(data, name)


def to_json(report: dict) -> str:
  return json.dumps(report, indent=1, ensure_ascii=False) + "\n"


def write(report: dict, path: str | Path) -> Path:
  """Validate and write a report (through a temporary file, so a failed write leaves no half file)."""
  p = Path(path)
  validate(report, str(p))
  tmp = p.with_name(p.name + ".tmp")
  tmp.write_text(to_json(report), encoding="utf8")
  tmp.replace(p)
  return p


# ---------------------------------------------------------------- the page

@dataclasses.dataclass
class Column:
  """One device column of the page: a target of one report."""
  label: str       # header text, e.g. "CPU (this build host)"
  source: str      # "live" or the committed file's path
  report: dict
  entry: dict

  @property
  def runs(self) -> bool: return self.entry["stage"] == "run"


def _where(source: str) -> str: return "this build host" if source == "live" else Path(source).stem


def columns(reports: list[tuple[str, dict]]) -> list[Column]:
  """Columns for every target that opened: run targets of each report, then each compile-only target once (the first report's)."""
  runs, compile_only = [], {}
  for source, rep in reports:
    for e in rep["devices"]:
      if not e["opened"]: continue
      if e["mode"] == "compile-only": compile_only.setdefault(e["target"], Column(e["target"], source, rep, e))
      else: runs.append(Column(f"{e['target']} ({_where(source)})", source, rep, e))
  return runs + list(compile_only.values())


def _cell(text) -> str: return str(text).replace("|", "\\|").replace("\n", " ")


def _text(s: str) -> str:
  """Free text from a report (an error message, a reason) as literal Markdown: no emphasis from `*` or `__`, no HTML from `<...>`."""
  out = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
  for ch in "\\`*_[]": out = out.replace(ch, "\\" + ch)
  return out


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
  return ["| " + " | ".join(map(_cell, head)) + " |", "|" + "---|" * len(head)] + ["| " + " | ".join(map(_cell, r)) + " |" for r in rows]


def _header(cols: list[Column]) -> list[str]: return [f"[{i + 1}] {c.label}" for i, c in enumerate(cols)]


def summary_line(col: Column) -> str:
  """One line per column: where it comes from, what kind of target it is, and its headline result."""
  e = col.entry
  if not col.runs:
    return f"**{e['target']}** (compile-only, {e['stage']}s here): {len(e['dtypes']['native'])} native dtypes, {len(e['tensor_cores'])} tensor cores"
  d, o = e["dtypes"], e["ops"]
  failing = f" ({', '.join(f['dtype'] for f in d['failing'])})" if d["failing"] else ""
  rest = ", ".join(f"{o['by_status'][s]} {s}" for s in ("fail", "error", "unsupported") if o and o["by_status"][s])
  ops = f"{o['by_status']['pass']}/{o['total']} op cases pass ({rest + '; ' if rest else ''}{o['subset']} subset)" if o else "op table not run"
  return (f"**{e['target']}** ({_where(col.source)}, {MODE_WORDS[e['mode']]}): {ops}; "
          f"dtypes {len(d['native'])} native, {len(d['emulated'])} emulated, {len(d['failing'])} failing{failing}")


def dtype_word(e: dict, dtype: str) -> str:
  """The dtype matrix cell: pass, emulated, fail (run targets); native, not native (compile-only); not tested."""
  d = e["dtypes"]
  if d is None: return "not tested"
  if d["method"] == "renderer": return "native" if dtype in d["native"] else "not native"
  if dtype in d["native"]: return "pass"
  if dtype in d["emulated"]: return "emulated"
  return "fail" if any(f["dtype"] == dtype for f in d["failing"]) else "not tested"


def count_word(c: dict | None) -> str:
  """An op-matrix cell: "pass 40/40", "fail 37/40", "unsupported (40)" (with the unsupported count where some are), or "not tested"."""
  total = sum(c.values()) if c else 0
  if not total: return "not tested"
  if c["unsupported"] == total: return f"unsupported ({total})"
  word = "pass" if c["pass"] + c["unsupported"] == total else "fail"
  return f"{word} {c['pass']}/{total}" + (f", {c['unsupported']} unsupported" if c["unsupported"] else "")


def dtype_matrix(cols: list[Column]) -> list[str]:
  """The dtype x column table, then why each failing dtype fails."""
  from tgkit.devices import DTYPE_ORDER
  out = _table(["dtype", *_header(cols)], [[dt, *(dtype_word(c.entry, dt) for c in cols)] for dt in DTYPE_ORDER])
  why = [f"- {f['dtype']} on [{i + 1}] {c.label}: {_text(f['reason'])}"
         for i, c in enumerate(cols) for f in (c.entry["dtypes"] or {}).get("failing", [])]
  return out + (["", "Why the failing dtypes fail:", ""] + why if why else [])


def tensor_cores(cols: list[Column]) -> list[str]:
  """A row per column whose renderer declares tensor cores (tinygrad's names: WMMA_M_N_K_input_output), then the columns without."""
  rows = [[f"[{i + 1}] {c.label}", str(len(c.entry["tensor_cores"])), ", ".join(f"`{tc}`" for tc in c.entry["tensor_cores"])]
          for i, c in enumerate(cols) if c.entry["tensor_cores"]]
  none = ", ".join(f"[{i + 1}]" for i, c in enumerate(cols) if not c.entry["tensor_cores"])
  return (_table(["column", "count", "tensor cores"], rows) + [""] if rows else []) + ([f"No tensor cores: {none}."] if none else [])


def op_matrix(cols: list[Column], key: str, order: tuple[str, ...]) -> list[str]:
  """Op-table counts per group (key "by_group") or per dtype ("by_dtype"), one column per run target."""
  run = [(i, c) for i, c in enumerate(cols) if c.runs]
  names = [n for n in order if any(c.entry["ops"] and n in c.entry["ops"][key] for _, c in run)]
  return _table([key.removeprefix("by_"), *(f"[{i + 1}] {c.label}" for i, c in run)],
                [[n, *(count_word((c.entry["ops"] or {}).get(key, {}).get(n)) for _, c in run)] for n in names])


def provenance(reports: list[tuple[str, dict]], cols: list[Column]) -> list[str]:
  """Two tables: every report (host, compiler, versions, date, profile, origin), then every column (target, renderer, mode, caveat)."""
  rows = []
  for source, rep in reports:
    h = rep["host"]
    gpus = f", GPU: {', '.join(h['gpus'])}" if h["gpus"] else ""
    origin = "live: measured by this build, cached per tinygrad version, tgkit source and host" if source == "live" else f"committed file `{source}`"
    rows.append([_where(source), f"{h['distro'] or h['os']}, {h['machine']}, {h['cpu']}, {h['cores']} cores{gpus}", h["clang"] or "no clang",
                 f"tinygrad {rep['tinygrad_version']}, tgkit {rep['tgkit_version']}", rep["created"].replace("+00:00", " UTC"),
                 f"{rep['profile']}, {rep['seconds']} s", origin])
  out = _table(["report", "host", "C compiler", "versions", "measured", "profile", "origin"], rows) + [""]
  rows = [[f"[{i + 1}]", c.entry["target"], _where(c.source), f"{c.entry['renderer']} / {c.entry['compiler'] or 'no compiler'}",
           f"{MODE_WORDS[c.entry['mode']]}, kernels {c.entry['stage']} here", _text(c.entry["reason"][:140]) or "-"] for i, c in enumerate(cols)]
  return out + _table(["column", "target", "report", "renderer / compiler", "mode", "caveat"], rows)


def closed_targets(reports: list[tuple[str, dict]]) -> list[str]:
  rows = [[e["target"], _where(s), _text(e["reason"][:160]) or "-"] for s, rep in reports for e in rep["devices"] if not e["opened"]]
  return _table(["target", "report", "why it does not open"], rows) if rows else ["Every target opened."]


def _selection(o: dict) -> str:
  sel = o["selection"]
  ops, kinds = ", ".join(sel["ops"]) if sel["ops"] else "all", ", ".join(sel["kinds"]) if sel["kinds"] else "all"
  return (f"{o['total']} cases over {o['op_count']} ops, {o['subset']} subset: ops {ops}; shape kinds {kinds}; "
          f"gradients {'checked' if sel['grads'] else 'not checked'}; {o['seconds']} s")


def failures(cols: list[Column]) -> list[str]:
  """A collapsible block per run column: which subset ran, then every failing case."""
  out = []
  for i, c in enumerate(cols):
    if not c.runs or not (o := c.entry["ops"]): continue
    rows = [[f["op"], f["dtype"], f["kind"], f["check"], f["status"], _text(f["message"][:140]) or "-", _text(f["known"][:100]) or "new"]
            for f in o["failures"]]
    body = [_selection(o) + ".", ""] + (_table(["op", "dtype", "kind", "check", "status", "message", "known"], rows) if rows else ["No failures."])
    out += [f'??? {"failure" if rows else "success"} "[{i + 1}] {c.label}: {len(rows)} failing cases of {o["total"]}"', ""]
    out += [f"    {ln}" if ln else "" for ln in body] + [""]
  return out


def _measured(x: dict | None, key: str, unit: str) -> str:
  if x is None: return "not measured"
  return "error (below)" if "error" in x else f"{x[key]:.4g} {unit}"


def _bench_errors(i: int, c: Column, b: dict) -> list[str]:
  items = [*b["matmul"], b["elementwise"], *b["compile"], b["launch"]]
  return [f"- [{i + 1}] {c.label}: {_text(err)}" for err in dict.fromkeys(x["error"] for x in items if "error" in x)]


def _find(b: dict | None, kind: str, key: str, value) -> dict | None:
  return None if b is None else next((x for x in b[kind] if x[key] == value), None)


def bench_table(cols: list[Column]) -> list[str]:
  """Rows of benchmark medians, one column per run target with benchmarks."""
  run = [(i, c, c.entry["bench"]) for i, c in enumerate(cols) if c.runs and c.entry["bench"]]
  if not run: return ["No report holds benchmarks."]
  def compiled(x): return _measured(x, "median_ms", "ms") + (f" (compiler {x['compiler_median_ms']:.3g} ms)" if x and "error" not in x else "")
  rows = [[f"matmul {n}x{n} float32", *(_measured(_find(b, "matmul", "n", n), "gflops", "GFLOP/s") for _, _, b in run)]
          for n in sorted({m["n"] for _, _, b in run for m in b["matmul"]})]
  rows.append(["elementwise a + b float32", *(_measured(b["elementwise"], "gbs", "GB/s") + f", n={b['elementwise']['n']}" for _, _, b in run)])
  rows += [[f"compile {k}", *(compiled(_find(b, "compile", "kernel", k)) for _, _, b in run)] for k in COMPILE_KERNELS]
  rows.append(["launch of a tiny cached kernel", *(_measured(b["launch"], "median_us", "µs") for _, _, b in run)])
  rows.append(["`(y + 1).realize()`", *(_measured(b["launch"], "realize_median_us", "µs") for _, _, b in run)])
  rows.append(["load average at start", *(", ".join(map(str, b["load_average"])) if b["load_average"] else "-" for _, _, b in run)])
  errors = [ln for i, c, b in run for ln in _bench_errors(i, c, b)]
  table = _table(["benchmark (median)", *(f"[{i + 1}] {c.label}" for i, c, _ in run)], rows)
  return table + (["", "Benchmark errors:", ""] + errors if errors else [])


TAB_NAMES = {"ClangRenderer": "C (clang)", "CPULLVMRenderer": "LLVM IR", "X86Renderer": "x86-64 machine code", "PythonRenderer": "UOps",
             "OpenCLRenderer": "OpenCL", "WGSLRenderer": "WGSL", "PTXRenderer": "PTX", "AMDLLVMRenderer": "AMD LLVM IR", "NullRenderer": "C-like",
             "MetalRenderer": "Metal", "CUDARenderer": "CUDA C", "HIPRenderer": "HIP"}
TAB_LANG = {"ClangRenderer": "c", "CPULLVMRenderer": "llvm", "OpenCLRenderer": "c", "CUDARenderer": "cuda",
            "MetalRenderer": "cpp", "HIPRenderer": "cpp", "AMDLLVMRenderer": "llvm", "NullRenderer": "c"}


def _hexdump(src: str, width: int = 16) -> str:
  """tinygrad's X86 renderer writes machine code as one hex string (its compiler is `bytes.fromhex`): offset and bytes per line."""
  b = bytes.fromhex(src)
  return "\n".join(f"{i:04x}: " + " ".join(f"{x:02x}" for x in b[i:i + width]) for i in range(0, len(b), width))


def source_tabs(cols: list[Column]) -> list[str]:
  """Material content tabs: the kernels of one 16x16 matmul per renderer (a compile-only target each; a run renderer once)."""
  seen, out = set(), []
  for c in cols:
    e = c.entry
    key = e["target"] if e["mode"] == "compile-only" else e["renderer"]
    if not e["matmul_source"] or key in seen: continue
    seen.add(key)
    out += [f'=== "{TAB_NAMES.get(e["renderer"], e["renderer"])} ({e["target"]})"', ""]
    never = " (compile-only, never run)" if e["mode"] == "compile-only" else ""
    for k in e["matmul_source"]:
      src = _hexdump(k["source"].strip()) if e["renderer"] == "X86Renderer" else k["source"].rstrip()
      code = [f"    {ln}" if ln else "" for ln in src.split("\n")]
      out += [f"    `{k['name']}` rendered by `{e['renderer']}`{never}:", "", f"    ```{TAB_LANG.get(e['renderer'], 'text')}", *code, "    ```", ""]
  return out


def _plain(label: str) -> str: return label.replace("`", "")


def _svg(fig) -> str:
  import io
  import matplotlib.pyplot as plt
  buf = io.StringIO()
  fig.savefig(buf, format="svg", metadata={"Date": None})
  plt.close(fig)
  return buf.getvalue()


def _plt():
  try: import matplotlib
  except ImportError: raise UsageError("plots need matplotlib, which tgkit depends on: python -m pip install matplotlib") from None
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt
  plt.rcParams.update({"svg.hashsalt": "handbook", "font.family": "DejaVu Sans", "font.size": 9, "svg.fonttype": "path"})
  return plt


def plot_gflops(cols: list[Column]) -> str:
  """SVG: matmul GFLOP/s against the matrix size, one line per run column with benchmarks (log-log)."""
  plt = _plt()
  from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
  fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
  sizes = set()
  for i, c in enumerate(cols):
    b = c.entry["bench"]
    if not c.runs or not b: continue
    pts = [(m["n"], m["gflops"]) for m in b["matmul"] if "gflops" in m and m["gflops"] > 0]
    sizes |= {n for n, _ in pts}
    if pts: ax.plot(*zip(*pts), marker="o", label=f"[{i + 1}] {_plain(c.label)}")
  ax.set_xscale("log", base=2)
  ax.set_yscale("log")
  if sizes: ax.set_xticks(sorted(sizes), [str(n) for n in sorted(sizes)])
  ax.xaxis.set_minor_formatter(NullFormatter())
  ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
  ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
  ax.yaxis.set_minor_formatter(NullFormatter())
  ax.set_title("float32 matmul throughput")
  ax.set_xlabel("matrix size n (n x n @ n x n)")
  ax.set_ylabel("GFLOP/s (median of repeats)")
  ax.grid(True, which="major", alpha=0.3)
  if ax.get_legend_handles_labels()[0]: ax.legend(fontsize=8)
  fig.tight_layout()
  return _svg(fig)


def plot_compile(cols: list[Column]) -> str:
  """SVG: median compile time per kernel (lowering + rendering + compiling, caches off), grouped by run column."""
  plt = _plt()
  run = [(i, c) for i, c in enumerate(cols) if c.runs and c.entry["bench"] and any("median_ms" in x for x in c.entry["bench"]["compile"])]
  fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
  width = 0.8 / max(len(run), 1)
  for j, (i, c) in enumerate(run):
    ms = {x["kernel"]: x.get("median_ms", 0.0) for x in c.entry["bench"]["compile"]}
    ax.bar([k + j * width for k in range(len(COMPILE_KERNELS))], [ms.get(k, 0.0) for k in COMPILE_KERNELS], width,
           label=f"[{i + 1}] {_plain(c.label)}")
  ax.set_xticks([k + width * (len(run) - 1) / 2 for k in range(len(COMPILE_KERNELS))], COMPILE_KERNELS)
  ax.set_title("compile time of a fresh kernel (lowering, rendering, compiler; caches off)")
  ax.set_ylabel("ms per kernel (median of repeats)")
  ax.grid(True, axis="y", alpha=0.3)
  if run: ax.legend(fontsize=8)
  fig.tight_layout()
  return _svg(fig)


LEGEND = ("Column numbers refer to the provenance tables. Words, not colours, carry the status: *pass* (native and correct), *emulated* "
          "(correct; tinygrad lowers the dtype to others), *fail* (raised or computed a wrong value), *native* / *not native* (compile-only: what "
          "the renderer declares, never run), *unsupported* (the op table skipped the dtype), *not tested* (the report has no data).")
BENCH_NOTE = ("Medians of each report's repeats (the counts are in the JSON files). Times depend on the host and its load, so the load average "
              "at the start is listed. Compile time is tinygrad's lowering and rendering plus the compiler, for a fresh kernel with tinygrad's "
              "caches off; the compiler's own share is in parentheses. Launch is one call of a tiny cached kernel through tinygrad's runtime, "
              "waiting for it; `(y + 1).realize()` adds building and scheduling the expression.")


def render_page(reports: list[tuple[str, dict]], generator: str = "scripts/gen_devices.py", plots: tuple[str, str] | None = None) -> str:
  """The device-capability page (Markdown) from validated reports.

  Args:
    reports: (source, report) pairs: source is "live" (the build host) or a committed file's path.
    generator: the script named at the top of the page.
    plots: file names of the GFLOP/s and compile-time SVGs next to the page (None: no plots).
  """
  cols = columns(reports)
  files = ", ".join(f"`{s}`" for s, _ in reports if s != "live") or "no committed report"
  head = [f"This page is generated at build time by `{generator}` from {files} (validated against `data/devices/schema.json`) and a live "
          "report of the build host. Do not edit it; to add a device, see [Submit a device report](device-reports.md)."]
  sections = [
    ("Summary", [f"- [{i + 1}] {summary_line(c)}" for i, c in enumerate(cols)] + ["", LEGEND]),
    ("Provenance", provenance(reports, cols) + ["", "Targets that did not open:", ""] + closed_targets(reports)),
    ("Dtypes", ["Each run target computes `x * 2 + 1` (bool: `x & y`) on 8 elements in every dtype, so renderers that vectorise do; "
                "compile-only targets show what the renderer declares (`supported_dtypes()`).", ""] + dtype_matrix(cols)),
    ("Tensor cores", ["What each renderer declares (`renderer.tensor_cores`); tinygrad uses them for matmuls of matching shapes and dtypes.",
                      ""] + tensor_cores(cols)),
    ("Op table by group", op_matrix(cols, "by_group", _groups())),
    ("Op table by dtype", op_matrix(cols, "by_dtype", _op_dtypes())),
    ("Failing cases", failures(cols)),
    ("Microbenchmarks", [BENCH_NOTE, ""] + bench_table(cols) + ([
      "", f"![matmul GFLOP/s against matrix size, one line per device column]({plots[0]})", "",
      f"![compile time per kernel, one bar per device column]({plots[1]})"] if plots else [])),
    ("Kernel source per renderer", [f"One {MATMUL_SOURCE_N}x{MATMUL_SOURCE_N} float32 matmul as each renderer writes it "
                                    "(`tgkit.devices.kernel_source`); compile-only renderers run on tinygrad's NULL device.", "",
                                    *source_tabs(cols)]),
  ]
  lines = ["# Device capabilities", "", '!!! info "Generated page"', "", *(f"    {ln}" for ln in head), ""]
  for title, body in sections: lines += [f"## {title}", "", *body, ""]
  return "\n".join(lines).rstrip() + "\n"


def _groups() -> tuple[str, ...]:
  from tgkit.ops import GROUPS
  return GROUPS


def _op_dtypes() -> tuple[str, ...]:
  from tgkit.ops import DTYPES
  return tuple(DTYPES)


_RENDERED: dict[str, tuple[str, list[str]]] = {}


def render_all(reports: list[tuple[str, dict]], generator: str = "scripts/gen_devices.py",
               plots: tuple[str, str] = ("devices-gflops.svg", "devices-compile.svg")) -> tuple[str, list[str]]:
  """The page and its two SVG plots; remembered per content in this process, so `mkdocs serve` does not redraw them."""
  key = json.dumps([reports, generator, plots], sort_keys=True, default=str)
  if key not in _RENDERED:
    cols = columns(reports)
    _RENDERED.clear()
    _RENDERED[key] = (render_page(reports, generator, plots), [plot_gflops(cols), plot_compile(cols)])
  return _RENDERED[key]
