"""Suggestions backed by measurement: for a workload's slowest kernels, try changes, profile each, keep only what helps.

`suggest(workload)` profiles the workload (`tgkit.profile.profile`), takes its top bottlenecks, then runs the
workload again under each candidate change and profiles that too. A candidate is one of:

- "beam": tinygrad's BEAM search (`BEAM=n`), which compiles and times candidate opts (upcasts, unrolls, locals,
  groups, tensor cores) for every kernel and keeps the fastest. On CPU each candidate is a clang compile: the search
  costs about a second per tiny kernel, more for larger ones. Its choice is stored in tinygrad's cache database
  (`CACHEDB`, the `beam_search` table), so the next search of the same kernel on the same machine is a lookup;
  `IGNORE_BEAM_CACHE=1` searches again.
- "opt": `NOOPT=1`, the kernels without tinygrad's hand-coded optimizations, which shows what those are worth here.
- "fusion": `SPLIT_REDUCEOP=0`, a large reduction left as one kernel instead of tinygrad's two (tried only when it
  changes the schedule). tinygrad's schedule cache is keyed by the tensor graph alone, so it runs with `SCACHE=0`.
- "rewrite": any variant the caller names, such as the workload without a `.contiguous()` or a realize boundary
  (a fusion that did not happen), which tgkit cannot write for you.
- "dtype": the workload built in float16 (or float32, if float16 is its default), when it takes a `dtype` argument.

Every candidate is checked before it is timed: its outputs must match the original's within a tolerance (random
inputs are re-seeded before each build, so `Tensor.rand` inside the workload gives the same values in the same dtype). One that
differs, or raises, is "rejected" with the reason and is not timed. The others are profiled, each right after a new profile of the
original (so that a machine warming up or slowing down does not favour whichever runs later), and compared with
`tgkit.profile.compare`: before/after medians, interquartile ranges and the noise-aware verdict, for the whole run
and for each slow kernel that has a counterpart. Only a candidate whose whole run is "faster" is "recommended"; the
others are listed as "tried" with their verdict. A candidate that could not apply (no `dtype` argument, no split
reduction) is listed as not tried and never suggested. Times are host-dependent; kernel counts and peak memory are not.
"""
from __future__ import annotations

import dataclasses
import inspect
import time
from collections.abc import Callable

from tgkit import profile as pf
from tgkit.errors import UsageError

BUILTINS = ("beam", "noopt", "split", "dtype")
STATUSES = ("recommended", "tried", "rejected")
WHAT = {
  "beam": "BEAM search: compile and time candidate opts for every kernel, keep the fastest",
  "noopt": "no hand-coded optimizations (NOOPT=1): what tinygrad's heuristics are worth here",
  "split": "fuse a large reduction that tinygrad splits into two kernels (SPLIT_REDUCEOP=0)",
  "dtype": "the same workload in another dtype: half the bytes per float16 element",
  "variant": "the caller's rewrite of the workload",
}


@dataclasses.dataclass
class KernelEffect:
  """What one candidate did to one slow kernel of the baseline."""
  kernel: str                      # the baseline kernel's name
  counterpart: list[str]           # the kernel(s) that compute the same calls in the candidate; empty when none
  delta: pf.Delta | None           # before/after medians, IQRs and verdict; None without a counterpart
  note: str                        # how the counterpart was found, or why there is none


