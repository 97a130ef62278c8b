"""How the build executes a page's Python blocks (wraps markdown-exec's Python formatter and runner).

* Sessions are per page: `session="x"` on two pages are two namespaces, exactly as under pytest
  (markdown-exec's own sessions are global and survive `mkdocs serve` rebuilds; ours are reset per build).
* Every session starts seeded (`handbook.env.seed`), and so does every block without a session.
* A failing block is reported as `docs/<page>.md:<line>` before markdown-exec's own warning, which
  fails the strict build. A block that runs longer than its time limit (`HANDBOOK_BLOCK_TIMEOUT`,
  default 60 s, or the fence option `timeout="120"`) is stopped and reported the same way.
* Execution cache: a block's output is reused when its code, the code of every earlier block of its
  session (included snippets are part of a block's code), the files its fence names in `depends="..."`,
  the project's code and data (src/, scripts/, data/), the pinned tinygrad and the build environment are
  unchanged. A miss in a session
  first re-runs the session's earlier blocks, so state is never stale. `HANDBOOK_NO_CACHE=1` executes
  everything (and refreshes the cache); `HANDBOOK_NO_CACHE="*,!course/*"` only the pages its patterns select. The cache lives in `.cache/exec/` (`HANDBOOK_CACHE_DIR` moves `.cache`).
* `device="CUDA,METAL"`: the block runs only where one of these devices opens; elsewhere the page shows
  its source and a "Not run on this build host" note, and the build log counts it as skipped.
* Output that a block prints as Markdown (no `result=`) has its raw HTML escaped; a block passes HTML
  through only when it says `html="1"`.
* `HANDBOOK_RECORD=<file>` appends one JSON line per block (where, ok/failed/skipped, its output or error) for `make drift`.
"""
from __future__ import annotations

import contextlib
import ctypes
import fnmatch
import hashlib
import json
import logging
import os
import pathlib
import re
import signal
import threading
import time

from markdown_exec._internal.formatters import python as me_python
from markdown_exec._internal.formatters.base import ExecutionError

from handbook import browser, env, fences

_orig_run = me_python._run_python
_orig_format = me_python.base_format
_root = env.ROOT
_log = logging.getLogger("mkdocs.hooks.handbook")
_page: str | None = None
_page_fences: list[fences.Fence] = []
_sessions: dict[str, Session] = {}
_block: dict[str, str] = {}      # the handbook's own fence options of the block being formatted
_base_key = ""
stats = {"blocks": 0, "executed": 0, "cached": 0, "skipped": 0, "failed": 0}

CACHE_VERSION = "1"
OWN_OPTIONS = ("timeout", "device", "depends", "browser")   # handled here (browser=: handbook.browser), never passed on to markdown-exec's rendering
EXERCISE_BLOCK = re.compile(r'from tgkit\.learn import show; show\("[\w-]+"\)')   # a course exercise, printed by tgkit.learn.show
SOURCES = ("src", "scripts", "data")  # what executed code may import or read (an included snippet is part of the block's code)


def cache_dir() -> pathlib.Path: return env.CACHE_DIR / "exec"
def cache_enabled(page: str | None = None) -> bool:
  """Whether a block of `page` (docs-relative, e.g. "course/day1.md") may come from the execution cache.

  `HANDBOOK_NO_CACHE` unset, 0, no, off or false: yes; 1 (or any other word): no. A comma-separated list of page patterns
  (fnmatch, e.g. `*,!course/*`) names the pages to execute; a pattern starting with `!` takes pages out again, the last
  match deciding."""
  value = os.environ.get("HANDBOOK_NO_CACHE", "").strip()
  if value.lower() in ("", "0", "no", "off", "false"): return True
  if not any(c in value for c in "*?[,!/"): return False
  execute = False
  for pattern in (p.strip() for p in value.split(",") if p.strip()):
    if fnmatch.fnmatchcase(page or "", pattern.lstrip("!")): execute = not pattern.startswith("!")
  return not execute


def default_timeout() -> float:
  value = os.environ.get("HANDBOOK_BLOCK_TIMEOUT", "60")
  try: return float(value)
  except ValueError: raise SystemExit(f"HANDBOOK_BLOCK_TIMEOUT={value!r}: expected a number of seconds") from None


class Session:
  """A page's session as the build has run it: the hash of its code so far, and the cached blocks not yet executed."""
  def __init__(self): self.chain, self.live, self.pending = "", False, []


