"""`tgkit learn` end to end in a temporary workspace, and the learner's bad code proved harmless.

The checkers themselves are proved both ways (solution passes, wrong answers fail) by the exercise blocks of the
course pages, which run under the build and under pytest; tests/test_exercises.py checks that every exercise has one.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tgkit import learn

EX = "d1-validate"


def tgkit(*args, cwd=None, timeout=120):
  return subprocess.run([sys.executable, "-m", "tgkit.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=timeout)


@pytest.fixture
def ws(tmp_path):
  r = tgkit("learn", "start", "1", "-w", str(tmp_path))
  assert r.returncode == 0, r.stderr
  return tmp_path


def progress(ws) -> dict: return json.loads((ws / learn.PROGRESS_FILE).read_text())["exercises"]


def write(ws, exercise_id: str, source: str):
  (ws / learn.get(exercise_id).path).write_text(source)


def test_start_check_hint_and_progress(ws):
  ex = learn.get(EX)
  starter = (ws / ex.path).read_text()
  assert learn.starter(ex) in starter and "tgkit learn check d1-validate" in starter
  # the starter fails, in plain words, with what to try
  r = tgkit("learn", "check", EX, "-w", str(ws))
  assert r.returncode == 1 and "FAIL" in r.stdout and "validate returned None" in r.stdout and "try:" in r.stdout
  assert progress(ws)[EX]["status"] == "failing" and progress(ws)[EX]["attempts"] == 1
  # a typical mistake fails on the case it gets wrong
  write(ws, EX, ex.wrong["NaN counted as a disagreement"])
  r = tgkit("learn", "check", EX, "-w", str(ws), "--json")
  v = json.loads(r.stdout)[0]
  assert r.returncode == 1 and v["status"] == "fail" and "NaN" in v["message"] and v["hint"]
  # hints come one at a time and are remembered
  assert "hint 1/" in tgkit("learn", "hint", EX, "-w", str(ws)).stdout
  assert "hint 2/" in tgkit("learn", "hint", EX, "-w", str(ws)).stdout
  assert progress(ws)[EX]["hints"] == 2
  # the solution passes and the pass is saved
  write(ws, EX, learn.solution(ex))
  r = tgkit("learn", "check", EX, "-w", str(ws))
  assert r.returncode == 0 and r.stdout.startswith("PASS"), r.stdout
  assert progress(ws)[EX]["status"] == "passed" and progress(ws)[EX]["attempts"] == 3
  listed = {e["id"]: e for e in json.loads(tgkit("learn", "list", "-w", str(ws), "--json").stdout)}
  assert listed[EX]["status"] == "passed" and listed["d1-regression"]["status"] == "started"


def test_start_never_overwrites_the_learners_edits(ws):
  path = ws / learn.get(EX).path
  path.write_text("# my work\n")
  r = tgkit("learn", "start", "1", "-w", str(ws))
  assert r.returncode == 0 and "kept" in r.stdout and path.read_text() == "# my work\n"


def test_regression_test_is_graded_like_a_pull_request(ws):
  ex = learn.get("d1-regression")
  r = tgkit("learn", "check", ex.id, "-w", str(ws), "--json")          # the starter's empty test passes on any tinygrad
  assert "passes whatever tinygrad does" in json.loads(r.stdout)[0]["message"]
  write(ws, ex.id, "import unittest\nclass T(unittest.TestCase):\n  def test_x(self): self.assertEqual(1, 2)\n")
  assert "fails on tinygrad without the bug" in json.loads(tgkit("learn", "check", ex.id, "-w", str(ws), "--json").stdout)[0]["message"]
  write(ws, ex.id, learn.solution(ex))
  assert tgkit("learn", "check", ex.id, "-w", str(ws)).returncode == 0


@pytest.mark.parametrize("source, status, words", [
  ("import numpy as np\ndef helper(x):\n  return x.nope()\ndef validate(*a, **k):\n  return helper(np.zeros(1))\n", "error",
   ["AttributeError", "validate.py, line 3, in helper"]),
  ("def validate(*a, **k):\n  while True: pass\n", "timeout", ["did not finish"]),
  ("def validate(*a, **k):\n  while True: print('x' * 1000)\n", "error", ["printed more than"]),
  ("import sys\nsys.exit(3)\n", "error", ["without a verdict"]),
  ("def validate(:\n", "error", ["SyntaxError", "line 1"]),
  ("import os\nos._exit(0)\n", "error", ["without a verdict"]),
], ids=["raises", "hangs", "floods", "exits", "syntax", "kills-python"])
def test_bad_learner_code_gets_a_verdict_not_a_crash(ws, source, status, words):
  write(ws, EX, source)
  r = tgkit("learn", "check", EX, "-w", str(ws), "--json", "--timeout", "8")
  assert r.returncode == 1 and r.stderr == "", r.stderr
  v = json.loads(r.stdout)[0]
  assert v["status"] == status and all(w in v["message"] for w in words), v
  assert "Traceback" not in v["message"] and "tgkit/learn.py" not in v["message"]   # trimmed to the learner's own file
  assert len(v["output"]) < 5000
  assert progress(ws)[EX]["last"] == status


def test_corrupt_progress_is_reported_and_kept(ws):
  damaged = '{"exercises": {"d1-validate": '
  (ws / learn.PROGRESS_FILE).write_text(damaged)
  for args in (("list",), ("start", "1"), ("check", EX), ("hint", EX)):
    r = tgkit("learn", *args, "-w", str(ws))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "damaged" in r.stderr and "left as it is" in r.stderr, args
  assert (ws / learn.PROGRESS_FILE).read_text() == damaged


@pytest.mark.parametrize("args, words", [
  (("check", "d9-nothing"), "unknown exercise 'd9-nothing'"),
  (("hint", "nope"), "unknown exercise 'nope'"),
  (("start", "9"), "unknown day '9'"),
  (("start", "one"), "unknown day 'one'"),
])
def test_unknown_exercise_or_day_is_one_line_and_exit_2(tmp_path, args, words):
  r = tgkit("learn", *args, "-w", str(tmp_path))
  assert r.returncode == 2 and r.stderr.strip().splitlines() == [r.stderr.strip()] and words in r.stderr


def test_starter_is_derived_from_the_solution():
  ex = learn.get(EX)
  sol, start = learn.solution(ex), learn.starter(ex)
  assert "def validate(tiny_fn, np_fn, *inputs, atol=1e-6, rtol=1e-5) -> str:" in start and '"""Run an op' in start
  assert "np.allclose" in sol and "np.allclose" not in start and start.count("...") == 1
  reading = learn.starter(learn.get("d1-read-pipeline"))
  assert 'REALIZE = ...' in reading and "tinygrad.tensor" not in reading


