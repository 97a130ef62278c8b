"""Every tinygrad name a page uses exists in the pinned tinygrad (0.14.0).

The scanner reads each page under docs/ and collects five kinds of names:

* paths: `tinygrad/...` (checked in the installed package) and tinygrad repository paths
  `test/...`, `examples/...`, `extra/...`, `.github/...` (checked in data/tinygrad-repo-files.txt); a
  `docs/...` or `.github/...` path must exist in this project or in tinygrad's repository. `*` and `<name>` are wildcards.
* symbols: `tinygrad.x.y` (import the longest module prefix, then getattr) and `Tensor.x`, `UOp.x`,
  `Ops.X`, `GroupOp.X`, `dtypes.x`, `Device.x`, `GlobalCounters.x`, `TinyJit.x`, `nn.x`, `Renderer.x`
  (getattr on the class, then on an instance for attributes set in `__init__`).
* settings: `NAME=` in prose, inline code and non-Python fences; `Context(NAME=...)` and
  `os.environ["NAME"]` in Python fences; a bare ALL_CAPS word in backticks (`BEAM`) unless it is an
  Ops, OptOps or AxisType member, a device or renderer name, a kernel name, or in NOT_SETTINGS. A
  setting is valid when it is a `ContextVar` (`ContextVar._cache`, plus every `ContextVar("...")` in
  the source), a `getenv`/`os.environ` name read anywhere in the package, a library path variable
  (`<LIB>_PATH`), a variable read by tinygrad's tests or examples (data/tinygrad-repo-env.txt) or in
  OTHER_ENV (not tinygrad's). The device in `DEV=X` must be a runtime (`tinygrad/runtime/ops_x.py`).
* links into tinygrad's GitHub: `blob/`, `tree/`, `raw/` links must name the pinned commit (or a
  tag), never a branch, and the file must exist at that commit.
* stale names: every word the migration page lists as gone (`ShapeTracker`, `tinygrad/engine/schedule.py`, ...).

snippets/*.py files get the same check, each scanned as one Python block.

Only docs/guides/migration.md may name what no longer exists, and only what its rows prove absent.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib
import pathlib
import re
import runpy

import pytest

from handbook import env

env.apply()

import tinygrad  # noqa: E402
from tinygrad import Device, Tensor  # noqa: E402
from tinygrad.helpers import ContextVar  # noqa: E402

from handbook import fences  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PKG = pathlib.Path(tinygrad.__file__).parent
COMMIT = "a9069c177a9da9cca18593edf55acd2e6073cca6"
MIGRATION = "guides/migration.md"
# pages whose executed blocks demonstrate that a stale name fails (the page shows the error)
EXEMPT = {"guides/pitfalls.md": {"requires_grad"}}
# environment variables pages may name that are not tinygrad's
OTHER_ENV = {"PATH", "CC", "CXX", "PYTHONPATH", "PYTHONHASHSEED", "NO_MKDOCS_2_WARNING", "DISABLE_MKDOCS_2_WARNING", "HOME",
             "SITE_URL", "REPO_URL", "LD_LIBRARY_PATH", "VIRTUAL_ENV", "TMPDIR", "PYTEST_ADDOPTS",
             "HANDBOOK_NO_CACHE", "HANDBOOK_BLOCK_TIMEOUT", "HANDBOOK_CACHE_DIR", "HANDBOOK_RECORD", "TGKIT_CACHE_DIR", "TGKIT_TRACEBACK",
             "TGKIT_JOBS",
             "TINYGRAD"}   # make drift TINYGRAD=<version>
# ALL_CAPS words in backticks that are not settings (acronyms, file names, field names)
NOT_SETTINGS = {"AST", "API", "CI", "CLI", "CPU", "GPU", "IR", "JIT", "JSON", "HTML", "PR", "SSA", "TTY", "URL", "UTC", "GFLOPS", "README",
                "DSL", "ISA", "ALU", "MIT", "SQL", "RSS", "PID", "FLOPS", "GB", "MB", "KB", "MIB", "OK", "PASS", "FAIL", "TODO", "E2E"}


def lines(path: str) -> set[str]:
  return {ln for ln in (ROOT / path).read_text(encoding="utf8").splitlines() if ln and not ln.startswith("#")}


REPO_FILES = lines("data/tinygrad-repo-files.txt")
REPO_ENV = lines("data/tinygrad-repo-env.txt")


@functools.cache
def settings() -> frozenset[str]:
  """Every setting name tinygrad 0.14.0 reads: registered ContextVars and the names in its source."""
  Device[Device.DEFAULT]
  names = set(ContextVar._cache)
  call = re.compile(r"""(?:ContextVar|getenv|os\.getenv|environ\.get)\(\s*["']([A-Z][A-Z0-9_]*)["']|environ\[["']([A-Z][A-Z0-9_]*)["']\]""")
  dll = re.compile(r"""DLL\(\s*["']([\w-]+)["']""")
  for py in PKG.rglob("*.py"):
    text = py.read_text(encoding="utf8", errors="replace")
    names |= {a or b for a, b in call.findall(text)}
    names |= {n.replace("-", "_").upper() + "_PATH" for n in dll.findall(text)}
  return frozenset(names)


@functools.cache
def non_settings() -> frozenset[str]:
  """ALL_CAPS words with another meaning in tinygrad: Ops, OptOps, AxisType members, devices, renderers."""
  from tinygrad.codegen.opt import OptOps
  from tinygrad.uop import Ops
  from tinygrad.uop.ops import AxisType
  names = {o.name for o in Ops} | {o.name for o in OptOps} | {a.name for a in AxisType} | set(NOT_SETTINGS)
  names |= {n for m in ("tinygrad", "tinygrad.nn", "tinygrad.nn.optim") for n in dir(importlib.import_module(m)) if n.isupper()}
  names |= {p.stem[4:].upper() for p in (PKG / "runtime").glob("ops_*.py")} | {"CLANG", "LLVM", "X86", "LVP", "PTX", "NAK", "IR3", "HIP", "NVRTC"}
  return frozenset(names)


SYMBOL_ROOTS = {"Tensor": lambda: Tensor, "UOp": lambda: importlib.import_module("tinygrad.uop.ops").UOp,
                "Ops": lambda: importlib.import_module("tinygrad.uop").Ops, "GroupOp": lambda: importlib.import_module("tinygrad.uop").GroupOp,
                "dtypes": lambda: tinygrad.dtypes, "Device": lambda: Device, "GlobalCounters": lambda: tinygrad.GlobalCounters,
                "TinyJit": lambda: tinygrad.TinyJit, "nn": lambda: importlib.import_module("tinygrad.nn"),
                "Renderer": lambda: importlib.import_module("tinygrad.renderer").Renderer}
INSTANCES = {"Tensor": lambda: Tensor([1.0]), "UOp": lambda: importlib.import_module("tinygrad.uop.ops").UOp.const(1.0, tinygrad.dtypes.float)}


def resolve(obj, attrs: list[str]) -> bool:
  for a in attrs:
    if not hasattr(obj, a): return False
    obj = getattr(obj, a)
  return True


def symbol_exists(name: str) -> bool:
  """`tinygrad.a.b.C.d` or `Tensor.x.y`: import, then getattr along the chain."""
  parts = name.split(".")
  if parts[0] == "tinygrad":
    for k in range(len(parts), 0, -1):
      try: mod = importlib.import_module(".".join(parts[:k]))
      except ImportError: continue
      return resolve(mod, parts[k:])
    return False
  if resolve(SYMBOL_ROOTS[parts[0]](), parts[1:]): return True
  return parts[0] in INSTANCES and resolve(INSTANCES[parts[0]](), parts[1:])


def path_exists(path: str) -> bool:
  """A tinygrad/ path in the installed package; test/, examples/, ... in tinygrad's repository; docs/ in either."""
  path = path.rstrip("/")
  pattern = re.compile("^" + re.escape(path).replace(r"\*", "[^/]*").replace("<WILD>", "[^/]*") + "(/.*)?$")
  if path.startswith("tinygrad/"):
    if "*" in path or "<WILD>" in path: return any(pattern.match(str(p.relative_to(PKG.parent))) for p in PKG.rglob("*"))
    return (PKG.parent / path).exists()
  if path.startswith(("docs/", ".github/")) and (ROOT / path).exists(): return True
  return any(pattern.match(f) for f in REPO_FILES)


@functools.cache
def migration_rows():
  return runpy.run_path(str(ROOT / "snippets" / "guides" / "migration.py"))


def stale_words() -> dict[str, str]:
  """word -> the migration row it comes from."""
  ns = migration_rows()
  return {w: row.old for row in ns["ROWS"] for w in row.stale}


@dataclasses.dataclass(frozen=True)
class Finding:
  page: str
  line: int
  kind: str     # path, symbol, setting, link, stale
  name: str
  why: str

  def __str__(self): return f"{'' if self.page.startswith('snippets/') else 'docs/'}{self.page}:{self.line}: {self.kind} {self.name!r}: {self.why}"


URL = re.compile(r"https?://[^\s)>\]`'\"]+")
LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
GH = re.compile(r"https?://(?:github\.com/tinygrad/tinygrad/(?:blob|tree|raw|blame)|raw\.githubusercontent\.com/tinygrad/tinygrad)"
                r"/([^/\s#?]+)/?([^\s#?)]*)")
PKG_PATH = re.compile(r"(?<![\w/.<>-])(tinygrad/(?:[\w.*<>-]+/?)*[\w*>/])")
REPO_PATH = re.compile(r"(?<![\w/.<>-])((?:test|examples|extra|docs|\.github)/(?:[\w.*<>-]+/?)*[\w*>/])")
DOTTED = re.compile(r"(?<![\w.])((?:tinygrad|" + "|".join(SYMBOL_ROOTS) + r")(?:\.[A-Za-z_]\w*)+)")
ASSIGN = re.compile(r"(?<![\w.$-])([A-Z][A-Z0-9_]*[A-Z0-9])=(?!=)([^\s`|,;)'\"]*)")
CONTEXT = re.compile(r"Context\(([^()]*)\)")
ENVIRON = re.compile(r"""environ\[["']([A-Z][A-Z0-9_]*)["']\]""")
TICKED = re.compile(r"`([A-Z][A-Z0-9_]*[A-Z0-9])`")
KERNEL_NAME = re.compile(r"^[A-Za-z]_\d")


def page_regions(text: str, page: pathlib.Path) -> list[tuple[int, str, str]]:
  """(first line, kind, text) pieces of a page: 'prose' outside fences, 'python' and 'other' fence bodies."""
  out, taken = [], set()
  for f in fences.scan(text, page):
    n = f.body.count("\n") + 2
    taken |= set(range(f.line, f.line + n))
    out.append((f.body_line, "python" if f.lang in ("python", "py", "pycon") else "other", f.body))
  src = text.split("\n")
  prose = "\n".join("" if i + 1 in taken else ln for i, ln in enumerate(src))
  out.append((1, "prose", prose))
  return out


def scan(text: str, page: str, migration: bool | None = None, offset: int = 0) -> list[Finding]:
  """Every name on one page that does not exist in the pinned tinygrad (empty when the page is true).

  `migration`: the page may name what its migration rows prove gone (default: only the migration page);
  `offset` is subtracted from line numbers (a snippet is scanned wrapped in a fence).
  """
  found: list[Finding] = []
  is_migration = page == MIGRATION if migration is None else migration
  stale = stale_words()
  allowed_old = " ".join(f"{r.old} {' '.join(r.gone)}" for r in migration_rows()["ROWS"]) if is_migration else ""

  def report(line, kind, name, why):
    if is_migration and name in allowed_old: return   # named by a row whose absence the page asserts
    found.append(Finding(page, line - offset, kind, name, why))

  for first, kind, body in page_regions(text, DOCS / page):
    for k, ln in enumerate(body.split("\n")):
      line = first + k
      for url in URL.findall(ln):
        if (m := GH.match(url)):
          ref, path = m.group(1), m.group(2).rstrip("/.")
          if "{" in ref: continue   # a link template in code: the code fills in the pinned commit
          if ref != COMMIT and not re.fullmatch(r"v\d+\.\d+\.\d+", ref):
            report(line, "link", url, f"points at {ref!r}; link the pinned commit {COMMIT}")
          elif path and ref == COMMIT and not any(f == path or f.startswith(path + "/") for f in REPO_FILES):
            report(line, "link", url, "no such file at the pinned commit")
      plain = LINK_TARGET.sub("]", URL.sub(" ", ln))   # relative link targets are this site's pages
      for name in PKG_PATH.findall(plain):
        if name.startswith("tinygrad/tinygrad"): continue  # the GitHub repository's name
        if not path_exists(re.sub(r"<[^>]*>", "<WILD>", name)): report(line, "path", name, "not in the installed tinygrad package")
      for name in REPO_PATH.findall(plain):
        if not path_exists(re.sub(r"<[^>]*>", "<WILD>", name)):
          report(line, "path", name, "not in tinygrad's repository at the pinned commit (nor in this project)")
      for name in DOTTED.findall(plain):
        if name.split(".")[0] == "tinygrad" and len(name.split(".")) == 2 and name.split(".")[1] in ("org", "com"): continue
        if not symbol_exists(name): report(line, "symbol", name, "does not resolve with import + getattr")
      candidates: list[tuple[str, str]] = []
      if kind == "python":
        for args in CONTEXT.findall(plain): candidates += [(n, "") for n in re.findall(r"\b([A-Z][A-Z0-9_]*)\s*=", args)]
        candidates += [(n, "") for n in ENVIRON.findall(plain)]
      else:
        candidates += ASSIGN.findall(plain)
        if kind == "prose":
          candidates += [(n, "") for n in TICKED.findall(plain) if n not in non_settings() and not KERNEL_NAME.match(n)]
      for name, value in candidates:
        if name in OTHER_ENV: continue
        if name not in settings() and (name not in REPO_ENV or name in non_settings()):
          report(line, "setting", f"{name}={value}" if value else name, "not a setting tinygrad 0.14.0 reads")
        elif name == "DEV" and value and re.fullmatch(r"[\w+:,;-]+", value):
          dev = value.lstrip(";").split("+")[-1].split(":")[0]
          if dev and not (PKG / "runtime" / f"ops_{dev.lower()}.py").exists():
            report(line, "setting", f"DEV={value}", f"no runtime ops_{dev.lower()}.py")
      if not is_migration:
        for word, old in stale.items():
          if word in EXEMPT.get(page, ()): continue
          if re.search(r"(?<![\w/.])" + re.escape(word) + r"(?![\w])", plain):
            report(line, "stale", word, f"gone in 0.14.0 (migration row: {old}); name it only on {MIGRATION}")
  return sorted(set(found), key=lambda f: (f.line, f.kind, f.name))


PAGES = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))


