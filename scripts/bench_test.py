"""How long `make test` takes from a fresh clone with empty caches, and its slowest tests. Prints numbers; asserts nothing.

Clones the committed HEAD of this checkout into a temporary folder (nothing of the checkout, its .venv or its .cache is
used: every cache starts empty) and times the whole run:

  make test       as CI runs it: creates .venv, installs the project, checks clang and Chromium, runs pytest
  --venv DIR      skips the install: pytest with an existing virtual environment, the clone's own code first on the path

pytest runs as `make test` runs it (on every core, `--handbook-workers=auto` in pyproject.toml), with `--durations`.

    python scripts/bench_test.py                      # the fresh-clone figure
    python scripts/bench_test.py --venv .venv -k ops  # pytest only, a subset (arguments after the options go to pytest)
"""
from __future__ import annotations

import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
QUIET = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}


def main(argv=None) -> int:
  ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  ap.add_argument("--venv", help="use this virtual environment instead of `make test` creating one")
  ap.add_argument("--durations", type=int, default=25, help="how many of the slowest tests to list (default 25)")
  ap.add_argument("--keep", action="store_true", help="keep the clone (its path is printed)")
  args, extra = ap.parse_known_args(argv)
  tmp = tempfile.mkdtemp(prefix="bench-test-")
  clone = pathlib.Path(tmp) / "handbook"
  subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
  head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True, text=True).stdout.strip()
  env = {k: v for k, v in os.environ.items() if not k.startswith(("HANDBOOK_", "TGKIT_", "PYTEST_")) and k not in ("CACHEDB", "VIRTUAL_ENV")}
  env.update(QUIET, PYTEST_ADDOPTS=f"--durations={args.durations} " + " ".join(extra))
  if args.venv:
    python = str(pathlib.Path(args.venv).resolve() / "bin" / "python")
    cmd, env["PYTHONPATH"] = [python, "-m", "pytest"], str(clone / "src")
  else: cmd = ["make", "test"]
  cores, load = len(os.sched_getaffinity(0)), os.getloadavg()
  print(f"{' '.join(cmd)} in a fresh clone of {head} ({clone}), {cores} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}",
        file=sys.stderr)
  t = time.perf_counter()
  p = subprocess.run(cmd, cwd=clone, env=env, capture_output=True, text=True)
  wall = time.perf_counter() - t
  out = p.stdout + p.stderr
  (pathlib.Path(tmp) / "output.txt").write_text(out)
  summary = next((ln.strip("= ") for ln in reversed(out.splitlines()) if re.search(r"\d+ (passed|failed|error)", ln)), "no pytest summary")
  slowest = re.search(r"=+ slowest \d+ durations =+\n(.*?)\n(?:\n|=)", out, re.S)
  print(f"{' '.join(cmd)}: {wall / 60:.0f} min {wall % 60:04.1f} s ({wall:.0f} s) wall, exit {p.returncode}: {summary}")
  print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
  if slowest: print(f"slowest tests (seconds; setup includes a shared fixture's first computation):\n{slowest[1]}")
  if p.returncode != 0: print(f"output: {pathlib.Path(tmp) / 'output.txt'}")
  if not args.keep and p.returncode == 0: subprocess.run(["rm", "-rf", tmp])
  return 0


if __name__ == "__main__":
  sys.exit(main())
