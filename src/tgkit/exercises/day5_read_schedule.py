"""Day 5, Pathway B: the scheduler, the memory planner, realize and the JIT, named in the source."""
from tinygrad.engine.jit import CapturedJit
from tinygrad.engine.realize import compile_linear
from tinygrad.schedule import create_linear_with_vars, create_schedule
from tinygrad.schedule.memory import memory_plan_rewrite
from tinygrad.schedule.rangeify import split_reduceop

from tgkit.learn import Exercise, expect_code

ORDER = 4
QUESTIONS = {
  "BUILDS_LINEAR": ("Which function does Tensor.linear_with_vars call to turn the sink of tensors into a LINEAR?", create_linear_with_vars,
                    "tinygrad/tensor.py: read `Tensor.linear_with_vars` to its return statement."),
  "ORDERS_KERNELS": ("Which function puts the kernels in an order where every kernel runs after the kernels it reads from?",
                     create_schedule, "tinygrad/schedule/__init__.py: look for the queue of kernels whose in-degree is zero."),
  "SPLITS_REDUCE": ("Which function rewrites a reduction over at least 32768 elements per output into two kernels?", split_reduceop,
                    "tinygrad/schedule/rangeify.py: search for REDUCEOP_SPLIT_THRESHOLD."),
  "PLANS_MEMORY": ("Which function packs the intermediate buffers of a LINEAR into one arena per device?", memory_plan_rewrite,
                   "tinygrad/schedule/memory.py; create_linear_with_vars calls it in its last line."),
  "COMPILES": ("Which function lowers and compiles every kernel of a LINEAR before it runs (and applies BEAM search)?", compile_linear,
               "tinygrad/engine/realize.py: `run_linear` calls it on its first line."),
  "REPLAYS": ("Which class holds the kernels TinyJit captured and runs them on each later call?", CapturedJit,
              "tinygrad/engine/jit.py: `_TinyJit.__call__` stores it in `self.captured`."),
}
EXERCISE = Exercise(
  id="d5-read-schedule", day=5, pathway="B", kind="reading", minutes=25,
  title="Name the scheduler's parts",
  statement="""
Answer each question in your file as a string `"module:name"` (a method as `module:Class.method`). Read the files of
the study path in the installed package; the checker resolves your answers in the installed tinygrad and compares them
with the real objects.

""" + "\n".join(f"- `{k}`: {q}" for k, (q, _, _) in QUESTIONS.items()),
  hints=tuple(h for _, _, h in QUESTIONS.values()),
  wrong={
    "the Tensor methods instead of the functions they call":
      'BUILDS_LINEAR = "tinygrad.tensor:Tensor.schedule_linear"\nORDERS_KERNELS = "tinygrad.schedule:create_schedule"\n'
      'SPLITS_REDUCE = "tinygrad.schedule.rangeify:split_reduceop"\nPLANS_MEMORY = "tinygrad.schedule.memory:memory_plan_rewrite"\n'
      'COMPILES = "tinygrad.engine.realize:compile_linear"\nREPLAYS = "tinygrad.engine.jit:CapturedJit"\n',
    "the kernel graph instead of the order, the JIT wrapper instead of the capture":
      'BUILDS_LINEAR = "tinygrad.schedule:create_linear_with_vars"\nORDERS_KERNELS = "tinygrad.schedule.rangeify:get_kernel_graph"\n'
      'SPLITS_REDUCE = "tinygrad.schedule.rangeify:split_reduceop"\nPLANS_MEMORY = "tinygrad.schedule.memory:memory_plan_rewrite"\n'
      'COMPILES = "tinygrad.engine.realize:compile_linear"\nREPLAYS = "tinygrad.engine.jit:_TinyJit"\n',
  },
)

# --8<-- [start:solution]
# Answer each question as "module:name".
BUILDS_LINEAR = "tinygrad.schedule:create_linear_with_vars"
ORDERS_KERNELS = "tinygrad.schedule:create_schedule"
SPLITS_REDUCE = "tinygrad.schedule.rangeify:split_reduceop"
PLANS_MEMORY = "tinygrad.schedule.memory:memory_plan_rewrite"
COMPILES = "tinygrad.engine.realize:compile_linear"
REPLAYS = "tinygrad.engine.jit:CapturedJit"
# --8<-- [end:solution]


def check(mod):
  for name, (question, obj, hint) in QUESTIONS.items(): expect_code(mod, name, obj, question, hint)
