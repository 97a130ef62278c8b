"""What one `mkdocs serve` process keeps from one rebuild to the next. MkDocs re-reads the config and re-imports the
hooks for every rebuild, so a hook module's own globals start over; this module is imported once.

* Compiled templates: every rebuild gets a new Jinja environment, and compiling Material's templates again was the
  largest part of a prose rebuild. `TEMPLATES` keeps their bytecode, keyed by template name and source checksum
  (Jinja's `BytecodeCache`), so an edited template is compiled anew.
* The theme's file list: MkDocs lists and filters every file of the theme (Material's thousands of icons) at every build.
  The list is kept, keyed by the theme's folders, the newest file time of those outside site-packages (`overrides/`)
  and the theme's static templates.
"""
from __future__ import annotations

import os
import pathlib

import jinja2


class MemoryBytecodeCache(jinja2.BytecodeCache):
  def __init__(self): self.store: dict[str, bytes] = {}

  def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
    if (data := self.store.get(bucket.key)) is not None: bucket.bytecode_from_string(data)

  def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None: self.store[bucket.key] = bucket.bytecode_to_string()

  def clear(self) -> None: self.store.clear()


TEMPLATES = MemoryBytecodeCache()
_LISTED: dict[tuple, list[str]] = {}


def _newest(folder: str) -> float:
  return max((e.stat().st_mtime for e in os.scandir(folder) if e.is_file()), default=0.0) if "site-packages" in folder else \
    max((p.stat().st_mtime for p in pathlib.Path(folder).rglob("*")), default=0.0)


def keep_theme(theme) -> None:
  """Make `theme.get_env()` return environments that share `TEMPLATES` and the kept file list."""
  get_env = theme.get_env
  def env() -> jinja2.Environment:
    e = get_env()
    e.bytecode_cache, list_all = TEMPLATES, e.list_templates
    def list_templates(extensions=None, filter_func=None) -> list[str]:
      # MkDocs' filter of theme files depends on the theme's static templates only: its result is kept too
      mkdocs_filter = getattr(filter_func, "__qualname__", "") == "Files.add_files_from_theme.<locals>.filter" and extensions is None
      key = (tuple((d, _newest(d)) for d in theme.dirs), tuple(theme.static_templates) if mkdocs_filter else None)
      if key not in _LISTED:
        _LISTED[key] = list_all(filter_func=filter_func) if mkdocs_filter else list_all()
      if mkdocs_filter: return list(_LISTED[key])
      return [n for n in _LISTED[key] if (extensions is None or ("." in n and n.rsplit(".", 1)[1] in extensions))
              and (filter_func is None or filter_func(n))]
    e.list_templates = list_templates
    return e
  theme.get_env = env