@dataclasses.dataclass
class Trial:
  """One candidate change: tried (and measured) or rejected, with the reason."""
  name: str                        # e.g. "BEAM=2", "NOOPT=1", "dtype float16", or the caller's label
  kind: str                        # "beam" | "opt" | "fusion" | "dtype" | "rewrite" (a variant the caller passed)
  what: str                        # one line: what the change does
  status: str                      # "recommended" | "tried" | "rejected"
  reason: str                      # why it has that status
  context: dict = dataclasses.field(default_factory=dict)   # the tinygrad ContextVars set for it
  max_error: float | None = None   # largest absolute difference from the original outputs
  tolerance: str = ""              # the tolerance it was checked against
  first_run_s: float | None = None  # wall seconds of its first run: compiling, and BEAM's search (host-dependent)
  total: pf.Delta | None = None    # the whole run before -> after (None when rejected: not timed)
  kernels: list[int] = dataclasses.field(default_factory=list)      # [before, after] kernel calls per run
  peak_bytes: list[int] = dataclasses.field(default_factory=list)   # [before, after] peak memory of a run
  effects: list[KernelEffect] = dataclasses.field(default_factory=list)   # one per slow kernel

  @property
  def measured(self) -> bool:
    """True when the trial has a before/after measurement of the whole run."""
    return self.total is not None


@dataclasses.dataclass
class NotTried:
  """A built-in candidate that did not apply to this workload (never measured, never suggested)."""
  name: str
  reason: str


@dataclasses.dataclass
class Suggestions:
  """The baseline's slow kernels and every candidate tried on them."""
  label: str
  device: str
  repeats: int
  threshold: float
  rule: str                        # compare()'s rule for the verdicts
  slow: list[pf.Bottleneck]        # the baseline's top kernels by median time
  trials: list[Trial]
  not_tried: list[NotTried]
  baseline: pf.Profile
  note: str = pf.HOST_NOTE

  @property
  def recommended(self) -> list[Trial]:
    """The candidates measured as faster for the whole run, largest gain first."""
    return sorted((t for t in self.trials if t.status == "recommended"), key=lambda t: t.total.change if t.total else 0.0)

  def for_kernel(self, name: str) -> list[tuple[Trial, KernelEffect]]:
    """The measured candidates under which the slow kernel `name` itself was "faster", largest gain first."""
    hits = [(t, e) for t in self.trials for e in t.effects if e.kernel == name and e.delta is not None and e.delta.verdict == "faster"]
    return sorted(hits, key=lambda te: te[1].delta.change)


# ---------------------------------------------------------------- candidates

@dataclasses.dataclass
class _Candidate:
  name: str
  kind: str
  what: str
  build: Callable
  context: dict
  rtol: float
  atol: float


def _dtype_default(workload: Callable):
  """The default of the workload's `dtype` parameter, or None when it has none (the second value says whether it has one)."""
  try: params = inspect.signature(workload).parameters
  except (TypeError, ValueError): return None, False
  p = params.get("dtype")
  if p is None or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD): return None, False
  return (None if p.default is p.empty else p.default), True


def _outputs(build: Callable) -> list:
  from tinygrad import Tensor
  out = build()
  outs = list(out) if isinstance(out, (tuple, list)) else [out]
  if not outs or not all(isinstance(t, Tensor) for t in outs):
    raise UsageError("a workload is a zero-argument function returning a Tensor or a list of Tensors")
  return outs


def _kernel_asts(build: Callable, context: dict, seed: int | None) -> list:
  """The ASTs of the kernels `build` schedules under `context`, without running them (the schedule cache is bypassed)."""
  from tinygrad import Context, Tensor
  with Context(SCACHE=0, **context):
    if seed is not None: Tensor.manual_seed(seed)
    outs = _outputs(build)
    todo = [t for t in outs if not t.uop.is_virtual and not t.uop.has_buffer_identity()]
    return [c.src[0].key for c in Tensor.schedule_linear(*todo).src] if todo else []


