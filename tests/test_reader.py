"""What the build gives a reader besides the pages: the names a block takes from earlier blocks, each page's code as one
program, and tgkit's wheel (handbook.reader, handbook.wheel)."""
from __future__ import annotations

import base64
import csv
import hashlib
import io
import pathlib
import subprocess
import sys
import zipfile

import pytest

from handbook import reader, wheel

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGE = pathlib.Path("docs/x/page.md")


def fence(code: str, session: str | None = None, indent: str = "", extra: str = "") -> str:
  opts = 'exec="on" result="text"' + (f' session="{session}"' if session else "") + extra
  return "\n".join([f"{indent}```python {opts}", *(indent + ln for ln in code.split("\n")), f"{indent}```", ""])


def test_names_read_and_bound():
  bound, read = reader.names("x = x + 1\nimport numpy as np\ndef f(a, b=c):\n  q = 1\n  return a + q + y + np.z\n"
                             "z = [i * w for i in r if i]\nfor k in range(3): n += k\n")
  assert bound == {"x", "np", "f", "z", "k", "n"}
  assert read == ["x", "c", "r", "w", "range", "n", "y"]   # a function body's free names count after the block's own


def test_uses_names_from_earlier_blocks_of_the_same_session_only():
  md = "# T\n\n" + fence("x = 1\ndef f(): return 2", "a") + fence("y = 5", "b") + fence("print(x + f() + len([y]))", "a")
  md += fence("x = 3\nprint(x)", "a")
  blocks = reader.blocks(md, PAGE, ROOT)
  assert [b.uses for b in blocks] == [[], [], ["x", "f"], []]   # y belongs to session b; the last block binds x itself
  assert reader.clashes(blocks) == ["line 10: `y`"]
  same = fence("from tinygrad import Tensor", "a") + fence("from tinygrad import Tensor", "b") + fence("print(Tensor)", "a")
  assert reader.clashes(reader.blocks(same, PAGE, ROOT)) == []   # one import of the same thing: one Tensor
  other = fence("from tinygrad import Tensor", "a") + fence("from tinygrad import Tensor\nTensor = 3", "b") + fence("print(Tensor)", "a")
  assert reader.clashes(reader.blocks(other, PAGE, ROOT)) == ["line 8: `Tensor`"]


def test_annotate_puts_notes_at_the_fence_indent_and_links_the_program():
  md = "# Title\n\nText.\n\n" + fence("x = 1", "s") + '=== "Tab"\n\n' + fence("print(x)", "s", "    ")
  out = reader.annotate(md, PAGE, "page.py", ROOT).split("\n")
  assert out[2].startswith("The code of this page as one program: [page.py](page.py)")
  k = out.index('    Uses `x` from earlier blocks (session `s`).')
  assert out[k + 1] == "" and out[k + 2].startswith('    ```python') and out[k - 1] == ""
  assert reader.annotate("# T\n\nno code\n", PAGE, None, ROOT) == "# T\n\nno code\n"


