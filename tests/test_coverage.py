"""tgkit.coverage: functions and their line ranges, statements mapped to them, ranking, a real run under coverage.py, CLI errors.

The real run measures a fake `tinygrad` package in a temporary folder (pytest imports it from there), so it takes a
fraction of a second; the op-table run on the real tinygrad is executed, with its assertions, on the Day 1 page.
"""
import json
import textwrap

import pytest

from tgkit import coverage as cov
from tgkit.cli import main

MODULE = textwrap.dedent('''\
  import functools

  def called(x):
    if x > 0:
      return 1
    return 2

  def one_liner(x): return x + 1

  def never(x):
    y = x * 2
    return y

  class Box:
    @functools.cache
    def cached(self): return 3

    def outer(self):
      def inner(): return 4
      z = 5
      return z

  async def later():
    return 6
  ''')


def test_functions_have_qualified_names_and_line_ranges():
  fs = {f.name: f for f in cov.functions(MODULE)}
  assert list(fs) == ["called", "one_liner", "never", "Box.cached", "Box.outer", "Box.outer.inner", "later"]
  assert (fs["called"].line, fs["called"].body, fs["called"].end) == (3, 4, 6)
  assert (fs["one_liner"].line, fs["one_liner"].body, fs["one_liner"].end) == (8, 8, 8)
  assert (fs["Box.cached"].first, fs["Box.cached"].line) == (15, 16)     # the code object starts at the decorator
  assert (fs["Box.outer.inner"].body, fs["Box.outer"].end) == (19, 21)


def test_statements_go_to_the_innermost_function_and_entry_comes_from_arcs():
  fs = cov.functions(MODULE)
  statements = {1, 3, 4, 5, 6, 8, 10, 11, 12, 14, 15, 16, 18, 19, 20, 21, 23, 24}
  missing = {6, 11, 12, 19, 24}                                   # inner's line 19 ran as outer's `def`, never as inner's body
  arcs = {(-3, 4), (-8, 8), (-18, 19), (-15, 16)}                   # called, one_liner, outer and cached were entered
  found = {g.name: g for g in cov.gaps("tinygrad/m.py", fs, statements, missing, arcs)}
  assert set(found) == {"called", "never", "Box.outer.inner", "later"}
  assert (found["called"].entered, found["called"].missed_lines, found["called"].statements) == (True, [6], 3)
  assert (found["never"].entered, found["never"].missed_lines) == (False, [11, 12])
  assert (found["Box.outer.inner"].entered, found["Box.outer.inner"].missed_lines) == (False, [19])
  assert found["never"].where == "tinygrad/m.py:10"
  # without an entry arc, a one-line function whose line ran (its `def`) is still never entered
  assert cov.gaps("m.py", fs, statements, missing - {8}, arcs - {(-8, 8)})[1].name == "one_liner"


def test_without_arcs_a_function_is_entered_when_a_body_statement_ran():
  fs = cov.functions(MODULE)
  found = {g.name: g for g in cov.gaps("m.py", fs, {3, 4, 5, 6, 10, 11, 12}, {6, 11, 12})}
  assert set(found) == {"called", "never"} and found["called"].entered and not found["never"].entered


def test_rank_puts_most_missed_first_then_never_entered():
  g = lambda name, missed, entered, line=1: cov.FunctionGap(name, "tinygrad/a.py", line, line, 9, missed, [], entered)  # noqa: E731
  ranked = cov.rank([g("small", 1, False), g("partly", 5, True), g("big", 7, False), g("never", 5, False, 9)])
  assert [x.name for x in ranked] == ["big", "never", "partly", "small"]


def test_line_ranges():
  assert cov.line_ranges([9, 3, 4, 5, 12, 13]) == "3-5, 9, 12-13"
  assert cov.line_ranges([]) == ""


@pytest.fixture
def fake_tinygrad(tmp_path):
  """A folder with a package named tinygrad (MODULE as tinygrad/m.py) and a test file that calls part of it."""
  (tmp_path / "tinygrad").mkdir()
  (tmp_path / "tinygrad" / "__init__.py").write_text("from tinygrad.m import called, one_liner\n")
  (tmp_path / "tinygrad" / "m.py").write_text(MODULE)
  (tmp_path / "tinygrad" / "unused.py").write_text("X = 1\ndef f():\n  return X\n")
  (tmp_path / "test_m.py").write_text("from tinygrad import called, one_liner\n"
                                      "def test_called(): assert called(1) == 1 and one_liner(1) == 2\n")
  return tmp_path


def test_run_tests_measures_the_package_the_tests_import(fake_tinygrad):
  rep = cov.run_tests("test_m.py", cwd=fake_tinygrad)
  assert rep.run["exit_code"] == 0 and rep.target == "tests: test_m.py" and rep.caches == cov.CACHES
  files = {f.file: f for f in rep.files}
  assert set(files) == {"tinygrad/__init__.py", "tinygrad/m.py", "tinygrad/unused.py"}
  assert not files["tinygrad/unused.py"].imported and files["tinygrad/m.py"].imported
  assert rep.find("one_liner") is None                            # entered: every statement ran
  assert rep.find("called").entered and rep.find("called").missed_lines == [6]
  assert {g.name for g in rep.never_entered()} >= {"never", "f", "Box.outer", "Box.cached", "later"}
  assert rep.functions[0].name == "never"                         # 2 missed statements: the largest gap
  assert rep.statements > rep.missed > 0 and 0 < rep.covered < 1


def test_cli_json_and_table(fake_tinygrad, monkeypatch, capsys):
  monkeypatch.chdir(fake_tinygrad)
  assert main(["coverage", "test_m.py", "--json", "--limit", "2", "--never-entered"]) == 0
  data = json.loads(capsys.readouterr().out)
  assert [f["name"] for f in data["functions"]] == ["never", "Box.outer"] and data["functions"][0]["where"] == "tinygrad/m.py:10"
  assert main(["coverage", "test_m.py", "-k", "called"]) == 0
  out = capsys.readouterr().out
  assert "tests: test_m.py" in out and "caches off" in out and "never entered" in out


@pytest.mark.parametrize("args,needle", [
  (["coverage", "no_such_test.py"], "no_such_test.py: no such file or folder"),
  (["coverage", "--op", "nope"], "unknown op 'nope'; choose from: abs,"),
  (["coverage", "--op", "add", "--under", "tinygrad/nowhere"], "no tinygrad file under 'tinygrad/nowhere'"),
  (["coverage", "test_m.py", "--op", "add"], "not with a test file"),
  (["coverage", "-k", "relu"], "-k selects tests of a test file"),
  (["coverage", "--limit", "-1"], "--limit must be 0 (all) or more"),
  (["coverage", "test_m.py", "-k", "nothing_matches"], "test_m.py: pytest collected no tests"),
])
def test_bad_input_is_one_line_and_exit_2(fake_tinygrad, monkeypatch, capsys, args, needle):
  monkeypatch.chdir(fake_tinygrad)
  assert main(args) == 2
  err = capsys.readouterr().err.strip().split("\n")
  assert len(err) == 1 and needle in err[0], err


def test_under_accepts_short_forms():
  assert cov._norm_under(["uop", "./tinygrad/tensor.py", "tinygrad/mixin/"]) == ["tinygrad/uop", "tinygrad/tensor.py", "tinygrad/mixin"]
