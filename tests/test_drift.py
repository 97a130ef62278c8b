"""`make drift` (scripts/drift.py) on a small site of its own, against a fake "other tinygrad": a source tree that is
the installed tinygrad with `lerp` renamed (files linked, one file changed), installed into the drift venv like a
path the user names, with the handbook's dependencies linked from this venv (`--deps-from`). The real run against
tinygrad 0.13.0 from the package index (`make drift TINYGRAD=0.13.0`) installs the whole tree and builds the whole
site, which takes minutes; this runs the same machinery in well under a minute.
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
from importlib.metadata import version

import pytest
import tinygrad

from conftest import QUIET, ROOT

CONFIG = f"""\
site_name: t
strict: true
hooks: [{ROOT / "src" / "handbook" / "mkdocs_hooks.py"}]
plugins:
  - gen-files:
      scripts: [gen.py]
  - markdown-exec:
      languages: [python]
markdown_extensions: [pymdownx.superfences]
nav: [index.md, other.md, generated.md]
"""
# a generator script that needs lerp: the drift build must record its failure and go on
GEN = """\
import mkdocs_gen_files
from tinygrad import Tensor
with mkdocs_gen_files.open("generated.md", "w") as f: f.write("# Generated\\n\\n" + str(Tensor.lerp.__name__) + "\\n")
"""
INDEX = '''\
# Index

`Tensor.lerp` blends two tensors; `Tensor.sum` adds.

```python exec="on" result="text" session="s"
from tinygrad import Tensor
print(sorted(n for n in dir(Tensor) if n.startswith("lerp")))
```

```python exec="on" result="text" session="s"
print(Tensor([0.0]).lerp(Tensor([2.0]), 0.5).tolist())
```

```python exec="on" result="text" session="s"
print(Tensor([1.0, 2.0]).sum().item())
```
'''
OTHER = '''\
# Other

```python exec="on" result="text"
from tinygrad import Tensor
assert hasattr(Tensor, "lerp"), "Tensor.lerp is gone"
print("has lerp")
```
'''


def fake_tinygrad(dest: pathlib.Path) -> pathlib.Path:
  """The installed tinygrad as a source tree (every file a link) with `lerp` renamed in the one file that defines it."""
  pkg = pathlib.Path(tinygrad.__file__).parent
  shutil.copytree(pkg, dest / "tinygrad", copy_function=os.symlink, ignore=shutil.ignore_patterns("__pycache__"))
  target = dest / "tinygrad" / "mixin" / "elementwise.py"
  text = target.read_text(encoding="utf8")
  assert "  def lerp(self" in text
  target.unlink()
  target.write_text(text.replace("  def lerp(self", "  def lerp_renamed(self"), encoding="utf8")
  (dest / "setup.py").write_text('from setuptools import setup\n\nsetup(\n  name="tinygrad",\n  version="0.14.0.post99",\n)\n')
  return dest


@pytest.fixture(scope="module")
def report(tmp_path_factory):
  tmp = tmp_path_factory.mktemp("drift")
  root = tmp / "site"
  (root / "docs").mkdir(parents=True)
  (root / "mkdocs.yml").write_text(CONFIG)
  (root / "gen.py").write_text(GEN)
  (root / "docs" / "index.md").write_text(INDEX)
  (root / "docs" / "other.md").write_text(OTHER)
  pinned = tmp / "pinned-cache"   # stands for the checkout's .cache: the drift run may read it, never write it
  (pinned / "exec").mkdir(parents=True)
  (pinned / "exec" / "0000.json").write_text('{"output": "kept"}')
  before = sorted((p.relative_to(pinned), p.read_bytes()) for p in pinned.rglob("*") if p.is_file())
  proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "drift.py"), str(fake_tinygrad(tmp / "other")), "--root", str(root),
                         "--work", str(tmp / "work" / "fake"), "--deps-from", sys.prefix], capture_output=True, text=True, timeout=600,
                        env={**os.environ, **QUIET, "HANDBOOK_CACHE_DIR": str(pinned)})
  assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
  after = sorted((p.relative_to(pinned), p.read_bytes()) for p in pinned.rglob("*") if p.is_file())
  work = tmp / "work" / "fake"
  return json.loads((work / "report.json").read_text()), (work / "report.md").read_text(), proc.stdout, before, after, (root, work, tmp / "other")


def test_failing_blocks_are_named_by_page_and_line(report):
  data, md, out, *_ = report
  failed = {i["where"]: i["error"] for v in data["pages"].values() for i in v["failed"]}
  assert set(failed) == {"docs/index.md:10", "docs/other.md:3", "gen.py"}, failed
  assert "AttributeError" in failed["docs/index.md:10"] and "lerp" in failed["docs/index.md:10"]
  assert failed["docs/other.md:3"] == "AssertionError: Tensor.lerp is gone"
  at = {i["where"]: i["at"] for v in data["pages"].values() for i in v["failed"]}
  assert at["docs/other.md:3"] == 'block line 2: assert hasattr(Tensor, "lerp"), "Tensor.lerp is gone"', at
  assert "lerp" in failed["gen.py"]
  assert "- `docs/index.md:10`: AttributeError" in md and "- `docs/other.md:3`: AssertionError: Tensor.lerp is gone" in md


def test_vanished_names_and_changed_outputs(report):
  data, md, *_ = report
  vanished = [(i["where"], i["kind"], i["name"]) for v in data["pages"].values() for i in v["vanished"]]
  # Tensor.sum on line 3 is still there; the assertion message on other.md:5 names Tensor.lerp too
  assert vanished == [("docs/index.md:3", "symbol", "Tensor.lerp"), ("docs/other.md:5", "symbol", "Tensor.lerp")], vanished
  changed = data["pages"]["docs/index.md"]["changed"]
  assert [c["where"] for c in changed] == ["docs/index.md:5"]                   # the unchanged sum block is not listed
  assert changed[0]["diff"] == ["@@ -1 +1 @@", "-['lerp']", "+['lerp_renamed']"]
  assert data["tinygrad"]["version"] == "0.14.0.post99" and data["pinned"]["version"] == version("tinygrad")
  s = data["summary"]
  assert (s["failed"], s["vanished"], s["changed"], s["pages"]) == (3, 2, 1, 3), s


def test_summary_line_and_pinned_cache_untouched(report):
  data, md, out, before, after, _ = report
  assert "3 failing blocks, 2 names vanished, 1 outputs changed" in out and "report.md" in out
  assert md.startswith("# Drift: the handbook on tinygrad 0.14.0.post99")
  assert before == after


def test_report_only_rewrites_the_same_report(report):
  data, md, _, _, _, (root, work, other) = report
  (work / "report.json").unlink()
  proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "drift.py"), str(other), "--root", str(root), "--work", str(work), "--report-only"],
                        capture_output=True, text=True, timeout=60, env={**os.environ, **QUIET})
  assert proc.returncode == 0, proc.stderr
  assert json.loads((work / "report.json").read_text()) == data and (work / "report.md").read_text() == md


@pytest.mark.parametrize("spec, message", [("", "say which tinygrad"), ("a b", "not a version"), ("/nonexistent/tg", "not a tinygrad source tree")])
def test_bad_input_is_one_line(spec, message, tmp_path):
  proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "drift.py"), spec, "--work", str(tmp_path)], capture_output=True, text=True,
                        timeout=60)
  assert proc.returncode == 1 and message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
  assert "Traceback" not in proc.stderr
