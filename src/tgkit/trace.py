"""Trace a tensor expression: its UOp graph, its schedule and the source of each kernel, without corrupting it.

`trace(build)` takes a zero-argument function that builds a Tensor (or a Tensor) and returns a `Trace`:

- `graph_text`: the UOp graph as an indented tree (shared nodes are printed once and referenced by id),
- `histogram`: how many UOps of each `Ops` kind the graph holds,
- `mermaid()`: a Mermaid flowchart of the graph, bounded in size, with Mermaid-safe labels,
- `schedule`: the steps tinygrad runs in order (kernels, copies, other calls) with their buffers,
- `kernels`: (name, source) of every kernel, rendered for a chosen target (a device, a renderer, or a
  compile-only target such as "NULL:PTX:sm_80"),
- `kernel_count`: how many kernels the schedule holds.

tinygrad's `Tensor.schedule_linear()` rewrites the scheduled tensor, and every live tensor sharing its graph,
to point at buffers that the schedule has not filled yet. `trace` therefore runs the schedule after reading it,
so every tensor the expression touched holds its correct value afterwards.

    >>> from tinygrad import Tensor
    >>> t = trace(lambda: (Tensor.ones(4, 4) + 1).sum())
    >>> t.kernel_count
    2
"""
from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable

from tinygrad import Device, Tensor
from tinygrad.helpers import ansistrip, prod
from tinygrad.uop.ops import Ops, UOp

from tgkit.errors import UsageError

MAX_TEXT_LINES = 200     # graph_text is cut after this many lines
MAX_MERMAID_NODES = 40   # mermaid() draws at most this many UOps (the ones nearest the output)
ARG_OPS = {Ops.CONST, Ops.REDUCE, Ops.RESHAPE, Ops.PERMUTE, Ops.EXPAND, Ops.PAD, Ops.SHRINK, Ops.FLIP, Ops.CAST, Ops.BITCAST, Ops.COPY}


@dataclasses.dataclass
class Node:
  """One UOp of the graph; `srcs` are the ids of its sources, `id` 0 is the output."""
  id: int
  op: str
  dtype: str
  shape: str
  arg: str
  srcs: list[int]


@dataclasses.dataclass
class BufferRef:
  slot: int      # buffers are numbered 0, 1, ... in order of first use in this schedule
  device: str
  dtype: str
  shape: list[int]
  nbytes: int


@dataclasses.dataclass
class Step:
  """One call of the schedule: a kernel, a copy between devices, or another call."""
  index: int
  kind: str          # "kernel" | "copy" | "other"
  name: str          # kernel name (e.g. r_16), "copy PYTHON -> CPU", or the call's op
  device: str
  buffers: list[BufferRef]


@dataclasses.dataclass
class KernelSource:
  name: str
  source: str


@dataclasses.dataclass
class Trace:
  """What `trace()` found; JSON-serialisable with `dataclasses.asdict`."""
  shape: list[int]
  dtype: str
  device: str
  target: str            # the target the kernel sources were rendered for
  compile_only: bool     # True when that target cannot run kernels here
  graph_text: str
  histogram: dict[str, int]
  nodes: list[Node]
  schedule: list[Step]
  kernels: list[KernelSource]
  kernel_count: int = dataclasses.field(init=False)   # derived: the kernel steps of the schedule

  def __post_init__(self): self.kernel_count = sum(s.kind == "kernel" for s in self.schedule)

  def mermaid(self, max_nodes: int = MAX_MERMAID_NODES) -> str:
    """The graph as a Mermaid flowchart (output at the bottom), with at most `max_nodes` UOps drawn."""
    return render_mermaid(self.nodes, max_nodes)

  def source(self, name: str) -> str:
    """The source of the kernel called `name`.

    Raises:
      UsageError: no kernel of that name.
    """
    for k in self.kernels:
      if k.name == name: return k.source
    raise UsageError.unknown("kernel", name, [k.name for k in self.kernels])


# ---------------------------------------------------------------- graph

def _dtype(u: UOp) -> str: return u.dtype.name if hasattr(u.dtype, "name") else str(u.dtype)


def _shape(u: UOp) -> str:
  try: sh = u.shape
  except Exception:  # noqa: BLE001 - some UOps have no shape
    return ""
  return "(" + ",".join(str(s) for s in sh) + ")" if sh is not None else ""


def _arg(u: UOp) -> str:
  if u.op is Ops.BUFFER: return f"{prod(u.shape) * u.dtype.itemsize}B on {u.arg.device}" if hasattr(u.arg, "device") else ""
  if u.op not in ARG_OPS or u.arg is None: return ""
  a = u.arg
  if u.op is Ops.REDUCE and isinstance(a, tuple): return f"{a[0].name} {a[1]}"
  if hasattr(a, "val"): a = a.val          # ConstFloat and friends
  text = a.name if hasattr(a, "name") and not isinstance(a, str) else str(a)
  return text if len(text) <= 40 else text[:37] + "..."


