"""MkDocs hooks of the handbook (listed under `hooks:` in mkdocs.yml).

* Applies the build environment (`handbook.env`) before any page imports tinygrad, so `mkdocs build`,
  `mkdocs serve`, `make docs` and the tests all execute in the same environment.
* Runs markdown-exec's Python blocks through `handbook.execute`: per-page sessions, seeded randomness,
  page-and-line error reports, the execution cache, time limits, blocks that need a device.
* Dates the build by the commit (`SOURCE_DATE_EPOCH`), so the sitemap of a commit is the same on every build.
* Keeps griffe (mkdocstrings) away from tinygrad's generated runtime bindings, which cost minutes to parse.
* Appends the glossary's terms to every page as abbreviations (`*[UOp]: ...`, from snippets/guides/glossary.py), which
  Material shows as tooltips (`content.tooltips`).
* On a dirty rebuild (`make serve` runs `mkdocs serve --dirty`), also re-renders the pages whose snippets,
  `depends=` files or project code changed; MkDocs alone re-renders only pages whose Markdown changed.
* Keeps Material's compiled templates and the theme's file list from one rebuild to the next (`handbook.serve`).
"""
from __future__ import annotations

import logging
import os
import pathlib
import posixpath
import re
import subprocess

from handbook import env

env.apply()


def _commit_time() -> str:
  try: return subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=env.ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
  except (OSError, subprocess.SubprocessError): return ""


if "SOURCE_DATE_EPOCH" not in os.environ and (_t := _commit_time()): os.environ["SOURCE_DATE_EPOCH"] = _t

from griffe import ModuleFinder  # noqa: E402
from handbook import execute, serve  # noqa: E402

log = logging.getLogger("mkdocs.hooks.handbook")

# tinygrad/runtime/autogen/ holds ~33 MB of generated ctypes bindings; nothing the handbook documents
# lives there, and parsing it takes griffe over two minutes.
_SKIP = (("tinygrad", "runtime", "autogen"),)
# MkDocs imports this file anew for every rebuild under `mkdocs serve`: wrap griffe's method once, not once per rebuild
_submodules = getattr(ModuleFinder.submodules, "handbook_wrapped", ModuleFinder.submodules)


def _skip_autogen(self, module):
  prefix = tuple(module.path.split("."))
  return [(parts, path) for parts, path in _submodules(self, module)
          if not any((prefix + tuple(parts))[:len(s)] == s for s in _SKIP)]


_skip_autogen.handbook_wrapped = _submodules
ModuleFinder.submodules = _skip_autogen


_dirty = False


def on_startup(command, dirty, **_):
  global _dirty
  _dirty = dirty


def on_config(config, **_):
  execute.install(pathlib.Path(config["config_file_path"]).parent, log)
  serve.keep_theme(config.theme)   # compiled templates and the theme's file list, kept across `mkdocs serve` rebuilds
  return config


def on_files(files, config, **_):
  if _dirty and (n := execute.mark_stale(files, pathlib.Path(config["config_file_path"]).parent)):
    log.info(f"handbook: {n} pages re-rendered for changed snippets, depends= files or project code")
  return files


def on_pre_build(config, **_):
  global _abbr
  _abbr = ""
  execute.reset()


def glossary_abbreviations() -> str:
  """`*[term]: meaning` for every glossary term (read afresh each build, so `make serve` picks up an edit)."""
  import importlib.util
  spec = importlib.util.spec_from_file_location("handbook_glossary", env.ROOT / "snippets" / "guides" / "glossary.py")
  mod = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(mod)
  return mod.abbreviations()


_abbr = ""


def on_page_markdown(markdown, page, config, files, **_):
  global _abbr
  execute.enter_page(page.file.src_uri, markdown)
  if not _abbr: _abbr = glossary_abbreviations()
  return markdown.rstrip("\n") + "\n\n" + _abbr + "\n"


# A relative link to a page's Markdown file in the HTML: MkDocs resolves such links in a page's own Markdown, but not in
# the Markdown a block prints (markdown-exec converts it apart), so those are resolved here the same way.
_MD_LINK = re.compile(r'href="(?![a-zA-Z][a-zA-Z+.-]*:|/|#)([^"#?]+\.md)(#[^"]*)?"')


def resolve_md_links(html: str, page, files) -> str:
  def link(m):
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri), m.group(1)))
    f = files.get_file_from_path(target)
    return m.group(0) if f is None else f'href="{f.url_relative_to(page.file)}{m.group(2) or ""}"'   # a wrong one is left for the link check
  return _MD_LINK.sub(link, html)


def on_page_content(html, page, config, files, **_):
  execute.leave_page()
  return resolve_md_links(html, page, files)


def on_post_build(config, **_):
  execute.finish(log)
