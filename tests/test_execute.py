"""The build's execution machinery on a small project of its own: the execution cache, time limits,
blocks that need a device the host lacks, HTML escaping and reproducible output.

Each test builds a two-page site with the handbook's hooks (a few seconds), never the whole handbook.
"""
from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

from conftest import QUIET, ROOT
from handbook import execute

CONFIG = f"""\
site_name: t
strict: true
hooks: [{ROOT / "src" / "handbook" / "mkdocs_hooks.py"}]
plugins:
  - markdown-exec:
      languages: [python]
markdown_extensions: [admonition, pymdownx.superfences]
nav: [index.md, other.md]
"""
# a session of three blocks; the first one appends to a file, so the test sees which blocks really ran
INDEX = '''\
# Index

Some prose.

```python exec="on" result="text" session="s"
import pathlib
pathlib.Path(RUNS).open("a").write("a")
from tinygrad import Tensor
x = Tensor.rand(3).tolist()
print("first", len(x))
```

```python exec="on" result="text" session="s"
y = [round(v, 6) for v in x]
print("second", y)
```

```python exec="on" result="text" session="s"
print("third", sum(y) > 0)
```
'''
OTHER = '''\
# Other

```python exec="on" result="text"
print("plain <b>text</b>")
```

```python exec="on"
print("markdown <script>alert(1)</script> and `<code>`")
print('=== "in a tab"\\n\\n    ```c\\n    if (a < b && c > d) {}\\n    ```\\n')
```

```python exec="on" html="1"
print("<span class='raw'>raw html</span>")
```
'''


@pytest.fixture
def project(tmp_path):
  root = tmp_path / "p"
  (root / "docs").mkdir(parents=True)
  (root / "mkdocs.yml").write_text(CONFIG)
  runs = tmp_path / "runs.txt"
  (root / "docs" / "index.md").write_text(INDEX.replace("RUNS", repr(str(runs))))
  (root / "docs" / "other.md").write_text(OTHER)
  return root, runs, tmp_path / "cache"


def build(root: pathlib.Path, cache: pathlib.Path, out: str = "site", **env) -> tuple[int, str]:
  proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(root / out)], cwd=root, capture_output=True,
                        text=True, timeout=600, env={**os.environ, **QUIET, "HANDBOOK_CACHE_DIR": str(cache), **env})
  return proc.returncode, proc.stdout + proc.stderr


def counts(log: str) -> tuple[int, int, int]:
  m = re.search(r"\((\d+) run, (\d+) from the cache, (\d+) skipped", log)
  assert m, log[-2000:]
  return int(m[1]), int(m[2]), int(m[3])


def page(root: pathlib.Path, name: str, out: str = "site") -> str:
  return (root / out / name / "index.html").read_text() if name else (root / out / "index.html").read_text()


def test_cache_reuses_output_and_survives_prose_edits(project):
  root, runs, cache = project
  rc, log = build(root, cache)
  assert rc == 0, log[-3000:]
  assert counts(log) == (6, 0, 0) and runs.read_text() == "a"
  first = page(root, "")
  rc, log = build(root, cache, "site2")
  assert rc == 0 and counts(log) == (0, 6, 0) and runs.read_text() == "a"
  assert page(root, "", "site2") == first
  index = root / "docs" / "index.md"
  index.write_text(index.read_text().replace("Some prose.", "Some other prose."))
  rc, log = build(root, cache, "site3")
  assert rc == 0 and counts(log) == (0, 6, 0) and runs.read_text() == "a"
  assert "Some other prose." in page(root, "", "site3")


def test_a_miss_reruns_the_session_from_its_start(project):
  root, runs, cache = project
  assert build(root, cache)[0] == 0
  before = page(root, "")
  index = root / "docs" / "index.md"
  index.write_text(index.read_text().replace('print("third", sum(y) > 0)', 'print("third!", sum(y) > 0)'))
  rc, log = build(root, cache, "site2")
  assert rc == 0, log[-3000:]
  assert counts(log) == (1, 5, 0)
  assert runs.read_text() == "aa"  # block one ran again before block three, which needs its `y`
  after = page(root, "", "site2")
  assert "third!" in after and re.search(r"second \[[^\]]+\]", before)[0] == re.search(r"second \[[^\]]+\]", after)[0]


def test_no_cache_switch_executes_everything(project):
  root, runs, cache = project
  assert build(root, cache)[0] == 0
  rc, log = build(root, cache, "site2", HANDBOOK_NO_CACHE="1")
  assert rc == 0 and counts(log) == (6, 0, 0) and runs.read_text() == "aa"