def _candidates(workload, variants, builtins, beam, rtol, atol, dtype_tol, seed) -> tuple[list[_Candidate], list[NotTried]]:
  from tinygrad import dtypes
  cands, skipped = [], []
  for b in builtins:
    if b == "beam":
      if beam >= 1: cands.append(_Candidate(f"BEAM={beam}", "beam", WHAT["beam"], workload, {"BEAM": beam}, rtol, atol))
    elif b == "noopt": cands.append(_Candidate("NOOPT=1", "opt", WHAT["noopt"], workload, {"NOOPT": 1}, rtol, atol))
    elif b == "split":
      if _kernel_asts(workload, {"SPLIT_REDUCEOP": 0}, seed) == _kernel_asts(workload, {}, seed):
        skipped.append(NotTried("SPLIT_REDUCEOP=0", "the schedule is the same: no reduction is split"))
      else: cands.append(_Candidate("SPLIT_REDUCEOP=0", "fusion", WHAT["split"], workload, {"SPLIT_REDUCEOP": 0, "SCACHE": 0}, rtol, atol))
    elif b == "dtype":
      default, has = _dtype_default(workload)
      if not has: skipped.append(NotTried("dtype", "the workload takes no dtype argument"))
      else:
        other, oname = (dtypes.float32, "float32") if default == dtypes.float16 else (dtypes.float16, "float16")
        cands.append(_Candidate(f"dtype {oname}", "dtype", WHAT["dtype"], lambda o=other: workload(dtype=o), {}, dtype_tol, dtype_tol))
    else: raise UsageError.unknown("built-in candidate", b, BUILTINS)
  for name, build in (variants or {}).items():
    if not callable(build): raise UsageError(f"variant {name!r} is not a zero-argument function returning Tensors")
    cands.append(_Candidate(name, "rewrite", WHAT["variant"], build, {}, rtol, atol))
  return cands, skipped


# ---------------------------------------------------------------- measuring

def _values(build: Callable, context: dict, seed: int | None) -> list:
  """Build and realize the outputs under `context` (re-seeded first) and return them as numpy arrays."""
  from tinygrad import Context, Tensor
  with Context(**context):
    if seed is not None: Tensor.manual_seed(seed)
    outs = _outputs(build)
    Tensor.realize(*outs)
    return [t.numpy() for t in outs]


def _difference(ref: list, got: list, rtol: float, atol: float) -> tuple[float | None, str]:
  """(largest absolute difference, "" or why the outputs do not match within rtol/atol)."""
  import numpy as np
  if len(ref) != len(got): return None, f"{len(got)} outputs instead of {len(ref)}"
  worst = 0.0
  for i, (r, g) in enumerate(zip(ref, got)):
    if r.shape != g.shape: return None, f"output {i} has shape {g.shape} instead of {r.shape}"
    r64, g64 = r.astype(np.float64), g.astype(np.float64)
    diff = np.abs(r64 - g64)
    both_nan = np.isnan(r64) & np.isnan(g64)
    same_inf = np.isinf(r64) & (r64 == g64)
    diff = np.where(both_nan | same_inf, 0.0, diff)
    if diff.size: worst = max(worst, float(np.nan_to_num(diff, nan=np.inf).max()))
    if not np.allclose(g64, r64, rtol=rtol, atol=atol, equal_nan=True):
      return worst, f"output {i} differs from the original by up to {worst:.3g} (tolerance rtol={rtol:g}, atol={atol:g})"
  return worst, ""


def _one_line(e: Exception) -> str: return f"raised {type(e).__name__}: {(str(e).strip().splitlines() or [''])[0]}"


def _sum_times(prof: pf.Profile, names: list[str]) -> list[float]:
  return [sum(prof.kernel(n).times[r] for n in names) for r in range(prof.repeats)]


