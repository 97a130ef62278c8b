"""Which tinygrad devices open on this host, what their renderers can do, and what they compute.

- `discover()`: tinygrad's own `python -m tinygrad.device` as records: each device that opens, each renderer
  that works on it, and the reason for every failure (`Device.DEFAULT`'s "no usable devices" is turned into
  the real cause, usually: no clang).
- `capabilities(target)`: a renderer's natively supported dtypes (`renderer.supported_dtypes()`), tensor cores,
  locals and shared memory, launch limits. Targets are DEV strings: host targets ("CPU", "CPU:LLVM",
  "CPU:X86", "PYTHON") run kernels; compile-only targets use tinygrad's NULL device, which never runs a kernel
  but lowers and renders them for a GPU renderer ("NULL:PTX:sm_80", "NULL:OPENCL", "NULL:WGSL",
  "NULL:AMDLLVM:gfx1100"). Where the NULL device cannot build a renderer's compiler (PTX without nvJitLink,
  AMDLLVM with an old libLLVM) the renderer is built alone and only renders (mode "render"). CUDA C needs
  NVRTC (`NVRTC_PATH`), Metal needs macOS, HIP needs comgr; without them they are reported unavailable.
- `kernel_source(build, target)`: every kernel of an expression rendered for a target.
- `cross_check(devices)`: the op table of `tgkit.ops` on several devices, and the cases where they disagree
  with each other or all differ from numpy; with `transfers=True` also tensors moved between the devices, ops
  whose operands live on two of them, and a shard over two instances of each (`tgkit.transfer`).
- `check_device(name)`: a DEV string that works here, or a UsageError that says why not.
"""
from __future__ import annotations

import contextlib
import dataclasses
import shutil
from typing import TYPE_CHECKING

from tinygrad import Context, Device, Tensor
from tinygrad.device import ALL_DEVICES

from tgkit.errors import UsageError

if TYPE_CHECKING:
  from tinygrad.helpers import Target

  from tgkit.transfer import TransferReport

CLANG_HINT = "tinygrad's CPU device needs clang on PATH (Debian/Ubuntu: apt-get install clang; macOS: xcode-select --install)"


@dataclasses.dataclass
class RendererStatus:
  name: str          # as written after DEV=CPU:..., e.g. CLANG, LLVM, X86
  works: bool
  default: bool
  detail: str        # the DEV= string to select it, or why it failed


@dataclasses.dataclass
class DeviceStatus:
  name: str
  opened: bool
  default: bool
  reason: str = ""   # why it did not open
  renderers: list[RendererStatus] = dataclasses.field(default_factory=list)


def first_line(e: BaseException) -> str:
  text = str(e).strip().split("\n")[0] or type(e).__name__
  return f"{type(e).__name__}: {text}" if isinstance(e, (FileNotFoundError, OSError)) and "No such file" in text else text


def clang_missing() -> bool:
  return shutil.which("clang") is None


def try_renderers(device: str) -> list[RendererStatus]:
  d, out = Device[device], []
  for r in d.renderers:
    name = d._renderer_name(r)
    try:
      with Context(CACHELEVEL=0, DEV=f"{device}:{name}"): got = (Tensor([1, 2, 3], device=device) * 2).tolist()
      if got != [2, 4, 6]: raise ValueError(f"computed {got} instead of [2, 4, 6]")
      out.append(RendererStatus(name, True, type(d.renderer) is r, f"DEV={device}:{name}"))
    except Exception as e:  # noqa: BLE001 - any failure is a result to report
      out.append(RendererStatus(name, False, type(d.renderer) is r, first_line(e)))
  return out


def discover(devices: list[str] | None = None, renderers: bool = True) -> list[DeviceStatus]:
  """Try to open each device (default: every device tinygrad auto-selects from) and its renderers."""
  try: default = Device.DEFAULT
  except RuntimeError: default = ""
  out = []
  for name in devices or ALL_DEVICES:
    try:
      Device[name]
    except Exception as e:  # noqa: BLE001
      reason = first_line(e)
      if name == "CPU" and clang_missing(): reason = f"{reason} ({CLANG_HINT})"
      out.append(DeviceStatus(name, False, name == default, reason))
      continue
    out.append(DeviceStatus(name, True, name == default, renderers=try_renderers(name) if renderers else []))
  return out


