"""The browser runtime of the Run buttons, served by the site itself under pyodide/ (mkdocs-gen-files).

Two pinned downloads, each checked against the checksum committed here before anything is used:

* Pyodide 0.29.5, the npm registry's tarball (its sha512 is the registry's `dist.integrity`); of its files only
  the runtime is served (pyodide.js, pyodide.asm.js, pyodide.asm.wasm, python_stdlib.zip, pyodide-lock.json,
  package.json for the version and licence), about 13 MB; with them the bootstrap src/handbook/run_boot.py.
* tinygrad 0.14.0, PyPI's wheel (pure Python; its sha256 is PyPI's).

Both are kept in .cache/pyodide/ (HANDBOOK_CACHE_DIR moves .cache), so a rebuild downloads nothing; a cached file
is checked again at every build. `python scripts/gen_pyodide.py` fetches and checks them and prints what the site gets.
"""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from handbook import env  # noqa: E402

CACHE = env.CACHE_DIR / "pyodide"
SITE_DIR = "pyodide"


@dataclasses.dataclass(frozen=True)
class Pin:
  name: str      # file name in the cache
  url: str
  sha256: str
  sha512: str = ""   # npm's integrity, base64 (checked too when given)


PYODIDE = Pin("pyodide-0.29.5.tgz", "https://registry.npmjs.org/pyodide/-/pyodide-0.29.5.tgz",
              "6749b10ee515a1458ecea36d860c8ce2a48366e85b3f92d749ad1840e4aff181",
              "TkYrUv9m8QmfImADKRmpwZulL48E0uUaBSO+dvRQKyAJc0qh9gu7jn8btyHPh3NZm1r2IH2YrJhIr7Q2B9urAw==")
TINYGRAD = Pin("tinygrad-0.14.0-py3-none-any.whl",
               "https://files.pythonhosted.org/packages/e5/47/18446b91a1ae8cf4ce216c024e6cc93bbff6c0e5667baac7f5dacec0d065/"
               "tinygrad-0.14.0-py3-none-any.whl",
               "d2a5bea33c637fdf105963632329876b3d3253d38295ac1ffd2ff81646d93be3")
RUNTIME = ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json", "package.json")


class FetchError(Exception):
  """A pinned file could not be downloaded, or its checksum is not the pinned one (one line)."""


def check(pin: Pin, data: bytes) -> None:
  if (got := hashlib.sha256(data).hexdigest()) != pin.sha256:
    raise FetchError(f"{pin.name}: sha256 {got} is not the pinned {pin.sha256}")
  if pin.sha512 and (got := base64.b64encode(hashlib.sha512(data).digest()).decode()) != pin.sha512:
    raise FetchError(f"{pin.name}: sha512 {got} is not the pinned {pin.sha512}")


def fetch(pin: Pin, cache: Path = CACHE) -> bytes:
  """The pinned file's bytes, from the cache or downloaded once into it; checked either way."""
  path = cache / pin.name
  if path.is_file():
    data = path.read_bytes()
    check(pin, data)
    return data
  try:
    with urllib.request.urlopen(pin.url, timeout=120) as r: data = r.read()
  except OSError as e:
    raise FetchError(f"{pin.name}: could not download {pin.url} ({e}); to build offline, put the file at {path}") from None
  check(pin, data)
  cache.mkdir(parents=True, exist_ok=True)
  tmp = path.with_suffix(f".{os.getpid()}.tmp")
  tmp.write_bytes(data)
  tmp.replace(path)
  return data


def assets(cache: Path = CACHE) -> dict[str, bytes]:
  """What the site serves under pyodide/: name -> bytes."""
  out = {}
  with tarfile.open(fileobj=io.BytesIO(fetch(PYODIDE, cache)), mode="r:gz") as tar:
    for name in RUNTIME:
      f = tar.extractfile(f"package/{name}")
      if f is None: raise FetchError(f"{PYODIDE.name}: no package/{name} in the tarball")
      out[name] = f.read()
  out[TINYGRAD.name] = fetch(TINYGRAD, cache)
  out["run_boot.py"] = (ROOT / "src" / "handbook" / "run_boot.py").read_bytes()   # the bootstrap, shown on about/browser.md
  out["handbook.json"] = json.dumps({"pyodide": json.loads(out["package.json"])["version"], "wheel": TINYGRAD.name}).encode()
  return out


def write_site() -> None:
  import mkdocs_gen_files
  try: files = assets()
  except FetchError as e: raise SystemExit(f"gen_pyodide: {e}") from None
  for name, data in files.items():
    with mkdocs_gen_files.open(f"{SITE_DIR}/{name}", "wb") as f: f.write(data)


if __name__ == "__main__":
  try: files = assets()
  except FetchError as e: raise SystemExit(f"gen_pyodide: {e}") from None
  for name, data in files.items(): print(f"{SITE_DIR}/{name:34s} {len(data):>10,d} bytes")
  print(f"{'total':43s} {sum(map(len, files.values())):>10,d} bytes")
elif __name__ == "<run_path>":   # mkdocs-gen-files runs the script with runpy.run_path
  write_site()
