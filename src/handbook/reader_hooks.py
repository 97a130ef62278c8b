"""MkDocs hooks (listed under `hooks:` in mkdocs.yml, after mkdocs_hooks.py): what `handbook.reader` adds to the site.

* `dist/tgkit-<version>-py3-none-any.whl`: tgkit's wheel (`handbook.wheel`), the one the Set up page installs.
* `<page>.py` next to every page with executed blocks: the page's code as one program, with the build's output of every
  block as comments (filled in once every page has run, before the files are written).
* On every page: a note above each block that uses names of earlier blocks, a link to the page's program under its title,
  and `{{ tgkit_version }}` / `{{ tgkit_wheel_url }}` replaced.
"""
from __future__ import annotations

import pathlib

from markdown_exec._internal.formatters import python as me_python
from mkdocs.structure.files import File

from handbook import reader, wheel

_scripts: dict[str, File] = {}          # page src_uri -> its generated .py
_markdown: dict[str, str] = {}          # page src_uri -> the Markdown this build rendered (the file may change meanwhile)
_page: str | None = None
recorded = reader.recorded   # kept in handbook.reader, which outlives this hook module across `mkdocs serve` rebuilds


def _recording(run):
  def wrapped(code, *args, **kwargs):
    out = run(code, *args, **kwargs)
    if _page is not None: recorded.setdefault(_page, []).append((code, out))
    return out
  return wrapped


def on_config(config, **_):
  me_python._run_python = _recording(me_python._run_python)   # after handbook.execute installed its runner (mkdocs_hooks.py)
  return config


def on_files(files, config, **_):
  files.append(File.generated(config, f"dist/{wheel.filename()}", content=wheel.build()))
  _scripts.clear()
  for f in files.documentation_pages():
    if f.abs_src_path and reader.blocks(pathlib.Path(f.abs_src_path).read_text(encoding="utf8"), pathlib.Path(f.abs_src_path)):
      files.append(_scripts.setdefault(f.src_uri, File.generated(config, f.src_uri.removesuffix(".md") + ".py", content="")))
  return files


def on_page_markdown(markdown, page, config, files, **_):
  global _page
  _page = page.file.src_uri
  recorded[_page], _markdown[_page] = [], markdown
  script = _scripts.get(_page)
  path = pathlib.Path(page.file.abs_src_path or page.file.src_uri)
  return reader.annotate(reader.substitute(markdown, config["site_url"] or "/"), path, script and pathlib.PurePosixPath(script.src_uri).name)


def on_page_content(html, **_):
  global _page
  _page = None
  return html


def on_env(env, config, files, **_):
  for src_uri, file in _scripts.items():
    page = files.get_file_from_path(src_uri)
    markdown = _markdown.get(src_uri) or pathlib.Path(page.abs_src_path).read_text(encoding="utf8")
    blocks = reader.blocks(markdown, pathlib.Path(page.abs_src_path))
    ran = list(recorded.get(src_uri, []))
    outputs = []
    for b in blocks:
      k = next((i for i, (code, _) in enumerate(ran) if code.strip() == b.code.strip()), None)
      outputs.append(None if k is None else ran.pop(k)[1])
    title = page.page.title if page.page and page.page.title else src_uri
    file.content_string = reader.script(title, src_uri, blocks, outputs)
  return env
