"""Day 3, Pathway A step 1: count a tensor's UOps by op, each UOp once."""
import collections

from tinygrad import Tensor

from tgkit.learn import Exercise, expect, function

ORDER = 1
EXERCISE = Exercise(
  id="d3-histogram", day=3, pathway="A", kind="code", minutes=15,
  title="Count the ops of a graph",
  statement="""
Write `histogram(t)`: a dict from op name to how many UOps of `t`'s graph have that op, for example
`{"BUFFER": 1, "CONST": 2, "MUL": 1, "ADD": 1, "REDUCE": 1, ...}`. The graph is `t.uop` and everything it
depends on; a UOp that several others use is one UOp and is counted once.

The checker compares your counts with the real graph on three expressions, one of which uses the same
sub-expression twice.
""",
  hints=(
    "`t.uop.toposort()` returns every UOp of the graph once, sources first.",
    "`collections.Counter(u.op.name for u in ...)` counts; wrap it in `dict(...)`.",
    "A graph is not a tree: in `b = a * 2; b + b * b` the MUL that makes `b` is one UOp with three users. "
    "A recursive walk over `.src` visits it three times.",
  ),
  wrong={
    "a recursive walk over src": '''
import collections
from tinygrad import Tensor
def histogram(t):
  c = collections.Counter()
  def walk(u):
    c[u.op.name] += 1
    for s in u.src: walk(s)
  walk(t.uop)
  return dict(c)
''',
    "only the top UOp and its sources": '''
import collections
from tinygrad import Tensor
def histogram(t): return dict(collections.Counter(u.op.name for u in (t.uop, *t.uop.src)))
''',
  },
)

# --8<-- [start:solution]
import collections

from tinygrad import Tensor

def histogram(t: Tensor) -> dict[str, int]:
  """Count the UOps of `t`'s graph by op name ({"MUL": 1, "REDUCE": 1, ...}), each UOp once however many use it."""
  return dict(collections.Counter(u.op.name for u in t.uop.toposort()))
# --8<-- [end:solution]


def check(mod):
  histogram = function(mod, "histogram")
  a = Tensor([1.0, 2.0, 3.0, 4.0])
  b = a * 2
  cases = [("(a * 2 + 1).sum()", (a * 2 + 1).sum()), ("b + b * b with b = a * 2", b + b * b),
           ("Tensor.ones(4, 4).softmax(-1)", Tensor.ones(4, 4).softmax(-1))]
  for what, t in cases:
    want = dict(collections.Counter(u.op.name for u in t.uop.toposort()))
    got = histogram(t)
    expect(isinstance(got, dict), f"histogram({what}) returned {type(got).__name__}, not a dict")
    expect(got == want, f"histogram({what}) returned {got}; the graph has {want}",
           "walk the graph with t.uop.toposort(): it lists each UOp once, also one used several times")
