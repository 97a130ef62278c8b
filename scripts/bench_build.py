"""How long the handbook takes to build, and what the execution cache saves. Prints numbers; asserts nothing.

Works on a temporary copy of the project with its own empty cache folder (HANDBOOK_CACHE_DIR), so nothing
of the checkout is touched, and measures in one run:

  bare      every executed block of every page, in one process, without MkDocs (warm kernel cache)
  cold      `mkdocs build`: empty kernel cache, every block executed
  warm      `mkdocs build`: warm kernel cache, every block executed (HANDBOOK_NO_CACHE=1)
  render    `mkdocs build` with every block's output from the execution cache: MkDocs' own work
  rebuild   a prose edit of one page, then a rebuild in the same process, as `mkdocs serve` does it

Targets: warm <= 1.2 x bare + render; rebuild <= 2 s.

    python scripts/bench_build.py [--page course/day1.md]
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
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


def main(argv=None) -> int:
  ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  ap.add_argument("--page", default="course/day1.md", help="the page whose prose the rebuild edits (under docs/)")
  args = ap.parse_args(argv)
  with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
    copy, cache = pathlib.Path(tmp) / "project", pathlib.Path(tmp) / "cache"
    for name in COPY:
      src = ROOT / name
      if src.is_dir(): shutil.copytree(src, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
      else: shutil.copy(src, copy / name)
    page = copy / "docs" / args.page
    if not page.is_file(): sys.exit(f"no page docs/{args.page}")
    env = {**os.environ, **QUIET, "HANDBOOK_CACHE_DIR": str(cache)}
    nocache = {**env, "HANDBOOK_NO_CACHE": "1"}
    print("measuring (several minutes): cold build, bare execution, warm build, cached build, rebuild ...", file=sys.stderr)
    cold = mkdocs(copy, nocache, "cold")
    bare_out = json.loads(run([sys.executable, "-c", BARE, str(copy)], env, copy)[1].strip().splitlines()[-1])
    warm = mkdocs(copy, nocache, "warm")
    render = mkdocs(copy, env, "render")
    rebuild = json.loads(run([sys.executable, "-c", REBUILD, str(copy / "mkdocs.yml"), str(page), str(copy / "serve")], env, copy)[1]
                         .strip().splitlines()[-1])["seconds"]
    fresh = mkdocs(copy, env, "fresh")   # the same edit, rebuilt by a new `mkdocs build` process
  bare = bare_out["seconds"]
  print(f"bare execution  {bare:7.1f} s   ({bare_out['blocks']} blocks, one process, no MkDocs)")
  print(f"cold build      {cold:7.1f} s   (empty kernel cache, every block executed)")
  print(f"warm build      {warm:7.1f} s   (warm kernel cache, every block executed)")
  print(f"render only     {render:7.1f} s   (every output from the execution cache: MkDocs' own work)")
  print(f"rebuild         {rebuild:7.1f} s   (prose edit of docs/{args.page}, same process, as mkdocs serve)")
  print(f"  new process   {fresh:7.1f} s   (the same rebuild by a fresh `mkdocs build`, start-up included)")
  print(f"warm / (bare + render)        = {warm / (bare + render):.2f}   (execution overhead of the build)")
  print(f"(warm - render) / bare        = {(warm - render) / bare:.2f}   target <= 1.2")
  print(f"cold / rebuild                = {cold / rebuild:.0f}x   rebuild target <= 2 s")
  return 0


if __name__ == "__main__":
  sys.exit(main())
