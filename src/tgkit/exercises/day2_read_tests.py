"""Day 2, Pathway B: what tinygrad's test helpers call, answered as names in the installed tinygrad."""
from tinygrad.device import _Device
from tinygrad.helpers import GlobalCounters
from tinygrad.runtime.ops_null import NullDevice
from tinygrad.tensor import Tensor, _to_np_dtype

from tgkit.learn import Exercise, expect_code

ORDER = 3
QUESTIONS = {
  "GRADIENT": ("helper_test_op's backward check computes tinygrad's gradients with which Tensor method?", Tensor.gradient),
  "NP_DTYPE": ("prepare_test_op turns dtypes.default_float into a numpy dtype with which function of tinygrad/tensor.py?", _to_np_dtype),
  "CANONICAL": ("test/null/test_device.py's first test checks which method (it turns 'cl:0' into 'CL')?", _Device.canonicalize),
  "LINEAR": ("check_schedule in test/helpers.py gets the LINEAR of calls for a tensor from which Tensor method?", Tensor.linear_with_vars),
  "COUNTER": ("assert_kernel_count in test/helpers.py reads kernel_count from which class?", GlobalCounters),
  "NULL": ("With DEV=NULL, of which class is the device that test/null/ tests compile for?", NullDevice),
}
EXERCISE = Exercise(
  id="d2-read-tests", day=2, pathway="B", kind="reading", minutes=25,
  title="What the test helpers call",
  statement="""
Read `helper_test_op` and `prepare_test_op` in test/backend/test_ops.py, `check_schedule` and `assert_kernel_count`
in test/helpers.py and the first test of test/null/test_device.py (tinygrad's repository at the pinned commit, files 2-5
of the list above), then answer each question as `"module:name"` (a method as `"module:Class.method"`). The names are
those of the installed tinygrad: the checker resolves your answer there and compares it with the real object.

""" + "\n".join(f"- `{k}`: {q}" for k, (q, _) in QUESTIONS.items()),
  hints=(
    "The imports at the top of each test file say where a name comes from: test_ops.py imports `_to_np_dtype` from "
    "`tinygrad.tensor`; test/helpers.py imports `GlobalCounters` from `tinygrad.helpers`.",
    "`Device` is an instance: `type(Device)` is the class whose method you want (`tinygrad.device:_Device...`).",
    "`Device['NULL']` opens the NULL device here too: `type(Device['NULL'])` names its class and `inspect.getmodule` its module.",
  ),
  wrong={
    "torch's names": 'GRADIENT = "tinygrad.tensor:Tensor.backward"\nNP_DTYPE = "tinygrad.tensor:_to_np_dtype"\n'
                     'CANONICAL = "tinygrad.device:_Device.canonicalize"\nLINEAR = "tinygrad.tensor:Tensor.schedule_linear"\n'
                     'COUNTER = "tinygrad.helpers:GlobalCounters"\nNULL = "tinygrad.runtime.ops_null:NullDevice"\n',
    "names that do not exist": 'GRADIENT = "tinygrad.tensor:Tensor.grad_fn"\nNP_DTYPE = "tinygrad.dtype:to_numpy"\n'
                               'CANONICAL = "tinygrad.device:Device.normalize"\nLINEAR = "tinygrad.tensor:Tensor.linear"\n'
                               'COUNTER = "tinygrad.helpers:Counters"\nNULL = "tinygrad.runtime.ops_null:Null"\n',
  },
)

# --8<-- [start:solution]
# Answer each question as "module:name".
# helper_test_op's backward check computes tinygrad's gradients with which Tensor method?
GRADIENT = "tinygrad.tensor:Tensor.gradient"
# prepare_test_op turns dtypes.default_float into a numpy dtype with which function of tinygrad/tensor.py?
NP_DTYPE = "tinygrad.tensor:_to_np_dtype"
# test/null/test_device.py's first test checks which method (it turns 'cl:0' into 'CL')?
CANONICAL = "tinygrad.device:_Device.canonicalize"
# check_schedule in test/helpers.py gets the LINEAR of calls for a tensor from which Tensor method?
LINEAR = "tinygrad.tensor:Tensor.linear_with_vars"
# assert_kernel_count in test/helpers.py reads kernel_count from which class?
COUNTER = "tinygrad.helpers:GlobalCounters"
# With DEV=NULL, of which class is the device that test/null/ tests compile for?
NULL = "tinygrad.runtime.ops_null:NullDevice"
# --8<-- [end:solution]


def check(mod):
  hints = {"NP_DTYPE": 0, "COUNTER": 0, "CANONICAL": 1, "NULL": 2}
  for name, (question, obj) in QUESTIONS.items(): expect_code(mod, name, obj, question, EXERCISE.hints[hints.get(name, 0)])
