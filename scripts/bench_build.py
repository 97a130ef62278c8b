"""How long the handbook takes to build, and what the execution cache saves. Prints numbers; asserts nothing.

Works on a temporary copy of the project with its own empty cache folder (HANDBOOK_CACHE_DIR), so nothing
of the checkout is touched, and measures in one run:

  bare      every executed block of every page, in one process, without MkDocs (warm kernel cache)
  cold      `mkdocs build`: empty kernel cache, every block executed
  warm      `mkdocs build`: warm kernel cache, every block executed (HANDBOOK_NO_CACHE=1)
  render    `mkdocs build` with every block's output from the execution cache: MkDocs' own work
  rebuild   a prose edit of one page under `make serve` (`mkdocs serve --dirty`): the time MkDocs reports for
            the rebuild, and from the save to the rebuilt page
  full      the same edit, rebuilt whole in the same process (plain `mkdocs serve`)

Targets: warm <= 1.2 x bare + render; rebuild <= 2 s.

    python scripts/bench_build.py [--page course/day1.md]
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
COPY = ("mkdocs.yml", "pyproject.toml", "docs", "snippets", "scripts", "data", "src", "overrides")
QUIET = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}

BARE = """
import contextlib, io, json, pathlib, sys, time
from handbook import env
env.apply()
from handbook import fences
root = pathlib.Path(sys.argv[1])
t, n = time.perf_counter(), 0
for page in sorted((root / "docs").rglob("*.md")):
  spaces = {}
  for f in fences.scan(page.read_text(encoding="utf8"), page):
    if not f.executes or f.lang not in ("python", "py") or "device" in f.attrs: continue
    if f.session not in spaces or f.session is None:
      env.seed()
      spaces[f.session] = {"__name__": "bare"}
    with contextlib.redirect_stdout(io.StringIO()):
      for filename, code in fences.segments(f, root): exec(compile(code, filename, "exec"), spaces[f.session])
    n += 1
