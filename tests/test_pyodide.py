"""Run buttons: blocks marked browser="1" run in the reader's browser (Pyodide 0.29.5, tinygrad 0.14.0 on DEV=PYTHON).

The fast tests check the build side: the pinned assets and their checksums (scripts/gen_pyodide.py), the fence option's
rules (handbook.browser), and that the browser bootstrap's patch of tinygrad still applies to the pinned tinygrad.
The slow tests open each page with Run buttons in Debian's Chromium (Playwright, the helpers of tests/test_browser.py),
offline: every request must stay on 127.0.0.1. They click every button in page order and compare what the browser
printed with what the build printed for that block. A failing test leaves a screenshot in test-artifacts/browser/.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import pathlib
import re
import subprocess
import sys
import time

import pytest

from handbook import browser as hb_browser, fences
from test_browser import base, browser, site, tab  # noqa: F401 - fixtures shared with the browser tests

SPREAD = True   # not in the built_site group (tests/conftest.py): the Run buttons of many pages, on whichever worker is free

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOOT = ROOT / "src" / "handbook" / "run_boot.py"
BOOT_SECONDS, BLOCK_SECONDS = 180, 120    # measured 8-15 s and under 2 s on a 2-core host; generous for a loaded one


@functools.cache
def gen_pyodide():
  spec = importlib.util.spec_from_file_location("gen_pyodide", ROOT / "scripts" / "gen_pyodide.py")
  mod = sys.modules["gen_pyodide"] = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(mod)
  return mod


def marked_pages() -> dict[str, list[fences.Fence]]:
  """docs page -> its blocks marked browser="1", from the Markdown sources."""
  out = {}
  for p in sorted((ROOT / "docs").rglob("*.md")):
    if marked := [f for f in fences.scan(p.read_text(encoding="utf8"), p) if f.executes and hb_browser.marked(f.attrs)]:
      out[p.relative_to(ROOT / "docs").as_posix()] = marked
  return out


def url_of(page: str) -> str:
  return "/" + re.sub(r"(^|/)index\.md$", r"\1", page).removesuffix(".md") + ("/" if not page.endswith("index.md") else "")


# ---------------------------------------------------------------- build side (fast)

def test_pins_are_checked(tmp_path):
  g = gen_pyodide()
  bad = g.Pin(g.TINYGRAD.name, g.TINYGRAD.url, "0" * 64)
  (tmp_path / bad.name).write_bytes(b"not the wheel")
  with pytest.raises(g.FetchError, match="sha256 .* is not the pinned"): g.fetch(bad, tmp_path)
  assert g.PYODIDE.url.endswith("/pyodide-0.29.5.tgz") and g.TINYGRAD.name == "tinygrad-0.14.0-py3-none-any.whl"


def test_assets_are_the_pinned_files():
  g = gen_pyodide()
  files = g.assets()
  assert sorted(files) == sorted([*g.RUNTIME, g.TINYGRAD.name, "run_boot.py", "handbook.json"])
  assert hashlib.sha256(files[g.TINYGRAD.name]).hexdigest() == g.TINYGRAD.sha256
  assert files["pyodide.asm.wasm"][:4] == b"\0asm"
  assert b'"version": "0.29.5"' in files["package.json"]
  assert 12e6 < sum(len(files[n]) for n in g.RUNTIME) < 14e6   # the core only: no packages, no source maps


def test_boot_patch_applies_to_the_pinned_tinygrad():
  """run_boot.py replaces one line of tinygrad/tensor.py; the line must be there, once, and the replacement must name
  the default device."""
  tree = ast.parse(BOOT.read_text(encoding="utf8"))
  old, new = next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Tuple)
                  and [e.id for e in n.targets[0].elts] == ["OLD", "NEW"])
  tensor_py = pathlib.Path(importlib.util.find_spec("tinygrad").submodule_search_locations[0]) / "tensor.py"
  assert tensor_py.read_text(encoding="utf8").count(old) == 1
  from tinygrad.device import Device, canonicalize_device
  assert "canonicalize_device(None)" in new and canonicalize_device(None) == Device.DEFAULT
  helpers = (tensor_py.parent / "helpers.py").read_text(encoding="utf8").split("\n")
  assert "sqlite3" in helpers[3] and helpers[3].startswith("import ")   # the import the stub answers


def test_boot_refuses_to_run_outside_pyodide():
  tensor_py = pathlib.Path(importlib.util.find_spec("tinygrad").submodule_search_locations[0]) / "tensor.py"
  before = tensor_py.read_bytes()
  r = subprocess.run([sys.executable, str(BOOT)], capture_output=True, text=True, timeout=60)
  assert r.returncode != 0 and "runs only in the browser" in r.stderr
  assert tensor_py.read_bytes() == before


@pytest.mark.parametrize("attrs, ok", [
  ({"browser": "1", "source": "above", "result": "text"}, True),
  ({"browser": "1", "source": "above", "result": "text", "device": "CUDA"}, False),
  ({"browser": "1", "source": "tabbed-left", "result": "text"}, False),
  ({"browser": "1", "source": "above"}, False),
])
def test_fence_rules(attrs, ok):
  fence = fences.Fence(pathlib.Path("x.md"), 1, "python", {"exec": "on", **attrs}, set(), "print(1)", 2)
  assert (hb_browser.problems(fence) == []) is ok


def test_every_marked_block_is_checked_here():
  pages = marked_pages()
  assert sum(map(len, pages.values())) >= 10, pages
  assert {"start/setup.md", "course/day1.md", "architecture/tensor.md"} <= set(pages)


# ---------------------------------------------------------------- in the browser (slow)

def built_outputs(page) -> list[dict]:
  """For each Run block of the page, in order: its code and the text the build printed (the block's second code box;
  a block that printed nothing has none)."""
  return page.eval_on_selector_all("div.hb-run", """els => els.map(el => {
    const boxes = el.querySelectorAll(':scope > div.highlight');
    return {code: el.dataset.code, session: el.dataset.session || null, n: boxes.length,
            built: boxes.length === 2 ? boxes[1].querySelector('pre code').innerText : ''}})""")


# Opens the content tabs (Pathway A/B) and collapsed admonitions (??? note) around a block, as a reader's clicks would.
SHOW = """el => { const blocks = []; for (let b = el.closest('.tabbed-block'); b; b = b.parentElement.closest('.tabbed-block')) blocks.unshift(b);
  for (const b of blocks) b.closest('.tabbed-set').querySelectorAll(':scope > input')[[...b.parentElement.children].indexOf(b)].click();
  for (let d = el.closest('details'); d; d = d.parentElement.closest('details')) d.open = true }"""


@pytest.mark.slow
@pytest.mark.parametrize("page", sorted(marked_pages()))
def test_run_buttons_reproduce_the_build(tab, page):
  blocks = marked_pages()[page]
  seen = []
  tab.context.on("request", lambda r: seen.append(r.url))   # the worker's requests too: Tab fails the test on any off 127.0.0.1
  tab.goto(url_of(page))
  built = built_outputs(tab.page)
  assert len(built) == len(blocks), f"{page}: {len(blocks)} blocks marked, {len(built)} Run blocks on the built page"
  assert all(b["n"] in (1, 2) for b in built), f"{page}: a Run block without its source, or with more than its output"
  buttons = tab.page.locator("div.hb-run button.hb-run-button")
  assert buttons.count() == len(blocks)
  for i, (fence, b) in enumerate(zip(blocks, built)):
    block = tab.page.locator("div.hb-run").nth(i)
    block.evaluate(SHOW)
    t = time.monotonic()
    buttons.nth(i).click()
    tab.page.wait_for_function("el => el.dataset.state === 'done' || el.dataset.state === 'error'", arg=block.element_handle(),
                               timeout=(BOOT_SECONDS if i == 0 else BLOCK_SECONDS) * 1000)
    tab.log.append(f"{page}:{fence.line} ran in {time.monotonic() - t:.1f} s")
    shown = block.locator("pre.hb-run-output").inner_text()
    assert block.get_attribute("data-state") == "done", f"docs/{page}:{fence.line} failed in the browser:\n{shown}"
    assert shown.rstrip("\n") == b["built"].rstrip("\n"), f"docs/{page}:{fence.line}: the browser printed\n{shown}\nthe build printed\n{b['built']}"
  assert {u.rsplit("/", 1)[1] for u in seen} >= {"pyodide.asm.wasm", "python_stdlib.zip", "tinygrad-0.14.0-py3-none-any.whl", "run_boot.py"}
  assert tab.take() == {}


@pytest.mark.slow
def test_pages_without_marked_blocks_have_no_button_and_load_nothing(tab):
  """A page without browser="1" blocks has no Run button, and never loads Pyodide."""
  requests = []
  tab.page.on("request", lambda r: requests.append(r.url))
  tab.goto("/guides/migration/")
  tab.page.wait_for_load_state("networkidle")
  assert tab.page.locator("button.hb-run-button").count() == 0
  assert not [u for u in requests if "/pyodide/" in u]
  assert tab.take() == {}
