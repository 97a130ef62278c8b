"""Which tinygrad devices open on this host, which renderers work on them, and why the others don't.

tinygrad's own `python -m tinygrad.device` prints this as coloured text; `discover()` returns it as
records, and `Device.DEFAULT`'s "no usable devices" is turned into the real reason (usually: no clang).
"""
from __future__ import annotations

import dataclasses
import shutil

from tinygrad import Context, Device, Tensor
from tinygrad.device import ALL_DEVICES

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