def _effects(base: pf.Profile, base_calls: list, var: pf.Profile, var_calls: list, slow: list[pf.Bottleneck],
             threshold: float) -> list[KernelEffect]:
  """Each slow kernel's counterpart in the candidate: the calls at the same positions of an unchanged schedule.

  A candidate that changes the schedule (a fusion, a split) has no per-kernel counterparts: a kernel of the same name
  may compute something else, so only the whole run is compared.
  """
  if [c[1] for c in base_calls] != [c[1] for c in var_calls]:
    note = f"no counterpart: the schedule changed ({len(base_calls)} -> {len(var_calls)} calls), only the whole run compares"
    return [KernelEffect(b.name, [], None, note) for b in slow]
  out = []
  for b in slow:
    pos = [i for i, c in enumerate(base_calls) if c[0] == b.name]
    names = sorted({var_calls[i][0] for i in pos})
    if not pos:
      out.append(KernelEffect(b.name, [], None, "no counterpart: not in the run's list of calls"))
      continue
    if {i for i, c in enumerate(var_calls) if c[0] in names} != set(pos):
      out.append(KernelEffect(b.name, [], None, "no counterpart of its own: its calls share a kernel name with other calls in the candidate"))
      continue
    before = pf.from_samples({b.name: base.kernel(b.name).times})
    after = pf.from_samples({b.name: _sum_times(var, names)})
    out.append(KernelEffect(b.name, names, pf.compare(before, after, threshold).kernels[0], "the same calls of the schedule"))
  return out


def _calls_of(prof: pf.Profile) -> list[tuple[str, str]]:
  """(name, kind) per call when no run's call list is at hand: each kernel's calls in a row, in the profile's order."""
  return [(k.name, k.kind) for k in prof.kernels for _ in range(k.calls)]


def judge(name: str, before: pf.Profile, after: pf.Profile, slow: list[pf.Bottleneck] | None = None, threshold: float = 0.10, *,
          base_calls: list | None = None, after_calls: list | None = None, kind: str = "rewrite", what: str = WHAT["variant"],
          context: dict | None = None, max_error: float | None = None, tolerance: str = "", first_run_s: float | None = None) -> Trial:
  """The Trial for a candidate whose outputs were checked: measured before/after, and recommended only if "faster".

  Args:
    name: the candidate's name.
    before: the profile of the original (from `tgkit.profile.profile`, or `from_samples`).
    after: the profile of the candidate.
    slow: the slow kernels to report (default: `bottlenecks(before, 3)`).
    threshold: as for `tgkit.profile.compare`.
    base_calls: `(name, kind, ...)` per call of one run of the original in schedule order (`run_once`), to match each
      slow kernel with the candidate's calls at the same positions; by default derived from the profile.
    after_calls: the same for the candidate.
    kind: "beam", "opt", "fusion", "dtype" or "rewrite".
    what: one line on what the change does.
    context: the tinygrad ContextVars set for the candidate.
    max_error: the largest absolute difference of its outputs from the original's.
    tolerance: the tolerance they were checked against.
    first_run_s: seconds of its first (checked) run.

  Returns:
    A Trial with status "recommended" when compare()'s verdict for the whole run is "faster", else "tried" with the
    verdict as the reason; with kernel counts, peak memory and one KernelEffect per slow kernel.
  """
  slow = pf.bottlenecks(before, 3) if slow is None else slow
  cmp = pf.compare(before, after, threshold)
  v = cmp.total.verdict
  status, reason = ("recommended", "faster: the run's median dropped beyond the threshold and the noise") if v == "faster" else \
                   ("tried", {"same": f"not faster: the median moved by at most {threshold:.0%}",
                              "slower": "slower: not recommended",
                              "noisy": "not faster beyond the noise: the spreads overlap (repeat with more runs)"}[v])
  effects = _effects(before, base_calls or _calls_of(before), after, after_calls or _calls_of(after), slow, threshold)
  return Trial(name, kind, what, status, reason, dict(context or {}), max_error, tolerance, first_run_s, cmp.total,
               [before.kernel_count, after.kernel_count], list(cmp.peak_bytes), effects)


