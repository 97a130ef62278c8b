"""The built site in a real browser: Debian's Chromium driven by Playwright (never a downloaded browser).

The site is served from an in-process HTTP server on 127.0.0.1 (search needs HTTP: a web worker fetches
its index). One browser serves the whole module; each test gets a fresh context (fresh localStorage),
watched for console errors, page errors, failed or 4xx/5xx requests and any request that leaves the server.
A failing test leaves a screenshot and its console log in test-artifacts/browser/<test name>.{png,log}.
"""
from __future__ import annotations

import functools
import http.server
import pathlib
import re
import shutil
import sys
import threading
import urllib.parse
import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout, expect, sync_playwright

pytestmark = pytest.mark.slow

ROOT = pathlib.Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
# From the toolchain research (notes section 9): headless without GPU or sandbox, and no traffic of Chromium's own.
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]  # offline by construction: other hosts fail at once
# What a failed markdown-exec block leaves on a page: the traceback, whose frames are named "<code block: ...>".
ERROR_MARKERS = ["Traceback (most recent call last)", "<code block: "]
COPY_BUTTON = "button.md-code__button[data-md-type=copy]"


class Handler(http.server.SimpleHTTPRequestHandler):
  def log_message(self, *args): pass

  def end_headers(self):
    self.send_header("Cache-Control", "max-age=600")  # as GitHub Pages serves it: assets come from the cache on the next page
    super().end_headers()


class Server(http.server.ThreadingHTTPServer):
  def handle_error(self, request, client_address):
    if not isinstance(sys.exc_info()[1], ConnectionError): super().handle_error(request, client_address)  # not a page left mid-load


@pytest.fixture(scope="module")
def site(built_site) -> pathlib.Path:
  site, proc = built_site
  if proc.returncode != 0:
    errors = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.startswith(("WARNING", "ERROR"))]
    pytest.fail(f"the site did not build: {errors[0] if errors else proc.stderr[-500:]}", pytrace=False)
  return site


