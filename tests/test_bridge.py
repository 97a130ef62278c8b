"""The pytest bridge collects and runs exactly what the build executes (sessions, includes, nesting)."""
import os
import pathlib
import subprocess
import sys
import textwrap

from handbook import fences

PAGE_A = '''\
# A

```python exec="on" session="s"
x = 41
```

!!! note "inside an admonition"
    ```python exec="on" session="s"
    x += 1
    ```

=== "Tab one"

    ??? example "nested in a tab"
        ```python exec="on" session="s"
        assert x == 42, x
        ```

=== "Tab two"

    ```python exec="on" source="above"
    --8<-- "part/prog.py:main"
    ```

```python notest
this is not run
```

```python
print("shown, not executed by the build, so not collected")
```
'''

PAGE_B = '''\
```python exec="on" session="s"
assert "x" not in globals(), "sessions are per page"
```
'''

PROG = '''\
# --8<-- [start:main]
import math
y = math.sqrt(16)
assert y == 4.0
# --8<-- [end:main]
'''


def test_scan_finds_nested_fences_with_lines():
  found = fences.scan(PAGE_A, pathlib.Path("a.md"))
  executed = [(f.line, f.session, f.body.strip().split("\n")[0]) for f in found if f.executes]
  assert executed == [(3, "s", "x = 41"), (8, "s", "x += 1"), (15, "s", "assert x == 42, x"), (21, None, '--8<-- "part/prog.py:main"')]
  assert [f.words for f in found if not f.executes] == [{"notest"}, set()]


def test_include_section_keeps_its_own_file_and_line(tmp_path):
  (tmp_path / "snippets" / "part").mkdir(parents=True)
  (tmp_path / "snippets" / "part" / "prog.py").write_text(PROG)
  fence = [f for f in fences.scan(PAGE_A, tmp_path / "a.md") if f.executes][-1]
  (name, code), = fences.segments(fence, tmp_path)
  assert name.endswith("snippets/part/prog.py")
  assert code.split("\n")[2] == "y = math.sqrt(16)"  # line 3 of the file stays line 3


def test_pytest_runs_the_blocks_the_build_runs(tmp_path):
  (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
  (tmp_path / "docs").mkdir()
  (tmp_path / "docs" / "a.md").write_text(PAGE_A)
  (tmp_path / "docs" / "b.md").write_text(PAGE_B)
  (tmp_path / "snippets" / "part").mkdir(parents=True)
  (tmp_path / "snippets" / "part" / "prog.py").write_text(PROG)
  proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "handbook.pytest_bridge", "--markdown-docs", "-p", "no:cacheprovider",
                         "-o", "addopts=", "-v", "docs"], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=os.environ.copy())
  out = proc.stdout + proc.stderr
  assert proc.returncode == 0, out[-3000:]
  assert "5 passed" in out, out[-3000:]  # 4 executed blocks in a.md (3 nested) + 1 in b.md; notest and plain fences skipped


def test_failure_in_an_included_file_points_at_that_file(tmp_path):
  (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
  (tmp_path / "docs").mkdir()
  (tmp_path / "docs" / "c.md").write_text(textwrap.dedent('''\
    text

    ```python exec="on"
    --8<-- "bad.py"
    ```
    '''))
  (tmp_path / "snippets").mkdir()
  (tmp_path / "snippets" / "bad.py").write_text("a = 1\nassert a == 2, 'wrong on purpose'\n")
  proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "handbook.pytest_bridge", "--markdown-docs", "-p", "no:cacheprovider",
                         "-o", "addopts=", "docs"], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=os.environ.copy())
  out = proc.stdout + proc.stderr
  assert proc.returncode == 1
  assert "docs/c.md:3: code block failed" in out, out[-3000:]
  assert 'File "snippets/bad.py", line 2' in out, out[-3000:]