def suggest(workload: Callable, variants: dict[str, Callable] | None = None, *, top: int = 3, repeats: int = 5, warmup: int = 1,
            beam: int = 2, builtins: tuple[str, ...] = BUILTINS, threshold: float = 0.10, rtol: float = 1e-4, atol: float = 1e-5,
            dtype_tol: float = 1e-2, seed: int | None = 0, label: str = "") -> Suggestions:
  """Profile a workload, then try each candidate change on it and measure it; recommend only what is faster.

  Args:
    workload: a zero-argument function building the Tensor(s) to compute (as for `tgkit.profile.profile`). If it takes a
      `dtype` argument, the "dtype" candidate builds it in float16 (float32 when float16 is its default).
    variants: the caller's rewrites of the workload, label -> zero-argument function, e.g. the same computation
      without a `.contiguous()`. Each must compute the same outputs.
    top: how many of the baseline's slowest kernels to report per candidate.
    repeats: timed runs of each profile; each candidate is profiled after its checked first run, next to a new
      profile of the original.
    warmup: untimed runs before the first profile of the original (as for `profile`).
    beam: the BEAM width of the "beam" candidate (small: on CPU every candidate opt is a clang compile).
    builtins: the built-in candidates to consider, a subset of "beam", "noopt", "split", "dtype".
    threshold: the relative change of the median that counts (see `tgkit.profile.compare`).
    rtol: the relative tolerance of the check of a candidate's outputs against the original's.
    atol: the absolute tolerance of that check.
    dtype_tol: both tolerances for the dtype candidate.
    seed: `Tensor.manual_seed` before every checked build, so random inputs built inside the workload agree
      (None: no seeding).
    label: a name for the report.

  Returns:
    Suggestions: the slow kernels, every candidate with its status ("recommended" only when the whole run is
    "faster"), its check against the original outputs, and for each candidate that passed, the before/after
    medians, interquartile ranges and verdicts, for the run and per slow kernel.

  Raises:
    UsageError: bad arguments, a workload that does not return Tensors or runs no kernels, or one that raises.
  """
  if top < 1 or repeats < 1 or warmup < 0 or beam < 0:
    raise UsageError(f"top and repeats must be >= 1, warmup and beam >= 0; got top={top} repeats={repeats} warmup={warmup} beam={beam}")
  if not 0 < threshold < 10: raise UsageError(f"threshold must be a fraction such as 0.10, got {threshold}")
  if min(rtol, atol, dtype_tol) < 0: raise UsageError("tolerances must be >= 0")
  try: ref = _values(workload, {}, seed)
  except UsageError: raise
  except Exception as e: raise UsageError(f"the workload {_one_line(e)}") from e   # noqa: BLE001 - the caller's code failed
  base = pf.profile(workload, repeats=repeats, warmup=warmup, label=label)
  if not base.kernels: raise UsageError("nothing to suggest: the workload runs no kernels (its outputs are already computed, or constants with no device)")
  base_calls, _ = pf.run_once(workload)
  slow = pf.bottlenecks(base, top)
  cands, skipped = _candidates(workload, variants, builtins, beam, rtol, atol, dtype_tol, seed)
  trials = []
  for c in cands:
    tol = f"rtol={c.rtol:g}, atol={c.atol:g}"
    t0 = time.perf_counter()
    try: got = _values(c.build, c.context, seed)
    except Exception as e:  # noqa: BLE001 - a candidate that fails (an unsupported dtype, a bad rewrite) is rejected, not fatal
      trials.append(Trial(c.name, c.kind, c.what, "rejected", _one_line(e), c.context, tolerance=tol))
      continue
    first = time.perf_counter() - t0
    err, why = _difference(ref, got, c.rtol, c.atol)
    if why:
      trials.append(Trial(c.name, c.kind, c.what, "rejected", f"changes the results: {why}", c.context, err, tol, first))
      continue
    from tinygrad import Context
    before = pf.profile(workload, repeats=repeats, warmup=0, label=label)   # measured again next to the candidate, not minutes earlier
    with Context(**c.context):
      prof = pf.profile(c.build, repeats=repeats, warmup=0, label=c.name)   # the checked run above was its warm-up
      var_calls, _ = pf.run_once(c.build)
    trials.append(judge(c.name, before, prof, slow, threshold, base_calls=base_calls, after_calls=var_calls, kind=c.kind, what=c.what,
                        context=c.context, max_error=err, tolerance=tol, first_run_s=first))
  return Suggestions(label, base.device, repeats, threshold, pf.compare(base, base, threshold).rule, slow, trials, skipped, base)


