"""What a reader of the site gets besides the pages: the state each block takes from the blocks above it, each page's
code as one program, and tgkit's wheel. `handbook.reader_hooks` (a MkDocs hook) wires these into the build.

* `uses()`: for every executed block, the names it reads that an earlier block of its session defined (found with `ast`).
  The page says so above the block: "Uses `x`, `validate` from earlier blocks (session `day1`)."
* `script()`: the page's executed blocks as one Python file, in page order, with what each printed when the site was
  built as comments under it. Sessions stay apart: a session starts seeded, as in the build; when two sessions of a page
  would clash in one namespace (a block reads a name another session redefined), each session runs in its own namespace.
  A block that needs a device (`device=`) is kept as a comment. `tests/test_reader_path.py` runs these files.
* `{{ tgkit_version }}` and `{{ tgkit_wheel_url }}` in a page become tgkit's version and the wheel's URL under the site.
"""
from __future__ import annotations

import ast
import dataclasses
import pathlib

from handbook import env, fences, wheel

TOKENS = ("{{ tgkit_version }}", "{{ tgkit_wheel_url }}")
NO_NEWLINE = "(no newline at the end)"
recorded: dict[str, list[tuple[str, str]]] = {}   # page src_uri -> (code, output) of every block the build ran, in order


def wheel_url(site_url: str) -> str: return f"{site_url.rstrip('/')}/dist/{wheel.filename()}"


def substitute(markdown: str, site_url: str) -> str:
  return markdown.replace(TOKENS[0], wheel.version()).replace(TOKENS[1], wheel_url(site_url))


# ---------------------------------------------------------------- names a block binds and reads

