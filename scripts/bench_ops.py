"""Op-cases per second for `tgkit.ops.run_naive` (one realize per case) and `tgkit.ops.run` (batched, with tgkit's
program cache), cold on one core, cold on every core and warm, in one run. Prints numbers; asserts nothing.

Every measurement is a fresh process. The naive run, the cold serial run and the cold parallel run each start with an
empty tinygrad kernel cache (a new temporary CACHEDB) and an empty tgkit program cache, so none profits from another:
that is what a contributor who edited tinygrad pays (the disk cache's key includes tinygrad's source). The warm run is
the next run after the cold parallel one, with both caches filled. Every run's results are compared record by record
with the naive run's statuses and the cold serial run's records (same cases, same order, same values). CPU seconds
(this process, its workers and their compilers) show whether a parallel run did more work or only waited for a busy core.

    python scripts/bench_ops.py            # the full table
    python scripts/bench_ops.py --quick    # the quick subset (1d, broadcast and odd shapes)
    python scripts/bench_ops.py --jobs 4   # processes of the parallel runs (default: every core)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

CHILD = """
import dataclasses, json, os, sys, time
from tgkit import ops
args = json.loads(sys.argv[1])
kw = dict(ops=args["ops"], dtypes=args["dtypes"], kinds=ops.quick_kinds() if args["quick"] else None)
t, c = time.perf_counter(), os.times()
rs = ops.run_naive(**kw) if args["mode"] == "naive" else ops.run(**kw, jobs=args["jobs"])
dt, c2 = time.perf_counter() - t, os.times()
cpu = sum(c2[i] - c[i] for i in range(4))   # this process, its workers and their compilers
print(json.dumps({"seconds": dt, "cpu": cpu, "cases": len(rs), "by_status": ops.summarize(rs)["by_status"], "results": [dataclasses.asdict(r) for r in rs]}))
"""


def measure(mode: str, jobs: int, args, tmp: str) -> dict:
  """Run one mode in a fresh process whose caches live in `tmp`; return its timing record."""
  env = {**os.environ, "CACHEDB": os.path.join(tmp, "cache.db"), "TGKIT_CACHE_DIR": tmp, "PARALLEL": "0", "NO_COLOR": "1"}
  env.pop("TGKIT_JOBS", None)
  spec = json.dumps({"mode": mode, "jobs": jobs, "ops": args.ops, "dtypes": args.dtypes, "quick": args.quick})
  out = subprocess.run([sys.executable, "-c", CHILD, spec], env=env, capture_output=True, text=True)
  if out.returncode != 0: sys.exit(f"{mode} failed:\n{out.stderr[-3000:]}")
  return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
  ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  ap.add_argument("--quick", action="store_true", help="only the quick subset of shape kinds")
  ap.add_argument("--ops", nargs="*", default=None, help="op or group names (default: all)")
  ap.add_argument("--dtypes", nargs="*", default=None, help="dtype names (default: all)")
  ap.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)), help="processes of the parallel runs (default: every core)")
  args = ap.parse_args(argv)
  if args.jobs < 1: sys.exit("--jobs: expected 1 or more")
  print(f"measuring on {len(os.sched_getaffinity(0))} cores, load average {os.getloadavg()[0]:.1f} (several minutes) ...", file=sys.stderr)
  with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b, tempfile.TemporaryDirectory() as c:
    rows = {"naive": measure("naive", 1, args, a), "cold, 1 job": measure("run", 1, args, b),
            f"cold, {args.jobs} jobs": measure("run", args.jobs, args, c), f"warm, {args.jobs} jobs": measure("run", args.jobs, args, c)}
  naive, serial = rows["naive"], rows["cold, 1 job"]
  status = lambda r: [(x["op"], x["dtype"], x["kind"], x["check"], x["status"]) for x in r["results"]]  # noqa: E731
  for mode, r in rows.items():
    same = "same records" if r["results"] == serial["results"] else "same statuses" if status(r) == status(serial) else "DIFFERENT"
    print(f"{mode:14s} {r['cases']:5d} cases in {r['seconds']:6.1f} s ({r['cpu']:6.1f} s CPU) = {r['cases'] / r['seconds']:6.1f} cases/s  "
          f"{naive['seconds'] / r['seconds']:4.1f}x naive  {same} as cold, 1 job  {r['by_status']}")
  print(f"load average after: {os.getloadavg()[0]:.1f}")
  return 0


if __name__ == "__main__":
  sys.exit(main())