@pytest.mark.parametrize("page", PAGES)
def test_page_names_exist(page):
  findings = scan((DOCS / page).read_text(encoding="utf8"), page)
  assert not findings, "names that do not exist in tinygrad 0.14.0:\n" + "\n".join(map(str, findings))


SNIPPETS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "snippets").rglob("*.py"))


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_snippet_names_exist(snippet):
  """Snippets are what pages show: the same check, with the file as one Python block."""
  text = "```python\n" + (ROOT / snippet).read_text(encoding="utf8") + "\n```\n"
  findings = scan(text, snippet, migration=snippet == "snippets/guides/migration.py", offset=1)
  findings += [Finding(snippet, i + 1, "link", m[1], f"link templates must use the pinned commit {COMMIT}")
               for i, ln in enumerate(text.split("\n")[1:]) if (m := re.match(r'^COMMIT = "(\w+)"', ln)) and m[1] != COMMIT]
  assert not findings, "names that do not exist in tinygrad 0.14.0:\n" + "\n".join(map(str, findings))


def test_migration_rows_are_absent_and_replaced():
  ns = migration_rows()
  problems = {row.old: ns["check"](row) for row in ns["ROWS"]}
  assert not any(problems.values()), problems
  assert all(row.gone and row.there for row in ns["ROWS"])
  assert '--8<-- "guides/migration.py:checks"' in (DOCS / MIGRATION).read_text(encoding="utf8")


