"""Where tinygrad defines each debugging flag, read from the installed package."""
# --8<-- [start:defined]
import pathlib
import re

import tinygrad
from tinygrad.helpers import ContextVar

PACKAGE = pathlib.Path(tinygrad.__file__).parent


def defined_at(name: str) -> tuple[str, str, str]:
  """(kind, current value, "file:line") of an environment variable tinygrad reads: a ContextVar or a getenv."""
  pattern = re.compile(rf"""(ContextVar|_DEV|getenv)\(\s*["']{re.escape(name)}["']""")  # _DEV: DEV's ContextVar subclass
  for path in sorted(PACKAGE.rglob("*.py")):
    if "autogen" in path.parts: continue
    for i, line in enumerate(path.read_text(encoding="utf8").split("\n")):
      if (m := pattern.search(line)):
        kind = "getenv" if m[1] == "getenv" else "ContextVar"
        value = "-"
        if kind == "ContextVar" and name in ContextVar._cache:
          v = ContextVar._cache[name].value
          if isinstance(v, list): v = ";".join(repr(t) for t in v)  # DEV holds a list of Targets
          value = "(unset)" if v == "" else repr(v)
        return kind, value, f"tinygrad/{path.relative_to(PACKAGE).as_posix()}:{i + 1}"
  raise LookupError(f"tinygrad 0.14.0 does not read {name}")
# --8<-- [end:defined]


if __name__ == "__main__":
  for flag in ("DEBUG", "DEV", "NOOPT", "BEAM", "TRACE", "CACHEDB"):
    print(flag, *defined_at(flag))
  try: defined_at("NOT_A_FLAG")
  except LookupError as e: print(e)
  assert defined_at("NOOPT")[0] == "ContextVar" and defined_at("TRACE")[0] == "getenv"
