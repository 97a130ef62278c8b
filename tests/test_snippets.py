"""Every program under snippets/ runs on its own, as a reader would run it: `python snippets/<part>/<name>.py`."""
import os
import pathlib
import subprocess
import sys

import pytest

from handbook import env

ROOT = pathlib.Path(__file__).resolve().parents[1]
SNIPPETS = sorted((ROOT / "snippets").rglob("*.py"))


def test_there_are_snippets():
  assert SNIPPETS


@pytest.mark.parametrize("path", SNIPPETS, ids=[str(p.relative_to(ROOT)) for p in SNIPPETS])
def test_snippet_runs(path, tmp_path):
  proc = subprocess.run([sys.executable, str(path)], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                        env={**os.environ, **env.BUILD_ENV})
  assert proc.returncode == 0, f"{path.relative_to(ROOT)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