# stale words that still occur in tinygrad's source, and where (not as an API)
STILL_MENTIONED = {"requires_grad": {"nn/state.py"}, "kernelize": {"mixin/op.py"}}


def test_stale_words_are_gone_from_the_source():
  """No identifier the migration page calls gone occurs in tinygrad's source, except the known mentions."""
  sources = {str(p.relative_to(PKG)): p.read_text(encoding="utf8") for p in PKG.rglob("*.py") if "autogen" not in p.parts}
  for word in stale_words():
    if not re.fullmatch(r"\w+", word): continue
    where = {f for f, text in sources.items() if re.search(rf"\b{word}\b", text)}
    assert where == STILL_MENTIONED.get(word, set()), f"{word!r} occurs in {sorted(where)}"


BAD_PAGE = """# An old guide

The `ShapeTracker` in `tinygrad/engine/schedule.py` tracks views. Put the model in training mode with
`Tensor.train()` and run with `CPU=1` or `LLVM_OPT_LEVEL=3`, print `Ops.REDUCE_AXIS`, see
[the source](https://github.com/tinygrad/tinygrad/blob/master/tinygrad/tensor.py) and `test/test_ops.py`.

```python exec="on" source="above" result="text" session="old"
with Context(TRAINIG=1): pass
```
"""