def test_two_uncached_builds_are_identical(project):
  root, _, cache = project
  assert build(root, cache, "a", HANDBOOK_NO_CACHE="1")[0] == 0
  assert build(root, cache, "b", HANDBOOK_NO_CACHE="1")[0] == 0
  files = sorted(p.relative_to(root / "a") for p in (root / "a").rglob("*") if p.is_file())
  assert files and all((root / "a" / f).read_bytes() == (root / "b" / f).read_bytes() for f in files)


def test_raw_html_is_escaped_unless_the_block_asks_for_it(project):
  root, _, cache = project
  rc, log = build(root, cache)
  assert rc == 0, log[-3000:]
  html = page(root, "other")
  assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
  assert "<code>&lt;code&gt;</code>" in html                      # a code span shows its text as written
  assert "&amp;lt;" not in html and "&amp;amp;" not in html and "a &lt;" in html   # an indented fence is not escaped twice
  assert "plain &lt;b&gt;text&lt;/b&gt;" in html                  # result="text" is a code block
  assert "<span class='raw'>raw html</span>" in html             # html="1" passes through


def test_a_slow_block_is_stopped_and_named(project):
  root, _, cache = project
  (root / "docs" / "other.md").write_text('# Other\n\n```python exec="on" result="text" timeout="1"\nimport time\ntime.sleep(30)\n```\n')
  rc, log = build(root, cache)
  assert rc != 0
  assert "docs/other.md:3: python block failed: BlockTimeout: block at docs/other.md:3 stopped after 1 s" in log, log[-3000:]
  (root / "docs" / "other.md").write_text('# Other\n\n```python exec="on" result="text"\nimport time\ntime.sleep(30)\n```\n')
  rc, log = build(root, cache, HANDBOOK_BLOCK_TIMEOUT="1")
  assert rc != 0 and "docs/other.md:3: python block failed: BlockTimeout" in log, log[-3000:]


def test_a_slow_block_fails_its_page_test(project):
  root, _, _ = project
  (root / "docs" / "other.md").write_text('# Other\n\n```python exec="on" result="text"\nimport time\ntime.sleep(30)\n```\n')
  proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "handbook.pytest_bridge", "--markdown-docs", "-p", "no:cacheprovider",
                         "-o", "addopts=", "docs/other.md"], cwd=root, capture_output=True, text=True, timeout=300,
                        env={**os.environ, "HANDBOOK_BLOCK_TIMEOUT": "1"})
  out = proc.stdout + proc.stderr
  assert proc.returncode == 1 and "docs/other.md:3: code block failed" in out and "stopped after 1 s" in out, out[-3000:]


NEEDS_GPU = textwrap.dedent('''\
  # Other

  ```python exec="on" result="text" device="METAL,CUDA"
  from tinygrad import Tensor
  print((Tensor([1.0, 2.0], device="CUDA") * 2).tolist())
  ```

  ```python exec="on" result="text"
  print("after")
  ```
''')


def test_a_block_for_a_missing_device_is_labelled_and_skipped(project):
  root, _, cache = project
  (root / "docs" / "other.md").write_text(NEEDS_GPU)
  rc, log = build(root, cache)
  assert rc == 0, log[-3000:]
  assert counts(log) == (4, 0, 1)
  assert re.search(r"docs/other.md:3: skipped, not run on this build host \(METAL: .+; CUDA: .+\)", log), log[-3000:]
  html = page(root, "other")
  assert "Not run on this build host" in html and "needs a METAL or CUDA device" in html and "after" in html
  assert "device=" not in html and "Traceback" not in html
  proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "handbook.pytest_bridge", "--markdown-docs", "-p", "no:cacheprovider",
                         "-o", "addopts=", "-rs", "docs/other.md"], cwd=root, capture_output=True, text=True, timeout=300)
  out = proc.stdout + proc.stderr
  assert proc.returncode == 0 and "1 passed, 1 skipped" in out and "docs/other.md:3: not run on this host, it needs METAL,CUDA" in out, out[-3000:]


DIRTY = """
import logging, pathlib, sys
logging.basicConfig(level=logging.INFO)
from mkdocs.commands.build import build
from mkdocs.config import load_config
root = pathlib.Path(sys.argv[1])
def once():
  config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(root / "site"), strict=False)
  config.plugins.on_startup(command="serve", dirty=True)   # as `mkdocs serve --dirty` (make serve) starts
  build(config, dirty=True)
once()
(root / "snippets" / "part" / "prog.py").write_text('print("edited snippet")\\n')
once()
"""


