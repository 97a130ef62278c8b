"""tgkit.bench: the roofline on fixed numbers, verdicts on synthetic measurements, ceilings from the committed host
report, the CLI's one-line errors, and tiny real runs (no test asserts a timing)."""
import copy
import json
import sys
import math

import numpy as np
import pytest

from tinygrad import Tensor

from handbook.env import ROOT
from tgkit import bench, cli
from tgkit.bench import Ceilings, Measurement
from tgkit.errors import UsageError
from tgkit.hostreport import load

REPORT = ROOT / "data" / "devices" / "debian12-x86_64-cpu.json"
ROOF = Ceilings("CPU", 100.0, 10.0, "fixed numbers")   # ridge at 10 FLOP/byte


def test_ridge_and_attainable():
  assert ROOF.ridge == 10.0
  assert ROOF.attainable(1.0) == 10.0 and ROOF.attainable(10.0) == 100.0 and ROOF.attainable(1000.0) == 100.0
  assert "ridge 10 FLOP/byte" in ROOF.line() and "fixed numbers" in ROOF.line()
  with pytest.raises(UsageError, match="must be positive"): Ceilings("CPU", 0.0, 1.0, "x")


def test_place_below_the_ridge_is_memory_bound():
  # 1e9 FLOPs over 1e9 bytes in 1 s: intensity 1, roof 10 GFLOP/s, 1 GB/s of 10 achieved
  p = bench.place(10 ** 9, 10 ** 9, 1.0, ROOF)
  assert (p.intensity, p.bound, p.attainable_gflops, p.achieved_gflops, p.achieved_gbs) == (1.0, "memory-bound", 10.0, 1.0, 1.0)
  assert p.fraction == pytest.approx(0.1)


def test_place_above_the_ridge_is_compute_bound():
  # 5e10 FLOPs over 1e9 bytes in 1 s: intensity 50, roof 100 GFLOP/s, 50 achieved
  p = bench.place(5 * 10 ** 10, 10 ** 9, 1.0, ROOF)
  assert (p.bound, p.attainable_gflops, p.achieved_gflops) == ("compute-bound", 100.0, 50.0)
  assert p.fraction == pytest.approx(0.5)
  assert bench.place(10 ** 10, 10 ** 9, 1.0, ROOF).bound == "compute-bound"   # exactly at the ridge


def test_place_edge_cases():
  copy_like = bench.place(0, 4096, 1e-6, ROOF)               # no FLOPs: memory-bound, judged by bandwidth alone
  assert copy_like.intensity == 0.0 and copy_like.bound == "memory-bound" and copy_like.fraction == pytest.approx(4096 / 1e-6 / 1e9 / 10)
  assert bench.place(100, 0, 1e-6, ROOF).intensity == math.inf and bench.place(100, 0, 1e-6, ROOF).bound == "compute-bound"
  for bad in ((1, 1, 0.0), (-1, 1, 1.0), (1, -1, 1.0)):
    with pytest.raises(UsageError): bench.place(*bad, ROOF)


def test_ceilings_from_the_committed_report():
  rep = load(REPORT)
  cpu = next(d for d in rep["devices"] if d["target"] == "CPU")["bench"]
  c = bench.ceilings_from_report(REPORT, "CPU", "build host")
  assert c.gflops == max(m["gflops"] for m in cpu["matmul"] if "gflops" in m) and c.gbs == cpu["elementwise"]["gbs"]
  assert c.source.startswith("build host, ") and "2 cores" in c.source
  with pytest.raises(UsageError, match="unknown target with benchmarks in build host 'METAL'; choose from: CPU"):
    bench.ceilings_from_report(rep, "METAL", "build host")
  broken = copy.deepcopy(rep)
  for d in broken["devices"]:
    if d["target"] == "CPU": d["bench"]["elementwise"] = {"n": 8, "repeats": 1, "error": "RuntimeError: boom"}
  with pytest.raises(UsageError, match="no usable matmul and elementwise benchmarks .RuntimeError: boom"): bench.ceilings_from_report(broken, "CPU")
  with pytest.raises(UsageError, match="no such file"): bench.ceilings_from_report(ROOT / "nope.json")


def test_the_reports_own_measurements_sit_on_its_roofline():
  ms = bench.from_report(REPORT, "CPU")
  mm = [m for m in ms if m.op == "matmul"]
  assert [m.flops for m in mm] == [2 * m.size ** 3 for m in mm] and all(m.placement.intensity == pytest.approx(m.size / 6) for m in mm)
  add = next(m for m in ms if m.op == "add")
  assert add.placement.bound == "memory-bound" and add.placement.fraction == pytest.approx(1.0, rel=1e-3)   # the bandwidth is this very point
  best = max(mm, key=lambda m: m.placement.achieved_gflops)
  assert best.placement.bound == "compute-bound" and best.placement.fraction == pytest.approx(1.0, rel=1e-3)


