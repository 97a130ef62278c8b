"""The tgkit command line: exit codes, one-line errors, JSON output, reports never overwritten."""
import json
import os
import subprocess
import sys

import pytest

from handbook import env


def tgkit(*args, cwd=None, extra_env=None):
  return subprocess.run([sys.executable, "-m", "tgkit.cli", *args], capture_output=True, text=True, timeout=300, cwd=cwd,
                        env={**os.environ, **env.BUILD_ENV, **(extra_env or {})})


@pytest.mark.parametrize("args,needle", [
  (["ops", "--op", "nope"], "unknown op 'nope'; choose from: abs,"),
  (["ops", "--op", "relu", "--dtype", "float99"], "unknown dtype 'float99'; choose from: bool, float16"),
  (["ops", "--device", "NOPE"], "unknown device 'NOPE'; choose from:"),
  (["trace", "Tensor.ones(4"], "expression is not valid Python"),
  (["trace", "3 + 4"], "expression gives a int, not a Tensor"),
  (["nosuch"], "invalid choice: 'nosuch'"),
  (["devices", "--device", "CPU:NOPE"], "unknown renderer for CPU 'NOPE'"),
  (["trace", "nosuchname"], "expression 'nosuchname' raised NameError: name 'nosuchname' is not defined"),
  (["profile", "Tensor.ones(2,3) @ Tensor.ones(2,3)"], "raised RuntimeError: cannot dot (2, 3) and (2, 3)"),
  (["gen-test", "--op", "relu", "--device", "NOPE"], "unknown device 'NOPE'"),
  (["nn", "--device", "NOPE"], "unknown device 'NOPE'"),
  (["nn", "--check", "speed"], "unknown check 'speed'; choose from: converge, forward, grad, params, schedule, stability, training"),
  (["leak", "Tensor.ones(2)", "--runs", "3"], "--runs must be >= 4 and --warmup >= 0, got 3 and 2"),
])
def test_bad_input_is_one_line_and_exit_2(args, needle):
  p = tgkit(*args)
  assert p.returncode == 2, (p.stdout, p.stderr)
  lines = p.stderr.strip().split("\n")
  assert len(lines) == 1 and needle in lines[0] and "Traceback" not in p.stderr, p.stderr


def test_malformed_profile_json_is_one_line(tmp_path):
  bad = tmp_path / "bad.json"
  bad.write_text("{not json")
  p = tgkit("profile", "--compare", str(bad), str(bad))
  assert p.returncode == 2 and len(p.stderr.strip().split("\n")) == 1 and str(bad) in p.stderr, p.stderr


def test_every_subcommand_has_help():
  from tgkit import cli
  sub = next(a for a in cli.parser()._actions if a.dest == "command")
  commands = sorted(set(sub.choices) - {"learn"})   # learn has subcommands of its own (tests/test_learn.py)
  assert {"ops", "devices", "trace", "profile", "leak", "suggest", "bench", "coverage", "nn", "gen-test", "report"} <= set(commands)
  for cmd in commands:
    p = tgkit(cmd, "--help")
    assert p.returncode == 0 and "--device" in p.stdout and "--json" in p.stdout, (cmd, p.stdout)


def test_ops_json_counts_match_the_cases():
  p = tgkit("ops", "--op", "add", "--op", "sum", "--dtype", "float32", "--no-grad", "--json")
  assert p.returncode == 0, p.stderr
  data = json.loads(p.stdout)
  assert data["summary"]["total"] == len(data["results"]) > 0
  assert {r["op"] for r in data["results"]} == {"add", "sum"}
  assert all(r["status"] == "pass" for r in data["results"])


def test_trace_json_and_source():
  p = tgkit("trace", "(Tensor.ones(4,4)+1).sum()", "--json")
  assert p.returncode == 0, p.stderr
  tr = json.loads(p.stdout)
  assert tr["kernel_count"] == 2 and [k["name"] for k in tr["kernels"]] == ["E_4_4", "r_16"]
  p = tgkit("trace", "(Tensor.ones(4,4)+1).sum()", "--source")
  assert "void r_16(" in p.stdout


def test_profile_save_refuses_to_overwrite(tmp_path):
  out = tmp_path / "p.json"
  p = tgkit("profile", "Tensor.ones(8,8).sum()", "--repeats", "3", "--save", str(out))
  assert p.returncode == 0 and out.exists(), p.stderr
  before = out.read_text()
  p = tgkit("profile", "Tensor.ones(8,8).sum()", "--repeats", "3", "--save", str(out))
  assert p.returncode == 2 and "already exists" in p.stderr and out.read_text() == before
  p = tgkit("profile", "--compare", str(out), str(out))
  assert p.returncode == 0 and "verdict: same" in p.stdout


def test_report_writes_three_files_and_never_overwrites(tmp_path):
  out = tmp_path / "rep"
  p = tgkit("report", "--target", "trace,profile", "--out", str(out))
  assert p.returncode == 0, p.stdout + p.stderr
  files = sorted(f.name for f in out.iterdir())
  assert files == ["report.html", "report.json", "report.md"]
  data = json.loads((out / "report.json").read_text())
  assert data["schema_version"] == 1 and data["passed"] is True and [s["name"] for s in data["sections"]] == ["trace", "profile"]
  stamp = (out / "report.json").read_text()
  p = tgkit("report", "--target", "trace", "--out", str(out))
  assert p.returncode == 2 and "already exist" in p.stderr and (out / "report.json").read_text() == stamp
  p = tgkit("report", "--target", "bogus", "--out", str(tmp_path / "other"))
  assert p.returncode == 2 and "unknown report target 'bogus'" in p.stderr and not (tmp_path / "other").exists()


def test_gen_test_writes_tests_for_the_device_and_a_summary(tmp_path):
  out = tmp_path / "test_relu.py"
  p = tgkit("gen-test", "--op", "relu", "--dtype", "float32", "-o", str(out), "--device", "PYTHON")
  assert p.returncode == 0, p.stderr
  assert "DEVICE = 'PYTHON'" in out.read_text() and "device=DEVICE" in out.read_text()
  assert "1 test function(s)" in p.stdout and "test_op" in p.stdout
  printed = tgkit("gen-test", "--op", "relu", "--dtype", "float32")
  assert printed.stdout == out.read_text().replace("DEVICE = 'PYTHON'", "DEVICE = None")   # stdout holds the file alone
  assert "1 test function(s)" in printed.stderr


def test_leak_names_the_growing_buffers_and_exits_1(tmp_path):
  (tmp_path / "steps.py").write_text("from tinygrad import Tensor\nkept = []\n"
                                     "def leaky(): kept.append((Tensor.ones(24).contiguous() * 2).realize())\n"
                                     "def clean(): return (Tensor.ones(24).contiguous() * 2).sum()\n")
  p = tgkit("leak", "steps.py:leaky", "--runs", "4", "--json", cwd=tmp_path)
  assert p.returncode == 1, p.stderr
  rep = json.loads(p.stdout)
  assert rep["verdict"] == "grows" and rep["mem"] == [96, 192, 288, 384]
  assert [(g["dtype"], g["size"], g["added"]) for g in rep["groups"]] == [("float", 24, 2)]
  p = tgkit("leak", "steps.py:clean", "--runs", "4", cwd=tmp_path)
  assert p.returncode == 0 and "plateau" in p.stdout and "no buffer kind changed" in p.stdout, p.stderr
