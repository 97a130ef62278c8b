"""Day 4, Pathway B: from `Device` to a running kernel, the pieces named."""
from tinygrad.device import ALL_DEVICES, Compiled
from tinygrad.runtime.ops_null import NullAllocator
from tinygrad.runtime.ops_python import PythonCompiler, PythonProgram

from tgkit.learn import Exercise, expect_code

ORDER = 4
QUESTIONS = {
  "AUTO_ORDER": ("Which list gives the order in which tinygrad tries devices when DEV= names none?", ALL_DEVICES,
                 "tinygrad/device.py: `_Device.get_available_devices` loops over it."),
  "PICKS_RENDERER": ("Which method of Compiled chooses a device's renderer from DEV=?", Compiled._select_renderer,
                     "`Compiled.renderer` is a property; read what it calls."),
  "PYTHON_DECODES": ("Which class turns the PYTHON renderer's text back into bytes?", PythonCompiler,
                     "tinygrad/runtime/ops_python.py: the compiler that PythonRenderer sets as its `compiler`."),
  "PYTHON_RUNS": ("Which method interprets a PYTHON kernel, one UOp at a time?", PythonProgram.__call__,
                  "A program is called with its buffers; look for the loop over the UOps in ops_python.py."),
  "NULL_READBACK": ("Which method raises 'no copyout on NULL' when you read a NULL tensor back?", NullAllocator._copyout,
                    "tinygrad/runtime/ops_null.py: the allocator's methods with `copy` in their names."),
}
EXERCISE = Exercise(
  id="d4-read-device", day=4, pathway="B", kind="reading", minutes=25,
  title="Name the parts of a device",
  statement="""
Answer each question in your file as a string `"module:name"` (a method as `module:Class.method`). Read
`tinygrad/device.py`, `tinygrad/runtime/ops_python.py` and `tinygrad/runtime/ops_null.py` in the installed package;
the checker resolves your answers in the installed tinygrad and compares them with the real objects.

""" + "\n".join(f"- `{k}`: {q}" for k, (q, _, _) in QUESTIONS.items()),
  hints=tuple(h for _, _, h in QUESTIONS.values()),
  wrong={
    "the property instead of the method, the renderer instead of the compiler":
      'AUTO_ORDER = "tinygrad.device:ALL_DEVICES"\nPICKS_RENDERER = "tinygrad.device:Compiled.renderer"\n'
      'PYTHON_DECODES = "tinygrad.runtime.ops_python:PythonRenderer"\nPYTHON_RUNS = "tinygrad.runtime.ops_python:PythonProgram.__call__"\n'
      'NULL_READBACK = "tinygrad.runtime.ops_null:NullAllocator._copyout"\n',
    "copy in instead of copy out": 'AUTO_ORDER = "tinygrad.device:ALL_DEVICES"\nPICKS_RENDERER = "tinygrad.device:Compiled._select_renderer"\n'
      'PYTHON_DECODES = "tinygrad.runtime.ops_python:PythonCompiler"\nPYTHON_RUNS = "tinygrad.runtime.ops_python:PythonProgram.__call__"\n'
      'NULL_READBACK = "tinygrad.runtime.ops_null:NullAllocator._copyin"\n',
  },
)

# --8<-- [start:solution]
# Answer each question as "module:name".
AUTO_ORDER = "tinygrad.device:ALL_DEVICES"
PICKS_RENDERER = "tinygrad.device:Compiled._select_renderer"
PYTHON_DECODES = "tinygrad.runtime.ops_python:PythonCompiler"
PYTHON_RUNS = "tinygrad.runtime.ops_python:PythonProgram.__call__"
NULL_READBACK = "tinygrad.runtime.ops_null:NullAllocator._copyout"
# --8<-- [end:solution]


def check(mod):
  for name, (question, obj, hint) in QUESTIONS.items(): expect_code(mod, name, obj, question, hint)
