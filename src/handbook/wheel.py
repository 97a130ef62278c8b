"""tgkit's wheel, built from src/tgkit with the standard library alone, byte for byte the same for the same sources.

The site build publishes it at `<site_url>dist/<name>` (handbook.reader), `scripts/build_wheel.py` writes it for the
release workflow. It holds only the `tgkit` package (subpackages and data files included) and the device-report schema
(`data/devices/schema.json`, installed as `tgkit/device-report.schema.json`, where `tgkit.hostreport` looks first). Its
dependencies are the toolkit's own, listed in pyproject.toml under `[tool.handbook.tgkit-wheel]`; the handbook's
distribution (`tinygrad-handbook`, the editable install of `make serve`) is a different one and is never published.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import pathlib
import re
import time
import tomllib
import zipfile

from handbook.env import ROOT

NAME = "tgkit"
SCHEMA = ("data/devices/schema.json", "tgkit/device-report.schema.json")   # (in the repository, in the wheel)
REPORTS = ("data/devices", "tgkit/reports")   # committed device reports (in the repository, in the wheel): pages read them


def version(root: pathlib.Path = ROOT) -> str:
  """tgkit.__version__, read from the source (what `tgkit --version` prints)."""
  m = re.search(r'^__version__ = "([^"]+)"', (root / "src" / "tgkit" / "__init__.py").read_text(encoding="utf8"), re.M)
  if not m: raise ValueError("src/tgkit/__init__.py: no __version__ = \"...\" line")
  return m[1]


def filename(root: pathlib.Path = ROOT) -> str: return f"{NAME}-{version(root)}-py3-none-any.whl"


def metadata(root: pathlib.Path = ROOT) -> str:
  project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf8"))
  spec = project["tool"]["handbook"]["tgkit-wheel"]
  lines = ["Metadata-Version: 2.1", f"Name: {NAME}", f"Version: {version(root)}", f"Summary: {spec['summary']}", "License: MIT",
           f"Requires-Python: {project['project']['requires-python']}", "Description-Content-Type: text/markdown",
           *(f"Requires-Dist: {d}" for d in spec["dependencies"])]
  for extra, deps in spec.get("extras", {}).items(): lines += [f"Provides-Extra: {extra}", *(f'Requires-Dist: {d}; extra == "{extra}"' for d in deps)]
  return "\n".join(lines) + "\n\n" + spec["description"].strip() + "\n"


def files(root: pathlib.Path = ROOT) -> dict[str, bytes]:
  """Archive name -> contents of everything in the wheel but RECORD, in a fixed order."""
  pkg = root / "src" / NAME
  out = {p.relative_to(root / "src").as_posix(): p.read_bytes() for p in sorted(pkg.rglob("*"))
         if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")}
  out[SCHEMA[1]] = (root / SCHEMA[0]).read_bytes()
  for rep in sorted((root / REPORTS[0]).glob("*.json")):
    if rep.name != "schema.json": out[f"{REPORTS[1]}/{rep.name}"] = rep.read_bytes()
  info = f"{NAME}-{version(root)}.dist-info"
  out[f"{info}/METADATA"] = metadata(root).encode()
  out[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: handbook.wheel\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
  out[f"{info}/entry_points.txt"] = b"[console_scripts]\ntgkit = tgkit.cli:main\n"
  return out


def _date() -> tuple[int, ...]:
  """SOURCE_DATE_EPOCH (the build dates itself by the commit) as a zip timestamp, else 1980-01-01."""
  epoch = max(int(os.environ.get("SOURCE_DATE_EPOCH") or 315532800), 315532800)
  return time.gmtime(epoch)[:6]


def build(root: pathlib.Path = ROOT) -> bytes:
  """The wheel's bytes: entries sorted, one timestamp, fixed permissions, RECORD with sha256 of every entry."""
  entries, date = files(root), _date()
  info = f"{NAME}-{version(root)}.dist-info"
  digest = lambda b: "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()  # noqa: E731
  entries[f"{info}/RECORD"] = ("".join(f"{n},{digest(b)},{len(b)}\n" for n, b in entries.items()) + f"{info}/RECORD,,\n").encode()
  buf = io.BytesIO()
  with zipfile.ZipFile(buf, "w") as z:
    for name, data in entries.items():
      zi = zipfile.ZipInfo(name, date)
      zi.external_attr, zi.compress_type, zi.create_system = 0o644 << 16, zipfile.ZIP_DEFLATED, 3
      z.writestr(zi, data, compresslevel=9)
  return buf.getvalue()


def write(out_dir: pathlib.Path, root: pathlib.Path = ROOT) -> pathlib.Path:
  out_dir.mkdir(parents=True, exist_ok=True)
  (path := out_dir / filename(root)).write_bytes(build(root))
  return path
