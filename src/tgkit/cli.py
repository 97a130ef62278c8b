"""`tgkit`: the command-line shell over the toolkit. It parses arguments, calls a module, renders the records.

    tgkit ops --op relu --dtype float32          tgkit trace "(Tensor.ones(4,4)+1).sum()" --source
    tgkit devices --compile-only                 tgkit profile "Tensor.rand(256,256) @ Tensor.rand(256,256)"
    tgkit leak train.py:step --runs 20           tgkit leak "Tensor.rand(64).sum()"
    tgkit suggest "(Tensor.rand(64)*2).contiguous().exp().sum()" --variant "fused=(Tensor.rand(64)*2).exp().sum()"
    tgkit bench --op add --devices CPU,PYTHON    tgkit bench --mlp 64,128,10 --batch 32
    tgkit nn                                     tgkit gen-test --op relu -o test_relu.py
    tgkit report --out tgkit-report

Bad input (an unknown op, device or dtype, a malformed file) prints one line and exits with 2.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from tgkit.errors import UsageError

EXPR_HELP = "a Python expression building a Tensor; Tensor, dtypes, nn and np (numpy) are in scope"


class _Parser(argparse.ArgumentParser):
  def error(self, message):  # one line and exit code 2, instead of argparse's usage block
    e = UsageError(message)
    e.prog = self.prog
    raise e


def _console(stderr=False):
  from rich.console import Console
  return Console(stderr=stderr, highlight=False, soft_wrap=True)


@contextmanager
def _progress(label: str):
  """A rich progress bar on stderr (only on a terminal); yields `update(done, total)`."""
  from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
  with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=_console(stderr=True),
                transient=True, disable=not sys.stderr.isatty()) as bar:
    task = bar.add_task(label, total=None)
    def update(done: int, total: int | None = None): bar.update(task, completed=done, total=total)
    yield update


def _table(title: str, columns: list[str], rows: list[list]) -> None:
  from rich.table import Table
  t = Table(title=title, title_justify="left")
  for c in columns: t.add_column(c, no_wrap=c == "id")   # an id is typed back: never broken over lines
  for r in rows: t.add_row(*("" if v is None else str(v) for v in r))
  _console().print(t)


def _emit_json(obj) -> None:
  print(json.dumps(obj, indent=2, default=lambda o: dataclasses.asdict(o) if dataclasses.is_dataclass(o) else str(o)))


def _write_new(path: str, text: str, force: bool) -> None:
  p = Path(path)
  if p.exists() and not force: raise UsageError(f"{p} already exists (use --force to overwrite)")
  p.write_text(text, encoding="utf8")


def _device(name: str | None) -> str:
  from tgkit.devices import check_device, default_device
  try: return check_device(name) if name else default_device()
  except RuntimeError as e: raise UsageError(str(e)) from e


def _eval(expr: str):
  import numpy as np
  from tinygrad import Tensor, dtypes, nn
  try: code = compile(expr, "<expression>", "eval")
  except SyntaxError as e: raise UsageError(f"expression is not valid Python: {e.msg} at column {e.offset}") from e
  def build(**names):   # names: extra names in scope, e.g. dtype for `tgkit suggest`
    try: out = eval(code, {"Tensor": Tensor, "dtypes": dtypes, "nn": nn, "np": np, **names})  # noqa: S307 - the user's own expression
    except Exception as e:  # noqa: BLE001 - a NameError, a shape mismatch ...: the expression is the problem
      raise UsageError(f"expression {expr!r} raised {type(e).__name__}: {(str(e).strip().splitlines() or [''])[0]}") from e
    if not isinstance(out, Tensor): raise UsageError(f"expression gives a {type(out).__name__}, not a Tensor")
    return out
  return build


# ---------------------------------------------------------------- subcommands

def cmd_ops(a) -> int:
  from tgkit import ops
  dev = _device(a.device)
  with _progress(f"ops on {dev}") as update:
    results = ops.run(ops=a.op, dtypes=a.dtype, device=dev, grads=not a.no_grad, quick=a.quick, progress=update, cache=not a.no_cache,
                      jobs=a.jobs)
  s = ops.summarize(results)
  if a.out: _write_new(a.out, json.dumps([dataclasses.asdict(r) for r in results], indent=2), a.force)
  if a.json: _emit_json({"summary": s, "results": results})
  else:
    rows = [[f["op"], f["dtype"], f["shape"], f["check"], f["status"], f["message"][:70], f["known"][:40]] for f in s["failures"]]
    if rows: _table("cases that did not pass", ["op", "dtype", "shape", "check", "status", "message", "known"], rows)
    _table(f"tgkit ops on {dev}: {s['by_status']['pass']}/{s['total']} cases pass ({s['ops']} ops)", ["group", "pass", "fail", "error", "unsupported"],
           [[g, c["pass"], c["fail"], c["error"], c["unsupported"]] for g, c in s["by_group"].items()])
  return 1 if s["new_failures"] else 0


def _across_tables(x) -> None:
  """The transfer part of `tgkit devices --cross`: copies per `.to`, ops on two devices, shards."""
  pairs: dict = {}
  for t in x.transfers: pairs.setdefault((t.src, t.dst), []).append(t)
  _table(f"{len(x.transfers)} transfers (.to): bytes kept and COPY calls counted", ["from", "to", "dtypes", "copies each", "status"],
         [[s, d, len(ts), ", ".join(map(str, sorted({t.copies for t in ts}))),
           "; ".join(f"{t.dtype}: {t.message}" for t in ts if t.status != "pass") or "pass"] for (s, d), ts in pairs.items()])
  from rich.markup import escape   # an op such as a[b.int() % 4] is not rich markup
  ops: dict = {}
  for m in x.mixed: ops.setdefault(escape(m.op), []).append(m)
  _table(f"{len(x.mixed)} ops with a and b on two devices", ["op", "raises", "at", "what it raised (first pair)", "inputs lost"],
         [[op, f"{sum(m.outcome == 'raises' for m in ms)}/{len(ms)}", ", ".join(sorted({m.when for m in ms if m.when})),
           escape(next((m.error for m in ms if m.outcome != "computes"), "-")[:90]),
           "; ".join(f"{'+'.join(m.lost)} ({m.a_device} & {m.b_device})" for m in ms if m.lost) or "-"] for op, ms in ops.items()])
  if x.shards:
    _table("shard(axis=0).sum() over two instances", ["devices", "value", "result on", "copies", "kernels", "status"],
           [[", ".join(s.devices), s.value, s.result_device, s.copies, s.kernels, s.status + (f": {s.message}" if s.message else "")]
            for s in x.shards])
  for d, why in x.skipped.items(): print(f"no transfers checked on {d}: {why}")


def cmd_devices(a) -> int:
  from tgkit import devices
  if a.cross:
    targets = [t.strip() for t in a.cross.split(",") if t.strip()]
    for t in targets: devices.check_device(t)
    with _progress("cross-check") as update:
      update(0, None)
      rep = devices.cross_check(targets, ops=a.op, dtypes=a.dtype, quick=True, grads=False, transfers=not a.no_transfers)
    if a.json: _emit_json(rep)
    else:
      _table(f"op table on {', '.join(targets)}: {rep.cases} cases", ["device", *["pass", "fail", "error", "unsupported"]],
             [[d, *(c.get(s, 0) for s in ("pass", "fail", "error", "unsupported"))] for d, c in rep.by_device.items()])
      _table(f"{len(rep.disagreements)} cases where devices disagree", ["op", "dtype", "shape", "check", *targets],
             [[d.op, d.dtype, d.kind, d.check, *(d.status.get(t, "") for t in targets)] for d in rep.disagreements[:40]])
      if rep.across is not None: _across_tables(rep.across)
    return 1 if rep.disagreements or (rep.across is not None and rep.across.problems) else 0
  if a.device: devices.check_device(a.device)
  names = [a.device.split(":")[0]] if a.device else None
  targets = [a.device] if a.device else list(devices.COMPILE_ONLY_CANDIDATES if a.compile_only else devices.HOST_TARGETS)
  with _progress("devices") as update:
    update(0, None)
    found = devices.discover(names)
    caps = []
    for i, t in enumerate(targets):
      caps.append(devices.capabilities(t))
      update(i + 1, len(targets))
  if a.compile_only and not a.device: caps = [c for c in caps if c.available]
  if a.json: _emit_json({"devices": found, "capabilities": caps})
  else:
    _table("devices on this host", ["device", "opens", "reason / renderers"],
           [[("* " if d.default else "") + d.name, "yes" if d.opened else "no",
             d.reason or ", ".join(f"{'+' if r.works else '-'}{r.name}" for r in d.renderers)] for d in found])
    _table("renderer targets" + (" (compile-only: kernels are never run)" if a.compile_only else ""),
           ["target", "mode", "native dtypes", "tensor cores", "locals", "note"],
           [[c.target, c.mode, len(c.native_dtypes), c.tensor_core_count, "yes" if c.has_local else "no", c.reason[:60]] for c in caps])
  return 0


def cmd_trace(a) -> int:
  from tgkit.trace import render_text, trace
  build = _eval(a.expr)
  if a.device: _device(a.device)  # compile-only targets such as NULL:PTX:sm_80 are accepted
  tr = trace(build, a.device)
  if a.json: _emit_json(tr)
  elif a.mermaid: print(tr.mermaid())
  else:
    print(render_text(tr, sources=a.source))
    _table(f"{tr.kernel_count} kernel(s), {len(tr.schedule)} schedule step(s)", ["#", "kind", "name", "device"],
           [[s.index, s.kind, s.name, s.device] for s in tr.schedule])
  return 0


def cmd_profile(a) -> int:
  from tgkit import profile as pf
  if a.compare:
    before, after = pf.load(a.compare[0]), pf.load(a.compare[1])
    c = pf.compare(before, after, a.threshold)
    if a.json: _emit_json(c)
    else: print(pf.render_comparison(c))
    return 1 if c.verdict == "slower" else 0
  if not a.expr: raise UsageError("tgkit profile: give an expression to profile, or --compare BEFORE.json AFTER.json")
  dev = _device(a.device)
  build = _eval(a.expr)
  from tinygrad import Context
  with Context(DEV=dev, NO_MEMORY_PLANNER=int(a.no_memory_planner)), _progress(f"profiling {a.repeats} runs") as update:
    update(0, None)
    prof = pf.profile(build, repeats=a.repeats, warmup=1, label=a.expr)
  if a.save:
    if Path(a.save).exists() and not a.force: raise UsageError(f"{a.save} already exists (use --force to overwrite)")
    pf.save(prof, a.save)
  if a.json: _emit_json(pf.to_dict(prof))
  else:
    print(pf.render_text(prof))
    _table("bottlenecks", ["rank", "kernel", "share", "median ms", "GFLOP/s", "GB/s"],
           [[b.rank, b.name, f"{b.share:.0%}", f"{b.median_s * 1e3:.3f}", f"{b.gflops:.2f}", f"{b.gbs:.2f}"] for b in pf.bottlenecks(prof)])
  return 0


def _suggest_workload(expr: str):
  """The expression as a workload; one that uses the name `dtype` takes it as an argument (default float32)."""
  build = _eval(expr)
  if "dtype" not in compile(expr, "<expression>", "eval").co_names: return build
  from tinygrad import dtypes
  def workload(dtype=dtypes.float32): return build(dtype=dtype)
  return workload


def cmd_suggest(a) -> int:
  from tgkit import suggest as sg
  workload = _suggest_workload(a.expr)
  variants = {}
  for v in a.variant or []:
    label, sep, expr = v.partition("=")
    if not sep or not label.strip() or not expr.strip(): raise UsageError(f"--variant takes LABEL=EXPR, got {v!r}")
    if label.strip() in variants: raise UsageError(f"--variant label {label.strip()!r} given twice")
    variants[label.strip()] = _eval(expr)
  builtins = tuple(b for b in sg.BUILTINS if b not in (a.skip or []))
  dev = _device(a.device)
  from tinygrad import Context
  with Context(DEV=dev), _progress(f"profiling and trying {len(builtins) + len(variants)} candidates") as update:
    update(0, None)
    s = sg.suggest(workload, variants, top=a.top, repeats=a.repeats, beam=a.beam, builtins=builtins, threshold=a.threshold, label=a.expr)
  if a.json: _emit_json(s)
  else: print(sg.render_text(s))
  return 0


def cmd_leak(a) -> int:
  if a.runs < 4 or a.warmup < 0: raise UsageError(f"--runs must be >= 4 and --warmup >= 0, got {a.runs} and {a.warmup}")
  from tinygrad import Context
  from tgkit import memory
  dev, label = _device(a.device), a.step
  with Context(DEV=dev), _progress(f"leak check: {a.warmup} + {a.runs} runs") as update:
    update(0, None)
    step = memory.load_step(a.step) or _eval(a.step)   # a module's tensors are created on --device too
    def guarded():
      try: return step()
      except UsageError: raise
      except Exception as e:  # noqa: BLE001 - the user's step failed: one line, not a traceback
        raise UsageError(f"step {label!r} raised {type(e).__name__}: {(str(e).strip().splitlines() or [''])[0]}") from e
    rep = memory.leak_check(guarded, runs=a.runs, warmup=a.warmup, label=label)
  if a.json: _emit_json(rep)
  else: print(memory.render_leak(rep))
  return 1 if rep.verdict == "grows" else 0


def _ints(text: str, what: str) -> list[int]:
  try: vals = [int(v) for v in text.split(",") if v.strip()]
  except ValueError: raise UsageError(f"{what} are whole numbers separated by commas, e.g. 256,4096; got {text!r}") from None
  if not vals or any(v < 1 for v in vals): raise UsageError(f"{what} must be whole numbers >= 1, got {text!r}")
  return vals


def cmd_bench(a) -> int:
  from tgkit import bench
  if bool(a.op) == bool(a.mlp): raise UsageError("tgkit bench: give --op NAME (an op of `tgkit ops`) or --mlp WIDTHS, one of the two")
  if a.mlp and (a.dtype or a.sizes): raise UsageError("tgkit bench: --dtype and --sizes apply to --op; an MLP takes --batch")
  targets = [t.strip() for t in a.devices.split(",") if t.strip()] if a.devices else [a.device]
  if a.devices and a.device: raise UsageError("tgkit bench: give --device or --devices, not both")
  targets = [bench.check_target(t) for t in targets]
  if a.svg and Path(a.svg).exists() and not a.force: raise UsageError(f"{a.svg} already exists (use --force to overwrite)")
  ceil = "measure" if a.ceilings is None else [bench.ceilings_from_report(a.ceilings, t) for t in targets]
  with _progress("bench") as update:
    update(0, None)
    if a.op: b = bench.operation(a.op, _ints(a.sizes, "sizes") if a.sizes else None, a.dtype, targets, a.repeats, a.warmup, ceil, progress=update)
    else: b = bench.inference_devices(tuple(_ints(a.mlp, "MLP widths")), a.batch, targets, a.repeats, a.warmup, ceil)
  if a.svg:
    out = Path(a.svg)
    out.mkdir(parents=True, exist_ok=True)
    (out / "roofline.svg").write_text(bench.plot_roofline(b.ceilings, bench.points(b.measurements)), encoding="utf8")
    (out / "times.svg").write_text(bench.plot_times(b.measurements), encoding="utf8")
  if a.json:
    _emit_json(bench.to_dict(b))
    return 0 if all(m.ok for m in b.measurements) else 1
  print(bench.render_text(b, kernels=a.kernels))
  if a.svg: print(f"wrote {Path(a.svg) / 'roofline.svg'}, {Path(a.svg) / 'times.svg'}")
  return 0 if all(m.ok for m in b.measurements) else 1


def cmd_nn(a) -> int:
  from tinygrad import Context
  from tgkit import nn
  dev = _device(a.device)
  with Context(DEV=dev), _progress(f"nn checks on {dev}") as update:
    update(0, None)
    results = nn.run(layers=a.layer, optimizers=a.optimizer, schedules=a.schedule, datasets=a.dataset, checks=a.check)
    timed = None
    if a.inference:
      if a.repeats < 1: raise UsageError(f"--repeats must be >= 1, got {a.repeats}")
      timed = nn.benchmark_inference(nn.train((a.dataset or list(nn.STABILITY))[0]), repeats=a.repeats)
  if a.json: _emit_json({"checks": results, "inference": timed} if timed else results)
  else:
    _table(f"tgkit nn: {sum(r.status == 'pass' for r in results)}/{len(results)} checks pass", ["check", "target", "status", "max error", "tolerance", "message"],
           [[r.check, r.target, r.status, "" if r.max_error is None else f"{r.max_error:.3g}", r.tolerance, r.message[:60]] for r in results])
    if timed:
      from tgkit import bench
      print(bench.render_text(bench.Bench([timed], [], [])))
  return 0 if all(r.status == "pass" for r in results) and (timed is None or timed.ok) else 1


def cmd_gen_test(a) -> int:
  from tgkit import testgen
  if a.known_bugs:
    if a.repro or a.op or a.device: raise UsageError("tgkit gen-test: --known-bugs takes no --op, --repro or --device")
    text = testgen.known_bugs()
  elif a.repro:
    if a.device: raise UsageError("tgkit gen-test: --device applies to --op tests; a reproduction picks its own device")
    p = Path(a.repro)
    if not p.is_file(): raise UsageError(f"{p}: no such file")
    text = testgen.from_repro(p.read_text(encoding="utf8"))
  elif a.op: text = testgen.from_spec(a.op, a.dtype, device=_device(a.device) if a.device else None)
  else: raise UsageError("tgkit gen-test: give --op NAME (from the op table), --repro SCRIPT or --known-bugs")
  if a.out: _write_new(a.out, text, a.force)
  if a.json:
    _emit_json({"path": a.out, "source": text})
    return 0
  if not a.out: print(text, end="")
  tests = testgen.test_names(text)
  from rich.table import Table
  t = Table(title=f"tgkit gen-test: {len(tests)} test function(s)" + (f" in {a.out}" if a.out else ""), title_justify="left")
  for c in ("test", "parameters"): t.add_column(c)
  for name, n in tests: t.add_row(name, str(n) if n else "")
  _console(stderr=not a.out).print(t)   # printed source goes to stdout alone, so it can be redirected into a file
  return 0


def cmd_report(a) -> int:
  from tgkit import report
  with _progress("validating") as update:
    done = []
    def step(name):
      done.append(name)
      update(len(done), len(report._targets(a.target)))
    rep = report.run_full_validation(a.target, a.out, device=a.device, quick=not a.full, force=a.force, progress=step)
  if a.json: print(report.to_json(rep))
  else:
    _table(f"tgkit report: {'PASS' if rep.passed else 'FAIL'} (tinygrad {rep.tinygrad_version}, {rep.device})", ["section", "status", "summary"],
           [[s.name, s.status, s.summary] for s in rep.sections])
    print(f"wrote {', '.join(str(Path(a.out) / f) for f in report.FILES)}")
  return report.exit_code(rep)


def cmd_coverage(a) -> int:
  from tgkit import coverage as cov
  if a.limit < 0: raise UsageError(f"--limit must be 0 (all) or more, not {a.limit}")
  if a.tests:
    if a.op or a.dtype or a.quick or a.no_grad: raise UsageError("tgkit coverage: --op, --dtype, --quick and --no-grad select op-table cases; not with a test file")
    if a.device: _device(a.device)
    with _progress(f"pytest {a.tests} under coverage") as update:
      update(0, None)
      rep = cov.run_tests(a.tests, under=a.under, pytest_args=("-k", a.k) if a.k else (), device=a.device)
  else:
    if a.k: raise UsageError("tgkit coverage: -k selects tests of a test file; give the file")
    dev = _device(a.device)
    with _progress(f"op table on {dev} under coverage") as update:
      update(0, None)
      rep = cov.run_ops(ops=a.op, dtypes=a.dtype, quick=a.quick, grads=not a.no_grad, device=dev, under=a.under)
  if a.json:
    _emit_json(cov.to_dict(rep, a.limit, a.never_entered))
    return 0
  print(f"{rep.target}\n{rep.caches}")
  shown = cov.limited(rep, a.limit, a.never_entered)
  _table(f"{', '.join(rep.under) or 'tinygrad'}: {rep.statements - rep.missed}/{rep.statements} statements ran ({rep.covered:.0%}); "
         f"{len(rep.functions)} functions missed some, {len(rep.never_entered())} never entered" + (f" (first {len(shown)})" if len(shown) < len(rep.functions) else ""),
         ["rank", "missed", "function", "where", "missed lines"],
         [[i + 1, f"{g.missed}/{g.statements}", g.name, g.where, "never entered" if not g.entered else cov.line_ranges(g.missed_lines)]
          for i, g in enumerate(shown)])
  return 0


def cmd_learn(a) -> int:
  from tgkit import learn
  ws = learn.Workspace(a.workspace)
  if a.action == "list":
    rows = ws.status()
    if a.json: _emit_json([{"id": ex.id, "day": ex.day, "pathway": ex.pathway, "kind": ex.kind, "title": ex.title, "file": ex.path, **st}
                           for ex, st in rows])
    else: _table(f"exercises (workspace {ws.root})", ["id", "day", "pathway", "title", "status", "hints seen"],
                 [[ex.id, ex.day, ex.pathway, ex.title, st["status"], f"{st['hints']}/{len(ex.hints)}"] for ex, st in rows])
    return 0
  if a.action == "start":
    day = _learn_day(a.day, ws)
    written = ws.start(day)
    if a.json: _emit_json([{"id": ex.id, "file": str(p), "written": w} for ex, p, w in written])
    else:
      for ex, p, w in written: print(f"{'wrote' if w else 'kept '} {p}  ({ex.id}: {ex.title}){'' if w else '  your edits are kept'}")
      print(f"check one with: tgkit learn check {written[0][0].id}" + ("" if a.workspace == "." else f" --workspace {a.workspace}"))
    return 0
  if a.action == "hint":
    ex = learn.get(a.exercise)
    n, text = ws.hint(ex)
    if a.json: _emit_json({"id": ex.id, "hint": n, "of": len(ex.hints), "text": text})
    elif text is None: print(f"{ex.id}: no more hints ({n} of {n} shown); the solution is on the Day {ex.day} page, collapsed under the exercise")
    else: print(f"{ex.id} hint {n}/{len(ex.hints)}: {text}")
    return 0
  # check
  targets = [learn.get(a.exercise)] if a.exercise else [ex for ex, st in ws.status() if (ws.root / ex.path).exists()]
  if not targets: raise UsageError(f"no exercise files in {ws.root}: run `tgkit learn start` first")
  verdicts = []
  for ex in targets:
    v = ws.check(ex, a.timeout)
    verdicts.append(v)
    if a.json: continue
    print(f"{'PASS' if v.passed else v.status.upper():7s} {ex.id}  {ex.title}  ({v.seconds:.1f} s)")
    if not v.passed:
      print(f"        {v.message}")
      if v.hint: print(f"        try: {v.hint}")
      if v.output: print("        your code printed (last lines):\n" + "\n".join("          " + ln for ln in v.output.splitlines()))
  if a.json: _emit_json(verdicts)
  return 0 if all(v.passed for v in verdicts) else 1


def _learn_day(day: str | None, ws) -> int:
  from tgkit import learn
  if day is None:   # the first day with an exercise not yet passed
    open_days = [ex.day for ex, st in ws.status() if st["status"] != "passed"]
    return min(open_days) if open_days else learn.days()[-1]
  try: return learn.for_day(int(day)) and int(day)
  except ValueError: raise UsageError(f"unknown day {day!r}; choose from: {', '.join(map(str, learn.days()))}") from None


# ---------------------------------------------------------------- arguments

def table_selection(sp: argparse.ArgumentParser) -> None:
  """The op-table selectors `tgkit ops` and `tgkit coverage` share."""
  sp.add_argument("--op", action="append", help="op or group name (repeatable; default: the whole table)")
  sp.add_argument("--dtype", action="append", help="dtype name (repeatable; default: all)")
  sp.add_argument("--quick", action="store_true", help="only the 1d, broadcast and odd shape kinds")
  sp.add_argument("--no-grad", action="store_true", help="skip gradient checks")


def parser() -> argparse.ArgumentParser:
  from tgkit import __version__
  p = _Parser(prog="tgkit", description="Validate and inspect tinygrad: ops against numpy, devices, UOp traces, profiles, nn, tests, reports.")
  p.add_argument("--version", action="version", version=f"tgkit {__version__}")
  sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
  def add(name, help_, fn):
    sp = sub.add_parser(name, help=help_, description=help_)
    sp.add_argument("--device", help="tinygrad device, optionally with renderer: CPU, CPU:LLVM, PYTHON (default: tinygrad's default)")
    sp.add_argument("--json", action="store_true", help="print JSON instead of tables")
    sp.set_defaults(fn=fn)
    return sp
  sp = add("ops", "check Tensor operations against numpy (values, NaN/inf, gradients, expected errors)", cmd_ops)
  table_selection(sp)
  sp.add_argument("--no-cache", action="store_true", help="do not use tgkit's disk cache of schedules and programs (tgkit.progcache)")
  sp.add_argument("--jobs", "-j", type=int, metavar="N", help="processes checking cases (default: every core, once the run is long enough)")
  sp.add_argument("--out", help="also write every result to this JSON file")
  sp.add_argument("--force", action="store_true", help="overwrite --out if it exists")
  sp = add("devices", "which devices open here, renderer capabilities, compile-only GPU targets, cross-device checks", cmd_devices)
  sp.add_argument("--compile-only", action="store_true", help="GPU renderers usable without a GPU (tinygrad's NULL device)")
  sp.add_argument("--cross", metavar="DEV,DEV", help="run the quick op table on these devices, list disagreements, and check transfers between them")
  sp.add_argument("--op", action="append", help="with --cross: op or group name (repeatable)")
  sp.add_argument("--dtype", action="append", help="with --cross: dtype name (repeatable)")
  sp.add_argument("--no-transfers", action="store_true", help="with --cross: skip the transfers, mixed-device ops and shards")
  sp = add("trace", "show an expression's UOp graph, schedule and kernel source", cmd_trace)
  sp.add_argument("expr", help=EXPR_HELP)
  sp.add_argument("--source", action="store_true", help="print each kernel's source")
  sp.add_argument("--mermaid", action="store_true", help="print the graph as a Mermaid flowchart")
  sp = add("profile", "time an expression's kernels over repeats, or compare two saved profiles", cmd_profile)
  sp.add_argument("expr", nargs="?", help=EXPR_HELP)
  sp.add_argument("--repeats", type=int, default=5, help="timed runs (default 5)")
  sp.add_argument("--save", help="write the profile to this JSON file")
  sp.add_argument("--force", action="store_true", help="overwrite --save if it exists")
  sp.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"), help="compare two saved profiles")
  sp.add_argument("--threshold", type=float, default=0.10, help="relative change that counts (default 0.10)")
  sp.add_argument("--no-memory-planner", action="store_true", help="profile under NO_MEMORY_PLANNER=1, to compare the peak memory")
  sp = add("suggest", "profile an expression, try BEAM, NOOPT, a fusion, float16 and your variants on it, and measure each", cmd_suggest)
  sp.add_argument("expr", help=EXPR_HELP + "; one that uses the name dtype is also tried in float16")
  sp.add_argument("--variant", action="append", metavar="LABEL=EXPR",
                  help="your rewrite of the expression to try, e.g. without a .contiguous() (repeatable)")
  sp.add_argument("--skip", action="append", choices=["beam", "noopt", "split", "dtype"], help="a built-in candidate not to try (repeatable)")
  sp.add_argument("--beam", type=int, default=2, help="BEAM width of the beam candidate (default 2; on CPU the search compiles many kernels)")
  sp.add_argument("--top", type=int, default=3, help="slow kernels to report (default 3)")
  sp.add_argument("--repeats", type=int, default=5, help="timed runs of each (default 5)")
  sp.add_argument("--threshold", type=float, default=0.10, help="relative change that counts (default 0.10)")
  sp = add("leak", "run a step many times: do tinygrad's allocated buffers plateau or grow, and which ones grow?", cmd_leak)
  sp.add_argument("step", help="FILE.py:FUNCTION or MODULE:FUNCTION (a zero-argument step), or " + EXPR_HELP + " (built and realized each run)")
  sp.add_argument("--runs", type=int, default=20, help="measured runs (default 20, at least 4)")
  sp.add_argument("--warmup", type=int, default=2, help="runs before measuring (default 2: a JIT captures on its second call)")
  sp = add("bench", "time an op over sizes, dtypes and devices, or an MLP's inference, and place each on the roofline", cmd_bench)
  sp.add_argument("--op", action="append", help="op name from the op table, as in `tgkit ops` (repeatable)")
  sp.add_argument("--dtype", action="append", help="with --op: dtype name (repeatable; default float32)")
  sp.add_argument("--sizes", help="with --op: comma-separated sizes: elements, or n of n x n matrices and images "
                  "(default 256,4096,65536 / 32,64,128 / 16,32,64; tiny ones when PYTHON is among the devices)")
  sp.add_argument("--mlp", metavar="WIDTHS", help="time the inference of an MLP of these widths, e.g. 64,128,10")
  sp.add_argument("--batch", type=int, default=32, help="with --mlp: the batch size (default 32)")
  sp.add_argument("--devices", metavar="DEV,DEV", help="devices side by side, e.g. CPU,PYTHON (PYTHON emulates: keep sizes tiny)")
  sp.add_argument("--repeats", type=int, default=5, help="timed runs per measurement (default 5)")
  sp.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1: it compiles)")
  sp.add_argument("--ceilings", metavar="REPORT.json", help="take the ceilings from a host report (scripts/device_report.py, or the "
                  "build's .cache/device-report/live-*.json) instead of measuring them now")
  sp.add_argument("--kernels", action="store_true", help="also place every kernel of each measurement on the roofline")
  sp.add_argument("--svg", metavar="DIR", help="write roofline.svg and times.svg into DIR")
  sp.add_argument("--force", action="store_true", help="write into --svg DIR if it exists")
  sp = add("nn", "forward, gradient, parameter-count, training-mode, optimizer, schedule and training-stability checks of tinygrad.nn", cmd_nn)
  sp.add_argument("--layer", action="append", help="layer name, or Dropout (repeatable; default: all)")
  sp.add_argument("--optimizer", action="append", help="optimizer name (repeatable; default: all)")
  sp.add_argument("--schedule", action="append", help="learning-rate schedule of tgkit.schedules (repeatable; default: all)")
  sp.add_argument("--dataset", action="append", help="data set of the training-stability check (repeatable; default: all)")
  sp.add_argument("--check", action="append", help="params, forward, grad, training, converge, schedule or stability (repeatable; default: all)")
  sp.add_argument("--inference", action="store_true", help="also time the trained model's inference (median and IQR; host-dependent)")
  sp.add_argument("--repeats", type=int, default=20, help="timed runs of --inference (default 20)")
  sp = add("gen-test", "write a pytest file from op-table cases, or a regression test from a bug reproduction", cmd_gen_test)
  sp.add_argument("--op", action="append", help="op name from the op table (repeatable)")
  sp.add_argument("--dtype", action="append", help="dtype name (repeatable)")
  sp.add_argument("--repro", help="a script assigning `out` (tinygrad) and `ref` (numpy)")
  sp.add_argument("--known-bugs", action="store_true", help="regression tests (expectedFailure) for the real tinygrad bugs the op table finds")
  sp.add_argument("-o", "--out", help="write the test here instead of printing it")
  sp.add_argument("--force", action="store_true", help="overwrite --out if it exists")
  sp = add("report", "run every tool and write report.json, report.md and report.html", cmd_report)
  sp.add_argument("--target", default="all", help="all, or a comma-separated subset of ops,devices,nn,trace,profile")
  sp.add_argument("--out", default="tgkit-report", help="folder for the reports (default tgkit-report)")
  sp.add_argument("--full", action="store_true", help="the whole op table instead of its quick subset")
  sp.add_argument("--force", action="store_true", help="overwrite existing reports")
  sp = add("coverage", "run the op table or a test file under coverage.py and list the functions of tinygrad it never ran, ranked", cmd_coverage)
  sp.add_argument("tests", nargs="?", help="a pytest file or folder (FILE::test works too) to measure instead of the op table")
  table_selection(sp)
  sp.add_argument("-k", help="with a test file: pytest's -k expression")
  sp.add_argument("--under", action="append", metavar="PART", help="report only this part of tinygrad, e.g. tinygrad/uop or tinygrad/tensor.py (repeatable)")
  sp.add_argument("--limit", type=int, default=20, help="functions to list (default 20; 0: all)")
  sp.add_argument("--never-entered", action="store_true", help="list only functions the run never called")
  lp = sub.add_parser("learn", help="the course's exercises: list, start a day, check your answers, get a hint",
                      description="the course's exercises: write the starter files, check your answers, get hints; progress is kept in the workspace")
  lp.set_defaults(fn=cmd_learn)
  lsub = lp.add_subparsers(dest="action", required=True, parser_class=_Parser)
  def learn_cmd(name, help_):
    c = lsub.add_parser(name, help=help_, description=help_)
    c.add_argument("--workspace", "-w", default=os.environ.get("TGKIT_WORKSPACE", "."),
                   help="the folder with your exercise files and progress (default: the current folder, or $TGKIT_WORKSPACE)")
    c.add_argument("--json", action="store_true", help="print JSON")
    return c
  learn_cmd("list", "every exercise with your status")
  learn_cmd("start", "write a day's starter files (existing files are never overwritten)").add_argument(
    "day", nargs="?", help="day 1-7 (default: the first day with an exercise you have not passed)")
  c = learn_cmd("check", "check your answer to one exercise, or to every exercise you started")
  c.add_argument("exercise", nargs="?", help="exercise id, e.g. d1-validate (default: every exercise file in the workspace)")
  c.add_argument("--timeout", type=float, default=60.0, help="seconds one check may run (default 60)")
  learn_cmd("hint", "show the next hint of an exercise").add_argument("exercise", help="exercise id, e.g. d1-validate")
  return p


def main(argv: list[str] | None = None) -> int:
  """Run the tgkit command line; returns the exit code (0 ok, 1 failures found, 2 bad input)."""
  os.environ.setdefault("PARALLEL", "0")  # compile in-process: quiet, and no worker processes left behind
  try:
    a = parser().parse_args(argv)
    return a.fn(a)
  except UsageError as e:
    print(f"{getattr(e, 'prog', 'tgkit')}: error: {e}", file=sys.stderr)
    return 2
  except KeyboardInterrupt:
    print("tgkit: interrupted", file=sys.stderr)
    return 130
  except Exception as e:  # noqa: BLE001 - an unexpected failure: one line, TGKIT_TRACEBACK=1 shows where
    if os.environ.get("TGKIT_TRACEBACK"): raise
    print(f"tgkit: error: {type(e).__name__}: {(str(e).strip().splitlines() or [''])[0]} (TGKIT_TRACEBACK=1 shows the traceback)", file=sys.stderr)
    return 1


if __name__ == "__main__":
  sys.exit(main())
