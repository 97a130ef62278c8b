"""Day 4, Pathway A step 2: what the renderer behind a DEV string supports, compile-only targets included."""
import dataclasses

from tinygrad import Context, Device

from tgkit.learn import Exercise, expect, function

ORDER = 2
EXERCISE = Exercise(
  id="d4-capabilities", day=4, pathway="A", kind="code", minutes=25,
  title="Capabilities of a target",
  statement="""
Write `capabilities(target)` for a `DEV=` string: the renderer that `DEV=target` selects, and what it supports: its
class name, the sorted names of its native dtypes (`renderer.supported_dtypes()`), `has_local` and the number of
tensor cores. A target can be compile-only: `NULL:OPENCL` is the `NULL` device (it runs nothing) with the OpenCL
renderer, so you see what tinygrad would generate for a GPU you do not have.

The checker compares your records with the renderers for `CPU`, `PYTHON`, `NULL`, `NULL:OPENCL` and `NULL:WGSL`.
""",
  hints=(
    "The renderer depends on DEV, not only on the device: `Device[\"NULL\"].renderer` outside a Context is the NullRenderer.",
    "`with Context(DEV=target): r = Device[Device.DEFAULT].renderer`: inside the Context, DEFAULT is the target's device.",
    "`sorted(d.name for d in r.supported_dtypes())`, `type(r).__name__`, `len(r.tensor_cores)`.",
  ),
  wrong={
    "the device's default renderer": '''
import dataclasses
from tinygrad import Device
@dataclasses.dataclass
class Capabilities:
  target: str
  renderer: str
  native_dtypes: list
  has_local: bool
  tensor_cores: int
def capabilities(target):
  r = Device[target.split(":")[0]].renderer
  return Capabilities(target, type(r).__name__, sorted(d.name for d in r.supported_dtypes()), r.has_local, len(r.tensor_cores))
''',
  },
)

# --8<-- [start:solution]
import dataclasses

from tinygrad import Context, Device

@dataclasses.dataclass
class Capabilities:
  target: str
  renderer: str          # the renderer's class name
  native_dtypes: list    # sorted names of the dtypes the renderer supports natively
  has_local: bool
  tensor_cores: int

def capabilities(target: str) -> Capabilities:
  """What the renderer that DEV=target selects supports ("CPU", "PYTHON", "NULL", "NULL:OPENCL", ...).
  Select it as DEV= does: inside Context(DEV=target)."""
  with Context(DEV=target): r = Device[Device.DEFAULT].renderer
  return Capabilities(target, type(r).__name__, sorted(d.name for d in r.supported_dtypes()), r.has_local, len(r.tensor_cores))
# --8<-- [end:solution]


def check(mod):
  capabilities = function(mod, "capabilities")
  for target in ("CPU", "PYTHON", "NULL", "NULL:OPENCL", "NULL:WGSL"):
    try:
      with Context(DEV=target): r = Device[Device.DEFAULT].renderer
    except Exception: continue  # noqa: BLE001 - e.g. no clang here: nothing to compare for this target
    want = (type(r).__name__, sorted(d.name for d in r.supported_dtypes()), r.has_local, len(r.tensor_cores))
    c = capabilities(target)
    got = tuple(getattr(c, f, None) for f in ("renderer", "native_dtypes", "has_local", "tensor_cores"))
    for field, g, w in zip(("renderer", "native_dtypes", "has_local", "tensor_cores"), got, want):
      expect(g == w, f"capabilities({target!r}).{field} is {g!r}; the renderer DEV={target} selects has {w!r}",
             EXERCISE.hints[0] if field == "renderer" else EXERCISE.hints[2])
