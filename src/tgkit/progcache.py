"""A disk cache of tinygrad's schedules and compiled programs, so that a second validation run skips most of the work.

tinygrad keeps two caches in memory only. `tinygrad.schedule.schedule_cache` maps a tensor graph, with its
buffers replaced by numbered parameters, to the kernels it becomes (`SCACHE`); `tinygrad.codegen.to_program_cache`
maps a kernel AST, a renderer and the settings that change generated code (`to_program_key`) to the compiled
PROGRAM. Both are keyed by structure alone, and scheduling a graph and generating a kernel's code are nearly all of
the time a small op check takes on CPU, paid again by every new process.

`enabled()` backs both with an SQLite file: the program cache is swapped for a `Persistent` dict, and tinygrad's
schedule step (`pm_schedule`) for one that looks a graph up on disk before scheduling it. Every entry's key adds a hash of tinygrad's source (every file but the
frontend-only `tensor.py`, `nn/`, `apps/`, `llm/` and `viz/`, and the generated `runtime/autogen/` bindings), the
value of every ContextVar that is not only about output (DEBUG, NO_COLOR, ...), and the host's CPU (CPU binaries are
built for `-march=native`). Editing the scheduler, codegen or a renderer therefore misses on everything; editing
`tensor.py` changes only the graphs it builds, and only those are scheduled and compiled again. Changes made at run
time (monkeypatching tinygrad's internals) are not seen: turn the cache off (`tgkit ops --no-cache`) for those.
Several processes may use one file at once (the workers of `tgkit ops --jobs`, parallel test workers): SQLite in WAL
mode lets them read while one writes, and entries are only ever added, never changed.

    with progcache.enabled():
      results = tgkit.ops.run()
    progcache.stats    # {"loaded": ..., "stored": ...}
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pathlib
import pickle
import platform
import sqlite3
from collections.abc import Iterator

import tinygrad
from tinygrad import codegen, schedule
from tinygrad.engine import realize
from tinygrad.helpers import ContextVar

PKG = pathlib.Path(tinygrad.__file__).parent
FRONTEND = ("tensor.py", "nn", "apps", "llm", "viz")   # what builds graphs or shows them; not hashed
OUTPUT_ONLY = {"DEBUG", "NO_COLOR", "PARALLEL", "CAPTURING", "TRACEMETA", "VIZ", "PROFILE", "TRACK_MATCH_STATS", "CACHELEVEL",
               "CAPTURE_PROCESS_REPLAY", "ALLOW_DEVICE_USAGE"}
IN_KEYS = {"DEV"}   # already in tinygrad's own keys (buffers' devices, the renderer); tinygrad also sets it in the environment
VERSION = 2   # 2: settings() lists only the ContextVars that are set
stats = {"loaded": 0, "stored": 0}


def default_path() -> pathlib.Path:
  """`$TGKIT_CACHE_DIR/programs.db`, else `$XDG_CACHE_HOME/tgkit/programs.db` (`~/.cache/tgkit/programs.db`)."""
  base = os.environ.get("TGKIT_CACHE_DIR") or pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache") / "tgkit"
  return pathlib.Path(base) / "programs.db"


@functools.cache
def source_hash() -> str:
  """One hash of tinygrad's source files, without the frontend-only ones and the generated ctypes bindings."""
  h = hashlib.sha256()
  for p in sorted(PKG.rglob("*.py")):
    rel = p.relative_to(PKG)
    if rel.parts[0] in FRONTEND or rel.parts[:2] == ("runtime", "autogen"): continue
    h.update(str(rel).encode() + b"\0" + p.read_bytes() + b"\0")
  return h.hexdigest()


@functools.cache
def host() -> str:
  model = ""
  with contextlib.suppress(OSError):
    model = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo", encoding="utf8") if ln.startswith("model name")), "")
  return f"{platform.system()} {platform.machine()} {model or platform.processor()}"


_DEFAULTS = {k: v.value for k, v in ContextVar._cache.items()}   # every ContextVar's value when it was first seen


def settings() -> str:
  """The ContextVars that may change a schedule or a program and are set (in the environment, or by `Context`), with their
  values. Which ContextVars exist depends on which tinygrad modules a process imported; those left at their default are
  therefore left out, so two processes with the same settings compute the same keys whatever they imported."""
  out = []
  for k, v in ContextVar._cache.items():
    if k in OUTPUT_ONLY or k in IN_KEYS: continue
    if k in os.environ or v.value != _DEFAULTS.setdefault(k, v.value): out.append((k, repr(v.value)))
  return repr(sorted(out))


def _part(x) -> str:
  if isinstance(x, bytes): return x.hex()
  if isinstance(x, type): return f"{x.__module__}.{x.__qualname__}"
  return repr(x)


def disk_key(table: str, key) -> str:
  """The cache key of one entry: tinygrad's in-memory key, tinygrad's source, the settings, the host."""
  parts = (VERSION, table, tuple(map(_part, key)) if isinstance(key, tuple) else _part(key), source_hash(), settings(), host())
  return hashlib.sha256(repr(parts).encode()).hexdigest()


