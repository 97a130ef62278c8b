"""Measure this host's tinygrad devices and write one device report (JSON, see data/devices/schema.json).

    python scripts/device_report.py --out data/devices/<name>.json            # every target, the full op table on the default devices
    python scripts/device_report.py --out x.json --quick --devices CPU PYTHON  # the quick subset on two targets
    python scripts/device_report.py --check data/devices/<name>.json          # validate a report file
    python scripts/device_report.py --live                                    # re-measure the build's cached live report

Progress goes to stderr. An existing file is kept unless --force is given. Bad input (an unknown device, an
unwritable path, an invalid report) prints one line and exits with 2.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from handbook import env  # noqa: E402

env.apply()   # the handbook's one environment (PARALLEL=0, a project-local kernel cache), before tinygrad is imported

from tgkit.errors import UsageError  # noqa: E402


class _Parser(argparse.ArgumentParser):
  def error(self, message): raise UsageError(message)


def parse(argv) -> argparse.Namespace:
  ap = _Parser(prog="device_report.py", description=__doc__.split("\n")[0])
  ap.add_argument("--out", help="the report file to write, e.g. data/devices/macos15-arm64-m3-metal.json")
  ap.add_argument("--quick", action="store_true",
                  help="the op table's quick subset everywhere (default: the whole table on each device's default renderer)")
  ap.add_argument("--live", action="store_true", help="the build's short live profile (a small op subset and benchmarks on the default device "
                  "only); without --out it replaces the live report the build caches in .cache/device-report/")
  ap.add_argument("--devices", nargs="+", metavar="TARGET", help="DEV strings to try, e.g. CPU CPU:X86 PYTHON METAL NULL:PTX:sm_80 (default: all)")
  ap.add_argument("--force", action="store_true", help="overwrite an existing --out file")
  ap.add_argument("--check", metavar="FILE", help="only validate FILE against the schema and print one line")
  args = ap.parse_args(argv)
  if not args.check and not args.out and not args.live: raise UsageError("give --out FILE to write a report (or --check FILE to validate one)")
  if args.quick and args.live: raise UsageError("--quick and --live are two profiles: choose one")
  if args.live and args.devices and not args.out: raise UsageError("the build's live report covers every target: give --out FILE to measure a few")
  return args


def check_out(path: str, force: bool) -> Path:
  """The output path, checked before anything is measured."""
  p = Path(path)
  if p.exists() and not force: raise UsageError(f"{p} exists (use --force to overwrite it)")
  if p.is_dir(): raise UsageError(f"{p} is a directory, not a report file")
  if not p.parent.is_dir(): raise UsageError(f"cannot write {p}: no directory {p.parent}")
  if not os.access(p.parent, os.W_OK): raise UsageError(f"cannot write {p}: {p.parent} is not writable")
  return p


def main(argv=None) -> int:
  # progress goes to the real stderr: tgkit redirects fd 2 while compilers run to keep their diagnostics off the terminal
  err = os.fdopen(os.dup(2), "w", buffering=1)
  try:
    args = parse(argv)
    from tgkit import hostreport
    if args.check:
      rep = hostreport.load(args.check)
      print(f"{args.check}: valid device report (schema version {rep['schema_version']}, {len(rep['devices'])} targets, "
            f"tinygrad {rep['tinygrad_version']})")
      return 0
    if args.out: out = check_out(args.out, args.force)
    else:   # the build's cache: always replaced
      out = hostreport.live_path(env.CACHE_DIR / "device-report", env.fingerprint())
      out.parent.mkdir(parents=True, exist_ok=True)
    rep = hostreport.collect(args.devices, "live" if args.live else "quick" if args.quick else "full", progress=lambda m: print(m, file=err))
    hostreport.write(rep, out)
  except UsageError as e:
    print(f"device_report.py: error: {e}", file=err)
    return 2
  except OSError as e:
    print(f"device_report.py: error: {e.strerror or e}: {e.filename or ''}".rstrip(": "), file=err)
    return 2
  ran = [d for d in rep["devices"] if d["opened"]]
  print(f"wrote {out}: {len(ran)} of {len(rep['devices'])} targets open, {rep['seconds']} s", file=err)
  return 0


if __name__ == "__main__":
  sys.exit(main())
