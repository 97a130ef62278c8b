"""Day 1, Pathway B: where Tensor's methods and the graph come from."""
from tinygrad.codegen import to_program
from tinygrad.tensor import Tensor, _metadata_wrapper
from tinygrad.uop.ops import UOp

from tgkit.learn import Exercise, answer, expect, expect_code

ORDER = 5
QUESTIONS = {
  "SUM": ("Which class method is the code that runs for `Tensor.sum` (not the wrapper in tensor.py)?", Tensor.sum),
  "EXP": ("And for `Tensor.exp`?", Tensor.exp),
  "WRAPPER": ("Which function in tinygrad/tensor.py wraps Tensor's methods so that kernels can be traced back to the call?",
              _metadata_wrapper),
  "GRAPH": ("Of which class is `Tensor([1.0]).uop`, the node of the graph a tensor holds, an instance?", UOp),
  "LOWERS": ("Which function turns one kernel's AST (a SINK UOp) into a program for a renderer?", to_program),
}
EXERCISE = Exercise(
  id="d1-read-mixins", day=1, pathway="B", kind="reading", minutes=20,
  title="Where Tensor's methods live",
  statement="""
Answer each question as a string `"module:name"`, for a method `"module:Class.method"`. Read the source of the
installed package; `inspect.unwrap(Tensor.sum)` and its `__module__` and `__qualname__` help, and so does
Experiment 1 below. The checker resolves your answer in the installed tinygrad and compares it with the real
object. For `SUM` and `EXP` it wants the class that defines the method, not `tinygrad.tensor:Tensor.sum`.

""" + "\n".join(f"- `{k}`: {q}" for k, (q, _) in QUESTIONS.items()),
  hints=(
    "`import inspect; f = inspect.unwrap(Tensor.sum); print(f.__module__, f.__qualname__)` prints the answer's two halves.",
    "The wrapper is defined near the end of tinygrad/tensor.py: search for `functools.wraps`.",
    "`type(Tensor([1.0]).uop)` names the graph's class; `to_program` is imported in tinygrad/engine/realize.py: follow the import.",
  ),
  wrong={
    "the tensor.py names": 'SUM = "tinygrad.tensor:Tensor.sum"\nEXP = "tinygrad.tensor:Tensor.exp"\n'
                           'WRAPPER = "tinygrad.tensor:_metadata_wrapper"\nGRAPH = "tinygrad.uop.ops:UOp"\nLOWERS = "tinygrad.codegen:to_program"\n',
    "sum and exp swapped": 'SUM = "tinygrad.mixin.elementwise:ElementwiseMixin.exp"\nEXP = "tinygrad.mixin.reduce:ReduceMixin.sum"\n'
                           'WRAPPER = "tinygrad.tensor:_metadata_wrapper"\nGRAPH = "tinygrad.uop.ops:UOp"\nLOWERS = "tinygrad.codegen:to_program"\n',
  },
)

# --8<-- [start:solution]
# Answer each question as "module:name".
# Which class method is the code that runs for `Tensor.sum` (not the wrapper in tensor.py)?
SUM = "tinygrad.mixin.reduce:ReduceMixin.sum"
# And for `Tensor.exp`?
EXP = "tinygrad.mixin.elementwise:ElementwiseMixin.exp"
# Which function in tinygrad/tensor.py wraps Tensor's methods so that kernels can be traced back to the call?
WRAPPER = "tinygrad.tensor:_metadata_wrapper"
# Of which class is `Tensor([1.0]).uop`, the node of the graph a tensor holds, an instance?
GRAPH = "tinygrad.uop.ops:UOp"
# Which function turns one kernel's AST (a SINK UOp) into a program for a renderer?
LOWERS = "tinygrad.codegen:to_program"
# --8<-- [end:solution]


def check(mod):
  for i, (name, (question, obj)) in enumerate(QUESTIONS.items()):
    hint = EXERCISE.hints[min(i // 2, 2)]
    expect_code(mod, name, obj, question, hint)   # compared after unwrapping, so Tensor.sum and ReduceMixin.sum are one function
    if name in ("SUM", "EXP"):
      got = answer(mod, name)
      expect(not got.replace("/", ".").startswith("tinygrad.tensor"), f"{name}: {got} names the wrapper on Tensor; which class defines it?", hint)
