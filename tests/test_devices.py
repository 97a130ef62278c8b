"""tgkit.devices: discovery, renderer capabilities, compile-only targets, device checks and the cross-device op check."""
import dataclasses
import json
import sys

import pytest

from tinygrad import Tensor

from tgkit import devices
from tgkit.devices import (Capabilities, capabilities, check_device, compile_only_targets, cross_check, discover,
                           kernel_source, render_capabilities_markdown, render_cross_markdown)
from tgkit.errors import UsageError
from tgkit.ops import Result


def test_discover_still_reports_cpu_and_python():
  found = {d.name: d for d in discover(["CPU", "METAL"], renderers=False)}
  assert found["CPU"].opened
  assert not found["METAL"].opened and found["METAL"].reason


def test_cpu_capabilities():
  c = capabilities("CPU")
  assert c.available and c.mode == "run" and not c.compile_only
  assert c.renderer == "ClangRenderer"
  assert {"float32", "float64", "int32", "bool", "float16"} <= set(c.native_dtypes)
  assert "fp8e4m3" in c.emulated_dtypes and "fp8e4m3" not in c.native_dtypes
  assert c.tensor_cores == [] and c.tensor_core_count == 0


def test_python_and_x86_capabilities():
  assert capabilities("PYTHON").renderer == "PythonRenderer"
  x86 = capabilities("cpu:x86")
  assert x86.target == "CPU:X86" and x86.renderer == "X86Renderer" and x86.mode == "run"


def test_ptx_renders_without_a_gpu():
  c = capabilities("NULL:PTX:sm_80")
  assert c.available and c.compile_only and c.renderer == "PTXRenderer"
  assert c.mode in ("compile", "render")
  assert c.tensor_core_count == 5 and all(tc.startswith("WMMA_") for tc in c.tensor_cores)
  assert c.has_local and c.has_shared and c.local_max == [1024, 1024, 64]
  assert "float16" in c.native_dtypes


def test_compile_only_targets_here():
  got = compile_only_targets()
  assert {"NULL", "NULL:OPENCL", "NULL:WGSL", "NULL:PTX:sm_80", "NULL:AMDLLVM:gfx1100"} <= set(got)
  assert all(capabilities(t).compile_only for t in got)
  assert set(got) <= set(compile_only_targets(all_candidates=True))


@pytest.mark.skipif(sys.platform == "darwin", reason="Metal renders on macOS")
def test_metal_is_unavailable_with_a_reason():
  c = capabilities("NULL:METAL")
  assert not c.available and "libSystem" in c.reason
  assert "NULL:METAL" not in compile_only_targets()


def test_capabilities_are_json_and_render():
  caps = [capabilities(t) for t in ("CPU", "NULL:WGSL", "NULL:METAL")]
  data = json.loads(json.dumps([dataclasses.asdict(c) for c in caps]))
  assert data[1]["target"] == "NULL:WGSL" and data[1]["compile_only"] is True and data[1]["tensor_core_count"] == 0
  md = render_capabilities_markdown(caps)
  assert "| NULL:WGSL | WGSLRenderer | compile (compile-only) |" in md


def test_kernel_source_per_target():
  build = lambda: Tensor.ones(8).contiguous() * 2  # noqa: E731
  wgsl = kernel_source(build, "NULL:WGSL")
  assert len(wgsl) == 2 and all("@compute" in src for _, src in wgsl)
  assert kernel_source(build, "NULL:AMDLLVM:gfx1100")[0][1].startswith("define amdgpu_kernel")


def test_check_device():
  assert check_device("cpu") == "CPU"
  assert check_device("CPU:X86") == "CPU:X86"
  assert check_device("NULL:PTX:sm_80") == "NULL:PTX:sm_80"
  with pytest.raises(UsageError, match=r"unknown device 'NOPE'; choose from: .*CPU.*PYTHON"): check_device("nope")
  with pytest.raises(UsageError, match="does not open here"): check_device("METAL" if sys.platform != "darwin" else "CUDA")
  with pytest.raises(UsageError, match="unknown renderer for CPU 'FOO'; choose from: .*CLANG"): check_device("CPU:FOO")
  with pytest.raises(UsageError, match="too many ':'"): check_device("CPU:A:B:C")


def _fake_runner(table):
  """A runner returning fixed statuses per device, to test the comparison logic."""
  def run(device=None, ops=None, dtypes=None, **kw):
    from tinygrad.helpers import DEV
    name = repr(DEV)
    return [Result(op, "binary", "float32", "(3,)", device, "value", st, err, "" if st == "pass" else "boom", "odd")
            for op, (st, err) in table[name].items()]
  return run


def test_cross_check_finds_disagreements():
  table = {"CPU": {"add": ("pass", 0.0), "mul": ("pass", 0.0), "div": ("fail", 1.0)},
           "PYTHON": {"add": ("pass", 0.0), "mul": ("error", None), "div": ("fail", 2.0)}}
  rep = cross_check(["CPU", "PYTHON"], runner=_fake_runner(table))
  assert rep.devices == ["CPU", "PYTHON"] and rep.cases == 3
  assert [d.op for d in rep.disagreements] == ["mul"]
  assert rep.disagreements[0].status == {"CPU": "pass", "PYTHON": "error"}
  assert [d.op for d in rep.all_fail] == ["div"] and rep.all_fail[0].max_error == {"CPU": 1.0, "PYTHON": 2.0}
  assert rep.by_device["PYTHON"] == {"pass": 1, "fail": 1, "error": 1, "unsupported": 0}
  md = render_cross_markdown(rep)
  assert "3 cases on 2 devices: 1 disagree, 1 fail everywhere" in md


def test_cross_check_skips_devices_that_do_not_open():
  table = {"CPU": {"add": ("pass", 0.0)}}
  rep = cross_check(["CPU", "METAL" if sys.platform != "darwin" else "CUDA"], runner=_fake_runner(table))
  assert rep.devices == ["CPU"] and list(rep.skipped) and rep.disagreements == []
  with pytest.raises(UsageError, match="unknown device"): cross_check(["CPU", "NOPE"], runner=_fake_runner(table))


def test_cross_check_real_op_table():
  rep = cross_check(["CPU", "CPU:X86", "PYTHON"], ops=["add", "mul"], dtypes=["float32", "int32"], grads=False, kinds=("odd",))
  assert rep.cases == 4
  assert all(c["pass"] == 4 for c in rep.by_device.values()), rep.by_device
  assert rep.disagreements == [] and rep.all_fail == []


def test_capabilities_bad_target():
  with pytest.raises(UsageError, match="unknown device"): capabilities("GPU")
  assert isinstance(capabilities("NULL"), Capabilities)
  assert devices.known_devices()[-2:] == ["PYTHON", "NULL"]


def test_python_source_is_a_uop_listing():
  (name, src), = kernel_source(lambda: Tensor.ones(4).contiguous(), "PYTHON")
  assert name == "E_4" and src.startswith("# the PYTHON device interprets")
  assert " STORE " in src and "gASV" not in src


def test_llvm_source_even_where_compiling_fails():
  # this host's libLLVM may reject tinygrad's vector IR; the source is shown either way
  srcs = kernel_source(lambda: Tensor.ones(4, 4).contiguous() + 1, "CPU:LLVM")
  assert srcs and all(src.startswith("define void @") for _, src in srcs)
  c = capabilities("CPU:LLVM")
  assert c.mode == "run" and c.renderer == "CPULLVMRenderer"
