"""tgkit.progcache: a second run loads schedules and programs instead of making them, gives the same results, and
misses when tinygrad's source or the settings change."""
import json
import os
import subprocess
import sys

from tinygrad import Context, Tensor
from tinygrad import codegen, schedule

from handbook import env
from tgkit import ops, progcache

SEL = {"ops": ["add", "exp", "sum", "matmul", "where"], "dtypes": ["float32", "int32"], "kinds": ["odd"]}
CHILD = """
import json, sys
from tgkit import ops, progcache
rs = ops.run(**json.loads(sys.argv[1]))
print(json.dumps({"stats": progcache.stats, "results": [[r.op, r.dtype, r.kind, r.check, r.status] for r in rs]}))
"""


def child(cache_dir) -> dict:
  p = subprocess.run([sys.executable, "-c", CHILD, json.dumps(SEL)], capture_output=True, text=True, timeout=600,
                     env={**os.environ, **env.BUILD_ENV, "TGKIT_CACHE_DIR": str(cache_dir)})
  assert p.returncode == 0, p.stderr[-3000:]
  return json.loads(p.stdout.strip().splitlines()[-1])


def test_a_second_process_loads_instead_of_compiling(tmp_path):
  first, second = child(tmp_path), child(tmp_path)
  assert first["stats"]["stored"] > 0 and first["stats"]["loaded"] == 0
  assert second["stats"]["stored"] == 0 and second["stats"]["loaded"] > 0
  assert first["results"] == second["results"] and len(first["results"]) > 10
  uncached = [[r.op, r.dtype, r.kind, r.check, r.status] for r in ops.run(**SEL, cache=False)]
  assert first["results"] == uncached


def fresh_compile_count(db, **context) -> int:
  """Programs generated (not loaded) for one small expression, in a process whose in-memory caches are empty."""
  schedule.schedule_cache.clear()
  codegen.to_program_cache.clear()
  before = dict(progcache.stats)
  with Context(**context), progcache.enabled(db): (Tensor([1.0, 2.0, 3.0]) * 5 + 2).sum().realize()
  return progcache.stats["stored"] - before["stored"]


def test_settings_and_tinygrad_source_are_part_of_the_key(tmp_path, monkeypatch):
  db = tmp_path / "programs.db"
  assert fresh_compile_count(db) > 0
  assert fresh_compile_count(db) == 0               # all from the disk
  assert fresh_compile_count(db, NOOPT=1) > 0       # another setting: other programs
  monkeypatch.setattr(progcache, "source_hash", lambda: "an edited tinygrad")
  assert fresh_compile_count(db) > 0                # another tinygrad source: nothing is reused


def test_tinygrads_caches_are_put_back(tmp_path):
  before = [getattr(mod, attr) for mod, attr in progcache.CACHES] + [schedule.pm_schedule, schedule.schedule_cache]
  with progcache.enabled(tmp_path / "p.db"):
    assert all(isinstance(getattr(mod, attr), progcache.Persistent) for mod, attr in progcache.CACHES)
    (Tensor([4.0]) + 1).realize()
  after = [getattr(mod, attr) for mod, attr in progcache.CACHES] + [schedule.pm_schedule, schedule.schedule_cache]
  assert all(a is b for a, b in zip(after, before)) and type(before[0]) is dict
  assert progcache.clear(tmp_path / "p.db") > 0 and progcache.clear(tmp_path / "p.db") == 0
