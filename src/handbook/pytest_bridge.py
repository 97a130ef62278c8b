"""pytest plugin: run the handbook's pages under pytest-markdown-docs exactly as the build executes them.

Loaded with `-p handbook.pytest_bridge` (see pyproject.toml). Stock pytest-markdown-docs would run
every python fence in fresh globals, ignore markdown-exec's `session=`, execute `--8<--` include
lines as Python, and silently skip fences inside admonitions and content tabs. This plugin:

* collects only the blocks the build executes (`exec="on"`), wherever they are nested;
* gives blocks of the same page and `session` one namespace, seeded like the build does;
* runs `--8<-- "file"` includes as the file's own code, under its own name and line numbers;
* reports a failure as `docs/<page>.md:<line>` with a traceback that starts in the page or snippet;
* stops a block after the build's time limit (`HANDBOOK_BLOCK_TIMEOUT`, the fence's `timeout=`), and skips
  a block whose `device=` does not open here, naming the page and line, as the build does;
* under pytest-xdist, keeps each page's blocks on one worker, in order (an `xdist_group` per page, for
  `--dist loadgroup`); `--handbook-workers=N|auto` (set in pyproject.toml) runs on N workers when the command
  line names none (`-n`), so `-n 0` and `-p no:xdist` still run in one process.

It uses pytest-markdown-docs' runner registry (`_runners`, private in 0.9.2): the version is pinned.
"""
from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import pathlib
import traceback

import pytest

from handbook import env

env.apply()

from markdown_it.token import Token  # noqa: E402
from pytest_markdown_docs._runners import DefaultRunner, register_runner  # noqa: E402

from handbook import execute, fences  # noqa: E402

_namespaces: dict[tuple[str, str], dict] = {}


def project_root(page: pathlib.Path) -> pathlib.Path:
  for parent in page.resolve().parents:
    if (parent / "mkdocs.yml").is_file(): return parent
  return env.ROOT


class ExecFenceParser:
  """Stands in for markdown-it: returns one fence token per block the build executes."""

  def parse(self, src: str, env_=None) -> list[Token]:
    tokens = []
    for f in fences.scan(src, pathlib.Path("page.md")):
      if f.lang not in ("python", "py") or not f.executes or "notest" in f.words: continue
      tok = Token("fence", "code", 0)
      tok.info, tok.content, tok.map = "python", f.body + "\n", [f.line - 1, f.line + f.body.count("\n") + 1]
      tokens.append(tok)
    return tokens


def pytest_addoption(parser):
  parser.addoption("--handbook-workers", metavar="N|auto", default=None,
                   help="pytest-xdist workers (-n N --dist loadgroup) unless -n is given; ignored without xdist (-p no:xdist)")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
  ns = early_config.known_args_namespace
  workers = getattr(ns, "handbook_workers", None)
  if not workers or not early_config.pluginmanager.has_plugin("xdist") or os.environ.get("PYTEST_XDIST_WORKER"): return
  if getattr(ns, "numprocesses", None) is not None or getattr(ns, "usepdb", False): return
  args[:] = [*args, "-n", workers, *(["--dist", "loadgroup"] if getattr(ns, "dist", "no") == "no" else [])]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
  """xdist, in the controller: a worker re-reads the command line, not the options added above; tell it the distribution."""
  node.workerinput["handbook_loadgroup"] = node.config.getoption("dist") == "loadgroup"


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
  if getattr(config, "workerinput", {}).get("handbook_loadgroup"): config.option.loadgroup = True


def pytest_itemcollected(item):
  if type(item).__name__ == "MarkdownInlinePythonItem": item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
  """`--dist loadgroup` sends a group's tests to one worker by the `@group` that xdist appends to their node ids. xdist
  3.8 writes it to `item._nodeid`, which pytest 9 no longer reads (`item._id`): where it did not take, write it there."""
  if not getattr(config.option, "loadgroup", False): return
  for item in items:
    groups = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in item.iter_markers("xdist_group")})
    if not groups or "@" in item.nodeid.rsplit("]", 1)[-1]: continue
    group, nid = "@" + "_".join(groups), getattr(item, "_id", None)
    if getattr(nid, "names", None):   # pytest 9's NodeId: the group after the params, as xdist expects it
      last = nid.names[-1] + (f"[{nid.params}]" if nid.params is not None else "") + group
      item._id = dataclasses.replace(nid, names=(*nid.names[:-1], last), params=None)
    else: item._nodeid = item.nodeid + group


@pytest.hookimpl(tryfirst=True)  # firstresult hook: ours must answer before the plugin's CommonMark parser
def pytest_markdown_docs_markdown_it():
  return ExecFenceParser()


def fence_at(page: pathlib.Path, line: int) -> fences.Fence:
  return next(f for f in fences.scan(page.read_text(encoding="utf8"), page) if f.line == line)


@register_runner(default=True)
class HandbookRunner(DefaultRunner):
  """Executes one page block; state is shared per (page, session) like the build's sessions."""

  def runtest(self, test, args, *, asyncio_runner=None):
    page = pathlib.Path(test.source_path)
    fence = fence_at(page, test.start_line)
    root = project_root(page)
    where = f"{page.resolve().relative_to(root) if page.resolve().is_relative_to(root) else page}:{fence.line}"
    if "device" in fence.attrs and (why := execute.device_missing(fence.attrs["device"])):
      pytest.skip(f"{where}: not run on this host, it needs {fence.attrs['device']} ({why})")
    if fence.session:
      key = (str(page.resolve()), fence.session)
      if key not in _namespaces:
        env.seed()
        _namespaces[key] = dict(args)
      namespace = _namespaces[key]
    else:
      env.seed()
      namespace = args
    self.printed = io.StringIO()
    seconds = float(fence.attrs.get("timeout", execute.default_timeout()))
    with contextlib.redirect_stdout(self.printed), execute.time_limit(seconds, where):
      for filename, code in fences.segments(fence, root):
        exec(compile(code, filename, "exec", dont_inherit=True), namespace)

  def repr_failure(self, test, excinfo, style=None):
    page = pathlib.Path(test.source_path)
    root = project_root(page)
    rel = lambda p: str(pathlib.Path(p).resolve().relative_to(root)) if pathlib.Path(p).resolve().is_relative_to(root) else p  # noqa: E731
    frames = traceback.extract_tb(excinfo.tb)
    user = [i for i, fr in enumerate(frames) if pathlib.Path(fr.filename).resolve().is_relative_to(root) and "/src/handbook/" not in fr.filename]
    frames = frames[user[0]:] if user else frames
    for fr in frames: fr.filename = rel(fr.filename)
    printed = getattr(self, "printed", None)
    printed = printed.getvalue() if printed else ""
    return (f"{rel(page)}:{test.start_line}: code block failed\n"
            f"Traceback (most recent call last):\n{''.join(traceback.format_list(frames))}{excinfo.exconly()}\n"
            + (f"--- printed before the failure ---\n{printed}" if printed else ""))
