"""The whole site builds strictly, with no markdown-exec warning and no traceback on any page."""
import re

import pytest

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
