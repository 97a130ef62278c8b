"""The handbook's glossary: each term is anchored to a name in tinygrad 0.14.0, and the anchor is checked."""
# --8<-- [start:terms]
import importlib
import pathlib

import tinygrad

TERMS = [  # (term, anchor in tinygrad or its repository, page of this handbook that teaches it (no .md), meaning)
  ("UOp", "tinygrad.uop.ops.UOp", "architecture/uops",
    "the one node type of every graph: op, dtype, sources, argument and tag; hash-consed, so equal UOps are the same object"),
  ("Ops", "tinygrad.uop.Ops", "architecture/uops", "the enum of UOp operations, from ADD and RESHAPE to SINK, CALL and PROGRAM"),
  ("GroupOp", "tinygrad.uop.GroupOp", "reference/ops", "sets of Ops (Unary, Binary, ALU, Movement, ...) used by pattern matchers"),
  ("lazy tensor", "tinygrad.tensor.Tensor.uop", "architecture/tensor",
    "a Tensor is a handle on a UOp graph; nothing runs until realize() or a data read"),
  ("realize", "tinygrad.tensor.Tensor.realize", "course/day1",
    "Tensor.realize() sends a tensor's graph through scheduling, lowering and execution; numpy(), tolist() and item() realize too"),
  ("virtual tensor", "tinygrad.uop.ops.UOp.is_virtual", "architecture/tensor",
    "a tensor with no device and no buffer (arange, Python scalars): realize() runs nothing"),
  ("weak dtype", "tinygrad.dtype.dtypes.weakfloat", "architecture/tensor",
    "the dtype of a Python number (weakfloat, weakint): it adopts the dtype of the tensor it meets"),
  ("mixin", "tinygrad/mixin/__init__.py", "architecture/tensor",
    "the classes of tinygrad/mixin/ (OpMixin, ElementwiseMixin, MovementMixin, ReduceMixin, CreationMixin, DTypeMixin, RandMixin) "
    "that both Tensor and UOp inherit, so the two share one API for elementwise, movement and reduce ops"),
  ("movement op", "tinygrad.uop.Ops.RESHAPE", "architecture/uops",
    "RESHAPE, PERMUTE, EXPAND, PAD, SHRINK, FLIP: UOps that change the view of data, never the data"),
  ("PatternMatcher", "tinygrad.uop.ops.PatternMatcher", "architecture/uops",
    "a list of (UPat, function) rules; the building block of every compiler pass"),
  ("graph_rewrite", "tinygrad.uop.ops.graph_rewrite", "architecture/uops", "applies a PatternMatcher to a graph until no rule matches"),
  ("rangeify", "tinygrad.schedule.rangeify", "architecture/scheduling",
    "the scheduler pass that turns movement ops into index arithmetic over RANGE loops and splits the graph into kernels"),
  ("schedule", "tinygrad.tensor.Tensor.schedule_linear", "architecture/scheduling", "the ordered work to compute tensors: a LINEAR UOp"),
  ("LINEAR", "tinygrad.uop.Ops.LINEAR", "architecture/scheduling", "a UOp whose sources are CALLs in execution order: a schedule"),
  ("CALL", "tinygrad.uop.Ops.CALL", "architecture/scheduling",
    "one step of a schedule: a kernel AST (SINK), a COPY or a custom function, followed by its buffers"),
  ("COPY", "tinygrad.uop.Ops.COPY", "architecture/scheduling",
    "a schedule step that copies a buffer to another device (numpy input to CPU, CPU to GPU); no kernel is compiled for it"),
  ("SINK", "tinygrad.uop.Ops.SINK", "architecture/codegen", "the root of a kernel's AST, gathering its stores"),
  ("AST", "tinygrad.uop.Ops.SINK", "architecture/codegen",
    "a kernel's abstract syntax tree: the UOp graph under a SINK that says what one kernel loads, computes and stores"),
  ("kernel", "tinygrad.uop.ops.KernelInfo", "architecture/codegen",
    "one compiled program; its name tells its kind and loop sizes (E_4_4 elementwise, r_16 with a reduction)"),
  ("codegen", "tinygrad.codegen.to_program", "architecture/codegen",
    "lowers a kernel AST through optimisation, linearisation and rendering to a PROGRAM"),
  ("PROGRAM", "tinygrad.uop.Ops.PROGRAM", "architecture/codegen", "a UOp holding a compiled kernel: its AST, linear UOps, SOURCE and BINARY"),
  ("ProgramInfo", "tinygrad.uop.ops.ProgramInfo", "architecture/codegen",
    "a PROGRAM's metadata: name, global and local sizes, buffers read and written"),
  ("OptOps", "tinygrad.codegen.opt.OptOps", "debugging/index", "kernel optimisations such as UPCAST, UNROLL, LOCAL; DEBUG=3 lists the ones applied"),
  ("BEAM", "tinygrad.codegen.opt.search.beam_search", "debugging/tools",
    "search over OptOps by timing candidates (BEAM=n); slow, results cached on disk"),
  ("renderer", "tinygrad.renderer.Renderer", "architecture/codegen",
    "turns linear UOps into source for a target (C, LLVM IR, PTX, Metal, x86) and declares supported dtypes"),
  ("device", "tinygrad.device.Compiled", "architecture/runtime",
    "a runtime with an allocator, a compiler and a program type; chosen with DEV=NAME[:RENDERER[:ARCH]]"),
  ("Buffer", "tinygrad.device.Buffer", "architecture/runtime", "device memory of a size and dtype; a realized tensor's UOp points at one"),
  ("memory planner", "tinygrad.schedule.memory.memory_plan_rewrite", "architecture/scheduling",
    "the pass that lets intermediate buffers whose lifetimes do not overlap share memory (NO_MEMORY_PLANNER=1 turns it off)"),
  ("GlobalCounters", "tinygrad.helpers.GlobalCounters", "course/day5",
    "process-wide counters tinygrad updates as kernels run: kernel_count, global_ops, global_mem, time_sum_s, mem_used; reset() zeroes them"),
  ("run_linear", "tinygrad.engine.realize.run_linear", "architecture/runtime", "compiles and executes a LINEAR schedule"),
  ("TinyJit", "tinygrad.engine.jit.TinyJit", "architecture/nn-jit",
    "captures the kernels of a function on its second call and replays them from the third"),
  ("ContextVar", "tinygrad.helpers.ContextVar", "reference/env-vars",
    "a setting (DEBUG, BEAM, TRAINING, ...) read from the environment at import, changed with Context"),
  ("spec", "tinygrad.uop.spec.type_verify", "debugging/tools", "the rules a valid UOp graph follows; SPEC=1 checks graphs against them"),
  ("pyrender", "tinygrad.uop.render.pyrender", "debugging/index", "renders a UOp graph as Python code that rebuilds it (what DEBUG=5 prints)"),
  ("NULL device", "tinygrad/runtime/ops_null.py", "architecture/runtime",
    "a device that schedules and renders kernels but runs nothing: tests without hardware"),
  ("PYTHON device", "tinygrad/runtime/ops_python.py", "architecture/runtime",
    "a device that emulates every kernel in Python: slow, needs no compiler"),
  ("expectedFailure", "unittest.expectedFailure", "course/day1",
    "Python's unittest decorator tinygrad uses to keep a known bug as a test: it passes while the bug is there and fails once fixed"),
  ("helper_test_op", "test/backend/test_ops.py", "course/day2",
    "the helper of tinygrad's op tests: runs an op in tinygrad and torch on the same random inputs, compares outputs and gradients"),
  ("check_schedule", "test/helpers.py", "course/day5",
    "a test helper that schedules a tensor and fails when the number of kernels differs from the allowed count"),
  ("process replay", "test/external/process_replay/process_replay.py", "contributing/tinygrad#process-replay",
    "tinygrad's CI diff of the kernels a pull request generates against master: a [pr] or [PR] marker in the title turns it on, only [PR] makes a diff fail"),
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
  """The glossary as a Markdown table, alphabetical, after checking every anchor (links are relative to teaching/glossary.md)."""
  missing = [anchor for _, anchor, _, _ in TERMS if not anchor_exists(anchor)]
  assert not missing, f"anchors not in tinygrad 0.14.0 or its repository: {missing}"
  rows = [f"| **{term}**{{ #{slug(term)} }} | {meaning} | [{page.split('#')[0]}](../{page.split('#')[0]}.md{'#' + page.split('#')[1] if '#' in page else ''}) | `{anchor}` |"
          for term, anchor, page, meaning in sorted(TERMS, key=lambda t: t[0].lower())]
  return "\n".join(["| term | meaning | taught in | in tinygrad |", "| --- | --- | --- | --- |", *rows])


def slug(term: str) -> str: return "term-" + "-".join(term.lower().replace("_", "-").split())


def abbreviations() -> str:
  """Every term as a Markdown abbreviation (`*[UOp]: ...`): appended to each page, Material shows it as a tooltip."""
  return "\n".join(f"*[{term}]: {meaning}" for term, _, _, meaning in TERMS)
# --8<-- [end:terms]


if __name__ == "__main__":
  print(glossary_table())
