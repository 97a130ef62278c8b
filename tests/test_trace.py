"""tgkit.trace: graph, schedule, kernel sources, and that tracing leaves every tensor with its correct value."""
import dataclasses
import json
import re

import numpy as np
import pytest

from tinygrad import Tensor

from tgkit.errors import UsageError
from tgkit.trace import graph_nodes, kernel_source, mermaid_label, render_markdown, render_mermaid, render_text, trace


def test_two_kernels_for_ones_plus_one_sum():
  tr = trace(lambda: (Tensor.ones(4, 4) + 1).sum())
  assert tr.kernel_count == 2
  assert [s.name for s in tr.schedule] == ["E_4_4", "r_16"]
  assert [k.name for k in tr.kernels] == ["E_4_4", "r_16"]
  assert "void r_16(" in tr.kernels[1].source
  assert tr.shape == [] and tr.dtype == "float" and tr.device == "CPU" and not tr.compile_only
  # the reduce reads the 16-float buffer the first kernel wrote
  assert [(b.slot, b.nbytes) for b in tr.schedule[1].buffers] == [(1, 4), (0, 64)]


def test_tracing_does_not_corrupt_tensors():
  Tensor.manual_seed(0)
  a = Tensor.rand(8, 8)
  b = Tensor.ones(8, 8) * 3
  expected = ((a.numpy() @ b.numpy()).clip(0, None) + 1).sum(axis=1)
  a2 = Tensor(a.numpy()); b2 = Tensor.ones(8, 8) * 3      # untouched copies, never traced
  c = (a2 @ b2).relu() + 1
  tr = trace(c.sum(axis=1))                                # a Tensor, not a function: the hard case
  assert tr.kernel_count >= 1
  np.testing.assert_allclose(c.sum(axis=1).numpy(), expected, rtol=1e-5)
  np.testing.assert_allclose(c.numpy(), (a.numpy() @ b.numpy()).clip(0, None) + 1, rtol=1e-5)
  np.testing.assert_allclose(b2.numpy(), np.full((8, 8), 3.0))


def test_value_after_tracing_equals_value_without_tracing():
  x = Tensor([[1.0, 2.0], [3.0, 4.0]])
  def build(): return (x @ x).relu().sum(axis=1)
  trace(build)
  after = build().tolist()
  assert after == [17.0, 37.0]
  y = Tensor([[1.0, 2.0], [3.0, 4.0]])
  z = (y * 2 + 1)
  trace(z)
  assert z.tolist() == [[3.0, 5.0], [7.0, 9.0]]


def test_histogram_counts_every_node():
  tr = trace(lambda: (Tensor.ones(4) * 2).sum())
  assert sum(tr.histogram.values()) == len(tr.nodes)
  assert tr.histogram["REDUCE"] == 1
  counts = list(tr.histogram.values())
  assert counts == sorted(counts, reverse=True)


def test_graph_text_refers_to_shared_nodes():
  a = Tensor.ones(4).contiguous()
  tr = trace(lambda: a * a)
  assert tr.graph_text.startswith("n0 MUL")
  assert "^ n1" in tr.graph_text       # a appears twice, printed once


def test_mermaid_is_safe_and_bounded():
  tr = trace(lambda: Tensor.ones(8, 8).softmax(-1))
  m = tr.mermaid(max_nodes=10)
  assert m.startswith("flowchart BT")
  nodes = re.findall(r'^  (n\d+)\["([^"]*)"\]', m, re.M)
  assert len(nodes) == 10
  assert all(re.fullmatch(r"[A-Za-z0-9 _.,:=()+*/-]*", label) for _, label in nodes)
  assert "more UOps not drawn" in m
  assert len(tr.mermaid().splitlines()) < 200


def test_mermaid_label_strips_unsafe_characters():
  assert mermaid_label('a"b[c]{d}<e>|f#g;') == "abcd(e)fg"


def test_sources_for_compile_only_targets():
  build = lambda: (Tensor.ones(16, 16).contiguous() @ Tensor.ones(16, 16).contiguous()).relu()  # noqa: E731
  ptx = trace(build, "NULL:PTX:sm_80")
  assert ptx.compile_only and ptx.target == "NULL:PTX:sm_80"
  assert any(".entry" in k.source for k in ptx.kernels)
  cl = kernel_source(build, "NULL:OPENCL")
  assert any("__kernel void" in src for _, src in cl)
  assert len(cl) == ptx.kernel_count


def test_sources_for_host_renderers_differ():
  build = lambda: Tensor.ones(4, 4).contiguous() + 1  # noqa: E731
  clang = dict(kernel_source(build, "CPU"))
  x86 = dict(kernel_source(build, "CPU:X86"))
  assert clang.keys() == x86.keys()
  assert all(clang[k] != x86[k] for k in clang)


def test_virtual_tensor_has_no_kernels():
  tr = trace(lambda: Tensor.arange(8) * 2)
  assert tr.kernel_count == 0 and tr.kernels == []


def test_deterministic():
  build = lambda: (Tensor.ones(3, 5) * 2).max(axis=0)  # noqa: E731
  a, b = trace(build), trace(build)
  assert dataclasses.asdict(a) == dataclasses.asdict(b)


def test_renderers_and_json():
  tr = trace(lambda: (Tensor.ones(4, 4) + 1).sum())
  text = render_text(tr, sources=True)
  assert "2 kernels" in text and "--- r_16 for CPU" in text
  md = render_markdown(tr)
  assert "```mermaid" in md and "| 1 | kernel | `r_16` |" in md
  data = json.loads(json.dumps(dataclasses.asdict(tr)))
  assert data["histogram"] == tr.histogram and data["kernel_count"] == 2


def test_bad_input():
  with pytest.raises(UsageError, match="zero-argument function"): trace(lambda: 3)
  with pytest.raises(UsageError, match="unknown device 'NOPE'"): trace(lambda: Tensor.ones(2) + 1, "NOPE")
  with pytest.raises(UsageError, match="kernel"): trace(lambda: Tensor.ones(2) + 1).source("nope")


def test_graph_nodes_numbered_from_output():
  t = Tensor.ones(2) + 1
  nodes = graph_nodes(t.uop)
  assert nodes[0].id == 0 and nodes[0].op == "ADD"
  assert sorted(n.id for n in nodes) == list(range(len(nodes)))
  assert render_mermaid(nodes).count("-->") >= len(nodes) - 1
