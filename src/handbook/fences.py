"""Find the code fences of a handbook page exactly as the MkDocs build sees them.

Fences may sit inside admonitions (`!!!`, `???`) and content tabs (`===`), indented by four spaces a
level; CommonMark parsers read those as indented code and miss them, so this scanner works on lines.
It is shared by the MkDocs hook (to name the page and line of a failing block) and by the pytest
bridge (to collect the blocks), so both agree on what a page executes.
"""
from __future__ import annotations

import dataclasses
import pathlib
import re

OPEN_RE = re.compile(r"^(?P<indent>[ ]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
ATTR_RE = re.compile(r"""(?P<key>[\w-]+)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>\S+))""")
INCLUDE_RE = re.compile(r"""^\s*-{1,}8<-{1,}\s+(["'])(?P<name>[^"']+)\1\s*$""")
SNIPPET_BASES = ("snippets", ".")  # keep in step with pymdownx.snippets base_path in mkdocs.yml


@dataclasses.dataclass
class Fence:
  path: pathlib.Path      # the page
  line: int               # 1-based line of the opening fence
  lang: str
  attrs: dict[str, str]   # key="value" options (exec, session, source, ...)
  words: set[str]         # bare words (notest, ...)
  body: str               # dedented, as MkDocs passes it on (includes not yet expanded)
  body_line: int          # 1-based line of the body's first line

  @property
  def executes(self) -> bool:
    return self.attrs.get("exec", "no").lower() not in {"", "no", "off", "false", "0"}

  @property
  def session(self) -> str | None:
    return self.attrs.get("session") or None


def parse_info(info: str) -> tuple[str, dict[str, str], set[str]]:
  info = info.strip()
  if info.startswith("{") and info.endswith("}"):  # superfences brace form {.python exec="on"}
    info = info[1:-1].replace(".", "", 1) if info[1:2] == "." else info[1:-1]
  attrs = {m["key"]: next(v for v in (m["dq"], m["sq"], m["bare"]) if v is not None) for m in ATTR_RE.finditer(info)}
  words = ATTR_RE.sub(" ", info).split()
  lang = words.pop(0) if words else ""
  return lang, attrs, set(words)


def scan(text: str, path: pathlib.Path) -> list[Fence]:
  """Every fenced block of a page, in document order, with its line number."""
  lines, fences, i = text.split("\n"), [], 0
  while i < len(lines):
    m = OPEN_RE.match(lines[i])
    if not m:
      i += 1
      continue
    indent, fence = len(m["indent"]), m["fence"]
    close = re.compile(rf"^[ ]{{0,{indent + 3}}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    j = i + 1
    while j < len(lines) and not close.match(lines[j]): j += 1
    body = [ln[indent:] if ln[:indent].strip() == "" else ln.lstrip() for ln in lines[i + 1:j]]
    lang, attrs, words = parse_info(m["info"])
    fences.append(Fence(path, i + 1, lang, attrs, words, "\n".join(body), i + 2))
    i = j + 1
  return fences


def snippet_path(name: str, root: pathlib.Path) -> pathlib.Path:
  """Resolve `--8<-- "name"` the way pymdownx.snippets does (section suffix `file.py:section` removed)."""
  file = name.split(":", 1)[0] if re.search(r":[A-Za-z_][\w-]*$", name) else name
  for base in SNIPPET_BASES:
    if (root / base / file).is_file(): return root / base / file
  raise FileNotFoundError(f'--8<-- "{name}": no such file under {", ".join(SNIPPET_BASES)}/')


def snippet_section(path: pathlib.Path, name: str) -> tuple[str, int]:
  """The text an include brings in and the 1-based line in `path` where it starts."""
  text = path.read_text(encoding="utf8")
  if ":" not in name or not re.search(r":[A-Za-z_][\w-]*$", name): return text, 1
  section = name.rsplit(":", 1)[1]
  lines = text.split("\n")
  start = next((k for k, ln in enumerate(lines) if re.search(rf"--8<--\s*\[start:{re.escape(section)}\]", ln)), None)
  end = next((k for k, ln in enumerate(lines) if re.search(rf"--8<--\s*\[end:{re.escape(section)}\]", ln)), None)
  if start is None or end is None: raise LookupError(f"{path}: no section [start:{section}] ... [end:{section}]")
  return "\n".join(lines[start + 1:end]), start + 2


def segments(fence: Fence, root: pathlib.Path) -> list[tuple[str, str]]:
  """Split a fence into (filename, code) pieces. Included files keep their own name and line numbers,
  page code keeps the page's line numbers, so a traceback points at the real place."""
  pieces, buf, first = [], [], fence.body_line - 1
  for k, line in enumerate(fence.body.split("\n")):
    m = INCLUDE_RE.match(line)
    if not m:
      buf.append(line)
      continue
    if any(b.strip() for b in buf): pieces.append((str(fence.path), "\n" * first + "\n".join(buf)))
    path = snippet_path(m["name"], root)
    code, start = snippet_section(path, m["name"])
    pieces.append((str(path), "\n" * (start - 1) + code))
    buf, first = [], fence.body_line + k
  if any(b.strip() for b in buf): pieces.append((str(fence.path), "\n" * first + "\n".join(buf)))
  return pieces


def expanded(fence: Fence, root: pathlib.Path) -> str:
  """The code markdown-exec runs for this fence: includes expanded, as pymdownx.snippets does."""
  out = []
  for line in fence.body.split("\n"):
    m = INCLUDE_RE.match(line)
    out.append(snippet_section(snippet_path(m["name"], root), m["name"])[0] if m else line)
  return "\n".join(out)
