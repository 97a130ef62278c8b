"""Device reports: the committed ones validate, broken ones fail with one line naming the file and the field (also in a
build), the CLI refuses bad input, the measurements agree with tgkit.ops, and the page renders from a synthetic report."""
import json
import os
import pathlib
import runpy
import shutil
import subprocess
import sys

import pytest

from handbook import env

env.apply()

from tgkit import devices, hostreport, ops  # noqa: E402
from tgkit.errors import UsageError  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "devices"
COMMITTED = sorted(p for p in DATA.glob("*.json") if p.name != "schema.json")
GEN = runpy.run_path(str(ROOT / "scripts" / "gen_devices.py"), run_name="gen_devices")


def counts(**kw) -> dict: return {"pass": 0, "fail": 0, "error": 0, "unsupported": 0, **kw}


def samples(ms: float) -> dict: return {"repeats": 3, "median_ms": ms, "samples_ms": [ms] * 3}


def run_entry(target="CPU") -> dict:
  """A run target: bfloat16 fails, two op groups (one failing case), benchmarks, one kernel source."""
  fail = {"op": "exp", "group": "unary", "dtype": "float16", "kind": "odd", "check": "value", "status": "fail",
          "message": "2 of 35 values outside", "known": ""}
  dtypes = {"method": "run", "claimed": ["float32", "bfloat16"], "native": ["float32"], "emulated": ["fp8e4m3"],
            "failing": [{"dtype": "bfloat16", "reason": "compile failed: error: __bf16 is not supported on this target"}]}
  ops_ = {"subset": "live", "selection": {"ops": ["exp", "add"], "kinds": ["odd"], "grads": False}, "total": 5, "op_count": 2,
          "by_status": counts(**{"pass": 4, "fail": 1}), "by_dtype": {"float32": counts(**{"pass": 3}), "float16": counts(**{"pass": 1, "fail": 1})},
          "by_group": {"unary": counts(**{"pass": 1, "fail": 1}), "binary": counts(**{"pass": 3})}, "failures": [fail], "seconds": 1.5}
  bench = {"load_average": [0.5, 0.4, 0.3],
           "matmul": [{"n": 64, "gflops": 5.2, **samples(0.1)}, {"n": 128, "repeats": 3, "error": "out of memory"}],
           "elementwise": {"n": 1024, "gbs": 1.2, **samples(0.01)},
           "compile": [{"kernel": "matmul", "expression": "x @ x", "compiler_median_ms": 50.0, **samples(300.0)}],
           "launch": {"calls": 10, "median_us": 30.0, "realize_calls": 5, "realize_median_us": 3000.0}}
  return hostreport._entry(target, target.split(":")[0], opened=True, default=True, renderer="ClangRenderer", compiler="ClangCompiler",
                           stage="run", dtypes=dtypes, ops=ops_, bench=bench,
                           matmul_source=[{"name": "r_16_16_16", "source": "void r_16_16_16(float* data0) {\n  *data0 = 1.0f;\n}\n"}])


def synthetic() -> dict:
  """A small valid report: a run target, a target that does not open, and a compile-only target."""
  ptx = hostreport._entry("NULL:PTX:sm_80", "NULL", opened=True, renderer="PTXRenderer", stage="render", reason="renders only, no compiler here",
                          dtypes={"method": "renderer", "claimed": ["float16", "float32"], "native": ["float16", "float32"], "emulated": [],
                                  "failing": []},
                          tensor_cores=["WMMA_8_16_16_half_float"], matmul_source=[{"name": "r_16_16_16", "source": ".version 7.8\n.target sm_80\n"}])
  host = {"os": "Linux 6.1", "distro": "Debian GNU/Linux 12 (bookworm)", "machine": "x86_64", "cpu": "Test CPU", "cores": 2, "python": "3.11.7",
          "clang": "Debian clang version 14.0.6", "gpus": []}
  return {"schema_version": 1, "tgkit_version": "0.1.0", "tinygrad_version": "0.14.0", "created": "2025-01-02T03:04:05+00:00", "host": host,
          "profile": "live", "targets_requested": None, "seconds": 12.0,
          "devices": [run_entry(), hostreport._entry("METAL", "METAL", reason="OSError: no libSystem"), ptx]}


