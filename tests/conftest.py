"""Shared fixtures: the project root, a built copy of the site and the quick op table, each computed once per test run.

`pytest` runs on every core (pytest-xdist, `--handbook-workers` in pyproject.toml; `-n 0` runs in one process). Each
xdist worker has its own session fixtures, so what is expensive goes through `once()`: the first worker to ask computes
it under a file lock in a folder of this test run, the others wait for it and reuse it. Tests that use one of these
fixtures are also put in one xdist group per fixture (`--dist loadgroup`), so they normally run on one worker, one after
another, while the other workers run everything else instead of waiting. A module with `SPREAD = True` is left out of
the groups: its tests are many and slow, come late in the queue, and go to whichever worker is free.
"""
from __future__ import annotations

import fcntl
import os
import pathlib
import pickle
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
QUIET = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
SHARED = ("built_site", "site_again", "quick_results")   # fixtures computed once per run; their tests share an xdist group


def mkdocs_build(config: pathlib.Path, site_dir: pathlib.Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
  """`mkdocs build --strict` of a config in a subprocess; returns the finished process (not checked)."""
  return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site_dir), *extra],
                        cwd=config.parent, capture_output=True, text=True, env={**os.environ, **QUIET, **(env or {})}, timeout=1800)


def run_dir(tmp_path_factory, config) -> pathlib.Path:
  """A folder of this test run that all its xdist workers share (their temporary folders' parent); without xdist, the
  session's own temporary folder."""
  base = tmp_path_factory.getbasetemp()
  return base.parent if hasattr(config, "workerinput") else base


def once(name: str, make, tmp_path_factory, config):
  """`make(folder)`, computed by one worker of this test run and loaded by the others (it must pickle). A failure is
  stored too: the other workers report it instead of computing it again."""
  folder = run_dir(tmp_path_factory, config) / f"once-{name}"
  folder.mkdir(exist_ok=True)
  done = folder / "value.pickle"
  with open(folder / "lock", "w") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    if done.exists(): ok, value = pickle.loads(done.read_bytes())
    else:
      try: ok, value = True, make(folder)
      except Exception as e:
        done.write_bytes(pickle.dumps((False, f"{type(e).__name__}: {e}")))
        raise
      done.write_bytes(pickle.dumps((True, value)))
  if not ok: pytest.fail(f"{name} failed where another worker computed it: {value}", pytrace=False)
  return value


def pytest_itemcollected(item):   # before xdist reads the groups into node ids (its collection_modifyitems runs first)
  if getattr(getattr(item, "module", None), "SPREAD", False): return   # a module that asks to be spread over the workers
  for name in SHARED:
    if name in getattr(item, "fixturenames", ()): item.add_marker(pytest.mark.xdist_group(name))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, pytestconfig) -> tuple[pathlib.Path, subprocess.CompletedProcess]:
  """The whole site, every block executed (the execution cache is refreshed, never read); built once per test run."""
  return once("built_site", lambda d: (d / "site", mkdocs_build(ROOT / "mkdocs.yml", d / "site", env={"HANDBOOK_NO_CACHE": "1"})),
              tmp_path_factory, pytestconfig)


# The pages whose every block tests/test_reader_path.py runs again, in a fresh process, comparing what it prints with the
# build: a second build reuses their outputs from the first and executes the others (every block of those pages runs twice).
READER_PAGES = ("course/*", "start/setup.md")


@pytest.fixture(scope="session")
def site_again(built_site, tmp_path_factory, pytestconfig) -> tuple[pathlib.Path, subprocess.CompletedProcess]:
  """A second whole build after `built_site`, in an xdist group of its own: it executes every block again except those of
  READER_PAGES, whose outputs come from the first build's execution cache (the reader-path test re-runs those)."""
  no_cache = ",".join(["*", *(f"!{p}" for p in READER_PAGES)])
  return once("site_again", lambda d: (d / "site", mkdocs_build(ROOT / "mkdocs.yml", d / "site", env={"HANDBOOK_NO_CACHE": no_cache})),
              tmp_path_factory, pytestconfig)


@pytest.fixture(scope="session")
def quick_results(tmp_path_factory, pytestconfig):
  """`tgkit.ops.run(quick=True)`: the quick op table on the default device, computed once per test run."""
  from tgkit import ops
  return once("quick_results", lambda d: ops.run(quick=True), tmp_path_factory, pytestconfig)