def test_scanner_reports_stale_names():
  found = scan(BAD_PAGE, "course/old.md")
  names = {(f.kind, f.name) for f in found}
  for expected in [("stale", "ShapeTracker"), ("path", "tinygrad/engine/schedule.py"), ("stale", "tinygrad/engine/schedule.py"),
                   ("symbol", "Tensor.train"), ("stale", "Tensor.train"), ("setting", "CPU=1"), ("stale", "CPU=1"),
                   ("setting", "LLVM_OPT_LEVEL=3"), ("symbol", "Ops.REDUCE_AXIS"), ("path", "test/test_ops.py"), ("setting", "TRAINIG")]:
    assert expected in names, f"{expected} not reported; reported: {sorted(names)}"
  assert any(f.kind == "link" and "master" in f.why for f in found)
  assert all(f.line in (3, 4, 5, 8) for f in found), [str(f) for f in found]


def test_scanner_accepts_true_names():
  good = f"""`tinygrad/schedule/rangeify.py`, `tinygrad.engine.realize.run_linear`, `Tensor.schedule_linear`, `Tensor.uop.op`,
`Ops.SINK`, `dtypes.weakfloat`, `DEBUG=4`, `BEAM`, `NOOPT=1`, `DEV=CPU:LLVM`, `E_4_4`, `test/backend/test_ops.py`, `FORWARD_ONLY=1`,
`CUDA_PATH`, `LINEAR`, [ops](https://github.com/tinygrad/tinygrad/blob/{COMMIT}/tinygrad/tensor.py), `PATH=/usr/bin`
"""
  assert scan(good, "course/new.md") == []


