"""The reader's path: with nothing but what the Set up page says and the built site, the code of the Set up and course
pages runs and prints what the build printed.

A new virtual environment runs the commands of the Set up page's "Install" block, with the wheel URL pointing at the built
site served on 127.0.0.1 (tgkit comes from the site, tinygrad and numpy from the package index). Then every page's
program, `<page>.py` fetched from the site (every executed block in page order, sessions apart), runs in an empty folder
outside this repository with that environment's Python, and its output must equal the build's, which the program carries
as `# prints:` comments. A block that needs this repository (`import handbook`, a path into it) fails here.

One thing differs by nature: tinygrad's DEBUG lines end with the caller's place, which `tgkit.capture` shows as
`<code block>` for a page's block and as `<file>.py:<line>` for a program; the comparison treats the two as the same.
"""
from __future__ import annotations

import contextlib
import difflib
import fnmatch
import functools
import http.server
import io
import os
import pathlib
import re
import subprocess
import threading
import urllib.error
import urllib.request
import zipfile

import pytest

from conftest import READER_PAGES
from handbook import env, fences, reader, wheel

pytestmark = pytest.mark.slow
ROOT = pathlib.Path(__file__).resolve().parents[1]
SETUP = ROOT / "docs" / "start" / "setup.md"
# READER_PAGES: the second build of tests/test_build.py reuses these pages' outputs, because this test runs them again
PAGES = sorted(p for p in (ROOT / "docs").rglob("*.md") if any(fnmatch.fnmatchcase(p.relative_to(ROOT / "docs").as_posix(), pat) for pat in READER_PAGES))
CALLER = re.compile(r"\| [\w.-]+\.py:\d+$", re.M)   # tgkit.capture's caller place for a program; a page's block shows "| <code block>"


def install_block(site_url: str) -> str:
  """The Set up page's "Install" block, as the built page shows it for a site at `site_url`."""
  page = reader.substitute(SETUP.read_text(encoding="utf8"), site_url)
  blocks = [f.body for f in fences.scan(page, SETUP) if f.lang in ("bash", "sh") and f.attrs.get("title") == "Install"]
  assert len(blocks) == 1, f'{SETUP.relative_to(ROOT)} must have one bash block titled "Install", found {len(blocks)}'
  return blocks[0]


def reader_env() -> dict[str, str]:
  """This process's environment without anything of this repository: no .venv on PATH, no build settings."""
  out = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", *env.BUILD_ENV, *env.CLEARED)}
  out["PATH"] = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and not pathlib.Path(p).resolve().is_relative_to(ROOT))
  return out


@pytest.fixture(scope="module")
def served(built_site):
  """The built site over http://127.0.0.1:<free port>/."""
  site, proc = built_site
  assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
  handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
  handler.log_message = lambda *a: None
  server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
  threading.Thread(target=server.serve_forever, daemon=True).start()
  yield site, f"http://127.0.0.1:{server.server_address[1]}/"
  server.shutdown()


@pytest.fixture(scope="module")
def venv(served, tmp_path_factory) -> pathlib.Path:
  """A new environment made by the Install block; returns its Python."""
  _, url = served
  home = tmp_path_factory.mktemp("reader")
  proc = subprocess.run(["bash", "-euo", "pipefail", "-c", install_block(url)], cwd=home, env=reader_env(), capture_output=True, text=True,
                        timeout=1200)
  assert proc.returncode == 0, f"the Install block failed:\n{(proc.stdout + proc.stderr)[-4000:]}"
  assert f"tgkit {wheel.version()}" in proc.stdout, proc.stdout[-2000:]
  pythons = sorted(home.glob("*/bin/python"))
  assert len(pythons) == 1, f"the Install block should make one virtual environment in its folder, found {pythons}"
  return pythons[0]


def test_the_install_block_installs_tgkit_from_the_site(served, venv):
  site, _ = served
  with zipfile.ZipFile(site / "dist" / wheel.filename()) as z: served = {n: z.read(n) for n in z.namelist()}
  with zipfile.ZipFile(io.BytesIO(wheel.build(ROOT))) as z: assert served == {n: z.read(n) for n in z.namelist()}   # this commit's tgkit
  code = "import tgkit, tinygrad, numpy, importlib.util as u; print(tgkit.__file__); print(u.find_spec('handbook'))"
  proc = subprocess.run([venv, "-c", code], cwd=venv.parents[1], env=reader_env(), capture_output=True, text=True, timeout=120)
  assert proc.returncode == 0, proc.stderr
  where, handbook = proc.stdout.split("\n")[:2]
  assert pathlib.Path(where).is_relative_to(venv.parents[1]) and handbook == "None", proc.stdout


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT / "docs")))
def test_page_program_prints_what_the_build_printed(page, served, venv, tmp_path):
  site, url = served
  src_uri = page.relative_to(ROOT / "docs").as_posix()
  blocks = reader.blocks(page.read_text(encoding="utf8"), page, ROOT)
  try:
    with contextlib.closing(urllib.request.urlopen(url + src_uri.removesuffix(".md") + ".py", timeout=30)) as r: text = r.read().decode()
  except urllib.error.HTTPError as e:
    assert not blocks, f"{src_uri} executes {len(blocks)} blocks but the site has no program for it ({e})"
    pytest.skip(f"{src_uri} executes no block")
  assert text.count(f"# ---- {src_uri}:") == len(blocks), f"the program of {src_uri} does not hold every executed block of the page"
  assert "did not run in the last build" not in text
  prog = tmp_path / pathlib.PurePosixPath(src_uri).with_suffix(".py").name
  prog.write_text(text, encoding="utf8")
  proc = subprocess.run([venv, prog.name], cwd=tmp_path, env=reader_env(), capture_output=True, text=True, timeout=1200)
  assert proc.returncode == 0, f"{src_uri}: the page's program failed outside the repository:\n{proc.stderr[-4000:]}"
  want, got = reader.expected(text), CALLER.sub("| <code block>", proc.stdout)
  diff = "\n".join(list(difflib.unified_diff(want.split("\n"), got.split("\n"), "build", "reader", lineterm="", n=2))[:60])
  assert got == want, f"{src_uri}: the program printed something else than the build:\n{diff}"
