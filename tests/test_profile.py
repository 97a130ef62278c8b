"""tgkit.profile: a real profile has the expected kernels and positive numbers; the verdict logic is tested on
synthetic profiles (no test asserts a timing)."""
import json

import numpy as np
import pytest

from tinygrad import Tensor

from tgkit.errors import UsageError
from tgkit.profile import (Profile, bottlenecks, compare, from_dict, from_samples, load, profile, quartiles, render_comparison,
                           render_text, run_once, save, to_dict, verdict)
from tgkit.trace import trace

NOISE = [1.00, 1.03, 0.98, 1.01, 0.99, 1.02, 0.97]


@pytest.fixture(scope="module")
def real() -> tuple[Profile, list[str], Tensor, Tensor]:
  Tensor.manual_seed(0)
  a = Tensor.rand(64, 64).realize()
  b = Tensor.rand(64, 64).realize()
  def workload(): return (a @ b).relu().sum(axis=1), (a * 2 + 1).exp()
  names = [k.name for i in (0, 1) for k in trace(lambda: workload()[i]).kernels]   # noqa: B023
  return profile(workload, repeats=3, warmup=1, label="small"), names, a, b


def test_real_profile_has_the_kernels_and_positive_numbers(real):
  prof, names, _, _ = real
  assert prof.repeats == 3 and prof.warmup == 1 and prof.device == "CPU"
  assert sorted(k.name for k in prof.kernels) == sorted(names)
  assert prof.kernel_count == 2
  for k in prof.kernels:
    assert k.kind == "kernel" and k.calls == 1 and len(k.times) == 3
    assert all(t > 0 for t in k.times) and k.bytes > 0 and k.flops > 0
    assert k.gflops > 0 and k.gbs > 0
  mm = prof.kernels[0]
  assert mm.flops >= 2 * 64 ** 3                        # a 64x64x64 matmul is at least 2*64^3 FLOPs
  assert mm.bytes >= 2 * 64 * 64 * 4                    # it reads both inputs
  assert all(t > 0 for t in prof.totals) and len(prof.walls) == 3


def test_profiling_leaves_values_correct(real):
  _, _, a, b = real
  want = np.maximum(a.numpy() @ b.numpy(), 0).sum(axis=1)
  np.testing.assert_allclose((a @ b).relu().sum(axis=1).numpy(), want, rtol=1e-4)


def test_bottlenecks_rank_by_time():
  prof = from_samples({"small": [1.0, 1.0, 1.0], "big": [3.0, 3.0, 3.0], "mid": [2.0, 2.0, 2.0]},
                      flops={"big": 600}, nbytes={"big": 200})
  top = bottlenecks(prof, top=2)
  assert [(b.rank, b.name) for b in top] == [(1, "big"), (2, "mid")]
  assert top[0].share == pytest.approx(0.5) and top[0].intensity == pytest.approx(3.0)
  assert top[0].gflops == pytest.approx(600 / 3.0 / 1e9)


def test_clear_slowdown_is_slower():
  before = from_samples({"k": NOISE})
  after = from_samples({"k": [3 * t for t in NOISE]})
  c = compare(before, after)
  assert c.verdict == "slower" and c.kernels[0].verdict == "slower"
  assert c.total.change == pytest.approx(2.0)
  assert compare(after, before).verdict == "faster"


def test_identical_noise_is_same():
  before = from_samples({"k": NOISE})
  after = from_samples({"k": list(reversed(NOISE))})
  assert compare(before, after).verdict == "same"


def test_big_change_with_overlapping_spread_is_noisy():
  before = [1.0, 1.0, 1.0, 2.0, 2.0]
  after = [1.0, 1.4, 1.4, 2.0, 2.0]       # median +40 %, but the middle halves overlap
  assert verdict(before, after) == "noisy"
  assert verdict([1.0], [3.0]) == "noisy"  # one repeat decides nothing
  assert verdict([1.0], [1.05]) == "same"


def test_threshold_is_respected():
  before, after = [1.0] * 5, [1.2] * 5
  assert verdict(before, after, threshold=0.10) == "slower"
  assert verdict(before, after, threshold=0.25) == "same"
  with pytest.raises(UsageError, match="threshold"): compare(from_samples({"k": before}), from_samples({"k": after}), threshold=0)


def test_added_and_removed_kernels():
  c = compare(from_samples({"a": NOISE, "b": NOISE}), from_samples({"a": NOISE, "c": NOISE}))
  assert c.added == ["c"] and c.removed == ["b"] and [d.name for d in c.kernels] == ["a"]
  text = render_comparison(c)
  assert "added: c" in text and "removed: b" in text and "host-dependent" in text


