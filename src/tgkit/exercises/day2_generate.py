"""Day 2, Pathway A: generate unittest files in tinygrad's style from a table."""
import io
import types
import unittest

from tgkit.learn import Exercise, expect, function

ORDER = 2
EXERCISE = Exercise(
  id="d2-generate", day=2, pathway="A", kind="code", minutes=25,
  title="Generate tests from a table",
  statement="""
Write `generate(spec, shape=(3, 4))`: return the source of a Python test module in tinygrad's style. `spec` maps
an op name to two expressions of `x`, the tinygrad one and the numpy one, e.g. `{"exp": ("x.exp()", "np.exp(x)")}`.
The module imports `unittest`, `numpy as np` and `Tensor`, and has one `unittest.TestCase` class with one method
`test_<name>` per entry that makes a seeded float32 input of `shape`, runs both expressions and compares them with
`np.testing.assert_allclose(got, want, atol=1e-6, rtol=1e-5)`.

The checker executes the source you return and runs its tests: one test per entry, each passing when the two
expressions agree and failing when they do not.
""",
  hints=(
    "Build a list of lines and `\"\\n\".join` it. Inside a test, `x` is a numpy array: the tinygrad expression needs "
    "`Tensor(x)`, e.g. `got = (lambda x: {tiny})(Tensor(x)).numpy()`.",
    "Seed the input so that a failure can be reproduced: `np.random.default_rng(0).uniform(-2, 2, shape).astype(np.float32)`.",
    "A test that computes both sides but never compares them always passes: end each test with `np.testing.assert_allclose`.",
  ),
  wrong={
    "no comparison": '''
def generate(spec, shape=(3, 4)):
  lines = ["import unittest", "import numpy as np", "from tinygrad import Tensor", "", "class TestGenerated(unittest.TestCase):"]
  for name, (tiny, ref) in spec.items():
    lines += [f"  def test_{name}(self):", f"    x = np.random.default_rng(0).uniform(-2, 2, {shape}).astype(np.float32)",
              f"    got = (lambda x: {tiny})(Tensor(x)).numpy()", f"    want = {ref}", ""]
  return "\\n".join(lines)
''',
    "one test for the whole table": '''
def generate(spec, shape=(3, 4)):
  lines = ["import unittest", "import numpy as np", "from tinygrad import Tensor", "", "class TestGenerated(unittest.TestCase):",
           "  def test_all(self):", f"    x = np.random.default_rng(0).uniform(-2, 2, {shape}).astype(np.float32)"]
  for name, (tiny, ref) in spec.items():
    lines += [f"    np.testing.assert_allclose((lambda x: {tiny})(Tensor(x)).numpy(), {ref}, atol=1e-6, rtol=1e-5)"]
  return "\\n".join(lines) + "\\n"
''',
  },
)

# --8<-- [start:solution]
def generate(spec: dict, shape=(3, 4)) -> str:
  """The source of a unittest module: one TestCase, one test_<name> per spec entry {name: (tinygrad expr of x, numpy expr of x)},
  each on a seeded float32 input of `shape`, compared with np.testing.assert_allclose(got, want, atol=1e-6, rtol=1e-5)."""
  lines = ["import unittest", "import numpy as np", "from tinygrad import Tensor", "",
           "class TestGenerated(unittest.TestCase):"]
  for name, (tiny, ref) in spec.items():
    lines += [f"  def test_{name}(self):",
              f"    x = np.random.default_rng(0).uniform(-2, 2, {shape}).astype(np.float32)",
              f"    got = (lambda x: {tiny})(Tensor(x)).numpy()",
              f"    np.testing.assert_allclose(got, {ref}, atol=1e-6, rtol=1e-5)", ""]
  return "\n".join(lines)
# --8<-- [end:solution]


def run_source(source: str) -> unittest.TestResult:
  mod = types.ModuleType("generated")
  exec(compile(source, "test_generated.py", "exec"), mod.__dict__)
  return unittest.TextTestRunner(stream=io.StringIO()).run(unittest.defaultTestLoader.loadTestsFromModule(mod))


def check(mod):
  generate = function(mod, "generate")
  good = {"exp": ("x.exp()", "np.exp(x)"), "relu": ("x.relu()", "np.maximum(x, 0)"), "sum_axis1": ("x.sum(axis=1)", "x.sum(axis=1)")}
  src = generate(good)
  expect(isinstance(src, str), f"generate returned {type(src).__name__}; it should return the module's source as a str")
  res = run_source(src)
  expect(res.testsRun == len(good), f"the generated module for {list(good)} has {res.testsRun} tests; it should have one per entry",
         "one `def test_<name>(self):` per entry")
  problems = [tb.strip().splitlines()[-1] for _, tb in res.errors + res.failures]
  expect(not problems, f"a generated test fails on ops that agree: {problems[:1]}", EXERCISE.hints[0])
  bad = {"exp": ("x.exp()", "np.exp(x)"), "relu_wrong": ("x.relu()", "np.abs(x)")}
  res = run_source(generate(bad))
  expect(len(res.failures) + len(res.errors) == 1, f"for a table where only relu_wrong is wrong ({bad['relu_wrong']}), "
         f"{len(res.failures) + len(res.errors)} generated tests fail; exactly one should", EXERCISE.hints[2])
  res = run_source(generate({"sum_axis0": ("x.sum(axis=0)", "x.sum(axis=0)")}, shape=(5, 2)))
  expect(res.testsRun == 1 and res.wasSuccessful(), "generate ignores `shape` or breaks for shape=(5, 2)", "use `shape` in the input's line")
