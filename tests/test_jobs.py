"""tgkit.ops on every core: worker processes give the serial run's results in its order; tgkit's disk cache is shared
safely between processes."""
import dataclasses
import multiprocessing
import os

import pytest

from tgkit import ops, progcache
from tgkit.errors import UsageError

SEL = dict(ops=["unary"], dtypes=["float32"], kinds=["odd", "1d"])   # 85 kernel cases: two batches


def records(rs): return [dataclasses.asdict(r) for r in rs]


def test_parallel_run_gives_the_serial_results_in_order():
  serial = ops.run(**SEL, jobs=1)
  seen = []
  parallel = ops.run(**SEL, jobs=2, progress=lambda done, total: seen.append((done, total)))
  assert len(serial) == 85 and records(parallel) == records(serial)
  assert ops.last_run == {"jobs": 2, "batches": 2, "in_workers": 1}   # a worker checked one batch, this process the other
  assert seen[-1] == (85, 85) and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_case_the_workers_lack_is_checked_here(monkeypatch):
  """An op added in this process only: the workers cannot build its batch, so this process checks it."""
  fake = ops.OpSpec("nan_to_zero", "unary", lambda x: x.isnan().where(0, x), lambda x: x, grad=False)
  monkeypatch.setattr(ops, "OPS", {"nan_to_zero": fake, **ops.OPS})   # first: in the batch a worker takes
  sel = {**SEL, "ops": ["nan_to_zero", "unary"]}
  parallel = ops.run(**sel, jobs=2)
  assert ops.last_run["batches"] == 2 and ops.last_run["in_workers"] == 0   # the worker's batch came back
  assert records(parallel) == records(ops.run(**sel, jobs=1))
  by_kind = {r.kind: r for r in parallel if r.op == "nan_to_zero"}
  assert by_kind["odd"].status == "pass" and by_kind["1d"].status == "fail" and "NaN mismatch" in by_kind["1d"].message


def test_default_jobs_every_core_for_long_runs_only(monkeypatch):
  monkeypatch.delenv("TGKIT_JOBS", raising=False)
  assert ops.default_jobs(10) == 1 and ops.default_jobs(100_000) == len(os.sched_getaffinity(0))
  assert ops.default_jobs(100_000, cache=False) == 1   # tinygrad patched in this process: workers would not see it
  monkeypatch.setenv("TGKIT_JOBS", "3")
  assert ops.cores() == 3 and ops.default_jobs(100_000) == 3
  monkeypatch.setenv("TGKIT_JOBS", "many")
  with pytest.raises(UsageError, match="TGKIT_JOBS='many': expected a whole number"): ops.default_jobs(100_000)
  with pytest.raises(UsageError, match="jobs=0"): ops.run(ops=["relu"], jobs=0)


def _open_device() -> None:
  from tinygrad import Device
  Device[Device.DEFAULT]   # as in every run, before the cache is used (opening one sets tinygrad's DEV)


def _write(path: str, start: int) -> None:
  _open_device()
  db = progcache._open(progcache.pathlib.Path(path))
  table = progcache.Persistent({}, db, "program")
  for i in range(start, start + 200): table[("k", i % 300)] = ("value", i % 300)   # overlapping keys, written concurrently
  db.close()


def test_processes_share_the_disk_cache(tmp_path):
  path = str(tmp_path / "programs.db")
  ctx = multiprocessing.get_context("spawn")
  procs = [ctx.Process(target=_write, args=(path, start)) for start in (0, 50, 100, 150)]
  for p in procs: p.start()
  for p in procs: p.join(120)
  assert [p.exitcode for p in procs] == [0, 0, 0, 0]
  _open_device()
  table = progcache.Persistent({}, progcache._open(progcache.pathlib.Path(path)), "program")
  assert all(table[("k", i)] == ("value", i) for i in range(300))
