"""Shared fixtures: the project root, a built copy of the site (built once per test session)."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
QUIET = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}


def mkdocs_build(config: pathlib.Path, site_dir: pathlib.Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
  """`mkdocs build --strict` of a config in a subprocess; returns the finished process (not checked)."""
  return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site_dir), *extra],
                        cwd=config.parent, capture_output=True, text=True, env={**os.environ, **QUIET, **(env or {})}, timeout=1800)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> tuple[pathlib.Path, subprocess.CompletedProcess]:
  """The whole site, every block executed (the execution cache is refreshed, never read)."""
  site = tmp_path_factory.mktemp("site")
  return site, mkdocs_build(ROOT / "mkdocs.yml", site, env={"HANDBOOK_NO_CACHE": "1"})
