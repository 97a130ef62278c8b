"""Op-cases per second for `tgkit.ops.run_naive` (one realize per case) and `tgkit.ops.run` (batched, with tgkit's
program cache), in one run. Prints numbers; asserts nothing.

Every measurement is a fresh process. The naive run and the first `run` each start with an empty tinygrad kernel
cache (a new temporary CACHEDB) and an empty tgkit program cache, so neither profits from the other; the second
`run` is what a contributor's next run costs: tinygrad's and tgkit's caches filled by the first.

    python scripts/bench_ops.py            # the full table
    python scripts/bench_ops.py --quick    # the quick subset (1d, broadcast and odd shapes)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

CHILD = """
import json, sys, time
from tgkit import ops
args = json.loads(sys.argv[1])
fn = ops.run if args["mode"] == "run" else ops.run_naive
t = time.perf_counter()
rs = fn(ops=args["ops"], dtypes=args["dtypes"], kinds=ops.quick_kinds() if args["quick"] else None)
dt = time.perf_counter() - t
s = ops.summarize(rs)
print(json.dumps({"seconds": dt, "cases": len(rs), "by_status": s["by_status"]}))
"""


def measure(mode: str, args, tmp: str) -> dict:
  """Run one mode in a fresh process whose caches live in `tmp`; return its timing record."""
  env = {**os.environ, "CACHEDB": os.path.join(tmp, "cache.db"), "TGKIT_CACHE_DIR": tmp, "PARALLEL": "0", "NO_COLOR": "1"}
  spec = json.dumps({"mode": mode, "ops": args.ops, "dtypes": args.dtypes, "quick": args.quick})
  out = subprocess.run([sys.executable, "-c", CHILD, spec], env=env, capture_output=True, text=True, check=True)
  return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
  ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  ap.add_argument("--quick", action="store_true", help="only the quick subset of shape kinds")
  ap.add_argument("--ops", nargs="*", default=None, help="op or group names (default: all)")
  ap.add_argument("--dtypes", nargs="*", default=None, help="dtype names (default: all)")
  args = ap.parse_args(argv)
  with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
    rows = {"naive": measure("naive", args, a), "run, cold": measure("run", args, b), "run, warm": measure("run", args, b)}
  for mode, r in rows.items():
    print(f"{mode:10s} {r['cases']:5d} cases in {r['seconds']:6.1f} s = {r['cases'] / r['seconds']:6.1f} cases/s  {r['by_status']}")
  same = len({json.dumps(r["by_status"], sort_keys=True) for r in rows.values()}) == 1
  print(f"speed-up over naive: cold {rows['naive']['seconds'] / rows['run, cold']['seconds']:.1f}x, "
        f"warm {rows['naive']['seconds'] / rows['run, warm']['seconds']:.1f}x; same counts: {'yes' if same else 'NO'}")
  return 0


if __name__ == "__main__":
  sys.exit(main())