@pytest.fixture(scope="module")
def base(site):
  httpd = Server(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
  threading.Thread(target=httpd.serve_forever, daemon=True).start()
  yield f"http://127.0.0.1:{httpd.server_address[1]}"
  httpd.shutdown()
  httpd.server_close()


def chromium_binary() -> str:
  """The Chromium binary itself: /usr/bin/chromium is a shell wrapper that adds flags of its own."""
  for path in ("/usr/lib/chromium/chromium", shutil.which("chromium")):
    if path and pathlib.Path(path).is_file() and not pathlib.Path(path).read_bytes()[:2] == b"#!": return path
  pytest.fail("Chromium is not installed: `make test` installs it (Debian: sudo apt-get install chromium)", pytrace=False)


@pytest.fixture(scope="module")
def browser():
  chromium = chromium_binary()
  with sync_playwright() as p:
    b = p.chromium.launch(executable_path=chromium, args=FLAGS, headless=True)
    yield b
    b.close()


@pytest.fixture(scope="module")
def pages(site) -> list[str]:
  """Paths of every page the sitemap lists ("/", "/course/day1/", ...)."""
  locs = [e.text for e in ET.parse(site / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
  return sorted(urllib.parse.urlsplit(loc).path for loc in locs)


class Tab:
  """One browser context and page, with everything that went wrong since the last `take()`."""

  def __init__(self, browser, base: str):
    self.base, self.log = base, []
    self.context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    self.page = self.context.new_page()
    self.problems = {}
    self.page.on("console", self._console)
    self.page.on("pageerror", lambda e: self._add("page errors", str(e)))
    self.page.on("requestfailed", self._failed)
    self.page.on("response", lambda r: r.status >= 400 and self._add("error responses", f"{r.status} {r.url}"))
    self.context.on("request", lambda r: r.url.startswith((base + "/", "data:", "blob:")) or self._add("requests off the local server", r.url))

  def _failed(self, req):
    if req.failure != "net::ERR_ABORTED": self._add("failed requests", f"{req.url} {req.failure}")  # not one cut short by the next goto

  def _console(self, msg):
    self.log.append(f"{msg.type}: {msg.text}")
    if msg.type == "error": self._add("console errors", f"{msg.text} at {msg.location.get('url')}")

  def _add(self, kind: str, what: str):
    self.log.append(f"{kind}: {what}")
    self.problems.setdefault(kind, []).append(what)

  def goto(self, path: str):
    self.log.append(f"goto {path}")
    return self.page.goto(self.base + path)

  def take(self) -> dict:
    problems, self.problems = self.problems, {}
    return problems


@pytest.fixture
def tab(browser, base, request):
  t = Tab(browser, base)
  failed_before = request.session.testsfailed
  yield t
  # pytest counts a failed call before it tears the test's fixtures down
  if request.session.testsfailed > failed_before:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    (ARTIFACTS / f"{name}.log").write_text("\n".join(t.log) + "\n", encoding="utf8")
    t.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
  t.context.close()


def test_every_page_of_the_nav_is_in_the_sitemap(tab, pages):
  assert len(pages) >= 30, pages
  tab.goto("/")
  hrefs = tab.page.eval_on_selector_all("nav.md-nav--primary a.md-nav__link[href]", "els => els.map(e => e.href)")
  nav = {urllib.parse.urlsplit(h).path for h in hrefs if h.startswith(tab.base)}
  assert nav == set(pages)
  assert tab.take() == {}


def test_every_page_loads_cleanly(tab, pages):
  """Each page answers 200 and renders with no console error, failed request, outside request or block error."""
  bad = {}
  for path in pages:
    resp = tab.goto(path)
    problems = tab.take()
    if resp is None or resp.status != 200: problems["status"] = resp and resp.status
    text = tab.page.inner_text("article")
    if len(text) < 200: problems["content"] = f"only {len(text)} characters of text"
    if errors := [m for m in ERROR_MARKERS if m in text]: problems["errors shown"] = errors
    if missing := copy_buttons_missing(tab.page): problems["code blocks without a copy button"] = missing
    if problems: bad[path] = problems
  if bad: tab.goto(next(iter(bad)))  # the failure screenshot shows the first bad page
  assert not bad, bad


def copy_buttons_missing(page) -> int:
  """Code blocks of the page without a copy button, once Material has had up to 5 s to add them."""
  js = f"() => document.querySelectorAll('article div.highlight pre').length - document.querySelectorAll('article {COPY_BUTTON}').length"
  try: page.wait_for_function(f"({js})() <= 0", timeout=5000)
  except PlaywrightTimeout: pass
  return max(0, page.evaluate(js))


def test_search_finds_debug(tab):
  tab.goto("/")
  tab.page.keyboard.press("/")
  tab.page.keyboard.type("DEBUG", delay=30)  # Material reacts to key events: fill() alone finds nothing
  results = tab.page.locator(".md-search-result__item")
  expect(results.first).to_be_visible(timeout=10_000)
  expect(tab.page.locator(".md-search-result__meta")).to_contain_text(re.compile(r"\d+ matching documents?"))
  link = tab.page.locator("a.md-search-result__link").first
  href = link.get_attribute("href")
  link.click()
  target = urllib.parse.urljoin(tab.base + "/", href.split("?")[0].split("#")[0])
  expect(tab.page).to_have_url(re.compile("^" + re.escape(target)))
  expect(tab.page.locator("article")).to_contain_text("DEBUG")
  assert tab.take() == {}


def pathways(page) -> list[tuple[str, str]]:
  """For each tab set offering "Pathway A" and "Pathway B": the label of its checked tab, and the text it shows."""
  return page.eval_on_selector_all(".tabbed-set", """sets => sets
    .filter(s => [...s.querySelectorAll('.tabbed-labels label')].some(l => l.innerText.trim() === 'Pathway B'))
    .map(s => [s.querySelector(`label[for="${s.querySelector(':scope > input:checked').id}"]`).innerText.trim(),
               [...s.querySelectorAll('.tabbed-block')].filter(b => b.offsetParent).map(b => b.innerText).join('')])""")


def test_pathway_tabs_switch_together_and_persist(tab):
  tab.goto("/course/day1/")
  before = pathways(tab.page)
  assert [label for label, _ in before] == ["Pathway A"]
  tab.page.locator(".tabbed-labels label", has_text=re.compile("^Pathway B$")).first.click()
  after = pathways(tab.page)
  assert [label for label, _ in after] == ["Pathway B"] * len(before)  # every Pathway set of the page, linked
  assert all(len(b) > 100 and b != a for (_, a), (_, b) in zip(before, after)), "the shown content did not change"
  assert tab.page.evaluate("__md_get('__tabs')") == ["Pathway B"]
  tab.goto("/course/day2/")  # a full load: Material's inline script restores the linked tab from localStorage
  assert [label for label, _ in pathways(tab.page)] == ["Pathway B"]
  tab.page.locator("a.md-footer__link--next").click()  # an instant (XHR) navigation to day 3
  expect(tab.page).to_have_url(tab.base + "/course/day3/")
  expect(tab.page.locator("article h1")).to_contain_text("Day 3")
  assert [label for label, _ in pathways(tab.page)] == ["Pathway B"]
  assert tab.take() == {}


def test_mermaid_diagrams_render(tab, site):
  # Material draws each diagram into a closed shadow root; opening it lets the test reach the SVG.
  tab.context.add_init_script("""const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (init) { return attach.call(this, {...init, mode: 'open'}) }""")
  with_mermaid = sorted("/" + (p.parent.relative_to(site).as_posix() + "/").removeprefix("./") for p in site.rglob("index.html")
                        if '<pre class="mermaid">' in p.read_text(encoding="utf8"))
  assert "/architecture/" in with_mermaid
  for path in with_mermaid:
    tab.goto(path)
    expect(tab.page.locator("div.mermaid svg").first).to_be_visible(timeout=10_000)
    assert tab.page.evaluate("typeof mermaid") == "object"
    assert tab.page.locator("pre.mermaid").count() == 0, f"{path}: a diagram left as source"
    for host in tab.page.locator("div.mermaid").all():
      box = host.bounding_box()
      assert box["width"] > 100 and box["height"] > 50, f"{path}: diagram box {box}"
      assert host.locator("svg .node, svg .actor, svg .cluster").count() >= 2, f"{path}: diagram without nodes"
  assert tab.take() == {}


def test_copy_button_copies_the_code(tab):
  tab.context.grant_permissions(["clipboard-read", "clipboard-write"])
  tab.goto("/course/day1/")
  blocks = tab.page.locator("article div.highlight pre").filter(visible=True)
  assert blocks.count() > 5
  assert copy_buttons_missing(tab.page) == 0
  code = blocks.first.locator("code").inner_text()
  blocks.first.hover()
  tab.page.locator("article div.highlight").filter(visible=True).first.locator(COPY_BUTTON).click()
  assert tab.page.evaluate("navigator.clipboard.readText()").strip() == code.strip()
  assert tab.take() == {}


def test_dark_mode_toggle(tab):
  tab.goto("/")
  scheme = lambda: tab.page.get_attribute("body", "data-md-color-scheme")  # noqa: E731
  assert scheme() == "default"
  tab.page.locator("label.md-header__button[title='Switch to dark mode']").click()
  assert scheme() == "slate"
  tab.goto("/course/")  # the choice is remembered
  assert scheme() == "slate"
  tab.page.locator("label.md-header__button[title='Switch to light mode']").click()
  assert scheme() == "default"
  assert tab.take() == {}


def test_exercise_solution_expands_and_glossary_terms_show_tooltips(tab):
  """A day page: an exercise's collapsed solution opens on a click and shows its code; a glossary term shows its tooltip."""
  tab.goto("/course/day1/#d1-validate")
  heading = tab.page.locator("h4#d1-validate")
  expect(heading).to_be_visible()
  solution = tab.page.locator("details.success", has=tab.page.locator("summary", has_text="Solution")).first
  code = solution.locator("pre")
  expect(code).to_be_hidden()
  solution.locator("summary").click()
  expect(code).to_be_visible()
  expect(code).to_contain_text("def validate(")
  term = tab.page.locator("article abbr[title]").first
  title = term.get_attribute("title")
  assert title and len(title) > 20
  term.scroll_into_view_if_needed()
  term.hover()
  tooltip = tab.page.locator(".md-tooltip2--active")
  expect(tooltip).to_be_visible(timeout=5_000)
  expect(tooltip).to_contain_text(title[:40])
  assert tab.take() == {}