class BlockTimeout(Exception):
  """Raised inside a block that ran longer than its time limit."""


# ---------------------------------------------------------------- hooks called by handbook.mkdocs_hooks

def install(root: pathlib.Path, log: logging.Logger) -> None:
  global _root, _log
  _root, _log = root, log
  me_python._run_python, me_python.base_format = _run, _format


def reset() -> None:
  global _base_key
  me_python._sessions_globals.clear()
  _sessions.clear()
  stats.update(dict.fromkeys(stats, 0))
  _base_key = base_key(_root)


_settings: dict[str, object] = {}   # tinygrad's ContextVars as the first page found them


def same_settings(page: str) -> None:
  """Every page starts from the tinygrad settings the build started with, as a reader's program of the page does: a
  ContextVar an earlier page left changed (which no page should do) is set back, and the build log says which."""
  from tinygrad.helpers import ContextVar
  first = not _settings
  for k, v in ContextVar._cache.items():
    value = list(v.value) if isinstance(v.value, list) else v.value
    if first or k not in _settings: _settings[k] = value
    elif value != _settings[k]:
      _log.info(f"handbook: docs/{page} starts with {k} set back to {_settings[k]!r}; an earlier page left it at {value!r}")
      v.value = list(_settings[k]) if isinstance(_settings[k], list) else _settings[k]


def enter_page(src_uri: str, markdown: str) -> None:
  global _page, _page_fences
  _page = src_uri
  _page_fences = [f for f in fences.scan(markdown, _root / "docs" / src_uri) if f.executes]
  if _page_fences: same_settings(src_uri)


def leave_page() -> None:
  global _page, _page_fences
  _page, _page_fences = None, []


def finish(log: logging.Logger) -> None:
  s = stats
  log.info(f"handbook: executed {s['blocks']} python blocks, {s['failed']} failed "
           f"({s['executed']} run, {s['cached']} from the cache, {s['skipped']} skipped: no device)")


# ---------------------------------------------------------------- dirty rebuilds (`mkdocs serve --dirty`)

def _newest(path: pathlib.Path) -> float:
  if path.is_dir(): return max((q.stat().st_mtime for q in path.rglob("*") if q.is_file()), default=0.0)
  return path.stat().st_mtime if path.exists() else 0.0


def dependencies(markdown: str, page: pathlib.Path, root: pathlib.Path) -> list[pathlib.Path]:
  """The files a page's output depends on besides the page: the snippets it includes, the `depends=` of its blocks."""
  out = []
  for f in fences.scan(markdown, page):
    for line in f.body.split("\n"):
      if (m := fences.INCLUDE_RE.match(line)):
        try: out.append(fences.snippet_path(m["name"], root))
        except FileNotFoundError: pass   # the build itself reports the missing include
    out += [root / name for name in f.attrs.get("depends", "").split()]
  return out


_project_mtime = 0.0
_generated: dict[str, str] = {}   # src_uri -> hash of a generated page's Markdown at the last build


def mark_stale(files, root: pathlib.Path) -> int:
  """For a dirty rebuild: MkDocs re-renders only pages whose Markdown is newer than their HTML. Also re-render those whose
  included snippets or `depends=` files changed, and every page when the project's code changed; a page generated by
  gen-files (written anew at every build) only when its text changed. Returns how many pages this adds."""
  global _project_mtime
  project = max(_newest(root / part) for part in (*SOURCES, "overrides", "mkdocs.yml"))
  everything, _project_mtime = _project_mtime and project > _project_mtime, project
  n = 0
  for f in files.documentation_pages():
    if not f.abs_src_path: continue
    src, dest = pathlib.Path(f.abs_src_path), pathlib.Path(f.abs_dest_path)
    text = src.read_text(encoding="utf8")
    if not src.is_relative_to(root / "docs"):   # generated
      digest, _generated[f.src_uri] = _generated.get(f.src_uri), hashlib.sha256(text.encode()).hexdigest()
      if not everything and dest.exists() and digest == _generated[f.src_uri]: f.is_modified = lambda: False
      continue
    if not dest.exists(): continue
    if everything or any(_newest(d) > dest.stat().st_mtime for d in dependencies(text, src, root)):
      f.is_modified = lambda: True
      n += 1
  return n


# ---------------------------------------------------------------- cache keys

