"""Generate reference/devices.md, the device-capability page, and its two plots at build time (mkdocs-gen-files).

The page is built from every committed report under data/devices/ and a live report of the build host:

- every committed report is validated first (`tgkit.hostreport.load`): a malformed or wrong-version report stops
  the build with one line naming the file and the field;
- the live report is measured once per key (tinygrad's version, the hash of the tgkit and script source that
  measure it, the host and the build environment) by `scripts/device_report.py --live` in a subprocess, and
  cached in .cache/device-report/live-<key>.json, so rebuilding one commit on one host gives the same page,
  fast. `python scripts/device_report.py --out FILE` measures afresh.
"""
from __future__ import annotations

import fcntl
import logging
import subprocess
import sys
from pathlib import Path

from handbook import env
from tgkit import hostreport
from tgkit.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "devices"
CACHE = env.CACHE_DIR / "device-report"
PAGE, PLOTS = "reference/devices.md", ("devices-gflops.svg", "devices-compile.svg")
log = logging.getLogger("mkdocs.plugins.gen_devices")


def committed(data: Path = DATA) -> list[tuple[str, dict]]:
  """Every report file under `data` (not the schema), validated, as (path relative to the project, report).

  Raises:
    UsageError: the first invalid file, naming it and the field.
  """
  files = sorted(p for p in data.glob("*.json") if p.name != "schema.json")
  return [(rel, hostreport.load(p, rel)) for p in files for rel in [_rel(p)]]


def _rel(p: Path) -> str:
  try: return p.resolve().relative_to(ROOT).as_posix()
  except ValueError: return p.as_posix()


def live(cache: Path = CACHE) -> dict:
  """The build host's live report: from the cache when its key matches, else measured now (about 30 s on 2 cores)."""
  path = hostreport.live_path(cache, env.fingerprint())
  cache.mkdir(parents=True, exist_ok=True)
  with open(cache / "live.lock", "w") as lock:   # two builds at once (the tests run two): one measures, the other reads it
    fcntl.flock(lock, fcntl.LOCK_EX)
    return _live(path)


def _live(path: Path) -> dict:
  if path.exists():
    try: return hostreport.load(path)
    except UsageError as e: log.info("device report: re-measuring, the cached live report is unusable (%s)", e)
  log.info("device report: measuring this build host (cached in %s)", _rel(path))
  tmp = path.with_name(path.name + ".partial")
  proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "device_report.py"), "--live", "--force", "--out", str(tmp)],
                        capture_output=True, text=True, cwd=ROOT)
  if proc.returncode != 0:
    raise UsageError(f"the live device report failed: {(proc.stderr.strip().splitlines() or ['no output'])[-1]}")
  tmp.replace(path)
  return hostreport.load(path)


def page(reports: list[tuple[str, dict]]) -> tuple[str, list[str]]:
  """The page's Markdown and its two SVG plots."""
  return hostreport.render_all(reports, "scripts/gen_devices.py", PLOTS)


def main() -> None:
  import mkdocs_gen_files
  from mkdocs.exceptions import PluginError
  try:
    files = committed()   # first: a broken committed report fails the build before anything is measured
    reports = [("live", live())] + files
  except UsageError as e: raise PluginError(f"device reports: {e}") from None
  text, svgs = page(reports)
  with mkdocs_gen_files.open(PAGE, "w") as f: f.write(text)
  for name, svg in zip(PLOTS, svgs):
    with mkdocs_gen_files.open(f"reference/{name}", "w") as f: f.write(svg)
  mkdocs_gen_files.set_edit_path(PAGE, "../scripts/gen_devices.py")


if __name__ in ("__main__", "<run_path>"):
  main()