def run_script(tmp_path, text: str) -> str:
  (tmp_path / "p.py").write_text(text, encoding="utf8")
  proc = subprocess.run([sys.executable, "p.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
  assert proc.returncode == 0, proc.stderr
  return proc.stdout


def test_script_keeps_clashing_sessions_apart_and_seeds_each(tmp_path):
  md = (fence("x = 'a'\nprint(x)", "a") + fence("x = 'b'", "b") + fence("print(x)", "a")
        + fence("from tinygrad import Tensor\nprint(Tensor.rand(2).tolist())", "c") + fence("print(Tensor.rand(2).tolist())", "c")
        + fence("from tinygrad import Tensor\nprint(Tensor.rand(2).tolist())", None) + fence("print('gpu')", None, extra=' device="CUDA"'))
  blocks = reader.blocks(md, PAGE, ROOT)
  first, second = run_script(tmp_path, "from tinygrad import Tensor\nTensor.manual_seed(0)\nprint(Tensor.rand(2).tolist())\n"
                                        "print(Tensor.rand(2).tolist())").split("\n")[:2]
  outputs = ["a\n", "", "a\n", first + "\n", second + "\n", first + "\n", None]
  text = reader.script("T", "x/page.md", blocks, outputs)
  assert "namespaces = {}" in text and "# This block needs a CUDA device" in text and "# print('gpu')" in text
  assert run_script(tmp_path, text) == reader.expected(text) == "".join(o for o in outputs if o)
  flat = reader.script("T", "x/page.md", blocks[:1] + blocks[3:6], outputs[:1] + outputs[3:6])
  assert "namespaces" not in flat and "\nx = 'a'\nprint(x)\n" in flat   # no clash: the blocks are the program, as written
  assert run_script(tmp_path, flat) == reader.expected(flat)


def test_substitute_names_the_wheel_under_the_site():
  md = reader.substitute("pip install {{ tgkit_wheel_url }}  # tgkit {{ tgkit_version }}", "https://example.org/handbook/")
  assert md == f"pip install https://example.org/handbook/dist/tgkit-{wheel.version()}-py3-none-any.whl  # tgkit {wheel.version()}"


def test_wheel_is_deterministic_and_holds_only_tgkit(tmp_path, monkeypatch):
  import tgkit
  monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
  data = wheel.build(ROOT)
  assert data == wheel.build(ROOT)
  assert wheel.version(ROOT) == tgkit.__version__ and wheel.filename(ROOT) == f"tgkit-{tgkit.__version__}-py3-none-any.whl"
  z = zipfile.ZipFile(io.BytesIO(data))
  names = z.namelist()
  info = f"tgkit-{tgkit.__version__}.dist-info"
  assert all(n.startswith(("tgkit/", f"{info}/")) for n in names), names
  assert {p.relative_to(ROOT / "src").as_posix() for p in (ROOT / "src" / "tgkit").rglob("*.py") if "__pycache__" not in p.parts} <= set(names)
  assert "tgkit/device-report.schema.json" in names and not any("__pycache__" in n or n.endswith(".pyc") for n in names)
  assert {zi.date_time for zi in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}
  meta = z.read(f"{info}/METADATA").decode()
  assert "Name: tgkit\n" in meta and "Requires-Dist: tinygrad==0.14.0\n" in meta and "Requires-Python: >=3.11\n" in meta
  for dep in ("numpy", "rich", "jsonschema", "coverage", "matplotlib"): assert f"Requires-Dist: {dep}\n" in meta
  assert z.read(f"{info}/entry_points.txt").decode() == "[console_scripts]\ntgkit = tgkit.cli:main\n"
  for name, digest, size in csv.reader(io.StringIO(z.read(f"{info}/RECORD").decode())):
    if name == f"{info}/RECORD": continue
    body = z.read(name)
    assert digest == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b"=").decode() and int(size) == len(body), name


def test_installed_wheel_finds_its_schema(tmp_path):
  """pip installs the wheel, and the installed tgkit reads the device-report schema it carries (no repository around it)."""
  path = wheel.write(tmp_path / "dist", ROOT)
  proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", str(tmp_path / "t"), str(path)],
                        capture_output=True, text=True, timeout=300)
  assert proc.returncode == 0, proc.stderr
  code = ("import sys; sys.path.insert(0, 't'); from tgkit import hostreport; "
          "print(hostreport.SCHEMA_PATH.relative_to(hostreport.__file__.rsplit('/', 1)[0]), hostreport.schema()['title']); "
          "p = hostreport.committed('debian12-x86_64-cpu.json'); print(p.relative_to(hostreport.__file__.rsplit('/', 1)[0]), "
          "hostreport.load(p)['host']['machine'])")
  proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
  assert proc.returncode == 0, proc.stderr
  schema, report = proc.stdout.splitlines()
  assert schema.startswith("device-report.schema.json ") and report == "reports/debian12-x86_64-cpu.json x86_64", proc.stdout


def test_committed_reports_are_found_and_an_unknown_one_is_named():
  from tgkit import hostreport
  from tgkit.errors import UsageError
  assert hostreport.committed("debian12-x86_64-cpu.json") == ROOT / "data" / "devices" / "debian12-x86_64-cpu.json"
  with pytest.raises(UsageError, match=r"unknown committed device report 'nope.json'; choose from: debian12-x86_64-cpu.json"):
    hostreport.committed("nope.json")
