"""The one environment every handbook execution runs in: the MkDocs build, `mkdocs serve` and pytest.

tinygrad reads most of its settings once, when `tinygrad.helpers` is imported, so `apply()` must run
before the first `import tinygrad` of the process. The MkDocs hook and the pytest plugin both call it
at start-up; nothing else sets these variables.
"""
from __future__ import annotations

import os
import pathlib
import random

ROOT = pathlib.Path(__file__).resolve().parents[2]
# the kernel cache, the execution cache and measured device reports; HANDBOOK_CACHE_DIR moves them (benchmarks, tests)
CACHE_DIR = pathlib.Path(os.environ.get("HANDBOOK_CACHE_DIR") or ROOT / ".cache")
SEED = 0

# PARALLEL=0: compile in-process, so DEBUG output can be captured and no worker processes linger.
# NO_COLOR=1: plain text kernel names in DEBUG output and on pages.
# LRU=0: free device buffers when tensors die, so a long build does not grow without bound.
# CACHEDB, TGKIT_CACHE_DIR: project-local caches (tinygrad's kernels, tgkit's schedules and programs), never ~/.cache.
BUILD_ENV = {
  "PARALLEL": "0",
  "NO_COLOR": "1",
  "LRU": "0",
  "CACHEDB": str(CACHE_DIR / "tinygrad" / "cache.db"),
  "TGKIT_CACHE_DIR": str(CACHE_DIR / "tgkit"),
  "PYTHONHASHSEED": "0",
}
# Never inherited from the caller's shell: they would change what pages show (DEBUG floods output,
# VIZ opens a web server at exit, BEAM makes builds slow and kernels host-dependent).
CLEARED = ("DEBUG", "VIZ", "PROFILE", "BEAM", "NOOPT", "TRACK_MATCH_STATS", "JIT", "TRAINING")


def apply() -> dict[str, str]:
  """Set the build environment in `os.environ` and return it. Call before tinygrad is imported."""
  for name in CLEARED: os.environ.pop(name, None)
  os.environ.update(BUILD_ENV)
  (CACHE_DIR / "tinygrad").mkdir(parents=True, exist_ok=True)
  return dict(BUILD_ENV)


def seed(value: int = SEED) -> None:
  """Seed every random source an example may use: Python's, numpy's and tinygrad's."""
  random.seed(value)
  try:
    import numpy as np
    np.random.seed(value)
  except ImportError: pass
  from tinygrad import Tensor
  Tensor.manual_seed(value)


def fingerprint() -> str:
  """What an execution depends on besides the code: tinygrad's version and the build environment."""
  from importlib.metadata import version
  return f"tinygrad=={version('tinygrad')} " + " ".join(f"{k}={v}" for k, v in sorted(BUILD_ENV.items()) if k not in ("CACHEDB", "TGKIT_CACHE_DIR"))
