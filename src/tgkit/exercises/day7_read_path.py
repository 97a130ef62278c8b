"""Day 7, Pathway B: the whole path of one program, each step named in the installed tinygrad."""
from tinygrad.codegen import full_rewrite_to_sink
from tinygrad.engine.realize import compile_linear
from tinygrad.runtime.ops_cpu import CPUProgram
from tinygrad.schedule.rangeify import get_kernel_graph
from tinygrad.tensor import Tensor, transform_to_call

from tgkit.learn import Exercise, expect_code

ORDER = 4
QUESTIONS = {
  "BUILDS_UOP": ("`a * 2` calls `Tensor.mul`; which method does `mul` (like add and the comparisons) call to build the UOp of a binary op?",
                 Tensor._binop, "tinygrad/mixin/elementwise.py: read `mul` to its return statement."),
  "TO_CALLS": ("Which function in tinygrad/tensor.py does `Tensor.linear_with_vars` call first, on the sink of the tensors to realize?",
               transform_to_call, "tinygrad/tensor.py: read `Tensor.linear_with_vars` line by line."),
  "KERNELS": ("Which function in tinygrad/schedule/rangeify.py splits the graph into kernels (its result goes to create_schedule)?",
              get_kernel_graph, "tinygrad/schedule/__init__.py: find the call `create_schedule(...(function))`."),
  "CODEGEN": ("Which function in tinygrad/codegen/__init__.py runs the rewrites a kernel's AST goes through before it is rendered "
              "(the passes every renderer shares)?", full_rewrite_to_sink, "tinygrad/codegen/__init__.py: `do_to_program` calls it."),
  "COMPILES": ("Which function does `run_linear` call to compile every CALL before running (and where BEAM, when set, searches)?",
               compile_linear, "tinygrad/engine/realize.py: the first line of `run_linear`."),
  "LAUNCHES": ("Which class in tinygrad/runtime/ops_cpu.py calls a compiled kernel on the CPU device?", CPUProgram,
               "tinygrad/runtime/ops_cpu.py: the class with a `__call__` that takes the buffers."),
}
EXERCISE = Exercise(
  id="d7-read-path", day=7, pathway="B", kind="reading", minutes=30,
  title="The whole path of one program",
  statement="""
Follow `(a * 2 + 1).sum().realize()` from the Tensor call to the CPU, and name the code of each step as a string
`"module:name"` (a method as `"module:Class.method"`). This is the path map below, built by you from the source
rather than read off the page: each answer is the next step after one you named on an earlier day
(`Tensor.realize`, `run_linear`, `create_schedule`, `to_program`). The checker resolves each answer in the installed
tinygrad and compares it with the real object.

""" + "\n".join(f"- `{k}`: {q}" for k, (q, _, _) in QUESTIONS.items()),
  hints=tuple(h for _, _, h in QUESTIONS.values()),
  wrong={
    "the neighbours of the right answers": 'BUILDS_UOP = "tinygrad.tensor:Tensor.mul"\nTO_CALLS = "tinygrad.tensor:Tensor.linear_with_vars"\n'
      'KERNELS = "tinygrad.schedule:create_schedule"\nCODEGEN = "tinygrad.codegen:to_program"\n'
      'COMPILES = "tinygrad.engine.realize:run_linear"\nLAUNCHES = "tinygrad.runtime.ops_cpu:CPUDevice"\n',
    "one step off at the end": 'BUILDS_UOP = "tinygrad.mixin.elementwise:ElementwiseMixin._binop"\n'
      'TO_CALLS = "tinygrad.tensor:transform_to_call"\nKERNELS = "tinygrad.schedule.rangeify:get_kernel_graph"\n'
      'CODEGEN = "tinygrad.codegen:full_rewrite_to_sink"\nCOMPILES = "tinygrad.engine.realize:lower_and_compile"\n'
      'LAUNCHES = "tinygrad.runtime.ops_cpu:CPUProgram"\n',
  },
)

# --8<-- [start:solution]
# Answer each question as "module:name"; the path of (a * 2 + 1).sum().realize(), in order.
# `a * 2` calls Tensor.mul; which method does mul (like add and the comparisons) call to build the UOp of a binary op?
BUILDS_UOP = "tinygrad.mixin.elementwise:ElementwiseMixin._binop"
# Which function in tinygrad/tensor.py does Tensor.linear_with_vars call first, on the sink of the tensors to realize?
TO_CALLS = "tinygrad.tensor:transform_to_call"
# Which function in tinygrad/schedule/rangeify.py splits the graph into kernels (its result goes to create_schedule)?
KERNELS = "tinygrad.schedule.rangeify:get_kernel_graph"
# Which function in tinygrad/codegen/__init__.py runs the rewrites a kernel's AST goes through before it is rendered?
CODEGEN = "tinygrad.codegen:full_rewrite_to_sink"
# Which function does run_linear call to compile every CALL before running (and where BEAM, when set, searches)?
COMPILES = "tinygrad.engine.realize:compile_linear"
# Which class in tinygrad/runtime/ops_cpu.py calls a compiled kernel on the CPU device?
LAUNCHES = "tinygrad.runtime.ops_cpu:CPUProgram"
# --8<-- [end:solution]


def check(mod):
  for name, (question, obj, hint) in QUESTIONS.items(): expect_code(mod, name, obj, question, hint)