class _Names(ast.NodeVisitor):
  """Module-scope names a block binds (`bound`) and reads before binding them (`read`, in order), roughly in evaluation order.
  Function and class bodies run later: the names they read and do not bind themselves count as read at the end."""

  def __init__(self):
    self.bound, self.read, self.later = set(), [], []
    self.imported: dict[str, str] = {}   # name -> what an import statement bound to it ("tinygrad.Tensor"); other bindings drop it

  def use(self, name: str):
    if name not in self.bound and name not in self.read: self.read.append(name)

  def visit_Name(self, node):
    if isinstance(node.ctx, ast.Load): self.use(node.id)
    else: self.bind(node.id)

  def bind(self, name: str, origin: str | None = None):
    self.bound.add(name)
    if origin: self.imported[name] = origin
    else: self.imported.pop(name, None)

  def visit_Assign(self, node):
    self.visit(node.value)
    for t in node.targets: self.visit(t)

  def visit_AnnAssign(self, node):
    if node.value is not None: self.visit(node.value)
    self.visit(node.target)

  def visit_AugAssign(self, node):
    if isinstance(node.target, ast.Name): self.use(node.target.id)
    self.visit(node.value)
    self.visit(node.target)

  def visit_NamedExpr(self, node):
    self.visit(node.value)
    self.visit(node.target)

  def visit_For(self, node):
    self.visit(node.iter)
    self.visit(node.target)
    for s in node.body + node.orelse: self.visit(s)
  visit_AsyncFor = visit_For

  def visit_Import(self, node):
    for a in node.names: self.bind(a.asname or a.name.split(".")[0], a.name if a.asname else a.name.split(".")[0])

  def visit_ImportFrom(self, node):
    for a in node.names: self.bind(a.asname or a.name, f"{'.' * node.level}{node.module or ''}.{a.name}")

  def visit_ExceptHandler(self, node):
    if node.type is not None: self.visit(node.type)
    if node.name: self.bind(node.name)
    for s in node.body: self.visit(s)

  def _deferred(self, node, name: str | None, now: list):
    for n in now: self.visit(n)
    if name: self.bind(name)
    body = node.body if isinstance(node.body, list) else [node.body]
    inner = [n for b in body for n in ast.walk(b)]
    args = {a.arg for n in [node, *inner] if isinstance(getattr(n, "args", None), ast.arguments)
            for a in (*n.args.posonlyargs, *n.args.args, *n.args.kwonlyargs, *filter(None, (n.args.vararg, n.args.kwarg)))}
    binds = args | {n.id for n in inner if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    binds |= {n.name for n in inner if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    binds |= {a.asname or a.name.split(".")[0] for n in inner if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    binds |= {n.name for n in inner if isinstance(n, ast.ExceptHandler) and n.name}
    self.later += [n.id for n in inner if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in binds]

  def visit_FunctionDef(self, node):
    a = node.args
    self._deferred(node, node.name, [*node.decorator_list, *a.defaults, *filter(None, a.kw_defaults)])
  visit_AsyncFunctionDef = visit_FunctionDef

  def visit_Lambda(self, node): self._deferred(node, None, [*node.args.defaults, *filter(None, node.args.kw_defaults)])
  def visit_ClassDef(self, node): self._deferred(node, node.name, [*node.decorator_list, *node.bases, *node.keywords])

  def _comprehension(self, node, elts: list):
    local = {n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
    self.visit(node.generators[0].iter)
    rest = [*elts, *(g.iter for g in node.generators[1:]), *(i for g in node.generators for i in g.ifs)]
    for n in (m for r in rest for m in ast.walk(r)):
      if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in local: self.use(n.id)
  def visit_ListComp(self, node): self._comprehension(node, [node.elt])
  visit_SetComp = visit_GeneratorExp = visit_ListComp
  def visit_DictComp(self, node): self._comprehension(node, [node.key, node.value])

  def finish(self) -> _Names:
    for name in self.later: self.use(name)
    return self


def names(code: str) -> tuple[set[str], list[str]]:
  """(names the code binds at module scope, names it reads that it has not bound before, in order of first use)."""
  v = _names(code)
  return v.bound, v.read


def _names(code: str) -> _Names:
  v = _Names()
  v.visit(ast.parse(code))
  return v.finish()


# ---------------------------------------------------------------- a page's blocks

@dataclasses.dataclass
class Block:
  fence: fences.Fence
  code: str                # includes expanded
  bound: set[str]
  read: list[str]
  uses: list[str]          # read names that an earlier block of the same session bound
  imported: dict[str, str] = dataclasses.field(default_factory=dict)   # bound names whose last binding is an import, and what it imports


def blocks(markdown: str, page: pathlib.Path, root: pathlib.Path = env.ROOT) -> list[Block]:
  """The page's executed Python blocks, in page order, with the names each takes from earlier blocks of its session."""
  out, seen = [], {}
  for f in fences.scan(markdown, page):
    if not f.executes or f.lang not in ("python", "py"): continue
    code = fences.expanded(f, root)
    v = _names(code)
    earlier = seen.setdefault(f.session, set()) if f.session else set()
    out.append(Block(f, code, v.bound, v.read, [n for n in v.read if n in earlier], v.imported))
    if f.session: earlier |= v.bound
  return out


def uses_note(block: Block) -> str:
  return f"Uses {', '.join(f'`{n}`' for n in block.uses)} from earlier blocks (session `{block.fence.session}`)."


def annotate(markdown: str, page: pathlib.Path, script_name: str | None, root: pathlib.Path = env.ROOT) -> str:
  """The page with a note above every block that uses earlier blocks' names, and a link to its script under the title."""
  lines = markdown.split("\n")
  for b in reversed(blocks(markdown, page, root)):
    if not b.uses: continue
    i = b.fence.line - 1
    indent = lines[i][:len(lines[i]) - len(lines[i].lstrip(" "))]
    lines[i:i] = ([""] if i and lines[i - 1].strip() else []) + [indent + uses_note(b), ""]
  if script_name:
    h1 = next((k for k, ln in enumerate(lines) if ln.startswith("# ")), -1)
    lines[h1 + 1:h1 + 1] = ["", f"The code of this page as one program: [{script_name}]({script_name}) (every executed block, in page order, "
                                "with what it printed when this site was built).", ""]
  return "\n".join(lines)


# ---------------------------------------------------------------- the page as one program

def clashes(page_blocks: list[Block]) -> list[str]:
  """Names a block reads whose latest definition in page order comes from another namespace (session, or a block without one),
  unless both namespaces bound it by importing the same thing (`from tinygrad import Tensor` twice is one Tensor)."""
  out, last, own = [], {}, {}
  for k, b in enumerate(page_blocks):
    ns = b.fence.session or f"#{k}"
    mine = own.setdefault(ns, {})
    out += [f"line {b.fence.line}: `{n}`" for n in b.read if n in last and last[n][0] != ns and (last[n][1] is None or mine.get(n) != last[n][1])]
    for n in b.bound: last[n], mine[n] = (ns, b.imported.get(n)), b.imported.get(n)
  return out


def _comment(text: str) -> list[str]:
  """Output as comments, exactly: every line, trailing spaces and blank lines kept (`expected` reads them back)."""
  lines = text[:-1].split("\n") if text.endswith("\n") else [*text.split("\n"), NO_NEWLINE]
  return ["# " + ln if ln else "#" for ln in lines]


def script(title: str, src_uri: str, page_blocks: list[Block], outputs: list[str | None]) -> str:
  """The program: a header, the build's environment, a seed helper, then every block with its printed output as comments.
  `outputs[k]` is what block k printed in the build, None when the build did not run it (a device it needs did not open)."""
  keep = {k: v for k, v in env.BUILD_ENV.items() if k not in ("CACHEDB", "TGKIT_CACHE_DIR", "PYTHONHASHSEED")}
  separate = bool(clashes(page_blocks))
  out = [f'"""{title}: the code of the page {src_uri} as one program.', "",
         "Every block the page executes, in page order; the comments under a block show what it printed when the site was built.",
         "Needs tinygrad 0.14.0, numpy and tgkit (the handbook's Set up page).", '"""',
         "import os", "", f"os.environ.update({keep!r})  # the build's settings, before tinygrad is imported",
         f"for name in {env.CLEARED!r}: os.environ.pop(name, None)  # settings that would change the output", "", "",
         "def seed():", '  """Seed Python\'s, numpy\'s and tinygrad\'s random numbers, as the build does when a session starts."""',
         "  import random", "", "  import numpy as np", "  from tinygrad import Tensor", "  random.seed(0)", "  np.random.seed(0)",
         "  Tensor.manual_seed(0)", ""]
  if separate:
    out += ["", "# Two sessions of this page use the same names, so each session runs in its own namespace, as in the build.",
            "namespaces = {}", "", "", "def run(session, code):",
            '  exec(compile(code, f"<code block: session {session}>", "exec"), namespaces.setdefault(session, {}))', ""]
  started = set()
  for k, (b, printed) in enumerate(zip(page_blocks, outputs)):
    f = b.fence
    out += ["", f"# ---- {src_uri}:{f.line}" + (f", session {f.session}" if f.session else "") + " ----"]
    if printed is None:
      why = f"needs a {' or '.join(f.attrs['device'].split(','))} device" if "device" in f.attrs else "did not run in the last build"
      out += [f"# This block {why}, so it is kept as a comment:", *("# " + ln if ln else "#" for ln in b.code.rstrip("\n").split("\n"))]
      continue
    if b.uses: out.append(f"# {uses_note(b)}".replace("`", ""))
    if f.session is None or f.session not in started: out.append("seed()")
    if f.session: started.add(f.session)
    out += [f"run({f.session or f'block{k}'!r}, {b.code!r})"] if separate else b.code.rstrip("\n").split("\n")
    if printed: out += ["# prints:", *_comment(printed)]
  return "\n".join(out) + "\n"


def expected(script_text: str) -> str:
  """What a script printed in the build: its `# prints:` comments put back together (tests/test_reader_path.py compares)."""
  outs, cur = [], None
  for ln in script_text.split("\n"):
    if ln == "# prints:":
      outs.append(cur := [])
    elif cur is not None and (ln == "#" or ln.startswith("# ")): cur.append(ln[2:])
    else: cur = None
  return "".join("\n".join(o[:-1]) if o and o[-1] == NO_NEWLINE else "\n".join(o) + "\n" for o in outs)