def fake(device: str, times: list[float], size: int = 16) -> Measurement:
  return Measurement(f"add float32 n={size} on {device}", "op", "add", "float32", size, device, len(times), 1, times, size, 12 * size, [], None)


def test_a_device_is_called_faster_only_when_it_is_robust():
  slow, fast = [1.0, 1.02, 0.98, 1.01, 0.99], [0.1, 0.11, 0.09, 0.1, 0.1]
  (c,) = bench.compare_devices([fake("PYTHON", slow), fake("CPU", fast)])
  assert (c.verdict, c.fastest, c.devices, c.label) == ("faster", "CPU", ["CPU", "PYTHON"], "add float32 n=16") and c.ratio == pytest.approx(10)
  (c,) = bench.compare_devices([fake("PYTHON", [1.0, 1.01, 0.99]), fake("CPU", [1.02, 1.0, 1.01])])
  assert (c.verdict, c.fastest) == ("same", "")
  (c,) = bench.compare_devices([fake("PYTHON", [1.0, 3.0, 0.5, 2.9, 0.6]), fake("CPU", [0.5, 2.0, 0.4, 2.5, 0.45])])   # spreads overlap
  assert (c.verdict, c.fastest) == ("noisy", "")
  assert "no robust difference" in bench.comparison_line(c)
  assert bench.compare_devices([fake("CPU", fast), fake("CPU", fast, 32)]) == []     # one device per configuration: nothing to compare


def test_stable_text_is_the_same_whatever_the_times():
  a = bench.Bench([fake("CPU", [1e-5, 2e-5, 3e-5]), fake("PYTHON", [1e-3, 1.1e-3, 1.2e-3])], [ROOF], [])
  b = bench.Bench([fake("CPU", [4e-5, 5e-5, 6e-5]), fake("PYTHON", [2e-3, 2.1e-3, 2.2e-3])], [ROOF], [])
  for x in (a, b):
    for m in x.measurements: m.placement = bench.place(m.flops, m.bytes, m.median_s, ROOF)
    x.comparisons = bench.compare_devices(x.measurements)
  assert bench.render_text(a, stable=True) == bench.render_text(b, stable=True)
  assert bench.render_text(a) != bench.render_text(b)
  text = bench.render_text(a, stable=True)
  assert "memory-bound" in text and "0.0833" in text and "CPU is faster than PYTHON (<t>x by median)" in text


def test_shapes_per_kind_of_op():
  assert bench.shapes("add", 8) == ((8,), (8,)) and bench.shapes("where", 4) == ((4,),) * 3
  assert bench.shapes("matmul", 8) == ((8, 8), (8, 8)) and bench.shapes("dot", 8) == ((8,), (8,))
  assert bench.shapes("conv2d", 9) == ((1, 2, 9, 9), (3, 2, 3, 3)) and bench.shapes("gather", 6) == ((6, 7), (6, 3))
  assert bench.shapes("index_tensor", 6) == ((6, 7), (4,))
  with pytest.raises(UsageError, match="checks that an invalid call raises"): bench.shapes("reshape_bad_size", 8)
  with pytest.raises(UsageError, match="unknown op 'unary'"): bench.shapes("unary", 8)
  with pytest.raises(UsageError, match="sizes must be whole numbers >= 1"): bench.shapes("add", 0)
  assert bench.default_sizes("add", ["CPU"]) == bench.SIZES["elements"] and bench.default_sizes("matmul", ["CPU", "PYTHON"]) == (4, 8)


@pytest.mark.parametrize("kw,needle", [
  ({"op": "nope"}, "unknown op 'nope'"),
  ({"op": "add", "dtypes": ["float99"]}, "unknown dtype 'float99'"),
  ({"op": "matmul", "dtypes": ["bool"]}, "op 'matmul' has no dtype 'bool' in the op table; choose from: float32"),
  ({"op": "add", "devices": ["NOPE"]}, "unknown device 'NOPE'"),
  ({"op": "add", "devices": ["NULL"]}, "is compile-only"),
  ({"op": "add", "repeats": 0}, "repeats must be >= 1"),
  ({"op": "add", "sizes": []}, "give at least one size"),
  ({"op": "add", "ceilings": "guess"}, "not 'guess'"),
])
def test_operation_rejects_bad_input(kw, needle):
  with pytest.raises(UsageError, match=needle.replace("(", r"\(")): bench.operation(**{"sizes": [8], **kw})


