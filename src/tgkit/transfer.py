"""Tensors across devices: what `.to` copies, what an op on tensors of two devices raises, what a sharded op computes.

- `count_copies(*tensors)`: realize tensors the way `Tensor.realize` does and list the copies (the COPY calls of
  the schedule, with their devices and bytes) apart from the kernels.
- `check_transfer(src, dst, dtype)`: one `.to(dst)` checked: every byte arrives, and the copies are the ones
  tinygrad should make (none when the tensor is already there, one otherwise).
- `check_mixed(op, a_device, b_device)`: one op whose operands live on two devices: whether it raises, when
  (building the tensor, or realizing it), what, and whether an operand lost its data on the way.
- `check_shard(devices)`: a tensor sharded over several instances of one device and summed: value and copies.
- `run(devices)`: all of the above for a set of devices; `tgkit.devices.cross_check(..., transfers=True)` adds it
  to the cross-device report.

Device names here are tinygrad's device instances ("CPU", "CPU:1", "PYTHON", "PYTHON:1"; "CPU:0" is "CPU"), not
`DEV=` targets: a renderer is chosen per process, an instance is a second device of the same kind.
"""
from __future__ import annotations

import dataclasses
import re
import zlib

import numpy as np

from tinygrad import Device, Tensor, dtypes

from tgkit.errors import UsageError

# one dtype per width and kind: a copy moves bytes, so these cover what a transfer can get wrong
TRANSFER_DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64")
STATUSES = ("pass", "fail", "error")
# devices whose buffers hold no data (NULL runs nothing, DISK and NPY only store): no transfer is checked on them
NO_DATA = ("NULL", "DISK", "NPY", "TINYFS")


@dataclasses.dataclass
class Copy:
  """One COPY call of a schedule."""
  src: str
  dst: str
  nbytes: int


@dataclasses.dataclass
class Counted:
  """What realizing some tensors ran: the copies, and how many kernels (compiled programs) besides."""
  copies: list[Copy]
  kernels: int


def _dev(d) -> str: return d if isinstance(d, str) else "(" + ", ".join(d) + ")"


def count_copies(*tensors: Tensor) -> Counted:
  """Realize `tensors` (as `Tensor.realize` does) and return the copies and kernels their schedule ran.

  A copy is a call of the schedule whose AST is a COPY (tinygrad's `GlobalCounters.kernel_count` counts it as a
  kernel too). Tensors that are already realized cost nothing.
  """
  from tinygrad.engine.realize import estimate_uop, run_linear
  from tinygrad.uop.ops import Ops
  todo = [t for t in tensors if not t.uop.is_virtual and not t.uop.has_buffer_identity()]
  if not todo: return Counted([], 0)
  linear, var_vals = Tensor.linear_with_vars(*todo)
  copies, kernels = [], 0
  for call in linear.src:
    if call.src[0].op is Ops.COPY: copies.append(Copy(_dev(call.src[2].device), _dev(call.src[1].device), int(estimate_uop(call).mem)))
    else: kernels += 1
  run_linear(linear, var_vals)
  return Counted(copies, kernels)


def canonical(device: str) -> str:
  """A device instance as tinygrad names it ("cpu:0" -> "CPU"), checked to open here.

  Raises:
    UsageError: an unknown device, an instance that is not a number, or a device that does not open here.
  """
  from tgkit.devices import first_line, known_devices
  base, _, idx = device.strip().partition(":")
  if base.upper() not in known_devices(): raise UsageError.unknown("device", base.upper(), known_devices())
  if idx and not re.fullmatch(r"\d+", idx):
    raise UsageError(f"{device!r} is not a device instance: write DEVICE or DEVICE:N (a renderer is chosen with DEV=, not here)")
  name = Device.canonicalize(device.strip())
  try: Device[name]
  except Exception as e:  # noqa: BLE001 - the reason is the answer
    raise UsageError(f"device {name!r} does not open here: {first_line(e)}") from e
  return name


def _dtype(name: str):
  dt = getattr(dtypes, name, None) if isinstance(name, str) else None
  if dt is None or dt not in dtypes.all: raise UsageError.unknown("dtype", str(name), [str(d).removeprefix("dtypes.") for d in dtypes.all])
  return dt


def payload(dtype: str, n: int = 8) -> bytes:
  """`n` values of `dtype` as raw bytes, seeded by the dtype's name: any bit pattern (NaN payloads, -0.0,
  subnormals included), booleans 0 or 1."""
  dt = _dtype(dtype)
  raw = np.random.default_rng(zlib.crc32(dtype.encode())).integers(0, 256, n * dt.itemsize, dtype=np.uint8)
  return bytes(raw & 1 if dt == dtypes.bool else raw)


