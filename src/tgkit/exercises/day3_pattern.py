"""Day 3, Pathway B experiment: a PatternMatcher of your own."""
from tinygrad.uop import Ops
from tinygrad.uop.ops import PatternMatcher, UOp, UPat, graph_rewrite

from tgkit.learn import Exercise, expect

ORDER = 5
EXERCISE = Exercise(
  id="d3-pattern", day=3, pathway="B", kind="code", minutes=20,
  title="Write a rewrite rule",
  statement="""
Define `pm`, a `PatternMatcher` with one rule: a multiplication of anything by the constant 2 (`x * 2`) becomes an
addition (`x + x`); every other multiplication is left as it is (the rule's function returns `None`).

The checker rewrites graphs of integer variables with `graph_rewrite(graph, pm)` and compares the results with the graphs
they should be (with `is`: equal graphs are one object):
`y * 2 + 1` must become `y + y + 1`, `y * 2 * 3` must become `(y + y) * 3`, and `y * 3` must stay as it is.
""",
  hints=(
    "A rule is a pair `(UPat(...), function)`; `UPat(Ops.MUL, src=(UPat.var(\"a\"), UPat.cvar(\"c\")))` matches a MUL "
    "whose second source is a constant and passes both to the function as `a` and `c`.",
    "`c.arg` is the constant's value. Return `a + a` when it is 2 and `None` otherwise: None means no match.",
  ),
  wrong={
    "every multiplication rewritten": '''
from tinygrad.uop import Ops
from tinygrad.uop.ops import PatternMatcher, UPat
pm = PatternMatcher([(UPat(Ops.MUL, src=(UPat.var("a"), UPat.cvar("c"))), lambda a, c: a + a)])
''',
    "an empty matcher": '''
from tinygrad.uop.ops import PatternMatcher
pm = PatternMatcher([])
''',
  },
)

# --8<-- [start:solution]
from tinygrad.uop import Ops
from tinygrad.uop.ops import PatternMatcher, UPat

# x*2 -> x+x; the function returns None (no rewrite) for any other constant
pm = PatternMatcher([(UPat(Ops.MUL, src=(UPat.var("a"), UPat.cvar("c"))), lambda a, c: a + a if c.arg == 2 else None)])
# --8<-- [end:solution]


def check(mod):
  pm = getattr(mod, "pm", Ellipsis)
  expect(isinstance(pm, PatternMatcher), f"`pm` should be a PatternMatcher, got {type(pm).__name__ if pm is not Ellipsis else '...'}",
         "pm = PatternMatcher([(UPat(...), lambda ...: ...)])")
  y, z = UOp.variable("y", 0, 5), UOp.variable("z", 1, 9)
  # hash-consing makes equal graphs one object, so the result is compared with `is`
  for what, graph, want in [("y * 2 + 1", y * 2 + 1, y + y + 1), ("y * 3", y * 3, y * 3), ("(y + z) * 2", (y + z) * 2, (y + z) + (y + z)),
                            ("y * 2 * 3", y * 2 * 3, (y + y) * 3)]:
    got = graph_rewrite(graph, pm)
    expect(got is want, f"graph_rewrite({what}, pm) gives {got.render(simplify=False)}; the rule should give {want.render(simplify=False)}",
           "rewrite only a MUL by the constant 2; return None for any other constant" if got.op is not Ops.MUL and want.op is Ops.MUL
           else EXERCISE.hints[0])