def default_device() -> str:
  """`Device.DEFAULT`, or a RuntimeError that names the real cause when no device opens."""
  try:
    return Device.DEFAULT
  except RuntimeError as e:
    if clang_missing(): raise RuntimeError(f"no usable tinygrad device: {CLANG_HINT}") from e
    raise


# ---------------------------------------------------------------- renderer capabilities and compile-only targets

# the host targets (they run kernels here when their device opens) and the compile-only targets to try: the NULL
# device never runs a kernel, and with a GPU renderer it still lowers, renders (and where a compiler is present,
# compiles) kernels for that GPU
HOST_TARGETS = ("CPU", "CPU:LLVM", "CPU:X86", "PYTHON")
COMPILE_ONLY_CANDIDATES = ("NULL", "NULL:OPENCL", "NULL:WGSL", "NULL:PTX:sm_80", "NULL:AMDLLVM:gfx1100", "NULL:CUDA:sm_80",
                           "NULL:METAL", "NULL:HIP:gfx1100")
# the device a GPU renderer normally belongs to: used to build the renderer alone when the NULL device cannot
NATIVE_DEVICE = {"PTX": "CUDA", "CUDA": "CUDA", "NVCC": "CUDA", "AMDLLVM": "AMD", "HIP": "AMD", "HIPCC": "AMD", "OPENCL": "CL",
                 "QCOMCL": "QCOM", "WGSL": "WEBGPU", "METAL": "METAL", "NAK": "NV", "IR3": "QCOM"}
DTYPE_ORDER = ("bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float16", "bfloat16", "float32",
               "float64", "fp8e4m3", "fp8e5m2", "fp8e4m3fnuz", "fp8e5m2fnuz")
MODES = ("run", "compile", "render")


@dataclasses.dataclass
class Capabilities:
  """What a renderer can do, and whether its kernels run here.

  mode: "run" (kernels compile and run here), "compile" (compile-only: the NULL device lowers, renders and
  compiles kernels but never runs them), "render" (compile-only without a compiler here: source text only).
  """
  target: str
  renderer: str
  compile_only: bool
  available: bool
  mode: str
  reason: str                 # why it is not available, or why it only renders
  native_dtypes: list[str]
  emulated_dtypes: list[str]  # tinygrad lowers these to native ones (codegen/decomp)
  tensor_cores: list[str]     # e.g. WMMA_8_16_16_half_float (M_N_K_in_out)
  has_local: bool
  has_shared: bool
  has_threads: bool
  supports_float4: bool
  global_max: list[int] | None
  local_max: list[int] | None
  shared_max: int
  tensor_core_count: int = dataclasses.field(init=False)   # derived: len(tensor_cores)

  def __post_init__(self): self.tensor_core_count = len(self.tensor_cores)


def _dtype_names(ds) -> list[str]:
  from tinygrad import dtypes
  have = set(ds)
  return [n for n in DTYPE_ORDER if getattr(dtypes, n) in have]


def _canonical(target: str) -> tuple[Target, str]:
  from tinygrad.helpers import Target
  try: t = Target.parse(target.strip())
  except RuntimeError as e: raise UsageError(f"bad target {target!r}: {e}") from e
  valid = known_devices()
  if t.device not in valid: raise UsageError.unknown("device", t.device, valid)
  return t, ":".join(x for x in (t.device, t.renderer, t.arch) if x)


def known_devices() -> list[str]:
  """Device names tgkit accepts: tinygrad's auto-selected devices plus PYTHON and NULL."""
  return [*ALL_DEVICES, "PYTHON", "NULL"]


class _RenderOnly:
  """Stands in for a renderer's compiler where none is installed: the 'binary' is the source text."""
  cachekey = None
  def compile(self, src: str) -> bytes: return src.encode()
  def compile_cached(self, src: str) -> bytes: return src.encode()
  def disassemble(self, lib: bytes) -> None: pass


_RESOLVED: dict[str, tuple] = {}


def _probe_ast():
  """A small kernel AST (a float4-vectorisable reduce) scheduled on the NULL device, for probing compilers."""
  from tinygrad.uop.ops import Ops
  lin = (Tensor.empty(8, 8, device="NULL") * 2).sum(1).schedule_linear()
  return next(c.src[0] for c in lin.src if c.src[0].op is Ops.SINK)


