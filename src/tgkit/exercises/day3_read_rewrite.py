"""Day 3, Pathway B: where rewriting, verifying and simplifying live."""
from tinygrad.uop import GroupOp
from tinygrad.uop.ops import graph_rewrite
from tinygrad.uop.spec import spec_tensor, type_verify
from tinygrad.uop.symbolic import sym

from tgkit.learn import Exercise, expect_code

ORDER = 4
QUESTIONS = {
  "REWRITE": ("Which function applies a PatternMatcher to every UOp of a graph until nothing more matches?", graph_rewrite,
              "It is near the end of tinygrad/uop/ops.py, after UPat and PatternMatcher."),
  "VERIFY": ("Which function checks every UOp of a graph against a spec and raises on the first invalid one?", type_verify,
             "tinygrad/uop/spec.py, near the top."),
  "TENSOR_SPEC": ("Which spec describes valid UOps of the tensor graph (the graph before scheduling)?", spec_tensor,
                  "tinygrad/uop/spec.py defines several `spec_*` PatternMatchers; one is for tensors, one for programs."),
  "SIMPLIFY_RULES": ("Which PatternMatcher does test_uop_symbolic.py's helper_test_variable rewrite with (together with pm_cast_weak)?",
                     sym, "Read the imports and `helper_test_variable` at the top of test/null/test_uop_symbolic.py; the name is short."),
  "MOVEMENT": ("Which GroupOp set holds the movement ops (RESHAPE, PERMUTE, ...)?", GroupOp.Movement,
               "class GroupOp at the end of tinygrad/uop/__init__.py; write it as tinygrad.uop:GroupOp.<name>."),
}
EXERCISE = Exercise(
  id="d3-read-rewrite", day=3, pathway="B", kind="reading", minutes=20,
  title="Find the rewrite machinery",
  statement="""
Answer each question in your file as a string `"module:name"` (an attribute of a class as `module:Class.name`). Read
`tinygrad/uop/ops.py`, `tinygrad/uop/spec.py`, `tinygrad/uop/symbolic.py` and `tinygrad/uop/__init__.py` in the
installed package, and `test/null/test_uop_symbolic.py` in tinygrad's repository. The checker resolves each answer in
the installed tinygrad and compares it with the real object.

""" + "\n".join(f"- `{k}`: {q}" for k, (q, _, _) in QUESTIONS.items()),
  hints=tuple(h for _, _, h in QUESTIONS.values()),
  wrong={
    "the kernel spec and the full symbolic set": 'REWRITE = "tinygrad.uop.ops:graph_rewrite"\nVERIFY = "tinygrad.uop.spec:type_verify"\n'
      'TENSOR_SPEC = "tinygrad.uop.spec:spec_program"\nSIMPLIFY_RULES = "tinygrad.uop.symbolic:symbolic"\n'
      'MOVEMENT = "tinygrad.uop:GroupOp.Movement"\n',
    "names that do not exist": 'REWRITE = "tinygrad.uop.ops:rewrite"\nVERIFY = "tinygrad.uop.spec:verify"\n'
      'TENSOR_SPEC = "tinygrad.uop.spec:tensor_spec"\nSIMPLIFY_RULES = "tinygrad.uop.symbolic:rules"\nMOVEMENT = "tinygrad.uop:GroupOp.Move"\n',
  },
)

# --8<-- [start:solution]
# Answer each question as "module:name".
REWRITE = "tinygrad.uop.ops:graph_rewrite"
VERIFY = "tinygrad.uop.spec:type_verify"
TENSOR_SPEC = "tinygrad.uop.spec:spec_tensor"
SIMPLIFY_RULES = "tinygrad.uop.symbolic:sym"
MOVEMENT = "tinygrad.uop:GroupOp.Movement"
# --8<-- [end:solution]


def check(mod):
  for name, (question, obj, hint) in QUESTIONS.items(): expect_code(mod, name, obj, question, hint)