# ---------------------------------------------------------------- committed reports and the schema

def test_there_is_a_committed_report_of_this_kind_of_host():
  assert COMMITTED, "data/devices/ holds no report"
  assert (DATA / "debian12-x86_64-cpu.json").exists()


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_committed_reports_validate(path):
  rep = hostreport.load(path, f"data/devices/{path.name}")
  ran = [d for d in rep["devices"] if d["stage"] == "run"]
  assert ran and all(d["dtypes"]["method"] == "run" for d in ran)
  assert not any(k in json.dumps(rep["host"]) for k in ("/home/", "/root", "/Users/")), rep["host"]


def test_committed_cpu_report_shows_this_hosts_findings():
  rep = hostreport.load(DATA / "debian12-x86_64-cpu.json")
  cpu = next(d for d in rep["devices"] if d["target"] == "CPU")
  assert cpu["ops"]["subset"] == "full" and cpu["ops"]["total"] > 2000 and cpu["bench"]["matmul"]
  if "clang version 14" in rep["host"]["clang"]:   # Debian 12's clang cannot compile __bf16 for tinygrad's CPU target
    assert [f["dtype"] for f in cpu["dtypes"]["failing"]] == ["bfloat16"] and "__bf16" in cpu["dtypes"]["failing"][0]["reason"]
  assert {d["target"] for d in rep["devices"] if d["mode"] == "compile-only" and d["opened"]} >= {"NULL:OPENCL", "NULL:PTX:sm_80"}


def test_schema_words_match_tgkit():
  s, d = hostreport.schema(), hostreport.schema()["$defs"]
  assert d["dtype"]["enum"] == list(devices.DTYPE_ORDER)
  assert d["op_dtype"]["enum"] == list(ops.DTYPES)
  assert d["failure"]["properties"]["group"]["enum"] == list(ops.GROUPS)
  assert d["failure"]["properties"]["kind"]["enum"] == list(ops.SHAPE_KINDS)
  assert d["device"]["properties"]["mode"]["enum"] == list(hostreport.MODES)
  assert d["device"]["properties"]["stage"]["enum"] == list(hostreport.STAGES)
  assert d["ops"]["properties"]["subset"]["enum"] == list(hostreport.SUBSETS)
  assert s["properties"]["profile"]["enum"] == list(hostreport.PROFILES)
  assert d["compile"]["oneOf"][0]["properties"]["kernel"]["enum"] == list(hostreport.COMPILE_KERNELS)
  assert s["properties"]["schema_version"] == {"const": hostreport.SCHEMA_VERSION}


def test_synthetic_report_is_valid():
  assert hostreport.validate(synthetic(), "synthetic") is not None


def _break(fn):
  rep = synthetic()
  fn(rep)
  return rep