def test_a_tiny_real_run():
  b = bench.operation("add", sizes=[8], repeats=2, ceilings=[ROOF])
  (m,) = b.measurements
  assert m.ok and len(m.times) == 2 and all(t > 0 for t in m.times) and m.iqr[0] <= m.median_s <= m.iqr[1]
  assert (m.flops, m.bytes, len(m.kernels)) == (8, 96, 1)        # tinygrad's estimates: 8 adds, 3 buffers of 8 floats
  assert m.placement.bound == m.kernels[0].placement.bound == "memory-bound" and m.placement.intensity == pytest.approx(1 / 12)
  data = json.loads(json.dumps(bench.to_dict(b), allow_nan=False))
  assert data["schema"] == bench.SCHEMA and data["measurements"][0]["kernels"][0]["flops"] == 8


def test_an_op_that_fails_on_a_size_is_recorded_not_raised():
  (m,) = bench.operation("conv2d", sizes=[1], repeats=1, ceilings=None).measurements   # a 1x1 image under a 3x3 kernel
  assert not m.ok and m.error and m.placement is None


def test_inference_of_a_seeded_mlp():
  model = bench.MLP((4, 8, 2))
  again = bench.MLP((4, 8, 2))
  x = Tensor(np.ones((3, 4), np.float32))
  assert np.array_equal(model(x).numpy(), again(x).numpy())      # the same seed, the same weights
  m = bench.inference(model, x, repeats=2, ceilings=ROOF)
  assert m.ok and (m.kind, m.op, m.size, m.dtype) == ("inference", "mlp 4-8-2", 3, "float32") and m.per_second > 0
  assert m.kernels and all(k.placement is not None for k in m.kernels)
  with pytest.raises(UsageError, match="two or more widths"): bench.MLP((4,))
  with pytest.raises(UsageError, match="x must be a Tensor"): bench.inference(model, [1, 2, 3, 4])


def test_plots_are_deterministic_svg():
  pts = [bench.Point("matmul", "CPU", 20.0, 60.0), bench.Point("add", "CPU", 0.1, None)]
  one, two = bench.plot_roofline([ROOF], pts), bench.plot_roofline([ROOF], pts)
  assert one == two and "<svg" in one and "<dc:date>" not in one
  ms = [fake("CPU", [1e-5, 2e-5, 3e-5], 16), fake("CPU", [4e-5, 5e-5, 6e-5], 64)]
  assert bench.plot_times(ms) == bench.plot_times(ms)
  img = bench.svg_img(one, 'a "roofline"')
  assert img.startswith('<img alt="a &quot;roofline&quot;" src="data:image/svg+xml;base64,')


@pytest.mark.parametrize("args,needle", [
  (["bench", "--op", "nope"], "unknown op 'nope'; choose from: abs,"),
  (["bench"], "give --op NAME"),
  (["bench", "--op", "add", "--mlp", "4,2"], "give --op NAME"),
  (["bench", "--mlp", "4,2", "--sizes", "8"], "--dtype and --sizes apply to --op"),
  (["bench", "--op", "add", "--sizes", "8,x"], "sizes are whole numbers separated by commas"),
  (["bench", "--op", "add", "--devices", "CPU,NOPE"], "unknown device 'NOPE'"),
  (["bench", "--op", "add", "--dtype", "float16", "--op", "bitwise_and"], "op 'bitwise_and' has no dtype 'float16'"),
  (["bench", "--op", "add", "--ceilings", "nope.json"], "nope.json: no such file"),
])
def test_cli_bad_input_is_one_line_and_exit_2(args, needle, capsys):
  assert cli.main(args) == 2
  err = capsys.readouterr().err.strip().split("\n")
  assert len(err) == 1 and needle in err[0], err


def test_cli_run_with_ceilings_from_a_report(tmp_path, capsys):
  assert cli.main(["bench", "--op", "add", "--sizes", "8", "--repeats", "2", "--ceilings", str(REPORT), "--json"]) == 0
  data = json.loads(capsys.readouterr().out)
  (m,) = data["measurements"]
  assert (m["op"], m["size"], m["device"], m["placement"]["bound"]) == ("add", 8, "CPU", "memory-bound")
  assert data["ceilings"][0]["source"].startswith(str(REPORT))
  out = tmp_path / "plots"
  assert cli.main(["bench", "--op", "add", "--sizes", "8", "--repeats", "1", "--ceilings", str(REPORT), "--svg", str(out)]) == 0
  text = capsys.readouterr().out
  assert "add float32 n=8 on CPU" in text and "memory-bound" in text and (out / "roofline.svg").read_text().startswith("<?xml")
  assert cli.main(["bench", "--op", "add", "--sizes", "8", "--svg", str(out)]) == 2      # never overwritten without --force
  assert "already exists" in capsys.readouterr().err


def test_a_plot_without_matplotlib_is_one_line(monkeypatch):
  monkeypatch.setitem(sys.modules, "matplotlib", None)   # import matplotlib raises ImportError
  with pytest.raises(UsageError, match=r"^plots need matplotlib, which tgkit depends on: python -m pip install matplotlib$"):
    bench.plot_roofline([ROOF], [bench.Point("add", "CPU", 0.1, None)])