@dataclasses.dataclass
class TransferCase:
  """One `.to`: the tensor's bytes before and after, and the copies realizing it ran."""
  src: str
  dst: str
  dtype: str
  nbytes: int
  copies: int             # COPY calls in the schedule that realized the moved tensor
  expected_copies: int    # 0 when src and dst are the same device, else 1
  same_tensor: bool       # `.to` returned the tensor itself
  status: str             # pass | fail | error
  message: str = ""


def check_transfer(src: str, dst: str, dtype: str = "float32", n: int = 8) -> TransferCase:
  """Move `n` values of `dtype` from `src` to `dst` with `.to` and check the bytes and the copies.

  The source tensor is realized on `src` first, so the only copies counted are the ones `.to` makes.

  Raises:
    UsageError: an unknown dtype or device, or a device that does not open here.
  """
  src, dst, dt = canonical(src), canonical(dst), _dtype(dtype)
  data = payload(dtype, n)
  expected = 0 if src == dst else 1
  case = TransferCase(src, dst, dtype, len(data), 0, expected, False, "pass")
  try:
    x = Tensor(data, dtype=dt, device=src).realize()
    y = x.to(dst)
    case.same_tensor = y is x
    counted = count_copies(y)
    case.copies = len(counted.copies)
    got = bytes(y.uop.buffer.as_memoryview())
  except Exception as e:  # noqa: BLE001 - a failing transfer is a result
    from tgkit.devices import first_line
    case.status, case.message = "error", f"{type(e).__name__}: {first_line(e)}"
    return case
  problems = []
  if got != data: problems.append(f"{sum(a != b for a, b in zip(got, data))} of {len(data)} bytes changed")
  if case.copies != expected: problems.append(f"{case.copies} copies, expected {expected}")
  if counted.kernels: problems.append(f"{counted.kernels} kernel{'s' if counted.kernels > 1 else ''} ran besides the copy")
  if problems: case.status, case.message = "fail", "; ".join(problems)
  return case


# ---------------------------------------------------------------- ops whose operands live on two devices

A_VALUES, B_VALUES = [1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]

# name -> (tinygrad on tensors a and b, numpy on arrays a and b)
MIXED_OPS = {
  "a + b": (lambda a, b: a + b, lambda a, b: a + b),
  "a @ b": (lambda a, b: a.reshape(2, 2) @ b.reshape(2, 2), lambda a, b: a.reshape(2, 2) @ b.reshape(2, 2)),
  "a.cat(b)": (lambda a, b: a.cat(b), lambda a, b: np.concatenate([a, b])),
  "(a > 2).where(a, b)": (lambda a, b: (a > 2).where(a, b), lambda a, b: np.where(a > 2, a, b)),
  "a[b.int() % 4]": (lambda a, b: a[b.int() % 4], lambda a, b: a[b.astype(np.int32) % 4]),
  "a.assign(b)": (lambda a, b: a.assign(b), lambda a, b: b),
}


@dataclasses.dataclass
class MixedCase:
  """One op with `a` on one device and `b` on another."""
  op: str
  a_device: str
  b_device: str
  outcome: str            # raises | computes | wrong (computes a value unlike numpy's)
  when: str               # where it raised: "build" (making the tensor) or "realize"; "" when it computed
  error: str              # "RuntimeError: all buffers must be on the same device: ['CPU', 'PYTHON']"
  lost: list[str]         # operands whose pending data the failed realize dropped: they now name a buffer nothing filled


def _lost(t: Tensor) -> bool:
  from tinygrad.uop.ops import Ops
  return t.uop.op is Ops.BUFFER and not t.uop.is_realized


def check_mixed(op: str, a_device: str, b_device: str) -> MixedCase:
  """Run one of `MIXED_OPS` with `a = Tensor([1, 2, 3, 4], device=a_device)` and `b = Tensor([5, 6, 7, 8],
  device=b_device)`, both made from Python lists and not realized (as a learner's first tensors are).

  Raises:
    UsageError: an unknown op or device.
  """
  from tgkit.devices import first_line
  if op not in MIXED_OPS: raise UsageError.unknown("mixed-device op", op, MIXED_OPS)
  a_device, b_device = canonical(a_device), canonical(b_device)
  fn, ref = MIXED_OPS[op]
  a, b = Tensor(A_VALUES, device=a_device), Tensor(B_VALUES, device=b_device)
  when = "build"
  try:
    out = fn(a, b)
    when = "realize"
    got = out.numpy()
  except Exception as e:  # noqa: BLE001 - what it raises is the answer
    return MixedCase(op, a_device, b_device, "raises", when, f"{type(e).__name__}: {first_line(e)}",
                     [n for n, t in (("a", a), ("b", b)) if _lost(t)])
  want = ref(np.array(A_VALUES, np.float32), np.array(B_VALUES, np.float32))
  ok = got.shape == want.shape and np.array_equal(got, want)
  return MixedCase(op, a_device, b_device, "computes" if ok else "wrong", "", "" if ok else f"got {got.tolist()}, numpy {want.tolist()}", [])