BROKEN = {
  "wrong type": (lambda r: r["host"].update(cores="two"), "data/devices/bad.json: host/cores: 'two' is not of type 'integer'"),
  "missing field": (lambda r: r["devices"][0].pop("mode"), "data/devices/bad.json: devices/0: 'mode' is a required property"),
  "unknown dtype": (lambda r: r["devices"][0]["dtypes"]["native"].append("float99"),
                    "data/devices/bad.json: devices/0/dtypes/native/1: 'float99' is not one of ['bool', 'int8'"),
  "unknown field": (lambda r: r["devices"][2].update(colour="red"),
                    "data/devices/bad.json: devices/2: Additional properties are not allowed ('colour'"),
  "bad mode": (lambda r: r["devices"][1].update(mode="gpu"), "data/devices/bad.json: devices/1/mode: 'gpu' is not one of ['hardware', 'emulator'"),
  "schema version": (lambda r: r.update(schema_version=2), "data/devices/bad.json: schema_version: this checkout reads version 1, the file has 2"),
  "counts": (lambda r: r["devices"][0]["ops"]["by_status"].update(passes=1) or r["devices"][0]["ops"].update(total=6),
             "data/devices/bad.json: devices/0/ops/by_status: Additional properties are not allowed"),
  "sums": (lambda r: r["devices"][0]["ops"].update(total=6), "data/devices/bad.json: devices/0/ops/by_status: counts add up to 5, total is 6"),
  "unlisted failure": (lambda r: r["devices"][0]["ops"].update(failures=[]), "data/devices/bad.json: devices/0/ops/failures: 0 listed"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_report_fails_with_one_line_naming_file_and_field(case):
  fn, want = BROKEN[case]
  with pytest.raises(UsageError) as e: hostreport.validate(_break(fn), "data/devices/bad.json")
  msg = str(e.value)
  assert msg.startswith(want) and "\n" not in msg, msg


def test_bad_json_and_missing_file_name_the_file(tmp_path):
  (tmp_path / "bad.json").write_text('{"schema_version": 1,\n "host": }')
  with pytest.raises(UsageError, match=r"^data/devices/bad\.json: malformed JSON at line 2, column 10"):
    hostreport.load(tmp_path / "bad.json", "data/devices/bad.json")
  with pytest.raises(UsageError, match="nope.json: no such file"): hostreport.load(tmp_path / "nope.json")


# ---------------------------------------------------------------- the build stops on a broken report

def test_gen_script_rejects_the_first_broken_file(tmp_path):
  (tmp_path / "a-good.json").write_text(json.dumps(synthetic()))
  (tmp_path / "b-bad.json").write_text(json.dumps(_break(BROKEN["bad mode"][0])))
  (tmp_path / "schema.json").write_text("{}")   # the schema file is not a report
  with pytest.raises(UsageError) as e: GEN["committed"](tmp_path)
  assert str(e.value).endswith("b-bad.json: devices/1/mode: 'gpu' is not one of ['hardware', 'emulator', 'compile-only']"), str(e.value)
  (tmp_path / "b-bad.json").unlink()
  assert [r["profile"] for _, r in GEN["committed"](tmp_path)] == ["live"]


def test_strict_build_stops_with_one_line(tmp_path):
  """A minimal MkDocs project running scripts/gen_devices.py over a broken report: the build fails with one line, no traceback."""
  (tmp_path / "docs").mkdir()
  (tmp_path / "docs" / "index.md").write_text("# x\n")
  (tmp_path / "scripts").mkdir()
  shutil.copy(ROOT / "scripts" / "gen_devices.py", tmp_path / "scripts")
  (tmp_path / "data" / "devices").mkdir(parents=True)
  (tmp_path / "data" / "devices" / "broken.json").write_text(json.dumps(_break(BROKEN["missing field"][0])))
  (tmp_path / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - gen-files:\n      scripts: [scripts/gen_devices.py]\n")
  p = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")], cwd=tmp_path, capture_output=True,
                     text=True, timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"})
  out = p.stdout + p.stderr
  assert p.returncode == 1 and "Traceback" not in out, out
  errors = [ln for ln in out.splitlines() if ln.startswith("ERROR")]
  assert errors == ["ERROR   -  device reports: data/devices/broken.json: devices/0: 'mode' is a required property"], out


def test_live_report_comes_from_the_cache(tmp_path, monkeypatch):
  rep = synthetic()
  (tmp_path / f"live-{hostreport.live_key(env.fingerprint())}.json").write_text(json.dumps(rep))
  monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("measured although the cache holds the live report"))
  assert GEN["live"](tmp_path) == rep


# ---------------------------------------------------------------- the command line

def report_cli(*args):
  return subprocess.run([sys.executable, str(ROOT / "scripts" / "device_report.py"), *args], capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_cli_refuses_to_overwrite(tmp_path):
  out = tmp_path / "r.json"
  out.write_text("keep")
  p = report_cli("--out", str(out), "--devices", "NULL")
  assert p.returncode == 2 and p.stderr.strip() == f"device_report.py: error: {out} exists (use --force to overwrite it)", p.stderr
  assert out.read_text() == "keep"


@pytest.mark.parametrize("args,needle", [
  (["--devices", "NOPE"], "unknown device 'NOPE'; choose from: AMD, CL, CPU"),
  (["--devices", "CPU:NOPE"], "unknown renderer for CPU 'NOPE'"),
  (["--out", "/nonexistent-dir/r.json"], "cannot write /nonexistent-dir/r.json: no directory /nonexistent-dir"),
  (["--check", "data/devices/nope.json"], "data/devices/nope.json: no such file"),
  (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, args, needle):
  p = report_cli(*(args if "--out" in args or "--check" in args else ["--out", str(tmp_path / "r.json"), *args]))
  lines = p.stderr.strip().splitlines()
  assert p.returncode == 2 and len(lines) == 1 and needle in lines[0] and "Traceback" not in p.stderr, p.stderr
  assert not (tmp_path / "r.json").exists()


def test_cli_writes_a_valid_compile_only_report(tmp_path):
  out = tmp_path / "r.json"
  p = report_cli("--out", str(out), "--devices", "NULL:OPENCL", "NULL:METAL")
  assert p.returncode == 0, p.stderr
  rep = hostreport.load(out)
  assert [(d["target"], d["opened"]) for d in rep["devices"]] == [("NULL:OPENCL", True), ("NULL:METAL", devices.capabilities("NULL:METAL").available)]
  assert rep["devices"][0]["dtypes"]["native"] == devices.capabilities("NULL:OPENCL").native_dtypes and rep["devices"][0]["ops"] is None
  assert report_cli("--check", str(out)).stdout.startswith(f"{out}: valid device report (schema version 1, 2 targets")


# ---------------------------------------------------------------- measurements agree with tgkit.ops

def test_dtype_probe_sorts_every_dtype_on_cpu():
  from tinygrad import Device
  probe = hostreport.probe_dtypes("CPU", Device["CPU"].renderer)
  works = set(probe["native"]) | set(probe["emulated"])
  assert set(ops.DTYPES) <= works   # the op table's seven dtypes all compute on CPU
  assert probe["claimed"] == devices.capabilities("CPU").native_dtypes
  assert set(probe["native"]) <= set(probe["claimed"]) and not set(probe["emulated"]) & set(probe["claimed"])
  assert sorted(works | {f["dtype"] for f in probe["failing"]}, key=devices.DTYPE_ORDER.index) == list(devices.DTYPE_ORDER)


def test_op_counts_agree_with_ops_on_cpu():
  sub = hostreport.OpSubset("test", ("add", "relu", "sum", "cast_float16"), ("odd",), False)
  got = hostreport.op_table("CPU", sub)
  rs = ops.run(ops=list(sub.ops), device="CPU", kinds=sub.kinds, grads=False)
  s = ops.summarize(rs)
  assert (got["total"], got["by_status"], got["by_group"]) == (s["total"], s["by_status"], s["by_group"])
  by_dtype = {dt: {st: sum(r.dtype == dt and r.status == st for r in rs) for st in ops.STATUSES} for dt in dict.fromkeys(r.dtype for r in rs)}
  assert got["by_dtype"] == by_dtype
  key = lambda f: (f["op"], f["dtype"], f["kind"], f["check"])  # noqa: E731
  assert [key(f) for f in got["failures"]] == [key(f) for f in s["failures"]]


# ---------------------------------------------------------------- the page

def page_of(rep: dict) -> str: return hostreport.render_page([("live", rep), ("data/devices/synthetic.json", rep)], plots=("g.svg", "c.svg"))


def test_page_summary_matrices_and_compile_only_columns():
  text = page_of(synthetic())
  assert ("- [1] **CPU** (this build host, real hardware): 4/5 op cases pass (1 fail; live subset); dtypes 1 native, 1 emulated, 1 failing "
          "(bfloat16)") in text
  assert "- [2] **CPU** (synthetic, real hardware): 4/5 op cases pass" in text
  assert "- [3] **NULL:PTX:sm_80** (compile-only, renders here): 2 native dtypes, 1 tensor cores" in text
  assert "| dtype | [1] CPU (this build host) | [2] CPU (synthetic) | [3] NULL:PTX:sm_80 |" in text   # the compile-only column once
  assert "| bfloat16 | fail | fail | not native |" in text and "| float16 | not tested | not tested | native |" in text
  assert "| fp8e4m3 | emulated | emulated | not native |" in text
  assert "| [3] NULL:PTX:sm_80 | 1 | `WMMA_8_16_16_half_float` |" in text and "No tensor cores: [1], [2]." in text
  assert "| unary | fail 1/2 | fail 1/2 |" in text and "| binary | pass 3/3 | pass 3/3 |" in text and "| conv |" not in text
  assert "| float16 | fail 1/2 | fail 1/2 |" in text
  assert "- bfloat16 on [1] CPU (this build host): compile failed: error: \\_\\_bf16 is not supported on this target" in text   # no bold
  assert "| exp | float16 | odd | value | fail | 2 of 35 values outside | new |" in text
  assert "| METAL | this build host | OSError: no libSystem |" in text
  assert "committed file `data/devices/synthetic.json`" in text and "live: measured by this build" in text
  assert "| matmul 64x64 float32 | 5.2 GFLOP/s | 5.2 GFLOP/s |" in text and "| matmul 128x128 float32 | error (below) |" in text
  assert "- [1] CPU (this build host): out of memory" in text
  assert "| compile matmul | 300 ms (compiler 50 ms) |" in text and "| compile conv2d | not measured |" in text
  assert "| elementwise a + b float32 | 1.2 GB/s, n=1024 |" in text and "| load average at start | 0.5, 0.4, 0.3 |" in text
  assert text.index("## Summary") < text.index("## Provenance") < text.index("## Dtypes")


def test_page_source_tabs_are_indented_content_tabs():
  lines = page_of(synthetic()).splitlines()
  tabs = [ln for ln in lines if ln.startswith("=== ")]
  assert tabs == ['=== "C (clang) (CPU)"', '=== "PTX (NULL:PTX:sm_80)"'], tabs
  i = lines.index('=== "PTX (NULL:PTX:sm_80)"')
  assert lines[i + 4:i + 8] == ["    ```text", "    .version 7.8", "    .target sm_80", "    ```"], lines[i:i + 9]


def test_free_text_cannot_become_markdown():
  assert hostreport._text("'float*' expected '<4 x float>*' | __bf16") == "'float\\*' expected '&lt;4 x float&gt;\\*' | \\_\\_bf16"
  rep = synthetic()
  rep["devices"][1]["reason"] = "a|b <i>x</i>"
  assert "| METAL | this build host | a\\|b &lt;i&gt;x&lt;/i&gt; |" in page_of(rep)


def test_x86_machine_code_is_shown_as_a_hexdump():
  assert hostreport._hexdump("4881ec10" * 5) == "0000: " + "48 81 ec 10 " * 3 + "48 81 ec 10\n0010: 48 81 ec 10"


def test_page_words_for_missing_data():
  assert hostreport.count_word(None) == "not tested"
  assert hostreport.count_word(counts(unsupported=4)) == "unsupported (4)"
  assert hostreport.count_word(counts(**{"pass": 2, "unsupported": 1})) == "pass 2/3, 1 unsupported"
  assert hostreport.dtype_word(hostreport._entry("X", "CPU"), "float32") == "not tested"


def test_plots_are_deterministic_svgs():
  cols = hostreport.columns([("live", synthetic())])
  a, b = hostreport.plot_gflops(cols), hostreport.plot_gflops(cols)
  assert a == b and a.lstrip().startswith("<?xml") and "<svg" in a and "dc:date" not in a
  assert hostreport.plot_compile(cols) == hostreport.plot_compile(cols)
