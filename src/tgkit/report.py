"""The validation platform: run every tgkit tool against the installed tinygrad and write one report.

`run_full_validation()` runs the op validator, device discovery, the nn validator and smoke checks of the
tracer and the profiler, and writes `report.json` (versioned), `report.md` and a self-contained
`report.html` into one folder. A check fails the report only for failures that are new: op-table
disagreements tinygrad documents (`tgkit.ops.KNOWN_DISAGREEMENTS`) are listed but do not fail it.

    tgkit report --out tgkit-report        # exit code 0: all sections pass, 1: something failed
"""
from __future__ import annotations

import dataclasses
import datetime
import html
import json
import os
import platform
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from tgkit import __version__
from tgkit.errors import UsageError

SCHEMA_VERSION = 1
SECTIONS = ("ops", "devices", "nn", "trace", "profile")
FILES = ("report.json", "report.md", "report.html")


@dataclasses.dataclass
class Section:
  """One tool's part of the report."""
  name: str
  status: str            # "pass" | "fail" | "error"
  summary: str           # one line
  details: dict          # the tool's own JSON-serialisable summary
  failures: list[dict]   # rows worth reading: each a flat dict of strings and numbers


@dataclasses.dataclass
class Report:
  schema_version: int
  tgkit_version: str
  tinygrad_version: str
  created: str           # UTC, ISO 8601
  host: dict             # os, machine, python, cpu count: no user names or paths
  device: str
  target: str
  sections: list[Section]

  @property
  def passed(self) -> bool: return all(s.status == "pass" for s in self.sections)


def host_description() -> dict:
  """The host in a few fields, without user names, host names or paths."""
  return {"os": f"{platform.system()} {platform.release()}", "machine": platform.machine(), "python": platform.python_version(),
          "cpu_count": os.cpu_count() or 0, "processor": platform.processor() or platform.machine()}


def _targets(target: str) -> tuple[str, ...]:
  if target == "all": return SECTIONS
  names = tuple(t.strip() for t in target.split(",") if t.strip())
  for t in names:
    if t not in SECTIONS: raise UsageError.unknown("report target", t, (*SECTIONS, "all"))
  return names


def _ops(device: str, quick: bool, progress) -> Section:
  from tgkit import ops
  results = ops.run(device=device, quick=quick, progress=progress)
  s = ops.summarize(results)
  new = [f for f in s["failures"] if not f["known"]]
  st = s["by_status"]
  line = f"{st['pass']}/{s['total']} cases pass over {s['ops']} ops; {len(new)} new failures, {len(s['failures']) - len(new)} known"
  rows = [{k: f[k] for k in ("op", "dtype", "shape", "check", "status", "max_error", "message", "known")} for f in s["failures"]]
  details = {k: v for k, v in s.items() if k != "failures"}
  return Section("ops", "fail" if new else "pass", line, details, rows)


def _devices() -> Section:
  from tgkit import devices
  found = devices.discover()
  caps = [devices.capabilities(t) for t in (*devices.HOST_TARGETS, *devices.compile_only_targets())]
  opened = [d.name for d in found if d.opened]
  broken = [{"target": c.target, "mode": c.mode, "reason": c.reason} for c in caps if not c.available]
  line = f"opens: {', '.join(opened) or 'none'}; {sum(c.available for c in caps)}/{len(caps)} renderer targets usable"
  details = {"devices": [dataclasses.asdict(d) for d in found], "capabilities": [dataclasses.asdict(c) for c in caps]}
  return Section("devices", "pass" if opened else "fail", line, details, broken)


def _nn() -> Section:
  from tgkit import nn
  results = nn.run()
  bad = [dataclasses.asdict(r) for r in results if r.status != "pass"]
  line = f"{len(results) - len(bad)}/{len(results)} checks pass (parameter counts, forward values, gradients, training modes, convergence, schedules, training stability)"
  return Section("nn", "fail" if bad else "pass", line, {"checks": [dataclasses.asdict(r) for r in results]}, bad)


