"""The fence option `browser="1"`: the block gets a Run button that executes it in the reader's browser (Pyodide).

The build wraps such a block's HTML in `<div class="hb-run" data-code=... data-session=...>`; docs/javascripts/run.js
adds the button and runs the code with src/handbook/run_boot.py (tinygrad 0.14.0 on DEV=PYTHON). Mark only blocks
that need nothing but tinygrad and the standard library (no numpy, no tgkit, no files of the handbook). The build
refuses a marked block that the browser could not reproduce or that tests/test_pyodide.py could not check:

* it needs a device (`device=`);
* its output is not shown as text after its source (`source="above"` and `result=` are required).

In the browser, a marked block's earlier *marked* blocks of its session run first (once); unmarked blocks never run
there, so a marked block must not need what an unmarked one defines. tests/test_pyodide.py clicks every Run button and
compares what the browser prints with what the build printed, which proves each marked block runs on its own terms.
"""
from __future__ import annotations

import html
import pathlib

from markupsafe import Markup

from handbook import fences

OFF = {"", "no", "off", "false", "0"}


def marked(attrs: dict[str, str]) -> bool:
  return "browser" in attrs and attrs["browser"].lower() not in OFF


def problems(fence: fences.Fence) -> list[str]:
  """Why a block marked browser="1" cannot have a Run button (empty when it can)."""
  out = []
  if "device" in fence.attrs: out.append('a block that needs a device (device=) cannot run in the browser')
  if fence.attrs.get("source") != "above" or not fence.attrs.get("result"):
    out.append('the Run button needs the source above and the output as text: source="above" result="text"')
  return out


def wrap(rendered: str, code: str, opts: dict[str, str], page_fences: list[fences.Fence], root: pathlib.Path) -> str:
  """The block's HTML, wrapped for run.js when the block is marked browser="1".

  Raises:
    ValueError: the block cannot run in the browser (the message says why); the strict build fails on it.
  """
  if not marked(opts): return rendered
  fence = next((f for f in page_fences if _expanded(f, root) == code.strip()), None)
  if fence is None: raise ValueError('browser="1": the block was not found on its page')
  if why := problems(fence): raise ValueError('browser="1": ' + "; ".join(why))
  session = f' data-session="{html.escape(fence.session)}"' if fence.session else ""
  return Markup(f'<div class="hb-run" data-code="{html.escape(code)}"{session}>\n{rendered}\n</div>')


def _expanded(f: fences.Fence, root: pathlib.Path) -> str | None:
  try: return fences.expanded(f, root).strip()
  except (OSError, LookupError): return None