# ---------------------------------------------------------------- rendering

def _ms(s: float) -> str: return f"{s * 1e3:.3f} ms"


def _iqr(q: list[float]) -> str: return f"[{q[0] * 1e3:.3f}, {q[1] * 1e3:.3f}]"


def _delta_text(d: pf.Delta) -> str:
  return f"{_ms(d.before_s)} {_iqr(d.before_iqr)} -> {_ms(d.after_s)} {_iqr(d.after_iqr)} {d.change:+.1%} {d.verdict}"


def render_text(s: Suggestions, times: bool = True) -> str:
  """Plain text: the slow kernels, then each candidate with its status and measurement, then what to try.

  Args:
    s: the report from `suggest`.
    times: False leaves out everything that varies from run to run (medians, IQRs, changes, verdicts, which candidates
      are recommended, first-run seconds; slow kernels are listed by name, not by rank), keeping the structure: what
      was tried, what was rejected and why, that each tried candidate was measured, kernel counts and peak memory.
  """
  rejected = sum(t.status == "rejected" for t in s.trials)
  head = f"suggestions for {s.label or '(unnamed)'} on {s.device}: {len(s.trials)} candidates tried, {rejected} rejected"
  lines = [head + (f", {len(s.recommended)} recommended ({s.note})" if times else ""), "slow kernels of the baseline:"]
  slow = s.slow if times else sorted(s.slow, key=lambda b: b.name)
  for b in slow: lines.append(f"  {b.rank}. {b.name} {b.share:.0%} of the time, {_ms(b.median_s)}" if times else f"  {b.name}")
  lines.append("tried (each checked against the original outputs; each that passed, measured over the whole run, before -> after):")
  for t in s.trials:
    lines.append(f"  {t.name} [{t.kind}]: {t.what}")
    if t.status == "rejected":
      lines.append(f"    rejected: {t.reason}")
      continue
    kb, ka = t.kernels
    mem = f", peak memory {pf.size_str(t.peak_bytes[0])} -> {pf.size_str(t.peak_bytes[1])}" if len(t.peak_bytes) == 2 else ""
    lines.append(f"    run: {_delta_text(t.total) if times else 'measured'}; kernels {kb} -> {ka}{mem}")
    if times:
      lines.append(f"    {t.status}: {t.reason}")
      if t.first_run_s is not None:
        lines.append(f"    first run (checked; compiling{' and the search' if t.kind == 'beam' else ''}): {t.first_run_s:.2f} s")
    for e in (t.effects if times else sorted(t.effects, key=lambda e: e.kernel)):
      if e.delta is None: lines.append(f"    {e.kernel}: {e.note}")
      else: lines.append(f"    {e.kernel}: " + (_delta_text(e.delta) if times else "measured") + f" ({e.note})")
  for n in s.not_tried: lines.append(f"not tried: {n.name} ({n.reason})")
  if times:
    lines.append("per slow kernel, the candidates measured faster for it (the run's verdict decides what is recommended):")
    for b in s.slow:
      hits = s.for_kernel(b.name)
      lines.append(f"  {b.name}: " + (", ".join(f"{t.name} ({e.delta.change:+.1%})" for t, e in hits) if hits else "none"))
    rec = s.recommended
    lines.append("try: " + ("; ".join(f"{t.name} ({t.total.change:+.1%} for the run)" for t in rec) if rec else
                            "nothing: no candidate was faster beyond the noise"))
  return "\n".join(lines)
