"""Rules every page follows, so that what the build executes and what pytest runs are the same blocks."""
import pathlib

import pytest

from handbook import fences

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").rglob("*.md"))
ALL = [(p, f) for p in PAGES for f in fences.scan(p.read_text(encoding="utf8"), p)]


def where(page, fence): return f"{page.relative_to(ROOT)}:{fence.line}"


def test_pages_have_executed_blocks():
  assert any(f.executes for _, f in ALL)


def test_python_blocks_execute_or_say_notest():
  bad = [where(p, f) for p, f in ALL if f.lang in ("python", "py", "python3") and not f.executes and "notest" not in f.words]
  assert not bad, f'python blocks that neither run (exec="on") nor say notest: {bad}'


def test_only_python_blocks_execute():
  bad = [where(p, f) for p, f in ALL if f.executes and f.lang not in ("python", "py")]
  assert not bad, f"executed blocks in a language the test bridge does not run: {bad}"


@pytest.mark.parametrize("page,fence", [(p, f) for p, f in ALL if f.executes], ids=lambda x: "" if isinstance(x, pathlib.Path) else None)
def test_includes_resolve(page, fence):
  fences.expanded(fence, ROOT)  # raises on a missing file or section


def test_pages_are_in_the_nav():
  nav = (ROOT / "mkdocs.yml").read_text(encoding="utf8")
  missing = [str(p.relative_to(ROOT / "docs")) for p in PAGES if str(p.relative_to(ROOT / "docs")) not in nav]
  assert not missing, f"pages missing from nav in mkdocs.yml: {missing}"