# ---------------------------------------------------------------- one tensor on several devices

@dataclasses.dataclass
class ShardCase:
  """`Tensor.shard(devices, axis=0).sum()`: the value, the copies and kernels it took, and where the result lives."""
  devices: list[str]
  n: int
  value: float | None
  expected: float
  result_device: str
  copies: int
  kernels: int
  status: str             # pass | fail | error
  message: str = ""


def check_shard(devices: list[str], n: int = 8) -> ShardCase:
  """Shard `arange(n)` over `devices` along axis 0, sum it, and check the value and the copies.

  The devices must be instances of one device ("CPU", "CPU:1"): a sharded kernel is compiled once and the same
  binary is loaded on every device of the tuple (`exec_kernel` in tinygrad/engine/realize.py), so a shard over
  two backends cannot run.

  Raises:
    UsageError: fewer than two devices, devices of different backends, or a device that does not open here.
  """
  names = [canonical(d) for d in devices]
  if len(set(names)) < 2: raise UsageError(f"shard over at least two different devices, got {names}")
  if len({d.split(':')[0] for d in names}) > 1:
    raise UsageError(f"shard over instances of one device (CPU, CPU:1), not {', '.join(names)}: tinygrad compiles a sharded "
                     "kernel once and loads the same binary on every device")
  expected = float(n * (n - 1) // 2)
  case = ShardCase(names, n, None, expected, "", 0, 0, "pass")
  try:
    x = Tensor(np.arange(n, dtype=np.float32), device=names[0]).realize()
    s = x.shard(tuple(names), axis=0).sum()
    counted = count_copies(s)
    case.copies, case.kernels, case.result_device = len(counted.copies), counted.kernels, _dev(s.device)
    case.value = float(s.item())
  except Exception as e:  # noqa: BLE001
    from tgkit.devices import first_line
    case.status, case.message = "error", f"{type(e).__name__}: {first_line(e)}"
    return case
  if case.value != expected: case.status, case.message = "fail", f"sum is {case.value}, expected {expected}"
  return case


# ---------------------------------------------------------------- all of it for a set of devices

@dataclasses.dataclass
class TransferReport:
  """Transfers between every pair of devices, ops across pairs, shards over instances of each device."""
  devices: list[str]
  transfers: list[TransferCase]
  mixed: list[MixedCase]
  shards: list[ShardCase]
  skipped: dict[str, str]   # device -> why no transfer was checked on it

  @property
  def problems(self) -> int:
    """Transfers and shards that did not pass, and mixed ops that computed a wrong value."""
    return (sum(t.status != "pass" for t in self.transfers) + sum(s.status != "pass" for s in self.shards)
            + sum(m.outcome == "wrong" for m in self.mixed))


def second_instance(device: str) -> str:
  """The next instance of a device: "CPU" -> "CPU:1", "PYTHON:1" -> "PYTHON:2"."""
  base, _, idx = device.partition(":")
  return f"{base}:{int(idx or 0) + 1}"


def transfer_pairs(devices: list[str]) -> list[tuple[str, str]]:
  """(src, dst) pairs to check: each device to itself and to its second instance, and every ordered pair of two
  different devices."""
  out = []
  for d in devices: out += [(d, d), (d, second_instance(d))]
  out += [(a, b) for a in devices for b in devices if a != b]
  return out


def run(devices: list[str], dtypes: list[str] | None = None, ops: list[str] | None = None, shard: bool = True,
        n: int = 8) -> TransferReport:
  """Check transfers, mixed-device ops and shards for `devices` (device names; a renderer suffix such as
  "CPU:LLVM" is dropped, since a copy does not involve the renderer).

  Args:
    devices: e.g. ["CPU", "PYTHON"]; each is paired with itself, its second instance and the others.
    dtypes: dtype names for the transfers (None: `TRANSFER_DTYPES`).
    ops: names from `MIXED_OPS` (None: all).
    shard: also shard over each device and its second instance.
    n: elements per transfer.

  Raises:
    UsageError: an unknown device, dtype or op.
  """
  from tgkit.devices import first_line, known_devices
  names, skipped = [], {}
  for d in devices:
    base, _, rest = d.strip().partition(":")
    name = base.upper() + (f":{rest}" if rest.isdigit() else "")   # "CPU:LLVM" -> "CPU": a renderer is not an instance
    if base.upper() in NO_DATA:
      skipped[name] = "holds no data to compare" if base.upper() != "NULL" else "runs nothing (compile-only)"
      continue
    if base.upper() not in known_devices(): raise UsageError.unknown("device", base.upper(), known_devices())
    try: name = canonical(name)
    except UsageError as e:
      skipped[name] = str(e)
      continue
    if name not in names: names.append(name)
  for dt in dtypes or (): _dtype(dt)
  for op in ops or ():
    if op not in MIXED_OPS: raise UsageError.unknown("mixed-device op", op, MIXED_OPS)
  transfers, mixed, shards = [], [], []
  pairs = []
  for src, dst in transfer_pairs(names):
    try: canonical(dst)
    except UsageError as e:
      skipped.setdefault(dst, first_line(e))
      continue
    pairs.append((src, dst))
  for src, dst in pairs:
    transfers += [check_transfer(src, dst, dt, n) for dt in dtypes or TRANSFER_DTYPES]
  for src, dst in pairs:
    if src != dst: mixed += [check_mixed(op, src, dst) for op in ops or MIXED_OPS]
  if shard:
    shards = [check_shard([d, second_instance(d)], n) for d in names if second_instance(d) not in skipped]
  return TransferReport(names, transfers, mixed, shards, skipped)


def _cell(m: MixedCase) -> str:
  if m.outcome == "raises": return f"raises at {m.when}" + (f", {' and '.join(m.lost)} lost" if m.lost else "")
  return m.outcome if m.outcome == "computes" else f"WRONG: {m.error}".replace("|", "/")


def render_markdown(rep: TransferReport) -> str:
  """Markdown: transfers per pair of devices, then each op across devices (what it raised), then the shards."""
  lines = [f"**Across devices: {len(rep.transfers)} transfers, {len(rep.mixed)} mixed-device ops, {len(rep.shards)} shards; "
           f"{rep.problems} problems**", "", "| .to | dtypes | copies each | status |", "|---|---|---:|---|"]
  by_pair: dict[tuple[str, str], list[TransferCase]] = {}
  for t in rep.transfers: by_pair.setdefault((t.src, t.dst), []).append(t)
  for (src, dst), ts in by_pair.items():
    copies = sorted({t.copies for t in ts})
    bad = [f"{t.dtype}: {t.message}" for t in ts if t.status != "pass"]
    status = "pass" if not bad else "; ".join(bad).replace("|", "/")
    lines.append(f"| {src} -> {dst} | {len(ts)} | {', '.join(map(str, copies))} | {status} |")
  for d, why in rep.skipped.items(): lines.append(f"| {d} | skipped: {why.replace('|', '/')} | | |")
  if rep.mixed:
    pairs = list(dict.fromkeys((m.a_device, m.b_device) for m in rep.mixed))
    lines += ["", "Ops with `a` on the first device and `b` on the second (lost: the operand's data was still to be copied "
              "to its device, and the failed realize dropped that copy):", "",
              "| op | " + " | ".join(f"{a} & {b}" for a, b in pairs) + " | what it raised (first pair) |",
              "|---|" + "---|" * len(pairs) + "---|"]
    for op in dict.fromkeys(m.op for m in rep.mixed):
      cases = {(m.a_device, m.b_device): m for m in rep.mixed if m.op == op}
      cells = [_cell(cases[p]) if p in cases else "-" for p in pairs]
      first = next(m for m in cases.values())
      lines.append(f"| `{op}` | " + " | ".join(cells) + f" | {(first.error if first.outcome == 'raises' else '-').replace('|', '/')} |")
  if rep.shards:
    lines += ["", "| shard(axis=0).sum() over | value | result on | copies | kernels | status |", "|---|---:|---|---:|---:|---|"]
    for s in rep.shards:
      lines.append(f"| {', '.join(s.devices)} | {s.value} | {s.result_device} | {s.copies} | {s.kernels} | "
                   f"{s.status}{(': ' + s.message) if s.message else ''} |")
  return "\n".join(lines) + "\n"