def _resolve(target: str) -> tuple:
  """(canonical target, renderer or None, mode, reason), cached per target."""
  t, name = _canonical(target)
  if name in _RESOLVED: return _RESOLVED[name]
  renderer, mode, reason = None, "run", ""
  try:
    with Context(DEV=name): renderer = Device[t.device].renderer
    mode = "compile" if t.device == "NULL" else "run"
  except Exception as e:  # noqa: BLE001 - the failure is the answer
    reason = first_line(e)
    if t.device == "NULL" and t.renderer in NATIVE_DEVICE:
      try:
        cls = next(r for r in Device["NULL"].renderers if Device["NULL"]._renderer_name(r) == t.renderer)
        renderer, mode = cls(dataclasses.replace(t, device=NATIVE_DEVICE[t.renderer])), "render"
        renderer.compiler = _RenderOnly()
        reason = f"renders only, no compiler here ({reason})"
      except Exception as e2:  # noqa: BLE001
        renderer, reason = None, first_line(e2)
  if renderer is not None and mode != "render":
    try:
      with Context(DEV=name) if mode == "run" else contextlib.nullcontext(): _to_program(_probe_ast(), renderer, mode)
    except Exception as e:  # noqa: BLE001 - e.g. the host's libLLVM rejects vector IR
      if mode == "run": reason = f"some kernels fail to compile here ({first_line(e)})"
      else: renderer, mode, reason = _render_only_copy(renderer), "render", f"renders only, compiling fails here ({first_line(e)})"
  _RESOLVED[name] = out = (name, renderer, mode, reason)
  return out


def _to_program(ast, renderer, mode: str):
  from tinygrad.codegen import do_to_program, to_program
  # render-only renderers skip to_program's cache: its key (renderer type and target) is shared with real devices
  return do_to_program(ast, renderer) if mode == "render" else to_program(ast, renderer)


def capabilities(target: str) -> Capabilities:
  """What the renderer behind `target` supports, and whether it runs, compiles or only renders here.

  Args:
    target: a DEV string: "CPU", "CPU:LLVM", "CPU:X86", "PYTHON", "NULL", "NULL:PTX:sm_80", "NULL:OPENCL", ...

  Returns:
    Capabilities; `available` is False (with `reason`) when the renderer cannot even be built here.

  Raises:
    UsageError: an unknown device or a malformed target string.
  """
  from tinygrad import dtypes
  name, r, mode, reason = _resolve(target)
  compile_only = name.split(":")[0] == "NULL"
  if r is None:
    return Capabilities(name, "", compile_only, False, "", reason, [], [], [], False, False, False, False, None, None, 0)
  native = _dtype_names(r.supported_dtypes())
  return Capabilities(name, type(r).__name__, compile_only, True, mode, reason, native,
                      [n for n in DTYPE_ORDER if n not in native and getattr(dtypes, n) in set(dtypes.all)],
                      [str(tc) for tc in r.tensor_cores], bool(r.has_local), bool(r.has_shared), bool(r.has_threads),
                      bool(r.supports_float4), list(r.global_max) if r.global_max else None,
                      list(r.local_max) if r.local_max else None, int(r.shared_max))


def compile_only_targets(all_candidates: bool = False) -> list[str]:
  """The compile-only targets (NULL device with a renderer) that render kernels on this host.

  Args:
    all_candidates: return every candidate tried, available or not.
  """
  return [t for t in COMPILE_ONLY_CANDIDATES if all_candidates or capabilities(t).available]


def _render_only_copy(r):
  copy = type(r)(r.target)
  copy.compiler = _RenderOnly()
  return copy


def program(ast, target: str):
  """Lower a kernel AST (a SINK) for `target` into tinygrad's PROGRAM UOp.

  The program is compiled where the target compiles; where compiling fails here (a missing or too old
  compiler library), the renderer's source is still produced, without a binary.

  Raises:
    UsageError: the target is unknown or cannot render here.
  """
  name, r, mode, reason = _resolve(target)
  if r is None: raise UsageError(f"target {name!r} cannot render kernels here: {reason}")
  with Context(DEV=name) if mode == "run" else contextlib.nullcontext():
    try: return _to_program(ast, r, mode)
    except Exception:  # noqa: BLE001 - e.g. CPU:LLVM with a libLLVM that rejects the IR: show the source anyway
      if mode == "render": raise
      return _to_program(ast, _render_only_copy(r), "render")


