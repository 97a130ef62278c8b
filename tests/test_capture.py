"""tgkit.capture collects what tinygrad prints, stably."""
from tinygrad import Tensor

from tgkit.capture import capture, stabilize


def test_debug2_lines_are_captured_and_stable():
  with capture(debug=2) as out:
    (Tensor.ones(4, 4) + 1).sum().realize()
  kernels = [ln for ln in out.lines if ln.startswith("*** CPU")]
  assert len(kernels) == 2 and "E_4_4" in kernels[0] and "r_16" in kernels[1]
  assert all("tm <time>" in ln for ln in kernels)
  assert "tm <time>" not in out.raw  # raw keeps the real timings


def test_debug4_shows_kernel_source_even_when_compiled_before():
  x = Tensor.arange(8).clone("CPU").float()
  (x * 3).realize()
  with capture(debug=4) as out:
    (x * 3).realize()
  assert "void E_" in out.text and "3.0f" in out.text


def test_output_outside_the_block_is_not_captured():
  with capture(debug=2) as out:
    pass
  assert out.text == ""


def test_stabilize_hides_run_dependent_values():
  line = "scheduled     2 kernels in    30.72 ms | CACHE MISS 37750562 |      76 uops in cache | /home/me/x/t1.py:8"
  assert stabilize(line) == "scheduled 2 kernels in <time> ms | CACHE MISS <key> | <n> uops in cache | t1.py:8"
  assert stabilize("opened device CPU from pid:4240") == "opened device CPU from pid:<pid>"
