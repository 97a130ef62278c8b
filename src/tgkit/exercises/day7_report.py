"""Day 7, Pathway A step 3: a versioned JSON report, and a reader that refuses what it cannot read."""
import dataclasses
import json
from importlib.metadata import version

from tgkit.learn import Exercise, expect, function

ORDER = 3
_HEAD = '''
import dataclasses, json
from importlib.metadata import version
SCHEMA = 1
def to_json(findings, device):
  return json.dumps({"schema": SCHEMA, "tinygrad": version("tinygrad"), "device": device,
                     "summary": {s: sum(f.status == s for f in findings) for s in ("pass", "fail", "error")},
                     "findings": [dataclasses.asdict(f) for f in findings]})
'''
EXERCISE = Exercise(
  id="d7-report", day=7, pathway="A", kind="code", minutes=25,
  title="A versioned JSON report",
  statement="""
A report is read later, by another program (a CI step, a diff between two runs, a dashboard), and possibly by a
newer version of your platform. Write:

- `to_json(findings, device)`: the report as a JSON string of one object with `"schema"` (the constant `SCHEMA`,
  which is `1`), `"tinygrad"` (the installed version, `importlib.metadata.version("tinygrad")`), `"device"`,
  `"summary"` (the count of each status, all three keys) and `"findings"` (each finding as a dict with `suite`,
  `name`, `status`, `detail`, in order);
- `load(text)`: the report as a dict, or a `ValueError` with one clear line when the text is not JSON, is not a JSON
  object, or has no `"schema"` or another one than `SCHEMA`. A reader that accepts a report it does not understand
  compares the wrong fields silently.

The checker writes a report of three findings, reads it back, and gives `load` a report of schema 2, one without a
schema, a JSON list and a text that is not JSON.
""",
  hints=(
    "`dataclasses.asdict(f)` turns a finding into the dict; `json.dumps` of the whole object is the text.",
    "`json.loads` raises `json.JSONDecodeError`, which is a `ValueError` already; check `isinstance(data, dict)` "
    "before `data.get(\"schema\")`, or a JSON list raises `AttributeError` or `TypeError` instead.",
    "`raise ValueError(f\"report schema {data.get('schema')!r}, this reader reads schema {SCHEMA}\")`",
  ),
  wrong={
    "no schema check": _HEAD + "def load(text): return json.loads(text)\n",
    "a JSON list crashes the reader": _HEAD + '''
def load(text):
  data = json.loads(text)
  if data["schema"] != SCHEMA: raise ValueError(f"schema {data['schema']}, want {SCHEMA}")
  return data
''',
    "a missing schema accepted": _HEAD + '''
def load(text):
  data = json.loads(text)
  if not isinstance(data, dict): raise ValueError("a report is a JSON object")
  if data.get("schema", SCHEMA) != SCHEMA: raise ValueError(f"schema {data['schema']}, want {SCHEMA}")
  return data
''',
  },
)

# --8<-- [start:solution]
import dataclasses
import json
from importlib.metadata import version

SCHEMA = 1   # bump it when a field changes meaning; readers refuse other versions

def to_json(findings, device: str) -> str:
  """The report as JSON: schema, tinygrad version, device, summary (pass/fail/error counts) and every finding."""
  return json.dumps({"schema": SCHEMA, "tinygrad": version("tinygrad"), "device": device,
                     "summary": {s: sum(f.status == s for f in findings) for s in ("pass", "fail", "error")},
                     "findings": [dataclasses.asdict(f) for f in findings]}, indent=1)

def load(text: str) -> dict:
  """A report written by to_json; ValueError (one line) for text that is not JSON, not an object, or of another schema."""
  data = json.loads(text)   # json.JSONDecodeError is a ValueError
  if not isinstance(data, dict): raise ValueError(f"a report is a JSON object, got a JSON {type(data).__name__}")
  if data.get("schema") != SCHEMA: raise ValueError(f"report schema {data.get('schema')!r}, this reader reads schema {SCHEMA}")
  return data
# --8<-- [end:solution]


@dataclasses.dataclass
class _Finding:
  suite: str
  name: str
  status: str
  detail: str = ""


def check(mod):
  to_json, load = function(mod, "to_json"), function(mod, "load")
  findings = [_Finding("ops", "exp", "pass", "max error 1e-07"), _Finding("schedule", "fuses", "fail", "2 kernel(s), want 1"),
              _Finding("devices", "CPU==PYTHON", "error", "RuntimeError: no device")]
  text = to_json(findings, "CPU")
  expect(isinstance(text, str), f"to_json returned {type(text).__name__}; want the JSON text (a str)", EXERCISE.hints[0])
  try: data = json.loads(text)
  except ValueError: data = None
  expect(isinstance(data, dict), f"to_json's text is not a JSON object: {text!r:.100}", EXERCISE.hints[0])
  want = {"schema": 1, "tinygrad": version("tinygrad"), "device": "CPU", "summary": {"pass": 1, "fail": 1, "error": 1},
          "findings": [dataclasses.asdict(f) for f in findings]}
  for key, value in want.items():
    expect(key in data, f"the report has no {key!r} field; its fields are {sorted(data)}", "see the list of fields in the statement")
    expect(data[key] == value, f"the report's {key!r} is {data[key]!r:.200}; the right answer is {value!r:.200}", EXERCISE.hints[0])
  expect(getattr(mod, "SCHEMA", None) == 1, f"SCHEMA is {getattr(mod, 'SCHEMA', None)!r}; it is 1", "SCHEMA = 1")
  back = load(text)
  expect(back == data, f"load(to_json(...)) gave {back!r:.160}, not the report that was written", "return the parsed object itself")
  bad = [("a report of schema 2", json.dumps({**want, "schema": 2})), ("a report without a schema", json.dumps({"findings": []})),
         ("a JSON list", "[1, 2]"), ("a text that is not JSON", "PASS: 3 checks")]
  for what, src in bad:
    try: got = load(src)
    except ValueError as e:
      expect(bool(str(e).strip()) and "\n" not in str(e).strip(), f"load of {what} raised ValueError with the message {str(e)!r:.120}; "
             "want one clear line", EXERCISE.hints[2])
      continue
    except Exception as e:  # noqa: BLE001
      expect(False, f"load of {what} raised {type(e).__name__}: {e}; want a ValueError with one clear line", EXERCISE.hints[1])
    expect(False, f"load accepted {what} (returned {got!r:.80}); it must raise ValueError", EXERCISE.hints[2])