def _trace(device: str) -> Section:
  import numpy as np
  from tinygrad import Tensor
  from tgkit.trace import trace
  build = lambda: (Tensor(np.arange(16, dtype=np.float32).reshape(4, 4), device=device) * 2 + 1).sum(axis=1)  # noqa: E731
  tr = trace(build)
  got, want = build().numpy(), (np.arange(16, dtype=np.float32).reshape(4, 4) * 2 + 1).sum(axis=1)
  ok = tr.kernel_count >= 1 and len(tr.kernels) == tr.kernel_count and np.allclose(got, want)
  line = f"(x*2+1).sum(axis=1): {tr.kernel_count} kernel(s), {len(tr.schedule)} schedule steps, value {'correct' if ok else 'WRONG'}"
  return Section("trace", "pass" if ok else "fail", line, {"kernel_count": tr.kernel_count, "histogram": tr.histogram,
                                                          "schedule": [dataclasses.asdict(s) for s in tr.schedule]},
                 [] if ok else [{"expected": want.tolist(), "got": got.tolist()}])


def _profile(device: str) -> Section:
  from tinygrad import Tensor
  from tgkit.profile import bottlenecks, profile
  a, b = Tensor.rand(64, 64, device=device).realize(), Tensor.rand(64, 64, device=device).realize()
  prof = profile(lambda: (a @ b).relu(), repeats=3, warmup=1, label="64x64 matmul + relu")
  ok = prof.kernel_count >= 1 and all(k.median_s > 0 for k in prof.kernels if k.kind == "kernel")
  top = bottlenecks(prof, top=3)
  line = f"64x64 matmul+relu: {prof.kernel_count} kernel call(s) per run, 3 repeats (timings are host-dependent)"
  return Section("profile", "pass" if ok else "fail", line, {"bottlenecks": [dataclasses.asdict(t) for t in top]},
                 [] if ok else [{"problem": "no kernel with a positive time"}])


def _guard(name: str, fn: Callable[[], Section]) -> Section:
  try: return fn()
  except UsageError: raise
  except Exception as e:  # noqa: BLE001 - a crashing tool is a result of the validation
    return Section(name, "error", f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}", {}, [])


def run_full_validation(target: str = "all", out_dir: str | Path | None = None, device: str | None = None, quick: bool = True,
                        force: bool = False, progress: Callable[[str], None] | None = None) -> Report:
  """Run the selected tools and, if `out_dir` is given, write report.json, report.md and report.html there.

  Args:
    target: "all" or a comma-separated subset of ops, devices, nn, trace, profile.
    out_dir: where to write the three files (None: write nothing).
    device: the tinygrad device to validate (None: the default device).
    quick: run the op table's quick subset (the full table takes about a minute on 2 cores).
    force: overwrite existing report files in `out_dir`.
    progress: called with each section's name as it starts.

  Raises:
    UsageError: an unknown target, or existing report files without `force` (checked before anything runs).
  """
  from tgkit.devices import check_device, default_device
  names = _targets(target)
  out = Path(out_dir) if out_dir is not None else None
  if out is not None and not force:
    existing = [str(out / f) for f in FILES if (out / f).exists()]
    if existing: raise UsageError(f"report files already exist: {', '.join(existing)} (use --force to overwrite)")
  try: dev = check_device(device) if device else default_device()
  except RuntimeError as e: raise UsageError(str(e)) from e
  runners = {"ops": lambda: _ops(dev, quick, None), "devices": _devices, "nn": _nn, "trace": lambda: _trace(dev), "profile": lambda: _profile(dev)}
  sections = []
  for n in names:
    if progress: progress(n)
    sections.append(_guard(n, runners[n]))
  rep = Report(SCHEMA_VERSION, __version__, version("tinygrad"), datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               host_description(), dev, target, sections)
  if out is not None: write(rep, out)
  return rep


def exit_code(rep: Report) -> int:
  """0 when every section passes, 1 otherwise."""
  return 0 if rep.passed else 1


# ---------------------------------------------------------------- renderers

def to_json(rep: Report) -> str:
  return json.dumps({**dataclasses.asdict(rep), "passed": rep.passed}, indent=2, sort_keys=False, default=str)


