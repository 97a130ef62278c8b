"""Day 6, Pathway B: layers, optimizers, state and gradients, named in the source."""
from tinygrad.mixin.gradient import compute_gradient, pm_gradient
from tinygrad.nn import BatchNorm
from tinygrad.nn.optim import LAMB, LARS, Optimizer
from tinygrad.nn.state import get_state_dict

from tgkit.learn import Exercise, expect_code

ORDER = 4
QUESTIONS = {
  "WALKS_MODEL": ("Which function walks an object's attributes, lists and dicts and returns its tensors by name (get_parameters "
                  "calls it)?", get_state_dict, "tinygrad/nn/state.py: read `get_parameters`, one line."),
  "REFUSES_STEP": ("Which method of Optimizer raises the RuntimeError when TRAINING is not set?", Optimizer.schedule_step,
                   "tinygrad/nn/optim.py: `Optimizer.step` is one line; follow what it calls."),
  "SGD_IS": ("nn.optim.SGD is a function: which class does it return an instance of?", LARS, "tinygrad/nn/optim.py: `def SGD`, its return line."),
  "ADAM_IS": ("Which class does nn.optim.Adam return an instance of?", LAMB, "tinygrad/nn/optim.py: `def Adam`, its return line."),
  "BATCH_STATS": ("Which method of BatchNorm returns the running statistics outside TRAINING and the batch's inside?", BatchNorm.calc_stats,
                  "tinygrad/nn/__init__.py: the method `BatchNorm.__call__` calls first."),
  "DERIVATIVES": ("Which PatternMatcher holds the derivative rule of each op?", pm_gradient,
                  "tinygrad/mixin/gradient.py: a module-level PatternMatcher."),
  "WALKS_BACK": ("Which function walks the graph from the loss backwards and returns a gradient per UOp?", compute_gradient,
                 "tinygrad/mixin/gradient.py, after the patterns; `Tensor.gradient` calls it."),
}
EXERCISE = Exercise(
  id="d6-read-nn", day=6, pathway="B", kind="reading", minutes=25,
  title="Name the parts of tinygrad.nn",
  statement="""
Answer each question in your file as a string `"module:name"` (a method as `module:Class.method`). Read the files of
the study path in the installed package; the checker resolves your answers in the installed tinygrad and compares them
with the real objects.

""" + "\n".join(f"- `{k}`: {q}" for k, (q, _, _) in QUESTIONS.items()),
  hints=tuple(h for _, _, h in QUESTIONS.values()),
  wrong={
    "the public entry points instead of what they call":
      'WALKS_MODEL = "tinygrad.nn.state:get_parameters"\nREFUSES_STEP = "tinygrad.nn.optim:Optimizer.step"\n'
      'SGD_IS = "tinygrad.nn.optim:LARS"\nADAM_IS = "tinygrad.nn.optim:LAMB"\nBATCH_STATS = "tinygrad.nn:BatchNorm.calc_stats"\n'
      'DERIVATIVES = "tinygrad.mixin.gradient:pm_gradient"\nWALKS_BACK = "tinygrad.mixin.gradient:compute_gradient"\n',
    "the optimizers swapped": 'WALKS_MODEL = "tinygrad.nn.state:get_state_dict"\nREFUSES_STEP = "tinygrad.nn.optim:Optimizer.schedule_step"\n'
      'SGD_IS = "tinygrad.nn.optim:LAMB"\nADAM_IS = "tinygrad.nn.optim:LARS"\nBATCH_STATS = "tinygrad.nn:BatchNorm.calc_stats"\n'
      'DERIVATIVES = "tinygrad.mixin.gradient:pm_gradient"\nWALKS_BACK = "tinygrad.mixin.gradient:compute_gradient"\n',
  },
)

# --8<-- [start:solution]
# Answer each question as "module:name".
WALKS_MODEL = "tinygrad.nn.state:get_state_dict"
REFUSES_STEP = "tinygrad.nn.optim:Optimizer.schedule_step"
SGD_IS = "tinygrad.nn.optim:LARS"
ADAM_IS = "tinygrad.nn.optim:LAMB"
BATCH_STATS = "tinygrad.nn:BatchNorm.calc_stats"
DERIVATIVES = "tinygrad.mixin.gradient:pm_gradient"
WALKS_BACK = "tinygrad.mixin.gradient:compute_gradient"
# --8<-- [end:solution]


def check(mod):
  for name, (question, obj, hint) in QUESTIONS.items(): expect_code(mod, name, obj, question, hint)
