"""Capture what tinygrad itself prints (DEBUG lines, kernel source) so a program or a page can show it.

tinygrad prints its DEBUG output with `print()` from library code. Executors such as markdown-exec
only capture the block's own `print`, and with `PARALLEL>0` kernels are compiled in worker processes
whose output bypasses any redirection. `capture()` therefore compiles in-process (`PARALLEL=0`),
redirects stdout and stderr, and opens the devices before the capture starts, so the text holds
exactly what the expression made tinygrad print.

    >>> from tinygrad import Tensor
    >>> with capture(debug=2) as out:
    ...   (Tensor.ones(4, 4) + 1).sum().realize()
    >>> "*** CPU" in out.text
    True

Timings, pids, cache hashes and host paths change from run to run; `out.text` replaces them with
`<t>`-style placeholders (`stable=True`, the default) so pages are reproducible, and `out.raw` keeps
the original.
"""
from __future__ import annotations

import contextlib
import dataclasses
import io
import re
from collections.abc import Iterator

from tinygrad import Context, Device, GlobalCounters
from tinygrad.helpers import ansistrip

_VOLATILE = [
  # *** CPU   1 E_4_4   arg 1 mem 0.00 GB tm 14.54us/ 0.01ms (  0 GFLOPS  0|0  GB/s)
  (re.compile(r"tm\s+[\d.]+(us|ms|s)/\s*[\d.]+ms\s+\(\s*[\d.]+ GFLOPS\s+[\d.]+\|[\d.]+\s+GB/s\)"), "tm <time> (<GFLOPS> GFLOPS <GB/s> GB/s)"),
  (re.compile(r"scheduled\s+(\d+) kernels in\s+[\d.]+ ms"), r"scheduled \1 kernels in <time> ms"),
  (re.compile(r"CACHE MISS [0-9a-f]+"), "CACHE MISS <key>"),
  (re.compile(r"cache hit [0-9a-f]+"), "cache hit <key>"),
  (re.compile(r"pid:\d+"), "pid:<pid>"),
  (re.compile(r"in\s+[\d.]+ ms"), "in <time> ms"),
  (re.compile(r"returned \d+ bytes in [\d.]+ ms"), "returned <n> bytes in <time> ms"),
  (re.compile(r"\|\s+\d+ uops in cache"), "| <n> uops in cache"),
  (re.compile(r"\| <code block[^>]*>:\d+$", re.M), "| <code block>"),
  (re.compile(r"\| (?:[^|\n]*/)?([\w.-]+\.py):(\d+)$", re.M), r"| \1:\2"),
  (re.compile(r"(/[\w.+-]+)+/(site-packages|dist-packages)/"), "<site-packages>/"),
  (re.compile(r"/tmp/[\w./-]+"), "<tmpfile>"),
]


def stabilize(text: str) -> str:
  """Replace what changes between runs (timings, pids, hashes, host paths) with placeholders."""
  text = ansistrip(text)
  for pattern, repl in _VOLATILE: text = pattern.sub(repl, text)
  return text


@dataclasses.dataclass
class Captured:
  raw: str = ""           # everything tinygrad printed to stdout
  stderr: str = ""        # the `compiling ...` progress bar and compiler diagnostics
  stable: bool = True

  @property
  def text(self) -> str:
    return stabilize(self.raw) if self.stable else ansistrip(self.raw)

  @property
  def lines(self) -> list[str]:
    return [ln for ln in self.text.split("\n") if ln.strip()]

  def __str__(self) -> str: return self.text


@contextlib.contextmanager
def capture(debug: int = 2, *, fresh: bool = True, stable: bool = True, devices: tuple[str, ...] = (), **context) -> Iterator[Captured]:
  """Capture tinygrad's own output for the duration of the block.

  Args:
    debug: the DEBUG level to capture at (1-7).
    fresh: forget compiled programs first, so kernels compiled earlier in this process print their
      source again at DEBUG>=4 (tinygrad caches programs by AST, not by DEBUG level).
    stable: replace timings, pids, hashes and paths with placeholders in `.text`.
    devices: devices to open before capturing (the default device is always opened), so their
      "opened device" lines and helper programs stay out of the capture.
    **context: further tinygrad ContextVars to set inside the block, e.g. `NOOPT=1`.
  """
  for d in (Device.DEFAULT, "PYTHON", *devices): Device[d]
  if fresh:
    from tinygrad.codegen import to_program_cache
    to_program_cache.clear()
  GlobalCounters.reset()
  out, err, result = io.StringIO(), io.StringIO(), Captured(stable=stable)
  try:
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), Context(DEBUG=debug, PARALLEL=0, **context):
      yield result
  finally:
    result.raw, result.stderr = out.getvalue(), err.getvalue()