def source_text(prg) -> str:
  """The readable source of a PROGRAM UOp: the rendered source, or for the PYTHON device (whose "source" is a
  pickle of UOps) a listing of the linearized UOps it interprets."""
  from tinygrad.uop.ops import Ops
  src = next(s.arg for s in prg.src if s.op is Ops.SOURCE)
  if prg.arg.target.device != "PYTHON": return src
  lin = next(s for s in prg.src if s.op is Ops.LINEAR).src
  index = {u: i for i, u in enumerate(lin)}
  lines = ["# the PYTHON device interprets these linearized UOps one by one"]
  for i, u in enumerate(lin):
    srcs = ", ".join(str(index[x]) if x in index else "-" for x in u.src)
    arg = "" if u.arg is None else f" {u.arg}"
    lines.append(f"{i:4d} {u.op.name:12s} {u.dtype.name if hasattr(u.dtype, 'name') else u.dtype} [{srcs}]{arg}")
  return "\n".join(lines) + "\n"


def render_source(ast, target: str) -> str:
  """The source text of one kernel AST rendered for `target` (see `source_text`)."""
  return source_text(program(ast, target))


def kernel_source(build, target: str | None = None) -> list[tuple[str, str]]:
  """(kernel name, source) for every kernel a tensor expression needs, rendered for `target`.

  Args:
    build: a zero-argument function returning a Tensor (or a Tensor; it stays valid, see `tgkit.trace`).
    target: a target string such as "CPU", "NULL:PTX:sm_80"; None for the tensor's own device.
  """
  from tgkit.trace import kernel_source as ks
  return ks(build, target)


def check_device(name: str) -> str:
  """Check that a device (optionally with a renderer: "CPU:LLVM") opens here and return its DEV string.

  Compile-only targets ("NULL:PTX:sm_80") are accepted when their renderer can be built here.

  Raises:
    UsageError: an unknown device (naming the valid ones), an unknown renderer, or one that does not open here
      (with the reason).
  """
  t, canon = _canonical(name)
  try: dev = Device[t.device]
  except Exception as e:  # noqa: BLE001
    reason = first_line(e)
    if t.device == "CPU" and clang_missing(): reason = f"{reason} ({CLANG_HINT})"
    raise UsageError(f"device {t.device!r} does not open here: {reason}") from e
  if t.renderer:
    names = dict.fromkeys(dev._renderer_name(r) for r in dev.renderers)
    if t.renderer not in names: raise UsageError.unknown(f"renderer for {t.device}", t.renderer, names)
    caps = capabilities(canon)
    if not caps.available: raise UsageError(f"{canon!r} does not work here: {caps.reason}")
  return canon


# ---------------------------------------------------------------- the op table on several devices

@dataclasses.dataclass
class Disagreement:
  """One case whose outcome differs between devices (or that no device computes like numpy)."""
  op: str
  dtype: str
  kind: str
  check: str
  status: dict[str, str]                # device -> pass | fail | error | unsupported
  max_error: dict[str, float | None]    # device -> largest error against numpy
  message: dict[str, str]               # device -> the first line of what went wrong ("" when it passed)


@dataclasses.dataclass
class CrossReport:
  """The op table run on several devices: per-device counts, cases where devices disagree, cases all get wrong."""
  devices: list[str]
  cases: int
  by_device: dict[str, dict[str, int]]  # device -> {status: count}
  disagreements: list[Disagreement]     # the status differs between devices
  all_fail: list[Disagreement]          # every device fails or errors: they agree with each other, not with numpy
  skipped: dict[str, str]               # device -> why it could not run here
  across: TransferReport | None = None  # with transfers=True: `.to` between the devices, mixed-device ops, shards


def _run_on(target: str, runner, **kw) -> list:
  t, _ = _canonical(target)
  with Context(DEV=target): return runner(device=t.device, **kw)


