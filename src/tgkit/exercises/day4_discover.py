"""Day 4, Pathway A step 1: which devices open here, and why the others do not."""
import dataclasses

from tinygrad import Device

from tgkit.learn import Exercise, expect, function

ORDER = 1
EXERCISE = Exercise(
  id="d4-discover", day=4, pathway="A", kind="code", minutes=20,
  title="Discover the devices",
  statement="""
Write `discover(names)`: try to open each device with `Device[name]` and return one `DeviceInfo` per name, in order.
A device that raises while opening does not open; its `reason` is the exception's type and the first line of its
message, as `"ModuleNotFoundError: No module named ..."`. A device that opens has the reason `""`.

The checker calls it on `CPU`, `PYTHON`, `NULL`, `CUDA` and a name that is no device, and compares with what
opening each one does on your machine.
""",
  hints=(
    "`try: Device[name]` / `except Exception as e:`; opening a device with no driver raises, and so does an unknown name.",
    "`f\"{type(e).__name__}: {str(e).splitlines()[0]}\"` is the reason; a message can be empty, so guard the `[0]`.",
    "`tinygrad.device.ALL_DEVICES` is the list auto-selection tries; PYTHON and NULL are not in it, but they open.",
  ),
  wrong={
    "exceptions not caught": '''
import dataclasses
from tinygrad import Device
@dataclasses.dataclass
class DeviceInfo:
  name: str
  opens: bool
  reason: str = ""
def discover(names): return [DeviceInfo(n, Device[n] is not None) for n in names]
''',
    "the names auto-selection tries": '''
import dataclasses
from tinygrad.device import ALL_DEVICES
@dataclasses.dataclass
class DeviceInfo:
  name: str
  opens: bool
  reason: str = ""
def discover(names): return [DeviceInfo(n, n in ALL_DEVICES, "" if n in ALL_DEVICES else "not a device") for n in names]
''',
  },
)

# --8<-- [start:solution]
import dataclasses

from tinygrad import Device

@dataclasses.dataclass
class DeviceInfo:
  name: str
  opens: bool
  reason: str = ""     # why it does not open: "ExceptionType: first line of the message"

def discover(names: list[str]) -> list[DeviceInfo]:
  """Open each device with `Device[name]`: one DeviceInfo per name, in order. A device that raises does not open,
  and its reason is the exception's type name and the first line of its message."""
  out = []
  for name in names:
    try: Device[name]
    except Exception as e:  # noqa: BLE001 - a device that does not open is a result
      out.append(DeviceInfo(name, False, f"{type(e).__name__}: {(str(e).splitlines() or [''])[0]}"))
      continue
    out.append(DeviceInfo(name, True))
  return out
# --8<-- [end:solution]


def _opens(name: str) -> tuple[bool, str]:
  try: Device[name]
  except Exception as e: return False, type(e).__name__  # noqa: BLE001
  return True, ""


def check(mod):
  discover = function(mod, "discover")
  names = ["CPU", "PYTHON", "NULL", "CUDA", "NOSUCHDEVICE"]
  got = discover(names)
  expect(isinstance(got, list) and len(got) == len(names), f"discover({names}) returned {got!r:.100}; want one DeviceInfo per name")
  for name, info in zip(names, got):
    opens, exc = _opens(name)
    expect(getattr(info, "name", None) == name, f"entry {info!r:.80} should be the one for {name}", "keep the order of the names")
    expect(getattr(info, "opens", None) is opens, f"{name}: opens={getattr(info, 'opens', None)!r}, but Device[{name!r}] "
           f"{'opens' if opens else 'raises ' + exc} here", EXERCISE.hints[2] if opens else EXERCISE.hints[0])
    reason = getattr(info, "reason", None)
    expect(reason == "" if opens else isinstance(reason, str) and reason.startswith(exc + ":"),
           f"{name}: reason {reason!r}; " + ("a device that opens has the reason ''" if opens else f"it should start with '{exc}: '"),
           EXERCISE.hints[1])