def tree_hash(root: pathlib.Path, parts=SOURCES) -> str:
  """One hash of every file under `parts` (names and contents), in a fixed order."""
  h = hashlib.sha256()
  for part in parts:
    for p in sorted((root / part).rglob("*")):
      if p.is_file() and "__pycache__" not in p.parts and ".egg-info" not in str(p):
        h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
  return h.hexdigest()


def base_key(root: pathlib.Path) -> str:
  """What every block's output depends on besides its own code: tinygrad, the environment, the project's code."""
  return hashlib.sha256(f"{CACHE_VERSION}\0{env.fingerprint()}\0{tree_hash(root)}".encode()).hexdigest()


def block_key(prev: str, page: str | None, code: str, depends: str = "") -> str:
  h = hashlib.sha256(f"{_base_key}\0{prev}\0{page}\0{code}".encode())
  for name in depends.split():
    path = _root / name
    h.update(name.encode() + b"\0" + (tree_hash(_root, (name,)).encode() if path.is_dir() else path.read_bytes() if path.is_file() else b"missing"))
  return h.hexdigest()


def _load(key: str) -> str | None:
  try: return json.loads((cache_dir() / f"{key}.json").read_text(encoding="utf8"))["output"]
  except (OSError, ValueError, KeyError): return None


def _store(key: str, output: str) -> None:
  cache_dir().mkdir(parents=True, exist_ok=True)
  tmp = cache_dir() / f"{key}.{os.getpid()}.tmp"
  tmp.write_text(json.dumps({"output": output}), encoding="utf8")
  tmp.replace(cache_dir() / f"{key}.json")


# ---------------------------------------------------------------- time limit

def _raise_in(thread_id: int) -> None:
  ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(BlockTimeout))


@contextlib.contextmanager
def time_limit(seconds: float, what: str):
  """Raise BlockTimeout inside the block after `seconds`: a signal in the main thread, where MkDocs and pytest run
  blocks (it also interrupts blocking system calls); an asynchronous exception when called from another thread."""
  if seconds <= 0:
    yield
    return
  def fire(*_): raise BlockTimeout(f"block at {what} stopped after {seconds:g} s (the limit: HANDBOOK_BLOCK_TIMEOUT, or timeout= on the fence)")
  if threading.current_thread() is threading.main_thread():
    # an outer alarm (pytest-timeout's) is put back afterwards with the time it has left
    old = signal.signal(signal.SIGALRM, fire)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    start = time.monotonic()
    try: yield
    finally:
      signal.setitimer(signal.ITIMER_REAL, 0)
      signal.signal(signal.SIGALRM, old)
      if outer: signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - start), 0.001))
  else:
    timer = threading.Timer(seconds, _raise_in, (threading.get_ident(),))
    timer.start()
    try: yield
    finally: timer.cancel()


# ---------------------------------------------------------------- devices a block needs

_opens: dict[str, str] = {}


def device_missing(names: str) -> str:
  """"" when one of the comma-separated devices opens here, else why none does (one line)."""
  from tinygrad import Device
  reasons = []
  for name in (n.strip().upper() for n in names.split(",") if n.strip()):
    if name not in _opens:
      try:
        Device[name]
        _opens[name] = ""
      except Exception as e:  # noqa: BLE001 - the failure is the answer
        _opens[name] = (str(e).strip().split("\n")[0] or type(e).__name__)[:120]
    if not _opens[name]: return ""
    reasons.append(f"{name}: {_opens[name]}")
  return "; ".join(reasons) or "no device named"


def skipped_note(names: str, why: str) -> str:
  devices = " or ".join(n.strip().upper() for n in names.split(",") if n.strip())
  return (f'!!! note "Not run on this build host"\n\n    This block needs a {devices} device, and none opens on the host that built this '
          f"page, so it has no output here. Built on such a host, the page shows what it prints.\n\n    `{why}`\n")


# ---------------------------------------------------------------- escaping

_CODE = re.compile(r"(^[ \t]*```.*?^[ \t]*```[ \t]*$|^[ \t]*~~~.*?^[ \t]*~~~[ \t]*$|`+[^`\n]*`+)", re.M | re.S)  # fences may be indented (tabs)


def escape_html(markdown: str) -> str:
  """Escape raw HTML in Markdown output (outside code spans and fences, which Markdown escapes itself)."""
  parts = _CODE.split(markdown)
  return "".join(p if i % 2 else p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for i, p in enumerate(parts))