class Persistent(dict):
  """A dict that looks a missing key up in an SQLite table, and writes every new entry through to it."""

  def __init__(self, memory: dict, db: sqlite3.Connection, table: str):
    super().__init__(memory)
    self.db, self.table = db, table

  def _load(self, key):
    row = self.db.execute("SELECT value FROM cache WHERE key = ?", (disk_key(self.table, key),)).fetchone()
    if row is None: return None
    value = pickle.loads(row[0])
    dict.__setitem__(self, key, value)
    stats["loaded"] += 1
    return value

  def __missing__(self, key):
    if (value := self._load(key)) is None: raise KeyError(key)
    return value

  def __contains__(self, key): return dict.__contains__(self, key) or self._load(key) is not None

  def get(self, key, default=None):
    try: return self[key]
    except KeyError: return default

  def __setitem__(self, key, value):
    dict.__setitem__(self, key, value)
    _put(self.db, disk_key(self.table, key), value)


def _put(db: sqlite3.Connection, key: str, value) -> None:
  """Store one entry. Several processes share the file (`tgkit ops --jobs`, parallel tests): SQLite serialises their
  writes (WAL, each INSERT its own transaction), and one that still finds the file locked after the timeout is dropped,
  which only costs a later run that entry."""
  try: db.execute("INSERT OR IGNORE INTO cache VALUES (?, ?)", (key, pickle.dumps(value)))
  except sqlite3.OperationalError: return
  stats["stored"] += 1


def _open(path: pathlib.Path) -> sqlite3.Connection:
  path.parent.mkdir(parents=True, exist_ok=True)
  db = sqlite3.connect(path, timeout=30, isolation_level=None)
  with contextlib.suppress(sqlite3.OperationalError): db.execute("PRAGMA journal_mode=WAL")   # another process may be switching it
  db.execute("CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value BLOB)")
  return db


# (module, attribute): where tinygrad's functions look the program cache up (plain functions read module globals)
CACHES: list[tuple[object, str]] = [(codegen, "to_program_cache"), (realize, "to_program_cache")]


_ACTIVE: dict = {"db": None}   # the open cache (a pattern-matcher callback may not be a closure)


def _lower_sink_to_linear(function):
  """`lower_sink_to_linear` with a disk lookup in front: the callback of `_pm_schedule()`. tinygrad compiles pattern
  callbacks with a copy of their module's globals (and no import machinery), so the work happens in `_lower`."""
  return _lower(function)


def _lower(function):
  db, key = _ACTIVE["db"], function.key
  if db is not None and key not in schedule.schedule_cache:
    row = db.execute("SELECT value FROM cache WHERE key = ?", (disk_key("schedule", key),)).fetchone()
    if row is not None:
      schedule.schedule_cache[key] = pickle.loads(row[0])
      stats["loaded"] += 1
    else:
      out = schedule.lower_sink_to_linear(function)
      if key in schedule.schedule_cache: _put(db, disk_key("schedule", key), schedule.schedule_cache[key])
      return out
  return schedule.lower_sink_to_linear(function)


@functools.cache
def _pm_schedule():
  """tinygrad's `pm_schedule` with `_lower_sink_to_linear` as its callback. The schedule cache itself cannot be swapped
  for a `Persistent`: pattern-matcher callbacks are compiled with a copy of their module's globals."""
  from tinygrad.uop.ops import Ops, PatternMatcher, UPat
  return PatternMatcher([(UPat(Ops.SINK, name="function"), _lower_sink_to_linear)])


@contextlib.contextmanager
def enabled(path: str | pathlib.Path | None = None) -> Iterator[None]:
  """Within the block, tinygrad's schedule and program caches are backed by the disk cache at `path`.

  Args:
    path: the SQLite file (default: `default_path()`).
  """
  db = _open(pathlib.Path(path) if path else default_path())
  programs = codegen.to_program_cache
  backed = Persistent(programs, db, "program")
  pm_schedule, active = schedule.pm_schedule, _ACTIVE["db"]
  for mod, attr in CACHES: setattr(mod, attr, backed)
  schedule.pm_schedule, _ACTIVE["db"] = _pm_schedule(), db
  try: yield
  finally:
    programs.update(dict.items(backed))   # the process keeps what was loaded and compiled
    for mod, attr in CACHES: setattr(mod, attr, programs)
    schedule.pm_schedule, _ACTIVE["db"] = pm_schedule, active
    db.close()


def clear(path: str | pathlib.Path | None = None) -> int:
  """Delete every entry of the disk cache; returns how many there were."""
  db = _open(pathlib.Path(path) if path else default_path())
  try:
    n = db.execute("SELECT COUNT(*) FROM cache").fetchone()[0]
    db.execute("DELETE FROM cache")
    return n
  finally: db.close()

