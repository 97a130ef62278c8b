"""The guard works: one deliberately broken block makes both the build and the page test fail,
and both failures name the page and the line."""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, mkdocs_build

pytestmark = pytest.mark.slow
PAGE = "docs/start/setup.md"


@pytest.fixture(scope="module")
def broken_copy(tmp_path_factory) -> tuple[pathlib.Path, int, int]:
  """A copy of the handbook whose first executed block on PAGE ends with a failing assert."""
  copy = tmp_path_factory.mktemp("broken")
  for name in ("mkdocs.yml", "pyproject.toml"): shutil.copy(ROOT / name, copy / name)
  for name in ("docs", "snippets", "scripts", "data", "src", "overrides"):
    if (ROOT / name).exists(): shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
  page = copy / PAGE
  lines = page.read_text(encoding="utf8").split("\n")
  fence = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("```python") and 'exec="on"' in ln)
  close = next(i for i in range(fence + 1, len(lines)) if lines[i].strip() == "```")
  lines.insert(close, 'assert 1 + 1 == 3, "deliberately broken"')
  page.write_text("\n".join(lines), encoding="utf8")
  return copy, fence + 1, close + 1  # 1-based lines of the fence and of the failing assert


def test_build_fails_naming_page_and_line(broken_copy):
  copy, line, _ = broken_copy
  proc = mkdocs_build(copy / "mkdocs.yml", copy / "site")
  log = proc.stdout + proc.stderr
  assert proc.returncode != 0, "a broken block must fail the strict build"
  assert f"{PAGE}:{line}: python block failed: AssertionError: deliberately broken" in log, log[-3000:]


def test_page_test_fails_naming_page_and_line(broken_copy):
  copy, line, assert_line = broken_copy
  proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "handbook.pytest_bridge", "--markdown-docs", "-p", "no:cacheprovider",
                         "-o", "addopts=", PAGE], cwd=copy, capture_output=True, text=True, timeout=600, env=os.environ.copy())
  out = proc.stdout + proc.stderr
  assert proc.returncode == 1, out[-3000:]
  assert f"{PAGE}:{line}: code block failed" in out, out[-3000:]
  assert f'File "{PAGE}", line {assert_line}' in out, out[-3000:]
  assert "1 failed" in out, out[-3000:]
