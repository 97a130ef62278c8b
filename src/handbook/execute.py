"""How the build executes a page's Python blocks (wraps markdown-exec's Python runner).

* Sessions are per page: `session="x"` on two pages are two namespaces, exactly as under pytest
  (markdown-exec's own sessions are global and survive `mkdocs serve` rebuilds; ours are reset per build).
* Every session starts seeded (`handbook.env.seed`), and so does every block without a session.
* A failing block is reported as `docs/<page>.md:<line>` before markdown-exec's own warning, which
  fails the strict build.
"""
from __future__ import annotations

import logging
import pathlib

from markdown_exec._internal.formatters import python as me_python
from markdown_exec._internal.formatters.base import ExecutionError

from handbook import env, fences

_orig_run = me_python._run_python
_root = pathlib.Path(".")
_log = logging.getLogger("mkdocs.hooks.handbook")
_page: str | None = None
_page_fences: list[fences.Fence] = []
_seen: set[str] = set()
stats = {"blocks": 0, "failed": 0}


def install(root: pathlib.Path, log: logging.Logger) -> None:
  global _root, _log
  _root, _log = root, log
  me_python._run_python = _run


def reset() -> None:
  me_python._sessions_globals.clear()
  _seen.clear()
  stats.update(blocks=0, failed=0)


def enter_page(src_uri: str, markdown: str) -> None:
  global _page, _page_fences
  _page = src_uri
  _page_fences = [f for f in fences.scan(markdown, _root / "docs" / src_uri) if f.executes]


def leave_page() -> None:
  global _page, _page_fences
  _page, _page_fences = None, []


def finish(log: logging.Logger) -> None:
  log.info(f"handbook: executed {stats['blocks']} python blocks, {stats['failed']} failed")


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


def _run(code: str, returncode: int | None = None, session: str | None = None, id: str | None = None, **extra):  # noqa: A002
  key = session_key(_page, session)
  if key is None or key not in _seen:
    env.seed()
    if key is not None: _seen.add(key)
  stats["blocks"] += 1
  try:
    return _orig_run(code, returncode=returncode, session=key, id=id, **extra)
  except ExecutionError as error:
    stats["failed"] += 1
    last = next((ln for ln in reversed(str(error).strip().split("\n")) if ln.strip() and not ln.startswith("```")), "")
    _log.warning(f"{locate(code)}: python block failed: {last.strip()}")
    raise
