"""The whole site builds strictly, with no markdown-exec warning and no traceback on any page, and the
same commit builds the same files."""
import difflib
import re

import pytest

from conftest import ROOT, mkdocs_build

pytestmark = pytest.mark.slow


def test_strict_build_has_no_warnings(built_site):
  site, proc = built_site
  log = proc.stdout + proc.stderr
  assert proc.returncode == 0, log[-6000:]
  assert "WARNING" not in log, [ln for ln in log.splitlines() if "WARNING" in ln]
  m = re.search(r"executed (\d+) python blocks, (\d+) failed", log)
  assert m and int(m[1]) > 0 and m[2] == "0", log[-2000:]


def test_no_page_shows_a_traceback(built_site):
  site, proc = built_site
  assert proc.returncode == 0
  pages = sorted(site.rglob("*.html"))
  assert len(pages) >= 2
  bad = [str(p.relative_to(site)) for p in pages if "Traceback (most recent call last)" in p.read_text(encoding="utf8")]
  assert not bad, f"pages with a Python traceback: {bad}"


def differences(a, b) -> list[str]:
  files = sorted({p.relative_to(a) for p in a.rglob("*") if p.is_file()} | {p.relative_to(b) for p in b.rglob("*") if p.is_file()})
  return [str(f) for f in files if not (a / f).is_file() or not (b / f).is_file() or (a / f).read_bytes() != (b / f).read_bytes()]


def first_difference(a, b, name: str) -> str:
  x, y = ((d / name).read_text(encoding="utf8", errors="replace").splitlines() if (d / name).is_file() else [] for d in (a, b))
  return "\n".join(list(difflib.unified_diff(x, y, lineterm="", n=1))[:40])


def test_the_same_commit_builds_the_same_site(site_again, built_site, tmp_path):
  """A second build, executing every block again (but those the reader-path test runs again, conftest.READER_PAGES),
  writes byte-identical files; so does a build from the cache."""
  again, proc = site_again
  assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
  site, proc = built_site
  assert proc.returncode == 0
  diff = differences(site, again)
  assert not diff, f"again build differs in {diff[:10]}:\n{first_difference(site, again, diff[0])}"
  cached = mkdocs_build(ROOT / "mkdocs.yml", tmp_path / "cached")
  log = cached.stdout + cached.stderr
  assert cached.returncode == 0, log[-3000:]
  assert re.search(r"\(0 run, \d+ from the cache", log), log[-2000:]
  diff = differences(site, tmp_path / "cached")
  assert not diff, f"cached build differs in {diff[:10]}:\n{first_difference(site, tmp_path / 'cached', diff[0])}"


def test_no_page_shows_escaped_html(built_site):
  """A block that prints HTML without html="1" has it escaped: the tags would show up as text on the page."""
  site, proc = built_site
  assert proc.returncode == 0
  tag = re.compile(r"<p>&lt;/?(?:div|span|table|details|summary|br|img|a)\b")
  bad = [str(p.relative_to(site)) for p in sorted(site.rglob("*.html")) if tag.search(p.read_text(encoding="utf8"))]
  assert not bad, f"pages showing escaped HTML tags as text: {bad}"