def graph_nodes(root: UOp) -> list[Node]:
  """The UOps of `root`'s graph, numbered breadth-first from the output (id 0)."""
  ids: dict[UOp, int] = {root: 0}
  order, i = [root], 0
  while i < len(order):
    for s in order[i].src:
      if s not in ids:
        ids[s] = len(order)
        order.append(s)
    i += 1
  return [Node(ids[u], u.op.name, _dtype(u), _shape(u), _arg(u), [ids[s] for s in u.src]) for u in order]


def _label(n: Node) -> str:
  return " ".join(x for x in (n.op, n.dtype, n.shape, n.arg) if x)


def render_tree(nodes: list[Node], max_lines: int = MAX_TEXT_LINES) -> str:
  """An indented tree; a node reached a second time is printed as `^ n<id>`."""
  lines: list[str] = []
  seen: set[int] = set()

  def walk(i: int, prefix: str, last: bool, top: bool) -> None:
    if len(lines) > max_lines: return
    branch = "" if top else ("`-- " if last else "|-- ")
    n = nodes[i]
    if i in seen:
      lines.append(f"{prefix}{branch}^ n{i}")
      return
    seen.add(i)
    lines.append(f"{prefix}{branch}n{i} {_label(n)}")
    child_prefix = prefix + ("" if top else ("    " if last else "|   "))
    for k, s in enumerate(n.srcs): walk(s, child_prefix, k == len(n.srcs) - 1, False)

  walk(0, "", True, True)
  if len(lines) > max_lines: lines = lines[:max_lines] + [f"... cut at {max_lines} lines ({len(nodes)} UOps)"]
  return "\n".join(lines)


_UNSAFE = re.compile(r"[^A-Za-z0-9 _.,:=()+*/-]")


def mermaid_label(text: str) -> str:
  """Keep only characters Mermaid draws literally inside a quoted label."""
  return _UNSAFE.sub("", text.replace("<", "(").replace(">", ")"))


def render_mermaid(nodes: list[Node], max_nodes: int = MAX_MERMAID_NODES) -> str:
  """A `flowchart BT` (sources at the top, output at the bottom) of the first `max_nodes` nodes (nearest the output)."""
  keep = [n for n in nodes if n.id < max_nodes]
  lines = ["flowchart BT"]
  for n in keep:
    lines.append(f'  n{n.id}["{mermaid_label(" ".join(x for x in (n.op, n.shape, n.arg) if x))}"]')
  for n in keep:
    for s in dict.fromkeys(n.srcs):
      if s < max_nodes: lines.append(f"  n{s} --> n{n.id}")
  if len(nodes) > max_nodes:
    lines.append(f'  more["{len(nodes) - max_nodes} more UOps not drawn"]')
    cut = sorted({n.id for n in keep for s in n.srcs if s >= max_nodes})
    for c in cut: lines.append(f"  more -.-> n{c}")
  lines.append("  classDef out stroke-width:3px")
  lines.append("  class n0 out")
  return "\n".join(lines)


# ---------------------------------------------------------------- schedule

def _buffer_ref(b: UOp, slots: dict[UOp, int]) -> BufferRef | None:
  if b.op is not Ops.BUFFER: return None
  shape = [int(s) for s in b.shape]
  return BufferRef(slots.setdefault(b, len(slots)), str(b.arg.device), _dtype(b), shape, prod(shape) * b.dtype.itemsize)


def _steps(linear: UOp, names: dict[UOp, str]) -> list[Step]:
  out: list[Step] = []
  slots: dict[UOp, int] = {}    # buffers numbered in order of first use, so names do not depend on what ran before
  for i, call in enumerate(linear.src):
    ast, bufs = call.src[0], [r for r in (_buffer_ref(b, slots) for b in call.src[1:]) if r is not None]
    dev = bufs[0].device if bufs else ""
    if ast.op is Ops.SINK: kind, name = "kernel", names.get(ast, "kernel")
    elif ast.op is Ops.COPY: kind, name = "copy", f"copy {bufs[1].device} -> {bufs[0].device}" if len(bufs) > 1 else "copy"
    else: kind, name = "other", f"{ast.op.name} {ast.arg}" if isinstance(ast.arg, str) else ast.op.name
    out.append(Step(i, kind, name, dev, bufs))
  return out


def _call_device(call: UOp) -> str:
  d = call.src[1].device
  return d if isinstance(d, str) else d[0]


def _kernel_name(prg: UOp) -> str: return ansistrip(prg.arg.name)


# ---------------------------------------------------------------- trace

def _build(build: Callable[[], Tensor] | Tensor) -> Tensor:
  t = build() if callable(build) and not isinstance(build, Tensor) else build
  if not isinstance(t, Tensor): raise UsageError(f"trace needs a Tensor or a zero-argument function returning one, got {type(t).__name__}")
  return t


