"""tgkit.testgen: generated files are valid, pass on clean tinygrad, and fail on a real disagreement."""
import os
import subprocess
import sys

import pytest

from handbook import env
from tgkit import testgen
from tgkit.errors import UsageError

GOOD = """\
import numpy as np
from tinygrad import Tensor
x = np.array([1.0, 4.0, 9.0], dtype=np.float32)
out = Tensor(x).sqrt()
ref = np.sqrt(x)
"""
BAD = """\
import numpy as np
from tinygrad import Tensor
x = np.array([1.0, np.nan, -2.0], dtype=np.float32)
out = Tensor(x).relu()
ref = np.where(np.isnan(x), x, np.maximum(x, 0))   # torch: relu(nan) is nan; tinygrad gives 0
"""


def run_pytest(path):
  return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", str(path)],
                        capture_output=True, text=True, timeout=300, env={**os.environ, **env.BUILD_ENV}, cwd=path.parent)


def test_repro_becomes_a_passing_unittest(tmp_path):
  src = testgen.from_repro(GOOD, "sqrt")
  compile(src, "test_sqrt.py", "exec")
  assert "class TestRegression(unittest.TestCase)" in src and "def test_sqrt(self):" in src
  (tmp_path / "test_sqrt.py").write_text(src)
  p = run_pytest(tmp_path / "test_sqrt.py")
  assert p.returncode == 0 and "1 passed" in p.stdout, p.stdout + p.stderr


def test_a_real_disagreement_fails(tmp_path):
  (tmp_path / "test_relu_nan.py").write_text(testgen.from_repro(BAD, "relu nan"))
  p = run_pytest(tmp_path / "test_relu_nan.py")
  assert p.returncode == 1 and "1 failed" in p.stdout and "DESIRED: array([ 1., nan,  0.]" in p.stdout, p.stdout


def test_malformed_repro_names_what_is_missing():
  with pytest.raises(UsageError, match="must assign 'ref'"): testgen.from_repro("from tinygrad import Tensor\nout = Tensor([1])\n")
  with pytest.raises(UsageError, match="not valid Python"): testgen.from_repro("out = (")


def test_spec_file_runs_the_op_table(tmp_path):
  src = testgen.from_spec(["add", "sqrt"], ["float32"])
  (tmp_path / "test_ops_gen.py").write_text(src)
  p = run_pytest(tmp_path / "test_ops_gen.py")
  assert p.returncode == 0 and "2 passed" in p.stdout, p.stdout + p.stderr
  with pytest.raises(UsageError, match="unknown op"): testgen.from_spec(["nope"])