def test_migration_page_may_name_only_what_it_proves_gone():
  assert scan("`ShapeTracker` and `tinygrad/engine/memory.py` are gone.", MIGRATION) == []
  assert [f.name for f in scan("`Tensor.frobnicate` is gone.", MIGRATION)] == ["Tensor.frobnicate"]


def name_counts() -> dict[str, int]:
  """How many distinct names of each kind the pages use (and the scanner checks)."""
  counts: dict[str, set[str]] = {"paths": set(), "symbols": set(), "settings": set(), "links": set()}
  for page in PAGES:
    text = (DOCS / page).read_text(encoding="utf8")
    for first, kind, body in page_regions(text, DOCS / page):
      counts["links"] |= {u for u in URL.findall(body) if GH.match(u)}
      plain = LINK_TARGET.sub("]", URL.sub(" ", body))
      counts["paths"] |= {n for n in PKG_PATH.findall(plain) + REPO_PATH.findall(plain) if not n.startswith("tinygrad/tinygrad")}
      counts["symbols"] |= set(DOTTED.findall(plain))
      if kind == "python": counts["settings"] |= {n for a in CONTEXT.findall(plain) for n in re.findall(r"\b([A-Z][A-Z0-9_]*)\s*=", a)}
      else:
        counts["settings"] |= {n for n, _ in ASSIGN.findall(plain)}
        if kind == "prose": counts["settings"] |= {n for n in TICKED.findall(plain) if n not in non_settings() and not KERNEL_NAME.match(n)}
  return {k: len(v) for k, v in counts.items()}


def test_counts():
  """The pages use names of every kind, and the scanner sees them (printed with -s)."""
  counts = name_counts()
  print("distinct names checked:", counts, "settings tinygrad reads:", len(settings()), "read by its tests:", len(REPO_ENV))
  assert counts["paths"] > 20 and counts["symbols"] > 20 and counts["settings"] > 10