print(json.dumps({"seconds": time.perf_counter() - t, "blocks": n}))
"""

REBUILD = """
import json, pathlib, sys, time
from mkdocs.commands.build import build
from mkdocs.config import load_config
config, page, site = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
build(load_config(config_file=config, site_dir=site))           # the first build of a `mkdocs serve` session
page.write_text(page.read_text(encoding="utf8").replace("\\n\\n", "\\n\\nA sentence added while writing.\\n\\n", 1), encoding="utf8")
t = time.perf_counter()
build(load_config(config_file=config, site_dir=site))           # what a save triggers
print(json.dumps({"seconds": time.perf_counter() - t}))
"""


def run(cmd: list[str], env: dict, cwd: pathlib.Path) -> tuple[float, str]:
  t = time.perf_counter()
  p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
  if p.returncode != 0: sys.exit(f"{' '.join(cmd[:4])} failed:\n{(p.stdout + p.stderr)[-3000:]}")
  return time.perf_counter() - t, p.stdout + p.stderr


def mkdocs(copy: pathlib.Path, env: dict, site: str) -> float:
  return run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(copy / site)], env, copy)[0]


def edit(page: pathlib.Path, n: int) -> None:
  page.write_text(page.read_text(encoding="utf8").replace("\n\n", f"\n\nA sentence added while writing ({n}).\n\n", 1), encoding="utf8")


def serve_rebuild(copy: pathlib.Path, env: dict, page: pathlib.Path, edits: int = 3) -> list[tuple[float, float]]:
  """Start `mkdocs serve` as `make serve` does, edit the page `edits` times; (seconds MkDocs reports, save to rebuilt)."""
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
  cmd = [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}", "--livereload", "--dirty", "--no-strict"]
  proc = subprocess.Popen(cmd, cwd=copy, env=env, stderr=subprocess.STDOUT, stdout=subprocess.PIPE, text=True)
  built: list[tuple[float, float]] = []   # (seconds MkDocs reports, when the line was read)
  def read():
    for line in proc.stdout:
      if (m := re.search(r"Documentation built in ([\d.]+) seconds", line)): built.append((float(m[1]), time.perf_counter()))
  threading.Thread(target=read, daemon=True).start()
  def wait(n: int, timeout: float = 600):
    end = time.perf_counter() + timeout
    while len(built) < n:
      if time.perf_counter() > end or proc.poll() is not None: sys.exit("mkdocs serve did not rebuild")
      time.sleep(0.05)
  out = []
  try:
    wait(1)
    for k in range(edits):
      time.sleep(1.5)   # past the watcher's debounce and the file-time resolution
      t = time.perf_counter()
      edit(page, k)
      wait(2 + k)
      out.append((built[-1][0], built[-1][1] - t))
  finally:
    proc.terminate()
    proc.wait(timeout=30)
  return out


def main(argv=None) -> int:
  ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  ap.add_argument("--page", default="course/day1.md", help="the page whose prose the rebuild edits (under docs/)")
  ap.add_argument("--rebuild-only", action="store_true", help="only the rebuilds under make serve (after one build that fills the cache)")
  args = ap.parse_args(argv)
  print(f"{len(os.sched_getaffinity(0))} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the start")
  with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
    copy, cache = pathlib.Path(tmp) / "project", pathlib.Path(tmp) / "cache"
    copy.mkdir()
    for name in COPY:
      src = ROOT / name
      if src.is_dir(): shutil.copytree(src, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
      else: shutil.copy(src, copy / name)
    page = copy / "docs" / args.page
    if not page.is_file(): sys.exit(f"no page docs/{args.page}")
    env = {**os.environ, **QUIET, "HANDBOOK_CACHE_DIR": str(cache)}
    nocache = {**env, "HANDBOOK_NO_CACHE": "1"}
    if args.rebuild_only:
      mkdocs(copy, env, "first")
      served = serve_rebuild(copy, env, page)
      print("rebuild under make serve: MkDocs reports " + ", ".join(f"{r:.2f}" for r, _ in served) + " s; save to rebuilt "
            + ", ".join(f"{w:.2f}" for _, w in served) + f" s (target <= 2 s); load average {os.getloadavg()[0]:.1f} at the end")
      return 0
    print("measuring (several minutes): cold build, bare execution, warm build, cached build, rebuild ...", file=sys.stderr)
    cold = mkdocs(copy, nocache, "cold")
    bare_out = json.loads(run([sys.executable, "-c", BARE, str(copy)], env, copy)[1].strip().splitlines()[-1])
    warm = mkdocs(copy, nocache, "warm")
    render = mkdocs(copy, env, "render")
    full = json.loads(run([sys.executable, "-c", REBUILD, str(copy / "mkdocs.yml"), str(page), str(copy / "full")], env, copy)[1]
                      .strip().splitlines()[-1])["seconds"]
    fresh = mkdocs(copy, env, "fresh")   # the same edit, rebuilt by a new `mkdocs build` process
    served = serve_rebuild(copy, env, page)
  bare = bare_out["seconds"]
  print(f"bare execution  {bare:7.1f} s   ({bare_out['blocks']} blocks, one process, no MkDocs)")
  print(f"cold build      {cold:7.1f} s   (empty kernel cache, every block executed)")
  print(f"warm build      {warm:7.1f} s   (warm kernel cache, every block executed)")
  print(f"render only     {render:7.1f} s   (every output from the execution cache: MkDocs' own work)")
  rebuild = max(r for r, _ in served)
  print(f"rebuild         {rebuild:7.1f} s   (prose edit of docs/{args.page} under make serve, the slowest of {len(served)}: MkDocs "
        f"reports {', '.join(f'{r:.2f}' for r, _ in served)} s; save to rebuilt {', '.join(f'{w:.2f}' for _, w in served)} s)")
  print(f"  whole site    {full:7.1f} s   (the same edit, every page re-rendered in the same process: plain mkdocs serve)")
  print(f"  new process   {fresh:7.1f} s   (the same edit, a fresh `mkdocs build`, start-up included)")
  print(f"warm / (bare + render)        = {warm / (bare + render):.2f}   (execution overhead of the build)")
  print(f"(warm - render) / bare        = {(warm - render) / bare:.2f}   target <= 1.2")
  print(f"cold / rebuild                = {cold / rebuild:.0f}x   rebuild target <= 2 s")
  print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")
  return 0


if __name__ == "__main__":
  sys.exit(main())