def test_quartiles():
  assert quartiles([1.0, 2.0, 3.0, 4.0, 5.0]) == (2.0, 4.0)
  assert quartiles([7.0]) == (7.0, 7.0)


def test_save_and_load_round_trip(tmp_path, real):
  prof = real[0]
  path = save(prof, tmp_path / "p.json")
  data = json.loads(path.read_text())
  assert data["schema"] == "tgkit.profile/1" and data["kernels"][0]["median_s"] > 0
  assert data["kernel_count"] == 2 and data["kernels"][0]["gflops"] > 0
  back = load(path)
  assert back == prof
  assert compare(prof, back).verdict == "same"


def test_load_rejects_bad_files(tmp_path):
  with pytest.raises(UsageError, match="no such profile file"): load(tmp_path / "missing.json")
  (tmp_path / "bad.json").write_text("{not json")
  with pytest.raises(UsageError, match="is not JSON"): load(tmp_path / "bad.json")
  (tmp_path / "other.json").write_text('{"schema": "something else"}')
  with pytest.raises(UsageError, match="not a tgkit profile"): load(tmp_path / "other.json")
  d = to_dict(from_samples({"k": NOISE}))
  del d["kernels"][0]["times"]
  (tmp_path / "cut.json").write_text(json.dumps(d))
  with pytest.raises(UsageError, match="malformed"): load(tmp_path / "cut.json")


def test_bad_arguments():
  with pytest.raises(UsageError, match="repeats"): profile(lambda: Tensor.ones(2) + 1, repeats=0)
  with pytest.raises(UsageError, match="zero-argument function returning a Tensor"): profile(lambda: 3, repeats=1, warmup=0)
  with pytest.raises(UsageError, match="equally long"): from_samples({"a": [1.0], "b": [1.0, 2.0]})


def test_render_text_labels_timings_host_dependent(real):
  text = render_text(real[0])
  assert "host-dependent" in text and "bottlenecks:" in text and real[0].kernels[0].name in text


def test_real_profile_counts_the_bytes_it_allocates(real):
  prof = real[0]
  out_bytes = 64 * 4 + 64 * 64 * 4                      # the two outputs: a row sum and a 64x64 exp; no intermediate buffer
  assert prof.peak_bytes == out_bytes and sum(k.alloc_bytes for k in prof.kernels) == out_bytes
  assert sorted(k.alloc_bytes for k in prof.kernels) == [64 * 4, 64 * 64 * 4] and prof.memory_planner
  text = render_text(prof)
  assert "memory: peak 16.2 KiB allocated above what was live before the run (memory planner on)" in text and "allocated" in text


def test_peak_with_and_without_the_memory_planner():
  from tinygrad import Context
  Tensor.manual_seed(0)
  x = Tensor.rand(4, 16).realize()
  ws = [Tensor.rand(16, 16).realize() for _ in range(4)]
  def mlp():
    h = x
    for w in ws: h = (h @ w).relu()
    return h
  act = 4 * 16 * 4
  on = profile(mlp, repeats=1)
  with Context(NO_MEMORY_PLANNER=1): off = profile(mlp, repeats=1)
  assert (on.peak_bytes, off.peak_bytes) == (3 * act, 4 * act) and not off.memory_planner
  assert on.kernels[0].alloc_bytes == 3 * act    # with the planner, the arena is allocated whole by the first call
  assert "memory planner off: NO_MEMORY_PLANNER=1" in render_text(off)
  c = compare(off, on)
  assert c.peak_bytes == [4 * act, 3 * act] and "peak memory: 1.0 KiB -> 768 B (-256 bytes)" in render_comparison(c)


def test_a_profile_saved_before_memory_was_recorded_still_loads(real):
  d = to_dict(real[0])
  for key in ("peak_bytes", "memory_planner"): del d[key]
  for k in d["kernels"]: del k["alloc_bytes"]
  old = from_dict(d)
  assert old.peak_bytes == 0 and old.memory_planner and all(k.alloc_bytes == 0 for k in old.kernels)
  assert [k.times for k in old.kernels] == [k.times for k in real[0].kernels]
  assert "peak memory" not in render_comparison(compare(old, from_dict(d)))


def test_run_once_keeps_its_shape(real):
  _, _, a, b = real
  calls, wall = run_once(lambda: (a @ b).relu().sum(axis=1))   # the fixture's kernel: compiled already
  assert len(calls) == 1 and len(calls[0]) == 5 and calls[0][1] == "kernel" and wall > 0
