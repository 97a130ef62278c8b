"""tgkit.bugs and `tgkit gen-test --known-bugs`: each generated regression test fails on tinygrad 0.14.0 (expectedFailure)
and passes under the patch that fixes its bug, graded as a course exercise grades a learner's test."""
import contextlib
import subprocess
import sys
import types
import unittest

import pytest

from tgkit import bugs, learn, ops, testgen
from tgkit.errors import UsageError


def _module(source: str, keep: str | None = None) -> types.ModuleType:
  mod = types.ModuleType("known_bugs")
  exec(compile(source, "known_bugs.py", "exec"), mod.__dict__)
  tests = [k for k, v in mod.__dict__.items() if isinstance(v, type) and issubclass(v, unittest.TestCase)]
  if keep: mod.__dict__.update({k: None for k in tests if k != keep})
  return mod


@pytest.fixture(scope="module")
def generated():
  return testgen.known_bugs()


def test_every_bug_is_an_expected_failure_in_three_lines(generated):
  mod = _module(generated)
  assert unittest.defaultTestLoader.loadTestsFromModule(mod).countTestCases() == len(bugs.BUGS) >= 8
  assert generated.count("@unittest.expectedFailure") == len(bugs.BUGS) and all(len(b.repro) == 3 for b in bugs.BUGS)
  result = learn.run_tests(mod)
  assert len(result.expectedFailures) == len(bugs.BUGS) and not result.unexpectedSuccesses and not result.errors


@pytest.mark.parametrize("bug", bugs.BUGS, ids=lambda b: b.name)
def test_each_test_fails_on_the_pin_and_passes_with_the_fix(generated, bug):
  mod = _module(generated, keep=bug.cls)
  learn.grade_test(mod, bug=contextlib.nullcontext, bug_name=bug.name, fix=bug.fix)   # raises learn.Wrong otherwise
  with bug.fix(): fixed = learn.run_tests(mod)
  assert len(fixed.unexpectedSuccesses) == 1 and not fixed.expectedFailures


def test_a_test_that_passes_on_the_pin_is_rejected(generated):
  # the same file with a reproduction that does not show the bug: grading must refuse it
  ok = generated.replace("self.assertEqual(out, 81)", "self.assertEqual(out, 80)")
  with pytest.raises(learn.Wrong):
    learn.grade_test(_module(ok, keep="TestIntPow"), bug=contextlib.nullcontext, bug_name="int_pow", fix=bugs.BUG_NAMES["int_pow"].fix)


def test_known_disagreements_name_their_bug():
  explained = {op for b in bugs.BUGS for op in b.ops}
  assert explained <= set(ops.OPS)
  assert {"cast_float16_roundtrip", "argmax", "argmin", "logaddexp", "atan", "asinh", "pow"} <= explained


def test_cli_writes_the_file_and_rejects_an_unknown_bug(tmp_path):
  out = tmp_path / "test_known_bugs.py"
  r = subprocess.run([sys.executable, "-m", "tgkit.cli", "gen-test", "--known-bugs", "-o", str(out)], capture_output=True, text=True)
  assert r.returncode == 0, r.stderr
  assert out.read_text() == testgen.known_bugs()
  with pytest.raises(UsageError, match="unknown bug 'nope'"): testgen.known_bugs(["nope"])
