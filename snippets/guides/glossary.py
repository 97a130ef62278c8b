"""The handbook's glossary: each term is anchored to a name in tinygrad 0.14.0, and the anchor is checked."""
# --8<-- [start:terms]
import importlib
import pathlib

import tinygrad

TERMS = [  # (term, anchor in tinygrad, meaning)
  ("UOp", "tinygrad.uop.ops.UOp",
    "the one node type of every graph: an op, a dtype, sources and an argument; hash-consed, so equal UOps are the same object"),
  ("Ops", "tinygrad.uop.Ops", "the enum of UOp operations, from ADD and RESHAPE to SINK, CALL and PROGRAM"),
  ("GroupOp", "tinygrad.uop.GroupOp", "sets of Ops (Unary, Binary, ALU, Movement, ...) used by pattern matchers"),
  ("lazy tensor", "tinygrad.tensor.Tensor.uop", "a Tensor is a handle on a UOp graph; nothing runs until realize() or a data read"),
  ("virtual tensor", "tinygrad.uop.ops.UOp.is_virtual", "a tensor with no device and no buffer (arange, Python scalars): realize() runs nothing"),
  ("weak dtype", "tinygrad.dtype.dtypes.weakfloat", "the dtype of a Python number (weakfloat, weakint): it adopts the dtype of the tensor it meets"),
  ("movement op", "tinygrad.uop.Ops.RESHAPE", "RESHAPE, PERMUTE, EXPAND, PAD, SHRINK, FLIP: UOps that change the view of data, never the data"),
  ("PatternMatcher", "tinygrad.uop.ops.PatternMatcher", "a list of (UPat, function) rules; the building block of every compiler pass"),
  ("graph_rewrite", "tinygrad.uop.ops.graph_rewrite", "applies a PatternMatcher to a graph until no rule matches"),
  ("rangeify", "tinygrad.schedule.rangeify",
    "the scheduler pass that turns movement ops into index arithmetic over RANGE loops and splits the graph into kernels"),
  ("schedule", "tinygrad.tensor.Tensor.schedule_linear", "the ordered work to compute tensors: a LINEAR UOp"),
  ("LINEAR", "tinygrad.uop.Ops.LINEAR", "a UOp whose sources are CALLs in execution order"),
  ("CALL", "tinygrad.uop.Ops.CALL", "one step of a schedule: a kernel AST (SINK), a COPY or a custom function, followed by its buffers"),
  ("SINK", "tinygrad.uop.Ops.SINK", "the root of a kernel's AST, gathering its stores"),
  ("kernel", "tinygrad.uop.ops.KernelInfo",
    "one compiled program; its name tells its kind and loop sizes (E_4_4 elementwise, r_16 with a reduction)"),
  ("codegen", "tinygrad.codegen.to_program", "lowers a kernel AST through optimisation, linearisation and rendering to a PROGRAM"),
  ("PROGRAM", "tinygrad.uop.Ops.PROGRAM", "a UOp holding a compiled kernel: its AST, linear UOps, SOURCE and BINARY"),
  ("ProgramInfo", "tinygrad.uop.ops.ProgramInfo", "a PROGRAM's metadata: name, global and local sizes, buffers read and written"),
  ("OptOps", "tinygrad.codegen.opt.OptOps", "kernel optimisations such as UPCAST, UNROLL, LOCAL; DEBUG=3 lists the ones applied"),
  ("BEAM", "tinygrad.codegen.opt.search.beam_search", "search over OptOps by timing candidates (BEAM=n); slow, results cached on disk"),
  ("renderer", "tinygrad.renderer.Renderer",
    "turns linear UOps into source for a target (C, LLVM IR, PTX, Metal, x86) and declares supported dtypes"),
  ("device", "tinygrad.device.Compiled", "a runtime with an allocator, a compiler and a program type; chosen with DEV=NAME[:RENDERER[:ARCH]]"),
  ("Buffer", "tinygrad.device.Buffer", "device memory of a size and dtype; a realized tensor's UOp points at one"),
  ("run_linear", "tinygrad.engine.realize.run_linear", "compiles and executes a LINEAR schedule"),
  ("TinyJit", "tinygrad.engine.jit.TinyJit", "captures the kernels of a function on its second call and replays them from the third"),
  ("ContextVar", "tinygrad.helpers.ContextVar", "a setting (DEBUG, BEAM, TRAINING, ...) read from the environment at import, changed with Context"),
  ("spec", "tinygrad.uop.spec.type_verify", "the rules a valid UOp graph follows; SPEC=1 checks graphs against them"),
  ("pyrender", "tinygrad.uop.render.pyrender", "renders a UOp graph as Python code that rebuilds it (what DEBUG=5 prints)"),
  ("NULL device", "tinygrad/runtime/ops_null.py", "a device that schedules and renders kernels but runs nothing: tests without hardware"),
  ("PYTHON device", "tinygrad/runtime/ops_python.py", "a device that emulates every kernel in Python: slow, needs no compiler"),
  ("process replay", "test/external/process_replay/README.md",
    "tinygrad's CI diff of generated kernels against master; asserts when the PR title has [pr]"),
]


def anchor_exists(anchor: str) -> bool:
  """A dotted name resolves with import + getattr; a path exists in the package or tinygrad's repository."""
  if "/" in anchor:
    if anchor.startswith("tinygrad/"): return (pathlib.Path(tinygrad.__file__).parent.parent / anchor).exists()
    from handbook.env import ROOT
    return anchor in (ROOT / "data" / "tinygrad-repo-files.txt").read_text().splitlines()
  parts = anchor.split(".")
  for k in range(len(parts), 0, -1):
    try: obj = importlib.import_module(".".join(parts[:k]))
    except ImportError: continue
    for a in parts[k:]:
      if not hasattr(obj, a): return False
      obj = getattr(obj, a)
    return True
  return False


def glossary_table() -> str:
  """The glossary as a Markdown table, alphabetical, after checking every anchor."""
  missing = [anchor for _, anchor, _ in TERMS if not anchor_exists(anchor)]
  assert not missing, f"anchors not in tinygrad 0.14.0: {missing}"
  rows = [f"| **{term}** | {meaning} | `{anchor}` |" for term, anchor, meaning in sorted(TERMS, key=lambda t: t[0].lower())]
  return "\n".join(["| term | meaning | in tinygrad |", "| --- | --- | --- |", *rows])
# --8<-- [end:terms]


if __name__ == "__main__":
  print(glossary_table())
