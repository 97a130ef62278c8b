"""Set-up tells the user exactly what is missing instead of failing deep inside tinygrad."""
import os
import pathlib
import shutil
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[1]


def fake_path(tmp_path, uid: int) -> str:
  """A PATH with the basic tools but no clang, no apt-get, and an `id` that reports `uid`."""
  bin_ = tmp_path / "bin"
  bin_.mkdir()
  for tool in ("bash", "env", "python3", "cat", "sh"):
    os.symlink(shutil.which(tool), bin_ / tool)
  (bin_ / "id").write_text(f"#!/bin/sh\necho {uid}\n")
  (bin_ / "id").chmod(0o755)
  return str(bin_)


def test_missing_clang_is_one_clear_line(tmp_path):
  proc = subprocess.run([str(ROOT / "scripts" / "ensure_system.sh"), "clang"], capture_output=True, text=True,
                        env={"PATH": fake_path(tmp_path, 1000)})
  assert proc.returncode == 1
  lines = proc.stderr.strip().split("\n")
  assert len(lines) == 1 and lines[0].startswith("error: tinygrad's CPU device needs clang on PATH"), proc.stderr
  assert "apt-get install clang" in lines[0] and "xcode-select --install" in lines[0]


def test_present_tools_pass_quietly():
  proc = subprocess.run([str(ROOT / "scripts" / "ensure_system.sh"), "clang"], capture_output=True, text=True)
  assert proc.returncode == 0 and proc.stderr == ""