def cross_check(devices: list[str], ops=None, dtypes=None, runner=None, transfers: bool = False, **kw) -> CrossReport:
  """Run the op table (`tgkit.ops.run`) on several devices and compare the outcomes case by case.

  Args:
    devices: targets such as ["CPU", "CPU:LLVM", "CPU:X86", "PYTHON"] (a renderer selects it with DEV=).
    ops: op or group names (None: the whole table).
    dtypes: dtype names (None: all).
    runner: the function that checks the cases (default `tgkit.ops.run`; tests pass their own).
    transfers: also check what crosses devices (`tgkit.transfer.run` on the devices that ran, with `dtypes`):
      `.to` between each pair (bytes and copies), ops with operands on two devices (what they raise), shards.
    **kw: passed on to the runner, e.g. grads=False, kinds=("odd",), quick=True.

  Returns:
    A CrossReport. A device that does not open (or rejects the selection) is listed in `skipped`.

  Raises:
    UsageError: an unknown device name, op or dtype.
  """
  if runner is None:
    from tgkit.ops import run as runner
  results: dict[str, dict[tuple, object]] = {}
  skipped: dict[str, str] = {}
  for d in devices:
    _, canon = _canonical(d)
    try: check_device(canon)
    except UsageError as e:
      skipped[canon] = str(e)
      continue
    results[canon] = {(r.op, r.dtype, r.kind, r.check): r for r in _run_on(canon, runner, ops=ops, dtypes=dtypes, **kw)}
  ran = list(results)
  keys = list(dict.fromkeys(k for res in results.values() for k in res))
  disagree, all_fail = [], []
  for k in keys:
    rs = {d: results[d][k] for d in ran if k in results[d]}
    statuses = {d: r.status for d, r in rs.items()}
    rec = Disagreement(*k, statuses, {d: r.max_error for d, r in rs.items()}, {d: r.message for d, r in rs.items()})
    if len(set(statuses.values())) > 1: disagree.append(rec)
    elif set(statuses.values()) <= {"fail", "error"}: all_fail.append(rec)
  by_device = {d: {s: sum(r.status == s for r in res.values()) for s in ("pass", "fail", "error", "unsupported")} for d, res in results.items()}
  across = None
  if transfers:
    from tgkit.transfer import run as run_transfers
    across = run_transfers(list(dict.fromkeys(d.split(":")[0] for d in ran)), dtypes=dtypes)
  return CrossReport(ran, len(keys), by_device, disagree, all_fail, skipped, across)


def render_cross_markdown(rep: CrossReport) -> str:
  """Markdown: counts per device, then every disagreement and every case that all devices get wrong."""
  lines = [f"**{rep.cases} cases on {len(rep.devices)} devices: {len(rep.disagreements)} disagree, "
           f"{len(rep.all_fail)} fail everywhere**", "", "| device | pass | fail | error | unsupported |", "|---|---:|---:|---:|---:|"]
  for d, c in rep.by_device.items(): lines.append(f"| {d} | {c['pass']} | {c['fail']} | {c['error']} | {c['unsupported']} |")
  for d, why in rep.skipped.items(): lines.append(f"| {d} | skipped: {why.replace('|', '/')} | | | |")
  for title, recs in (("Devices disagree", rep.disagreements), ("No device matches numpy", rep.all_fail)):
    if not recs: continue
    lines += ["", f"{title}:", "", "| op | dtype | kind | check | " + " | ".join(rep.devices) + " |",
              "|---|---|---|---|" + "---|" * len(rep.devices)]
    for r in recs:
      cells = [(r.status.get(d, "-") + (f" ({r.message[d][:60]})" if r.message.get(d) else "")).replace("|", "/") for d in rep.devices]
      lines.append(f"| {r.op} | {r.dtype} | {r.kind} | {r.check} | " + " | ".join(cells) + " |")
  if rep.across is not None:
    from tgkit.transfer import render_markdown
    lines += ["", render_markdown(rep.across).rstrip("\n")]
  return "\n".join(lines) + "\n"


def render_capabilities_markdown(caps: list[Capabilities]) -> str:
  """Markdown table of renderer capabilities (one row per target)."""
  lines = ["| target | renderer | mode | native dtypes | tensor cores | locals | shared | global max | local max |",
           "|---|---|---|---:|---:|---|---|---|---|"]
  for c in caps:
    if not c.available:
      lines.append(f"| {c.target} | not here: {c.reason.replace('|', '/')} | | | | | | | |")
      continue
    mode = c.mode + (" (compile-only)" if c.compile_only else "")
    lines.append(f"| {c.target} | {c.renderer} | {mode} | {len(c.native_dtypes)} | {c.tensor_core_count} | "
                 f"{'yes' if c.has_local else 'no'} | {'yes' if c.has_shared else 'no'} | {c.global_max} | {c.local_max} |")
  return "\n".join(lines) + "\n"