# ---------------------------------------------------------------- the wrapped formatter and runner

def locate(code: str) -> str:
  """`docs/<page>.md:<line>` of the fence whose code this is."""
  page = f"docs/{_page}" if _page else "<outside a page>"
  for f in _page_fences:
    try:
      if fences.expanded(f, _root).strip() == code.strip(): return f"{page}:{f.line}"
    except (OSError, LookupError): continue
  return f"{page} (a block from a docstring rendered by mkdocstrings)"


def session_key(page: str | None, session: str | None) -> str | None:
  return f"{page}::{session}" if session else None


def _format(**kw):
  """markdown-exec's base_format for Python blocks, with the handbook's own options taken out first. SuperFences shows
  a block whose formatter raises as plain code, silently: an unexpected error is logged here, so the build fails."""
  try: return browser.wrap(_format_block(**kw), kw["code"], _block, _page_fences, _root)
  except ExecutionError: raise
  except Exception as e:
    _log.warning(f"{locate(kw.get('code', ''))}: the handbook could not run this block: {type(e).__name__}: {e}")
    raise


def _format_block(**kw):
  global _block
  extra = dict(kw.get("extra") or {})
  _block = {k: extra.pop(k) for k in OWN_OPTIONS if k in extra}
  kw["extra"] = extra
  if "device" in _block and (why := device_missing(_block["device"])):
    stats["blocks"] += 1
    stats["skipped"] += 1
    _log.info(f"{locate(kw['code'])}: skipped, not run on this build host ({why})")
    record(kw["code"], "skipped", why)
    return _orig_format(**{**kw, "run": lambda *_, **__: skipped_note(_block["device"], why), "result": "", "html": False,
                           "source": kw.get("source") or "above"})
  if EXERCISE_BLOCK.fullmatch(kw["code"].strip()): kw["id_prefix"] = ""   # an exercise's id is its anchor on the page (day1.md#d1-validate)
  if not kw.get("html") and not kw.get("result"):
    run = kw["run"]
    kw["run"] = lambda *a, **k: escape_html(run(*a, **k))
  return _orig_format(**kw)


def record(code: str, status: str, text: str, detail: str = "") -> None:
  """With HANDBOOK_RECORD=<file>: append the block's location, status (ok, failed, skipped) and output or error (scripts/drift.py)."""
  if not (path := os.environ.get("HANDBOOK_RECORD")): return
  with open(path, "a", encoding="utf8") as f: f.write(json.dumps({"where": locate(code), "status": status, "text": text, "detail": detail}) + "\n")


def _execute(code: str, key: str | None, returncode, id, extra) -> str:  # noqa: A002
  seconds = float(_block.get("timeout", default_timeout()))
  with time_limit(seconds, locate(code)):
    return _orig_run(code, returncode=returncode, session=key, id=id, **extra)


def _run(code: str, returncode: int | None = None, session: str | None = None, id: str | None = None, **extra):  # noqa: A002
  key = session_key(_page, session)
  state = _sessions.setdefault(key, Session()) if key else None
  ckey = block_key(state.chain if state else "", _page, code, _block.get("depends", ""))
  if state: state.chain = ckey
  stats["blocks"] += 1
  if cache_enabled(_page) and (hit := _load(ckey)) is not None:
    stats["cached"] += 1
    if state: state.pending.append(code)
    record(code, "ok", hit)
    return hit
  try:
    if state is None: env.seed()
    else:
      if not state.live: env.seed()
      state.live = True
      for earlier in state.pending: _execute(earlier, key, None, None, {})   # the session as it was, output unused
      state.pending.clear()
    stats["executed"] += 1
    t = time.perf_counter()
    out = _execute(code, key, returncode, id, extra)
    if time.perf_counter() - t > 10: _log.info(f"{locate(code)}: block took {time.perf_counter() - t:.0f} s")
  except ExecutionError as error:
    stats["failed"] += 1
    last = next((ln for ln in reversed(str(error).strip().split("\n")) if ln.strip() and not ln.startswith("```")), "")
    _log.warning(f"{locate(code)}: python block failed: {last.strip().removeprefix('handbook.execute.')}")
    record(code, "failed", last.strip().removeprefix("handbook.execute."), str(error)[-4000:])
    raise
  _store(ckey, out)
  record(code, "ok", out)
  return out