def trace(build: Callable[[], Tensor] | Tensor, target: str | None = None) -> Trace:
  """Trace a tensor expression.

  Args:
    build: a zero-argument function that builds the Tensor (preferred: each call makes a fresh graph), or a
      Tensor. Either way every tensor involved holds its correct value afterwards: the schedule is run.
    target: where to render the kernel sources: None for the tensor's own device, or a target string such
      as "CPU", "CPU:LLVM", "CPU:X86", "PYTHON", "NULL", "NULL:PTX:sm_80" (see `tgkit.devices`).

  Returns:
    A Trace (graph, histogram, schedule, kernel sources).

  Raises:
    UsageError: `build` gives no Tensor, or an unknown target or one that cannot render here.
  """
  from tinygrad.codegen import to_program
  from tinygrad.engine.realize import run_linear
  from tgkit import devices
  t = _build(build)
  nodes = graph_nodes(t.uop)
  hist = dict(sorted(Counter(n.op for n in nodes).items(), key=lambda kv: (-kv[1], kv[0])))
  graph_text = render_tree(nodes)
  shape, dtype, device = [int(s) for s in t.shape], _dtype(t.uop), str(t.device)
  if t.uop.is_virtual or t.uop.has_buffer_identity(): linear = UOp(Ops.LINEAR, src=())
  else: linear = t.schedule_linear()
  try:
    progs = [(c.src[0], to_program(c.src[0], Device[_call_device(c)].renderer)) for c in linear.src if c.src[0].op is Ops.SINK]
    schedule = _steps(linear, {s: _kernel_name(p) for s, p in progs})
  finally:
    run_linear(linear)       # schedule_linear pointed the tensors at these buffers: fill them
  if target is None: tgt, compile_only, kernels = device, False, [KernelSource(_kernel_name(p), devices.source_text(p)) for _, p in progs]
  else: tgt, compile_only, kernels = _render_for([s for s, _ in progs], target)
  return Trace(shape, dtype, device, tgt, compile_only, graph_text, hist, nodes, schedule, kernels)


def _render_for(sinks: list[UOp], target: str) -> tuple[str, bool, list[KernelSource]]:
  from tgkit import devices
  caps = devices.capabilities(target)
  if not caps.available: raise UsageError(f"target {target!r} cannot render kernels here: {caps.reason}")
  out = []
  for s in sinks:
    prg = devices.program(s, caps.target)
    out.append(KernelSource(_kernel_name(prg), devices.source_text(prg)))
  return caps.target, caps.compile_only, out


def kernel_source(build: Callable[[], Tensor] | Tensor, target: str | None = None) -> list[tuple[str, str]]:
  """(kernel name, source) for each kernel of the expression, rendered for `target` (see `trace`)."""
  return [(k.name, k.source) for k in trace(build, target).kernels]


# ---------------------------------------------------------------- renderers

def render_text(tr: Trace, sources: bool = False) -> str:
  """A plain-text report: the schedule, the histogram and (optionally) every kernel's source."""
  lines = [f"tensor {tuple(tr.shape)} {tr.dtype} on {tr.device}: {len(tr.nodes)} UOps, {len(tr.schedule)} steps, "
           f"{tr.kernel_count} kernels", "", "schedule:"]
  for s in tr.schedule:
    bufs = ", ".join(f"buf{b.slot} {b.dtype}{tuple(b.shape)} {b.nbytes}B" for b in s.buffers)
    lines.append(f"  {s.index:2d} {s.kind:6s} {s.name:28s} {bufs}")
  lines += ["", "UOps: " + ", ".join(f"{k} {v}" for k, v in tr.histogram.items())]
  if sources:
    label = f"{tr.target} (compile-only)" if tr.compile_only else tr.target
    for k in tr.kernels: lines += ["", f"--- {k.name} for {label}", k.source.rstrip()]
  return "\n".join(lines)


def render_markdown(tr: Trace) -> str:
  """Markdown: a schedule table, the histogram and a Mermaid graph."""
  lines = [f"**{tr.kernel_count} kernels** for a {tr.dtype} tensor of shape {tuple(tr.shape)} on {tr.device}", "",
           "| # | kind | name | buffers |", "|---:|---|---|---|"]
  for s in tr.schedule:
    bufs = ", ".join(f"{b.dtype}{tuple(b.shape)} ({b.nbytes} B)" for b in s.buffers)
    lines.append(f"| {s.index} | {s.kind} | `{s.name}` | {bufs} |")
  lines += ["", "| op | count |", "|---|---:|"] + [f"| {k} | {v} |" for k, v in tr.histogram.items()]
  lines += ["", "```mermaid", tr.mermaid(), "```"]
  return "\n".join(lines) + "\n"