def test_a_dirty_rebuild_re_renders_pages_whose_snippet_changed(project):
  root, _, cache = project
  (root / "snippets" / "part").mkdir(parents=True)
  (root / "snippets" / "part" / "prog.py").write_text('print("first snippet")\n')
  (root / "docs" / "other.md").write_text('# Other\n\n```python exec="on" result="text"\n--8<-- "part/prog.py"\n```\n')
  (root / "mkdocs.yml").write_text(CONFIG.replace("markdown_extensions: [admonition, pymdownx.superfences]",
                                                  "markdown_extensions: [admonition, pymdownx.superfences, {pymdownx.snippets: {base_path: [snippets]}}]"))
  proc = subprocess.run([sys.executable, "-c", DIRTY, str(root)], cwd=root, capture_output=True, text=True, timeout=600,
                        env={**os.environ, **QUIET, "HANDBOOK_CACHE_DIR": str(cache)})
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "edited snippet" in page(root, "other") and "1 pages re-rendered" in proc.stderr, proc.stderr[-3000:]


DEPENDS = '''\
# Other

```python exec="on" result="text" session="d"
import pathlib
pathlib.Path(RUNS).open("a").write("d")
pages = sorted(p.name for p in pathlib.Path("docs").glob("*.md"))
```

```python exec="on" result="text" session="d" depends="docs"
print(len(pages), "pages")
```
'''


def test_depends_reruns_a_block_when_the_files_it_reads_change(project):
  root, runs, cache = project
  (root / "docs" / "other.md").write_text(DEPENDS.replace("RUNS", repr(str(runs))))
  rc, log = build(root, cache)
  assert rc == 0 and "2 pages" in page(root, "other"), log[-3000:]
  assert counts(log) == (5, 0, 0)
  (root / "docs" / "third.md").write_text("# Third\n")   # a new page: the depends= block's folder changed
  rc, log = build(root, cache, "site2")
  assert rc == 0 and "3 pages" in page(root, "other", "site2"), log[-3000:]
  assert counts(log) == (1, 4, 0) and runs.read_text() == "a" + "d" + "d"   # its session re-ran from its start


def test_a_bad_option_fails_the_build_instead_of_showing_plain_code(project):
  root, _, cache = project
  (root / "docs" / "other.md").write_text('# Other\n\n```python exec="on" result="text" timeout="soon"\nprint(1)\n```\n')
  rc, log = build(root, cache)
  assert rc != 0 and "docs/other.md:3: the handbook could not run this block: ValueError" in log, log[-3000:]


@pytest.mark.parametrize("value,page,cached", [
  ("", "course/day1.md", True), ("0", "course/day1.md", True), ("1", "course/day1.md", False), ("yes", "index.md", False),
  ("*,!course/*,!start/setup.md", "course/day1.md", True), ("*,!course/*,!start/setup.md", "start/setup.md", True),
  ("*,!course/*,!start/setup.md", "architecture/uops.md", False), ("course/*", "course/day2.md", False), ("course/*", "index.md", True),
])
def test_no_cache_can_select_pages(monkeypatch, value, page, cached):
  """HANDBOOK_NO_CACHE=1 executes every page; a list of patterns executes the pages it selects, `!` taking some out."""
  monkeypatch.setenv("HANDBOOK_NO_CACHE", value)
  assert execute.cache_enabled(page) is cached


def test_each_page_starts_from_the_builds_settings(monkeypatch, caplog):
  """A ContextVar an earlier page left changed is set back before the next page's blocks run, and the log names it."""
  from tinygrad.helpers import DEV, NOOPT
  monkeypatch.setattr(execute, "_settings", {})
  execute.same_settings("a.md")                       # the first page: the settings are taken as they are
  before_dev, before_noopt = list(DEV.value), NOOPT.value
  try:
    DEV.value, NOOPT.value = "PYTHON", before_noopt + 1   # what a page that forgot a Context would leave behind
    with caplog.at_level("INFO", logger="mkdocs.hooks.handbook"):
      execute.same_settings("b.md")
    assert DEV.value == before_dev and NOOPT.value == before_noopt
    assert "docs/b.md starts with DEV set back to" in caplog.text and "docs/b.md starts with NOOPT set back to" in caplog.text
  finally:
    DEV.value, NOOPT.value = before_dev, before_noopt