def load(path: str | Path) -> dict:
  """Read a report.json, checking it is one.

  Raises:
    UsageError: the file is missing, not JSON, or not a tgkit report of this schema version.
  """
  p = Path(path)
  try: data = json.loads(p.read_text(encoding="utf8"))
  except FileNotFoundError as e: raise UsageError(f"{p}: no such file") from e
  except json.JSONDecodeError as e: raise UsageError(f"{p}: malformed JSON at line {e.lineno}, column {e.colno}: {e.msg}") from e
  if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
    raise UsageError(f"{p}: field 'schema_version' must be {SCHEMA_VERSION}, got {data.get('schema_version') if isinstance(data, dict) else data!r}")
  return data


def _cell(v) -> str:
  if isinstance(v, float): return f"{v:.3g}"
  return "" if v is None else str(v)


def render_markdown(rep: Report) -> str:
  """The report as Markdown: a verdict, one summary table, then each section's failures."""
  lines = [f"# tgkit validation report: {'PASS' if rep.passed else 'FAIL'}", "",
           f"tinygrad {rep.tinygrad_version}, tgkit {rep.tgkit_version}, device {rep.device}, {rep.created}; "
           f"host {rep.host['os']} {rep.host['machine']}, {rep.host['cpu_count']} cores, Python {rep.host['python']}.", "",
           "| section | status | summary |", "|---|---|---|"]
  lines += [f"| {s.name} | {s.status} | {s.summary} |" for s in rep.sections]
  for s in rep.sections:
    if not s.failures: continue
    keys = list(s.failures[0])
    lines += ["", f"## {s.name}: {len(s.failures)} rows", "", "| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(_cell(f.get(k)).replace("|", "\\|") for k in keys) + " |" for f in s.failures]
  return "\n".join(lines) + "\n"


CSS = ("body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#222}table{border-collapse:collapse;margin:1rem 0}"
       "td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;font-size:.9rem}th{background:#f3f3f3}"
       ".pass{color:#1a7f37;font-weight:bold}.fail,.error{color:#b42318;font-weight:bold}")


def render_html(rep: Report) -> str:
  """The report as one self-contained HTML page (inline CSS, no scripts, no external assets)."""
  e = html.escape
  def table(keys, rows):
    head = "".join(f"<th>{e(k)}</th>" for k in keys)
    body = "".join("<tr>" + "".join(f'<td class="{e(str(r.get(k)))}">{e(_cell(r.get(k)))}</td>' if k == "status" else f"<td>{e(_cell(r.get(k)))}</td>"
                                    for k in keys) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"
  verdict = "PASS" if rep.passed else "FAIL"
  parts = [f"<!doctype html><html lang=en><meta charset=utf-8><title>tgkit report: {verdict}</title><style>{CSS}</style><body>",
           f'<h1>tgkit validation report: <span class="{verdict.lower()}">{verdict}</span></h1>',
           f"<p>tinygrad {e(rep.tinygrad_version)}, tgkit {e(rep.tgkit_version)}, device {e(rep.device)}, {e(rep.created)}; "
           f"host {e(rep.host['os'])} {e(rep.host['machine'])}, {rep.host['cpu_count']} cores, Python {e(rep.host['python'])}.</p>",
           table(["section", "status", "summary"], [{"section": s.name, "status": s.status, "summary": s.summary} for s in rep.sections])]
  for s in rep.sections:
    if s.failures: parts += [f"<h2>{e(s.name)}: {len(s.failures)} rows</h2>", table(list(s.failures[0]), s.failures)]
  return "\n".join(parts) + "</body></html>\n"


def write(rep: Report, out_dir: str | Path) -> list[Path]:
  """Write report.json, report.md and report.html into `out_dir` (created if needed)."""
  out = Path(out_dir)
  out.mkdir(parents=True, exist_ok=True)
  paths = [out / f for f in FILES]
  for p, text in zip(paths, (to_json(rep), render_markdown(rep), render_html(rep))): p.write_text(text, encoding="utf8")
  return paths
