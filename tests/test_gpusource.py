"""tgkit.gpusource: GPU kernels rendered without the GPU or its compiler, and the runtime lines Day 4 links to."""
from __future__ import annotations

import re
import sys

import pytest

from conftest import ROOT
from tinygrad import Tensor
from tgkit import devices, gpusource
from tgkit.errors import UsageError

BUILD = lambda: (Tensor.empty(4, 4) * 2).sum(axis=1)  # noqa: E731


def test_every_gpu_renderer_is_built_with_a_compiler_that_only_returns_the_source():
  before = {m: sys.modules.get(m) for m in gpusource._COMPILER_MODULES}
  want = {"CUDA": "CUDARenderer", "PTX": "PTXRenderer", "Metal": "MetalRenderer", "HIP": "HIPRenderer", "AMD LLVM": "AMDLLVMRenderer"}
  for label, target in gpusource.GPU_TARGETS.items():
    r = gpusource.renderer(target)
    assert type(r).__name__ == want[label] and isinstance(r.compiler, devices._RenderOnly)
    assert r.compiler.compile("text") == b"text"
  assert gpusource.renderer("NULL:CUDA:sm_80").target.device == "CUDA" and gpusource.renderer("NULL:HIP:gfx1100").target.arch == "gfx1100"
  assert {m: sys.modules.get(m) for m in gpusource._COMPILER_MODULES} == before   # the stand-ins are gone again


def test_render_gives_each_target_its_source_and_launch_sizes():
  rs = gpusource.render(BUILD, ["CPU", "NULL:CUDA:sm_80", "NULL:METAL:Apple9"])
  assert [(r.label, r.renderer, r.language) for r in rs] == [("CPU", "ClangRenderer", "c"), ("CUDA", "CUDARenderer", "cuda"),
                                                             ("Metal", "MetalRenderer", "cpp")]
  cpu, cuda, metal = (r.kernels for r in rs)
  assert len(cpu) == len(cuda) == len(metal) == 1 and cpu[0].name == cuda[0].name == metal[0].name
  assert cpu[0].local_size is None and cuda[0].local_size is not None and cuda[0].global_size == metal[0].global_size
  assert "threadIdx.x" in cuda[0].source and "threadIdx" not in metal[0].source and "lid.x" in metal[0].source and "kernel void" in metal[0].source


def test_the_stand_in_compiler_does_not_change_what_a_renderer_writes():
  # where tinygrad's NULL device builds the renderer itself (tgkit.devices), the source is the same
  for target in ("NULL:PTX:sm_80", "NULL:OPENCL"):
    (r,) = gpusource.render(BUILD, [target])
    assert [(k.name, k.source) for k in r.kernels] == devices.kernel_source(BUILD, target), target


def test_tabs_are_content_tabs_with_indented_code():
  md = gpusource.tabs_markdown(gpusource.render(BUILD, ["CPU", "NULL:PTX:sm_80"]))
  assert re.findall(r'^=== "(.+)"$', md, re.M) == ["CPU", "PTX"]
  body = [ln for ln in md.split("\n") if ln and not ln.startswith("=== ")]
  assert all(ln.startswith("    ") for ln in body) and "    ```text" in md and "    ```c" in md
  assert "no thread groups" in md and "local size (" in md


@pytest.mark.parametrize("target, words", [("NULL:TYPO", "unknown renderer for NULL 'TYPO'"), ("NULL:CUDA", "needs an architecture"),
                                           ("NOSUCH", "unknown device"), ("NULL:CUDA:sm_80:x", "bad target")])
def test_bad_targets_are_one_clear_error(target, words):
  with pytest.raises(UsageError, match=re.escape(words)): gpusource.render(BUILD, [target])


def test_runtimes_are_read_from_the_runtime_files():
  rt = gpusource.runtimes()
  assert rt["CUDARenderer"] == rt["PTXRenderer"] == ["CUDA", "NV"] and rt["MetalRenderer"] == ["METAL"]
  assert rt["HIPRenderer"] == ["AMD", "HIP"] and rt["ClangRenderer"] == ["CPU"] and "NullRenderer" not in rt


def test_locate_parses_without_importing():
  assert gpusource.locate("tinygrad/runtime/ops_metal.py", "MetalProgram.__call__") == (131, 152)
  assert gpusource.locate("tinygrad/renderer/cstyle.py", "MetalRenderer.extra_args") == (360, 360)
  assert "cuLaunchKernel" in gpusource.source("tinygrad/runtime/ops_cuda.py", "CUDAProgram.__call__")
  assert gpusource.pinned_url("tinygrad/renderer/cstyle.py", "MetalRenderer.extra_args").endswith("/tinygrad/renderer/cstyle.py#L360")
  with pytest.raises(UsageError, match="no definition"): gpusource.locate("tinygrad/runtime/ops_cuda.py", "CUDAProgram.nothing")
  with pytest.raises(UsageError, match="no file"): gpusource.locate("tinygrad/runtime/ops_none.py", "X")


LINK = re.compile(r"\[`([\w.]+)`\]\(https://github\.com/tinygrad/tinygrad/blob/" + gpusource.COMMIT + r"/(tinygrad/[\w/]+\.py)#L(\d+)(?:-L(\d+))?\)")


def test_day4_gpu_reading_path_links_the_lines_of_what_it_names():
  page = (ROOT / "docs/course/day4.md").read_text(encoding="utf8")
  start = page.index("**GPU runtimes on paper.**")
  section = page[start:page.index("**The same kernel for every GPU.**", start)]
  links = LINK.findall(section)
  assert len(links) >= 25
  for name, path, first, last in links:
    assert gpusource.locate(path, name) == (int(first), int(last or first)), (name, path, first, last)
