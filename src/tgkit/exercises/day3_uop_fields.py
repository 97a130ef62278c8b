"""Day 3, Pathway B: what a UOp is made of, checked against the installed UOp."""
import dataclasses

from tinygrad import dtypes
from tinygrad.uop import Ops
from tinygrad.uop.ops import UOp, UOpMetaClass

from tgkit.learn import Exercise, expect, expect_code

ORDER = 3
EXERCISE = Exercise(
  id="d3-uop-fields", day=3, pathway="B", kind="reading", minutes=15,
  title="The fields of a UOp",
  statement="""
Read `class UOp` and `class UOpMetaClass` in `tinygrad/uop/ops.py`, then answer in your file:

- `FIELDS`: the names of a UOp's fields, in the order the dataclass declares them, as a tuple of strings. These
  are also the key of the cache that makes building the same UOp twice return the same object.
- `CACHE`: as `"module:name"`, the method that looks a UOp up in that cache before building it.
- `REPLACE`: as `"module:name"`, the UOp method that returns a UOp with some fields changed (the original is left as it is).

The checker compares `FIELDS` with the installed `UOp`'s dataclass fields and checks, on live UOps, that two UOps
that differ only in the last field are two objects.
""",
  hints=(
    "The fields are the annotated class attributes right under `class UOp(...)`; `dataclasses.fields(UOp)` lists them too.",
    "Look at the line in `UOpMetaClass.__call__` that builds `key:=(...)`: every field is in it, the last one included.",
    "`metadata` is a parameter of the constructor but not a field: it is kept in a separate table, outside the key.",
  ),
  wrong={
    "four fields": 'FIELDS = ("op", "dtype", "src", "arg")\nCACHE = "tinygrad.uop.ops:UOpMetaClass.__call__"\n'
                   'REPLACE = "tinygrad.uop.ops:UOp.replace"\n',
    "metadata counted as a field": 'FIELDS = ("op", "dtype", "src", "arg", "tag", "metadata")\n'
                                   'CACHE = "tinygrad.uop.ops:UOpMetaClass.__call__"\nREPLACE = "tinygrad.uop.ops:UOp.replace"\n',
    "the constructor instead of the cache": 'FIELDS = ("op", "dtype", "src", "arg", "tag")\nCACHE = "tinygrad.uop.ops:UOp.__init__"\n'
                                            'REPLACE = "tinygrad.uop.ops:UOp.replace"\n',
  },
)

# --8<-- [start:solution]
# A UOp's fields, in declaration order; they are also the key of the UOp cache.
FIELDS = ("op", "dtype", "src", "arg", "tag")
# Answer as "module:name".
CACHE = "tinygrad.uop.ops:UOpMetaClass.__call__"
REPLACE = "tinygrad.uop.ops:UOp.replace"
# --8<-- [end:solution]


def check(mod):
  real = tuple(f.name for f in dataclasses.fields(UOp))
  got = getattr(mod, "FIELDS", Ellipsis)
  expect(got is not Ellipsis, "`FIELDS` is not answered yet (it is still `...`)", "a tuple of strings: (\"op\", ...)")
  expect(isinstance(got, (tuple, list)) and all(isinstance(f, str) for f in got), f"`FIELDS` should be a tuple of strings, got {got!r}")
  expect(tuple(got) == real, f"FIELDS: {tuple(got)} are not the fields of the installed UOp ({len(real)} fields)", EXERCISE.hints[0])
  # the last field is part of the cache key: same op, dtype, src and arg but another tag is another object
  c = UOp(Ops.CONST, dtypes.int, (), 3)
  expect(c is UOp(Ops.CONST, dtypes.int, (), 3) and c.replace(**{real[-1]: "t"}) is not c, "internal: the UOp cache changed")
  expect_code(mod, "CACHE", UOpMetaClass.__call__, "which method looks a UOp up in the cache?", EXERCISE.hints[1])
  expect_code(mod, "REPLACE", UOp.replace, "which UOp method returns a UOp with some fields changed?", "search ops.py for `def replace`")
