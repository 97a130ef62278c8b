"""Day 1, Pathway B: find the four pieces' entry points in the installed tinygrad."""
from tinygrad.engine.realize import run_linear
from tinygrad.schedule import create_schedule
from tinygrad.tensor import Tensor

from tgkit.learn import Exercise, expect_code

ORDER = 4
QUESTIONS = {
  "REALIZE": ("Which Tensor method starts the computation of a lazy tensor?", Tensor.realize),
  "RUNS_LINEAR": ("Which function does that method call to run the LINEAR of kernels?", run_linear),
  "SCHEDULES": ("Which function in tinygrad/schedule/__init__.py turns a sink of tensors into the LINEAR of CALLs?", create_schedule),
}
EXERCISE = Exercise(
  id="d1-read-pipeline", day=1, pathway="B", kind="reading", minutes=20,
  title="Find the pipeline's entry points",
  statement="""
Answer each question in your file as a string `"module:name"` (a method as `module:Class.method`), for example
`"tinygrad.tensor:Tensor.numpy"`. Read the source of the installed package to find them: the checker resolves your
answer in the installed tinygrad and compares it with the real object, so an answer that names a different
function, or one that does not exist, fails.

""" + "\n".join(f"- `{k}`: {q}" for k, (q, _) in QUESTIONS.items()),
  hints=(
    "Start in tinygrad/tensor.py: search for `def realize`.",
    "`realize` calls one function with the result of `Tensor.linear_with_vars`; find where that function is imported from.",
    "`linear_with_vars` calls the scheduler; its entry point is defined in tinygrad/schedule/__init__.py.",
  ),
  wrong={
    "names that do not exist": 'REALIZE = "tinygrad.tensor:Tensor.compute"\nRUNS_LINEAR = "tinygrad.engine.realize:run"\n'
                               'SCHEDULES = "tinygrad.schedule:schedule"\n',
    "the wrong layer": 'REALIZE = "tinygrad.tensor:Tensor.numpy"\nRUNS_LINEAR = "tinygrad.engine.realize:run_linear"\n'
                       'SCHEDULES = "tinygrad.schedule:create_schedule"\n',
  },
)

# --8<-- [start:solution]
# Answer each question as "module:name".
# Which Tensor method starts the computation of a lazy tensor?
REALIZE = "tinygrad.tensor:Tensor.realize"
# Which function does that method call to run the LINEAR of kernels?
RUNS_LINEAR = "tinygrad.engine.realize:run_linear"
# Which function in tinygrad/schedule/__init__.py turns a sink of tensors into the LINEAR of CALLs?
SCHEDULES = "tinygrad.schedule:create_schedule"
# --8<-- [end:solution]


def check(mod):
  for name, (question, obj) in QUESTIONS.items(): expect_code(mod, name, obj, question, EXERCISE.hints[list(QUESTIONS).index(name)])
