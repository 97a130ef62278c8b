"""GPU kernels on paper: the source tinygrad's GPU renderers write, on a machine without the GPU or its compiler.

A tinygrad renderer is Python that writes text; only its compiler needs the vendor's library (NVRTC for CUDA C,
nvJitLink for PTX on NV, Apple's MTLCompiler for Metal, comgr for HIP, a libLLVM with the AMDGPU target for AMD's
LLVM IR). `tgkit.devices` asks tinygrad's NULL device for a renderer, which builds the compiler too, so CUDA C,
Metal and HIP are unavailable where those libraries are missing. Here each renderer is built with its compilers
replaced by a stand-in that hands the source back, so every GPU renderer writes its kernels on any machine.
Nothing is compiled and nothing runs.

- `GPU_TARGETS`: a label per GPU renderer and the target it is built for ("NULL:CUDA:sm_80", ...).
- `renderer(target)`: the renderer behind a target, with a compiler that only returns the source.
- `render(build, targets)`: every kernel of a tensor expression rendered for each target, with its launch sizes.
- `tabs_markdown(renderings)`: the renderings as MkDocs Material content tabs, one tab per target.
- `runtimes()`: which devices (`tinygrad/runtime/ops_*.py`) use which renderer, read from the runtime sources
  (ops_metal.py only imports on macOS).
- `locate(path, qualname)`: the first and last line of a definition in the installed tinygrad, `source` its text
  and `pinned_url` its lines on GitHub at the pinned commit.
"""
from __future__ import annotations

import ast
import contextlib
import dataclasses
import functools
import pathlib
import re
import sys
import types
from typing import TYPE_CHECKING, Callable

from tgkit.errors import UsageError

if TYPE_CHECKING:
  from tinygrad import Tensor
  from tinygrad.renderer import Renderer

COMMIT = "a9069c177a9da9cca18593edf55acd2e6073cca6"   # tinygrad's GitHub snapshot nearest 0.14.0

# label -> target: the renderer after NULL:, then the architecture it writes for (an A100, an M3, an RX 7900)
GPU_TARGETS = {"CUDA": "NULL:CUDA:sm_80", "PTX": "NULL:PTX:sm_80", "Metal": "NULL:METAL:Apple9", "HIP": "NULL:HIP:gfx1100",
               "AMD LLVM": "NULL:AMDLLVM:gfx1100"}
# the device whose runtime normally owns a renderer: the renderer is built for it (its __init__ picks the compiler by it)
NATIVE_DEVICE = {"CUDA": "CUDA", "NVCC": "CUDA", "PTX": "CUDA", "METAL": "METAL", "HIP": "AMD", "HIPCC": "AMD", "AMDLLVM": "AMD",
                 "OPENCL": "CL", "WGSL": "WEBGPU"}
# pygments lexer per renderer class, for the content tabs
LANGUAGE = {"ClangRenderer": "c", "CUDARenderer": "cuda", "PTXRenderer": "text", "MetalRenderer": "cpp", "HIPRenderer": "cpp",
            "AMDLLVMRenderer": "llvm", "OpenCLRenderer": "c", "WGSLRenderer": "text", "NullRenderer": "c"}
# the modules GPU renderers import their compilers from (inside __init__), and the compiler names they import
_COMPILER_MODULES = {"tinygrad.runtime.support.compiler_cuda": ("NVRTCCompiler", "NVCCCompiler", "PTXCompiler", "NVPTXCompiler"),
                     "tinygrad.runtime.support.compiler_amd": ("HIPCompiler", "HIPCCCompiler"),
                     "tinygrad.runtime.support.compiler_llvm": ("AMDLLVMCompiler",),
                     "tinygrad.runtime.ops_metal": ("MetalCompiler",)}


@dataclasses.dataclass
class KernelText:
  """One kernel as a renderer wrote it, and the launch sizes tinygrad computed for it."""
  name: str
  source: str
  global_size: list[int]          # the grid: how many groups (CUDA blocks, Metal threadgroups, AMD workgroups)
  local_size: list[int] | None    # threads in one group; None where the renderer has no thread groups (CPU)


@dataclasses.dataclass
class Rendering:
  """An expression's kernels rendered for one target."""
  label: str
  target: str
  renderer: str                   # the renderer's class name
  language: str                   # a pygments lexer name for the source
  kernels: list[KernelText]


def _stand_in(*args, **kwargs):
  from tgkit.devices import _RenderOnly
  return _RenderOnly()


