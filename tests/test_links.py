"""Every internal link of the built site reaches a built file, and every #anchor an id on the target page.

External links (http/https to other hosts) are not fetched: they are listed in test-artifacts/external-links.txt
and printed (`pytest -s tests/test_links.py` shows the list).
"""
from __future__ import annotations

import collections
import html.parser
import pathlib
import urllib.parse
import xml.etree.ElementTree as ET

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
LINK_ATTRS = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src", "iframe": "src"}
NOT_FETCHED = ("mailto", "tel", "javascript", "data")


class Page(html.parser.HTMLParser):
  """The ids (and <a name>s) of one HTML page and the links it makes."""

  def __init__(self, text: str):
    super().__init__()
    self.ids, self.links = set(), []
    self.feed(text)

  def handle_starttag(self, tag, attrs):
    a = dict(attrs)
    if a.get("id"): self.ids.add(a["id"])
    if tag == "a" and a.get("name"): self.ids.add(a["name"])
    if (link := a.get(LINK_ATTRS.get(tag, ""))) is not None: self.links.append(link)


def site_url(site: pathlib.Path) -> str:
  """The URL the site was built for (its sitemap's shortest <loc>): absolute links to it are internal."""
  locs = [e.text for e in ET.parse(site / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
  return min(locs, key=len)


def check_links(site: pathlib.Path, url: str) -> tuple[list[str], dict[str, set[str]], int]:
  """Broken internal links and anchors, external links (url -> pages linking it), and the number of links checked."""
  home = urllib.parse.urlsplit(url)
  pages = {p: Page(p.read_text(encoding="utf8")) for p in sorted(site.rglob("*.html"))}
  broken, external, checked = [], collections.defaultdict(set), 0
  for path, page in pages.items():
    name = path.relative_to(site).as_posix()
    for link in page.links:
      checked += 1
      parts = urllib.parse.urlsplit(urllib.parse.urljoin(home.path + name, link))
      if parts.scheme in NOT_FETCHED: continue
      if parts.scheme and parts.netloc != home.netloc:
        external[link].add(name)
        continue
      rel = urllib.parse.unquote(parts.path)
      if not rel.startswith(home.path):
        broken.append(f"{name}: {link} leaves the site's path {home.path}")
        continue
      target = site / rel[len(home.path):]
      if target.is_dir(): target = target / "index.html"
      if not target.is_file():
        broken.append(f"{name}: {link} -> no file {target.relative_to(site).as_posix()}")
      elif parts.fragment and target in pages and urllib.parse.unquote(parts.fragment) not in pages[target].ids:
        broken.append(f"{name}: {link} -> no id {parts.fragment!r} in {target.relative_to(site).as_posix()}")
  return broken, external, checked


@pytest.mark.slow
def test_internal_links_and_anchors_resolve(built_site):
  site, proc = built_site
  assert proc.returncode == 0, [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.startswith(("WARNING", "ERROR"))][:3]
  broken, external, checked = check_links(site, site_url(site))
  pages = len(list(site.rglob("*.html")))
  report = [f"{len(external)} external links (not fetched) on {pages} pages; {checked} links checked"]
  report += [f"{u}  (linked from {len(ps)}: {', '.join(sorted(ps)[:3])}{', ...' if len(ps) > 3 else ''})" for u, ps in sorted(external.items())]
  (ROOT / "test-artifacts").mkdir(exist_ok=True)
  (ROOT / "test-artifacts" / "external-links.txt").write_text("\n".join(report) + "\n", encoding="utf8")
  print("\n".join(report))
  assert pages >= 30 and checked > 1000, (pages, checked)
  assert not broken, "\n".join(broken)


def test_the_link_check_finds_broken_links_and_anchors(tmp_path):
  (tmp_path / "a").mkdir()
  (tmp_path / "a" / "index.html").write_text('<h2 id="there">x</h2><a name="old"></a><img src="../pic.png">')
  (tmp_path / "pic.png").write_bytes(b"")
  (tmp_path / "index.html").write_text('<a href="a/">ok</a><a href="a/#there">ok</a><a href="./a/index.html#old">ok</a>'
                                       '<a href="#top" id="top">ok</a><a href="http://127.0.0.1:8000/a/">ok</a>'
                                       '<a href="mailto:x@y.z">ok</a><a href="https://example.com/x">out</a>'
                                       '<a href="b/">broken</a><a href="a/#nowhere">broken</a><link href="style.css">')
  broken, external, checked = check_links(tmp_path, "http://127.0.0.1:8000/")
  assert checked == 11
  assert broken == ["index.html: b/ -> no file b", "index.html: a/#nowhere -> no id 'nowhere' in a/index.html",
                    "index.html: style.css -> no file style.css"]
  assert dict(external) == {"https://example.com/x": {"index.html"}}