def test_prove_rejects_a_checker_that_cannot_fail(monkeypatch):
  ex = learn.get(EX)
  mod = learn._module(ex.module)
  monkeypatch.setattr(mod, "check", lambda m: None)       # a checker that accepts anything
  with pytest.raises(AssertionError, match="passes the checker"): learn.prove(ex)
  monkeypatch.setattr(mod, "check", lambda m: learn.expect(False, "never"))   # one that accepts nothing
  with pytest.raises(AssertionError, match="the solution fails"): learn.prove(ex)


def test_reading_answers_resolve_in_the_installed_tinygrad():
  from tinygrad.engine.realize import run_linear
  assert learn.unwrap(learn.resolve("tinygrad.engine.realize:run_linear")) is run_linear
  assert learn.unwrap(learn.resolve("tinygrad/engine/realize.py:run_linear")) is run_linear
  assert learn.unwrap(learn.resolve("tinygrad.engine.realize.run_linear")) is run_linear
  from tinygrad.schedule import create_schedule
  assert learn.resolve("tinygrad/schedule/__init__.py:create_schedule") is create_schedule   # the package, not a second copy of it
  with pytest.raises(learn.Wrong, match="has no"): learn.resolve("tinygrad.engine.realize:run_everything")
  with pytest.raises(learn.Wrong, match="no module"): learn.resolve("tinygrad.nowhere:f")


class Box:
  @staticmethod
  def double(x): return x * 2 + (x == 3)    # the "installed" code: a real bug at 3


def _fix():
  from tgkit.mutants import patched
  return patched(Box, "double", lambda orig: staticmethod(lambda x: x * 2))


@pytest.mark.parametrize("decorator", ["", "@unittest.expectedFailure"], ids=["plain", "expectedFailure"])
def test_real_bug_test_may_fail_on_the_pin_or_be_marked_expected_failure(decorator):
  """For a real bug (tinygrad as installed is the bug, a patch the fix) a test that fails on the pin and passes with the fix is
  accepted, and so is the same test marked expectedFailure, tinygrad's way of keeping a known bug; one that always passes is not."""
  import contextlib
  src = f"import unittest\nfrom test_learn import Box\nclass T(unittest.TestCase):\n  {decorator}\n  def test_three(self): self.assertEqual(Box.double(3), 6)\n"
  learn.grade_test(learn.load_source(src, "<t>"), contextlib.nullcontext, "double(3) is 7", fix=_fix)
  always = "import unittest\nclass T(unittest.TestCase):\n  @unittest.expectedFailure\n  def test_nothing(self): pass\n"
  with pytest.raises(learn.Wrong, match="passes whatever"): learn.grade_test(learn.load_source(always, "<t>"), contextlib.nullcontext, "b", fix=_fix)
  wrong = "import unittest\nfrom test_learn import Box\nclass T(unittest.TestCase):\n  def test_three(self): self.assertEqual(Box.double(3), 7)\n"
  with pytest.raises(learn.Wrong, match="fails on tinygrad without the bug"):
    learn.grade_test(learn.load_source(wrong, "<t>"), contextlib.nullcontext, "b", fix=_fix)


def test_grade_test_hint_replaces_the_numpy_advice():
  """A test that passes with the bug gets the exercise's own advice when it gives one (a kernel count is no numpy comparison)."""
  import contextlib
  always = "import unittest\nclass T(unittest.TestCase):\n  def test_nothing(self): pass\n"
  with pytest.raises(learn.Wrong) as e: learn.grade_test(learn.load_source(always, "<t>"), contextlib.nullcontext, "b")
  assert "numpy" in e.value.hint
  with pytest.raises(learn.Wrong) as e: learn.grade_test(learn.load_source(always, "<t>"), contextlib.nullcontext, "b", hint="count kernels")
  assert e.value.hint == "count kernels"