@contextlib.contextmanager
def _stand_in_compilers():
  """While active, the compiler modules GPU renderers import from are stand-ins whose compilers return the source."""
  import tinygrad.renderer.cstyle  # noqa: F401 - the renderers' own modules stay the real ones
  import tinygrad.renderer.llvmir  # noqa: F401
  import tinygrad.renderer.ptx  # noqa: F401
  saved = {m: sys.modules.get(m) for m in _COMPILER_MODULES}
  try:
    for m, names in _COMPILER_MODULES.items():
      stub = types.ModuleType(m)
      for n in names: setattr(stub, n, _stand_in)
      sys.modules[m] = stub
    yield
  finally:
    for m, old in saved.items():
      if old is None: sys.modules.pop(m, None)
      else: sys.modules[m] = old


_RENDERERS: dict[str, Renderer] = {}


def renderer(target: str) -> Renderer:
  """The renderer behind `target`, built so that it only renders: its compiler hands the source back.

  Args:
    target: a GPU target "NULL:<renderer>:<arch>" with a renderer of `NATIVE_DEVICE` ("NULL:CUDA:sm_80",
      "NULL:METAL:Apple9", "NULL:HIP:gfx1100", ...; the renderer is built for the device that owns it, e.g. CUDA for
      PTX), or any other target that opens here ("CPU", "CPU:LLVM", "NULL", "PYTHON"), whose own renderer is used.

  Raises:
    UsageError: an unknown device or renderer, a malformed target, or a GPU renderer without its architecture.
  """
  from tinygrad import Context, Device
  from tinygrad.helpers import Target
  from tgkit import devices
  t, name = devices._canonical(target)
  if name in _RENDERERS: return _RENDERERS[name]
  by_name = {Device["NULL"]._renderer_name(r): r for r in Device["NULL"].renderers}
  if t.device == "NULL" and t.renderer and t.renderer not in by_name: raise UsageError.unknown("renderer for NULL", t.renderer, by_name)
  if t.device == "NULL" and t.renderer in NATIVE_DEVICE:
    if t.renderer in ("CUDA", "NVCC", "PTX", "HIP", "HIPCC", "AMDLLVM") and not t.arch:
      raise UsageError(f"{name!r} needs an architecture, e.g. {next((v for v in GPU_TARGETS.values() if v.split(':')[1] == t.renderer), 'NULL:CUDA:sm_80')}")
    with _stand_in_compilers():
      try: r = by_name[t.renderer](Target(NATIVE_DEVICE[t.renderer], t.renderer, t.arch))
      except Exception as e:  # noqa: BLE001 - e.g. an architecture string the renderer cannot parse
        raise UsageError(f"cannot build the {t.renderer} renderer for {t.arch!r}: {devices.first_line(e)}") from e
  else:
    try:
      with Context(DEV=name): r = devices._render_only_copy(Device[t.device].renderer)
    except Exception as e:  # noqa: BLE001
      raise UsageError(f"{name!r} does not render here: {devices.first_line(e)}") from e
  r.compiler = devices._RenderOnly()
  _RENDERERS[name] = r
  return r


def _sinks(build: Callable[[], Tensor] | Tensor) -> list:
  from tinygrad.engine.realize import run_linear
  from tinygrad.uop.ops import Ops
  from tgkit.trace import _build
  t = _build(build)
  if t.uop.is_virtual or t.uop.has_buffer_identity(): return []
  linear = t.schedule_linear()
  try: return [c.src[0] for c in linear.src if c.src[0].op is Ops.SINK]
  finally: run_linear(linear)    # schedule_linear pointed the tensors at these buffers: fill them


def _label(target: str) -> str:
  return next((k for k, v in GPU_TARGETS.items() if v == target), target)


def render(build: Callable[[], Tensor] | Tensor, targets: list[str] | tuple[str, ...] | None = None) -> list[Rendering]:
  """Every kernel of a tensor expression, rendered (never compiled) for each target.

  Args:
    build: a zero-argument function returning a Tensor (or a Tensor). Its schedule runs on the tensor's own device,
      as in `tgkit.trace`, so the tensors hold their values afterwards.
    targets: targets for `renderer` (default: "CPU" and every GPU target of `GPU_TARGETS`).

  Returns:
    One Rendering per target, in the order given; kernels in schedule order with their launch sizes.

  Raises:
    UsageError: `build` gives no Tensor, or a target that `renderer` rejects.
  """
  from tinygrad.codegen import do_to_program
  from tgkit.devices import source_text
  from tgkit.trace import _kernel_name
  targets = list(targets) if targets is not None else ["CPU", *GPU_TARGETS.values()]
  rs = [(t, renderer(t)) for t in targets]   # bad targets fail before anything is scheduled
  sinks = _sinks(build)
  out = []
  for target, r in rs:
    kernels = []
    for s in sinks:
      prg = do_to_program(s, r)
      gs, ls = prg.arg.launch_dims({})
      local = [int(x) for x in ls] if ls is not None and r.has_local else None
      kernels.append(KernelText(_kernel_name(prg), source_text(prg), [int(x) for x in gs], local))
    name = type(r).__name__
    out.append(Rendering(_label(target), target, name, LANGUAGE.get(name, "text"), kernels))
  return out


def tabs_markdown(renderings: list[Rendering]) -> str:
  """MkDocs Material content tabs (`=== "CUDA"`), one per rendering: each kernel's launch sizes, then its source."""
  lines: list[str] = []
  for rd in renderings:
    lines += [f'=== "{rd.label}"', "", f"    `{rd.renderer}` for `{rd.target}`", ""]
    for k in rd.kernels:
      launch = f"global size {tuple(k.global_size)}, " + (f"local size {tuple(k.local_size)}" if k.local_size is not None else "no thread groups")
      lines += [f"    `{k.name}`: {launch}", "", f"    ```{rd.language}"]
      lines += [f"    {ln}" if ln else "" for ln in k.source.rstrip().split("\n")]
      lines += ["    ```", ""]
  return "\n".join(lines)


# ---------------------------------------------------------------- where the runtimes live

def _package() -> pathlib.Path:
  import tinygrad
  return pathlib.Path(tinygrad.__file__).parent


_RUNTIME_INIT = re.compile(r"super\(\)\.__init__\(device,\s*\w+\(self\),\s*\[([\w, ]+)\]")


def runtimes() -> dict[str, list[str]]:
  """Renderer class name -> the devices whose runtime lists it, read from the text of `tinygrad/runtime/ops_*.py`
  (the `Compiled.__init__` call of each device; the first renderer of a device is its default)."""
  out: dict[str, list[str]] = {}
  for f in sorted((_package() / "runtime").glob("ops_*.py")):
    for m in _RUNTIME_INIT.finditer(f.read_text(encoding="utf8")):
      for r in (x.strip() for x in m.group(1).split(",")):
        out.setdefault(r, []).append(f.stem[4:].upper())
  return out


def _named(body, name: str):
  for node in body:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name: return node
    if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets): return node
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name: return node
  return None


@functools.lru_cache(maxsize=None)
def _tree(path: str) -> ast.Module:
  file = _package().parent / path
  if not path.startswith("tinygrad/") or not file.is_file(): raise UsageError(f"no file {path!r} in the installed tinygrad")
  return ast.parse(file.read_text(encoding="utf8"))


def locate(path: str, qualname: str) -> tuple[int, int]:
  """(first, last) line of a class, function or assignment of the installed tinygrad, found by parsing the file
  (no import: `tinygrad/runtime/ops_metal.py` only imports on macOS). The first line is the `def`/`class` line
  (after any decorators).

  Args:
    path: "tinygrad/runtime/ops_cuda.py"
    qualname: "CUDAProgram.__call__", "CUDAAllocator", "compile_hip", "CUDARenderer.code_for_workitem"

  Raises:
    UsageError: no such file or definition.
  """
  node = _tree(path)
  for part in qualname.split("."):
    node = _named(getattr(node, "body", []), part)
    if node is None: raise UsageError(f"no definition {qualname!r} in {path}")
  return node.lineno, node.end_lineno


def source(path: str, qualname: str) -> str:
  """The text of a definition of the installed tinygrad (see `locate`), read without importing its module."""
  a, b = locate(path, qualname)
  return "\n".join((_package().parent / path).read_text(encoding="utf8").split("\n")[a - 1:b])


def pinned_url(path: str, qualname: str) -> str:
  """The lines of a definition (see `locate`) on GitHub at the pinned commit: .../blob/<commit>/<path>#L<a>-L<b>
  (#L<a> for a one-line definition)."""
  a, b = locate(path, qualname)
  return f"https://github.com/tinygrad/tinygrad/blob/{COMMIT}/{path}#L{a}" + (f"-L{b}" if b != a else "")
