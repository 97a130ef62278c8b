"""What breaks when the handbook runs on another tinygrad: `make drift TINYGRAD=<version, git ref or path>`.

    python scripts/drift.py 0.13.0           # a release from the package index
    python scripts/drift.py 3f2a9c1          # a commit, branch or tag of tinygrad's GitHub repository
    python scripts/drift.py ../tinygrad      # a tinygrad source tree (a folder holding tinygrad/__init__.py)

1. A venv of its own in .cache/drift/<slug>/venv (never .venv): the handbook's dependencies pinned by
   constraints.txt, the requested tinygrad instead of the pinned one, the handbook's src/ on the path.
   `--deps-from VENV` links an existing venv's packages instead of installing them (fast; the tests use it).
2. Two builds of the site, side by side, each recording every block (HANDBOOK_RECORD, see handbook.execute):
   the drift build in that venv with its own cache folder and site, and a pinned build with this Python into
   .cache/drift/pinned (seeded from the pinned execution cache, which is read, never written). Neither
   is strict, so every failing block is collected; a generator script (gen-files) that raises is recorded too.
3. The name check of tests/test_truth.py (paths, symbols, settings) on every page and snippet, run by
   each venv's Python; a finding the drift tinygrad has and the pinned one does not is a name that vanished.
4. A report per page in .cache/drift/<slug>/report.md and report.json: blocks that fail (page:line and the
   error's last line), names that vanished, outputs that changed against the pinned build, blocks not run.

site/, .cache/exec/, .cache/tinygrad/ and .venv are never written. Exit status: 0 when the report is written
(whatever it found), 1 with one line on bad input or an install that fails.
"""
from __future__ import annotations

import argparse
import dataclasses
import difflib
import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time
import traceback

ROOT = pathlib.Path(__file__).resolve().parents[1]
REPO = "https://github.com/tinygrad/tinygrad"
QUIET = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
SKIP_DEPS = ("tinygrad", "playwright", "pytest-xdist")   # the pinned tinygrad, and what only the browser and parallel tests need


class UsageError(Exception):
  """Bad input or a failed install: one line for the user, exit status 1."""


@dataclasses.dataclass(frozen=True)
class Spec:
  kind: str       # version, git, path
  text: str       # as given
  slug: str       # the folder name under .cache/drift/
  target: str     # a pip requirement, or the source tree's folder


def parse_spec(text: str) -> Spec:
  """A PyPI version (`0.13.0`), a local source tree (a path holding tinygrad/__init__.py) or a git ref of tinygrad's repository."""
  text = text.strip()
  if not text: raise UsageError("say which tinygrad: make drift TINYGRAD=<version, git ref or path>, e.g. TINYGRAD=0.13.0")
  path = pathlib.Path(text).expanduser()
  if text.startswith((".", "/", "~")) or path.exists():
    if not (path / "tinygrad" / "__init__.py").is_file(): raise UsageError(f"{text}: not a tinygrad source tree (no tinygrad/__init__.py in it)")
    path, digest = path.resolve(), hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]
    return Spec("path", text, "path-" + re.sub(r"[^\w.-]", "_", path.name) + f"-{digest}", str(path))
  if re.fullmatch(r"\d+(\.\d+)*((a|b|rc|\.post|\.dev)\d+)?", text): return Spec("version", text, text, f"tinygrad=={text}")
  if re.fullmatch(r"[\w][\w./-]*", text) and ".." not in text:
    return Spec("git", text, "git-" + re.sub(r"[^\w.-]", "_", text), f"tinygrad @ git+{REPO}@{text}")
  raise UsageError(f"{text!r}: not a version (0.13.0), a git ref of {REPO} or a path to a tinygrad source tree")


# ---------------------------------------------------------------- the venv

def purelib(python: pathlib.Path | str) -> str:
  return subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        capture_output=True, text=True, check=True).stdout.strip()


def requirements(root: pathlib.Path) -> list[str]:
  """The handbook's own dependencies, docs and test extras (pyproject.toml), less tinygrad and what the drift run never uses."""
  import tomllib
  project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf8"))["project"]
  reqs = project["dependencies"] + project["optional-dependencies"]["docs"] + project["optional-dependencies"]["test"]
  return [r for r in reqs if re.split(r"[\[=<>! ]", r, maxsplit=1)[0].lower() not in SKIP_DEPS]


def source_version(path: pathlib.Path) -> str:
  """The version a source tree declares (setup.py, pyproject.toml or tinygrad/__init__.py), else 0+local."""
  for name in ("setup.py", "pyproject.toml", "tinygrad/__init__.py"):
    f = path / name
    text = f.read_text(encoding="utf8", errors="replace") if f.is_file() else ""
    if (m := re.search(r"""^\s*(?:__version__|version)\s*=\s*["']([^"']+)["']""", text, re.M)):
      return m[1]
  return "0+local"


def pip(python: pathlib.Path, *args: str, what: str) -> None:
  """pip of this Python installing into the venv of `python` (the venv itself has no pip)."""
  proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--disable-pip-version-check", *args],
                        capture_output=True, text=True)
  if proc.returncode != 0:
    last = next((ln for ln in reversed((proc.stderr + proc.stdout).strip().splitlines()) if ln.strip()), "no output")
    raise UsageError(f"pip could not install {what}: {last.strip()}")


def make_venv(spec: Spec, venv: pathlib.Path, deps_from: str | None, root: pathlib.Path = ROOT) -> pathlib.Path:
  """Create (or reuse, when made for the same request) the drift venv with `root`'s dependencies; returns its Python."""
  python = venv / "bin" / "python"
  stamp = venv / ".drift-installed"
  want = json.dumps({"spec": dataclasses.asdict(spec), "deps_from": deps_from, "root": str(root),
                     "constraints": hashlib.sha256((root / "constraints.txt").read_bytes()).hexdigest(),
                     "version": source_version(pathlib.Path(spec.target)) if spec.kind == "path" else ""}, sort_keys=True)
  if stamp.is_file() and stamp.read_text() == want and python.exists(): return python
  if venv.exists(): shutil.rmtree(venv)
  base = sys._base_executable if hasattr(sys, "_base_executable") else sys.executable
  subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
  site = pathlib.Path(purelib(python))
  if deps_from:   # another venv's packages after this venv's own (the requested tinygrad comes first)
    other = pathlib.Path(deps_from)
    if not (other / "bin" / "python").exists(): raise UsageError(f"--deps-from {deps_from}: not a venv (no bin/python)")
    (site / "zz-drift-deps.pth").write_text(purelib(other / "bin" / "python") + "\n")
  else:
    constraints = venv / "constraints.txt"
    constraints.write_text("".join(ln + "\n" for ln in (root / "constraints.txt").read_text(encoding="utf8").splitlines()
                                   if ln.split("==")[0].strip().lower() not in SKIP_DEPS))
    print(f"drift: installing the handbook's dependencies into {venv}", flush=True)
    pip(python, "-c", str(constraints), *requirements(root), what="the handbook's dependencies")
  if spec.kind == "path":   # the source tree itself, like an editable install: a .pth line and a dist-info naming its version
    version = source_version(pathlib.Path(spec.target))
    (site / "00-drift-tinygrad.pth").write_text(spec.target + "\n")
    dist = site / f"tinygrad-{version}.dist-info"
    dist.mkdir(exist_ok=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: tinygrad\nVersion: {version}\n")
  else:
    print(f"drift: installing {spec.target}", flush=True)
    pip(python, "--no-deps", spec.target, what=spec.target)
  (site / "zz-drift-handbook.pth").write_text(str(root / "src") + "\n")
  (venv / "bin" / "tgkit").write_text(f"#!{python}\nimport sys\nfrom tgkit.cli import main\nsys.exit(main())\n")
  (venv / "bin" / "tgkit").chmod(0o755)
  stamp.write_text(want)
  return python


# ---------------------------------------------------------------- inside a venv: the build and the name check

def record_failure(where: str, error: BaseException) -> None:
  line = next((ln for ln in reversed(f"{type(error).__name__}: {error}".strip().splitlines()) if ln.strip()), type(error).__name__)
  if path := os.environ.get("HANDBOOK_RECORD"):
    with open(path, "a", encoding="utf8") as f:
      f.write(json.dumps({"where": where, "status": "failed", "text": line.strip(), "detail": traceback.format_exc()[-4000:]}) + "\n")


def run_mkdocs(args: list[str]) -> None:
  """`mkdocs <args>`, with gen-files' scripts run so that one that raises is logged and recorded, and the build goes on."""
  import logging
  import runpy
  import types

  import mkdocs_gen_files.plugin as gen_files
  from mkdocs.__main__ import cli
  log = logging.getLogger("mkdocs.plugins.drift")

  def run_path(path, *a, **k):
    try: return runpy.run_path(path, *a, **k)
    except SystemExit as e:
      if e.code: raise
    except Exception as e:  # noqa: BLE001 - the failure is the finding
      where = os.path.relpath(path) if pathlib.Path(path).resolve().is_relative_to(pathlib.Path.cwd()) else str(path)
      record_failure(where, e)
      log.warning(f"{where}: generator failed: {type(e).__name__}: {str(e).strip().splitlines()[-1] if str(e).strip() else ''}")
  gen_files.runpy = types.SimpleNamespace(run_path=run_path)
  cli(args)


def check_names(root: pathlib.Path, out: pathlib.Path) -> None:
  """tests/test_truth.py's scan of every page and snippet under `root`, against the tinygrad this Python imports, as JSON."""
  from importlib.metadata import version
  result: dict = {"tinygrad": version("tinygrad"), "findings": [], "errors": []}
  sys.path.insert(0, str(ROOT / "tests"))
  try: import test_truth
  except Exception as e:  # noqa: BLE001
    result["errors"].append({"where": "tests/test_truth.py", "text": f"{type(e).__name__}: {e}".strip().splitlines()[-1]})
    out.write_text(json.dumps(result, indent=1))
    return
  targets = [(f"docs/{p.relative_to(root / 'docs')}", p.read_text(encoding="utf8"), False) for p in sorted((root / "docs").rglob("*.md"))]
  targets += [(str(p.relative_to(root)), "```python\n" + p.read_text(encoding="utf8") + "\n```\n", True)
              for p in sorted((root / "snippets").rglob("*.py"))]
  for where, text, snippet in targets:
    try:
      if snippet: found = test_truth.scan(text, where, migration=where == "snippets/guides/migration.py", offset=1)
      else: found = test_truth.scan(text, where.removeprefix("docs/"))
    except Exception as e:  # noqa: BLE001 - a scanner that cannot run on this tinygrad is a finding, not a crash
      result["errors"].append({"where": where, "text": f"{type(e).__name__}: {e}".strip().splitlines()[-1]})
      continue
    result["findings"] += [{"where": f"{where}:{f.line}", "page": where, "line": f.line, "kind": f.kind, "name": f.name,
                            "why": f.why.replace("tinygrad 0.14.0", "this tinygrad")} for f in found]
  out.write_text(json.dumps(result, indent=1))


# ---------------------------------------------------------------- comparing

def read_records(path: pathlib.Path) -> dict[str, dict]:
  """`where` -> the block's record; blocks without a line of their own (docstrings) are numbered `where#n`."""
  out: dict[str, dict] = {}
  if not path.exists(): return out
  for ln in path.read_text(encoding="utf8").splitlines():
    r = json.loads(ln)
    key, n = r["where"], 1
    while key in out: key, n = f"{r['where']}#{n + 1}", n + 1
    out[key] = r
  return out


def page_of(where: str) -> str:
  return re.split(r"[:# ]", where, maxsplit=1)[0]


def line_of(where: str) -> int:
  return int(m[1]) if (m := re.search(r":(\d+)", where)) else 0


def last_line(log: str) -> str:
  return next((ln.strip() for ln in reversed(log.strip().splitlines()) if ln.strip()), "no output")


def code_frame(detail: str) -> str:
  """`block line N: <code>` of the innermost frame in a block's code, from a failed block's traceback ("" when there is none)."""
  frames = re.findall(r'File "<code block: [^>]*>", line (\d+), in [^\n]*\n[ \t]+([^\n]+)', detail)
  return f"block line {frames[-1][0]}: {frames[-1][1].strip()}" if frames else ""


def compare(drift: dict[str, dict], pinned: dict[str, dict], names: dict, pinned_names: dict) -> dict[str, dict]:
  """Per page: failed blocks, vanished names, changed outputs, blocks not run (each a list of dicts, sorted by line)."""
  pages: dict[str, dict] = {}
  def add(where, kind, item): pages.setdefault(page_of(where), {"failed": [], "vanished": [], "changed": [], "not_run": []})[kind].append(item)
  for where, r in drift.items():
    p = pinned.get(where)
    if r["status"] == "failed":
      add(where, "failed", {"where": where, "error": r["text"], "at": code_frame(r.get("detail", "")), "pinned": p["status"] if p else "absent"})
    elif r["status"] == "ok" and p and p["status"] == "ok" and r["text"] != p["text"]:
      diff = list(difflib.unified_diff(p["text"].splitlines(), r["text"].splitlines(), "pinned", "drift", lineterm="", n=0))[2:]
      add(where, "changed", {"where": where, "diff": diff[:16] + ([f"... {len(diff) - 16} more diff lines"] if len(diff) > 16 else [])})
  for where, p in pinned.items():
    if where not in drift and p["status"] != "skipped": add(where, "not_run", {"where": where, "pinned": p["status"]})
  key = lambda f: (f["where"], f["kind"], f["name"])  # noqa: E731
  before = {key(f) for f in pinned_names.get("findings", [])}
  for f in names.get("findings", []):
    if key(f) not in before: add(f["where"], "vanished", {k: f[k] for k in ("where", "kind", "name", "why")})
  for e in names.get("errors", []):
    add(e["where"], "vanished", {"where": e["where"], "kind": "scan", "name": "", "why": f"the name check failed: {e['text']}"})
  for v in pages.values():
    for items in v.values(): items.sort(key=lambda i: (line_of(i["where"]), i["where"]))
  return dict(sorted(pages.items()))


def markdown(report: dict) -> str:
  s = report["summary"]
  out = [f"# Drift: the handbook on tinygrad {report['tinygrad']['version']} (`{report['tinygrad']['spec']}`)", "",
         f"Pinned: tinygrad {report['pinned']['version']}. Blocks recorded: {s['blocks']} on {report['tinygrad']['version']}, "
         f"{s['pinned_blocks']} pinned. {s['pages']} pages affected: {s['failed']} failing blocks, {s['vanished']} names that vanished, "
         f"{s['changed']} changed outputs, {s['not_run']} blocks not run. Drift build exit status {report['build']['returncode']}"
         + (f" ({report['build']['last_line']})" if report['build']['returncode'] else "")
         + f", pinned build exit status {report['pinned_build']['returncode']}"
         + (f" ({report['pinned_build']['last_line']})" if report['pinned_build']['returncode'] else "") + f"; {report['seconds']:.0f} s.", "",
         "Names: package paths, symbols and settings are checked against this tinygrad; repository paths and links against the pinned "
         "commit's file list (data/tinygrad-repo-files.txt). Outputs are compared with a pinned build of the same commit.", "",
         "| page | failing blocks | names vanished | outputs changed | not run |", "| --- | --- | --- | --- | --- |"]
  out += [f"| {p} | {len(v['failed'])} | {len(v['vanished'])} | {len(v['changed'])} | {len(v['not_run'])} |" for p, v in report["pages"].items()]
  for p, v in report["pages"].items():
    out += ["", f"## {p}"]
    if v["failed"]:
      out += ["", "Failing blocks:", ""] + [f"- `{i['where']}`: {i['error']}" + (f" (at {i['at']})" if i["at"] else "")
                                            + (" (fails on the pin too)" if i["pinned"] == "failed" else "") for i in v["failed"]]
    if v["vanished"]: out += ["", "Names that vanished:", ""] + [f"- `{i['where']}`: {i['kind']} `{i['name']}`: {i['why']}" for i in v["vanished"]]
    if v["changed"]:
      out += ["", "Changed outputs:"]
      for i in v["changed"]: out += ["", f"- `{i['where']}`", "", "  ```diff"] + [f"  {d}" for d in i["diff"]] + ["  ```"]
    if v["not_run"]: out += ["", "Not run (the drift build never reached them):", ""] + [f"- `{i['where']}`" for i in v["not_run"]]
  return "\n".join(out) + "\n"


# ---------------------------------------------------------------- the command

def seed_cache(pinned_cache: pathlib.Path, cache: pathlib.Path) -> None:
  """Copy the pinned execution cache and live device report into the pinned build's own cache folder (reading them only)."""
  for part in ("exec", "device-report"):
    src = pinned_cache / part
    if not src.is_dir(): continue
    (cache / part).mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
      if f.is_file() and f.suffix == ".json" and not (cache / part / f.name).exists(): shutil.copy2(f, cache / part / f.name)


def build(python, root: pathlib.Path, site: pathlib.Path, cache: pathlib.Path, record: pathlib.Path, log: pathlib.Path, no_cache: bool):
  record.unlink(missing_ok=True)
  env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
  env.update(QUIET, HANDBOOK_CACHE_DIR=str(cache), HANDBOOK_RECORD=str(record), HANDBOOK_NO_CACHE="1" if no_cache else "0")
  cmd = [str(python), str(ROOT / "scripts" / "drift.py"), "--mkdocs", "build", "--no-strict", "-f", str(root / "mkdocs.yml"), "-d", str(site)]
  return subprocess.Popen(cmd, cwd=root, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def names(python, root: pathlib.Path, out: pathlib.Path, cache: pathlib.Path, log: pathlib.Path):
  env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
  env.update(HANDBOOK_CACHE_DIR=str(cache))
  out.unlink(missing_ok=True)
  return subprocess.Popen([str(python), str(ROOT / "scripts" / "drift.py"), "--names", str(root), str(out)], cwd=root, env=env,
                          stdout=log.open("w"), stderr=subprocess.STDOUT)


def load_names(path: pathlib.Path, log: pathlib.Path) -> dict:
  if path.exists(): return json.loads(path.read_text(encoding="utf8"))
  return {"tinygrad": "?", "findings": [], "errors": [{"where": "tests/test_truth.py", "text": last_line(log.read_text(encoding="utf8"))}]}


def drift(spec: Spec, root: pathlib.Path, work: pathlib.Path, deps_from: str | None, pinned_python: str,
          report_only: bool = False) -> tuple[dict, pathlib.Path]:
  """Install, build both sides, check names, compare; `report_only` writes the report again from the last run's records."""
  t0 = time.monotonic()
  if report_only:
    if not (work / "run.json").is_file(): raise UsageError(f"--report-only: no finished run in {work}")
    run = json.loads((work / "run.json").read_text())
  else:
    work.mkdir(parents=True, exist_ok=True)
    python = make_venv(spec, work / "venv", deps_from)
    pinned_cache = pathlib.Path(os.environ.get("HANDBOOK_CACHE_DIR") or root / ".cache")
    pinned_own = work.parent / "pinned"   # the pinned build's own cache, shared by every drift run of this checkout
    seed_cache(pinned_cache, pinned_own)
    print(f"drift: building the site on {spec.text} and pinned (logs: {work / 'build.log'}, {work / 'pinned-build.log'})", flush=True)
    procs = [build(python, root, work / "site", work / "cache", work / "blocks.jsonl", work / "build.log", no_cache=spec.kind != "version"),
             build(pinned_python, root, work / "pinned-site", pinned_own, work / "pinned-blocks.jsonl", work / "pinned-build.log", no_cache=False),
             names(python, root, work / "names.json", work / "cache", work / "names.log"),
             names(pinned_python, root, work / "pinned-names.json", pinned_own, work / "pinned-names.log")]
    run = {"returncodes": [p.wait() for p in procs], "seconds": round(time.monotonic() - t0, 1)}
    (work / "run.json").write_text(json.dumps(run))
  rcs = run["returncodes"]
  drift_names, pinned_names = load_names(work / "names.json", work / "names.log"), load_names(work / "pinned-names.json", work / "pinned-names.log")
  records, pinned_records = read_records(work / "blocks.jsonl"), read_records(work / "pinned-blocks.jsonl")
  pages = compare(records, pinned_records, drift_names, pinned_names)
  n = {k: sum(len(v[k]) for v in pages.values()) for k in ("failed", "vanished", "changed", "not_run")}
  report = {"tinygrad": {"spec": spec.text, "kind": spec.kind, "version": drift_names["tinygrad"]},
            "pinned": {"version": pinned_names["tinygrad"], "findings": len(pinned_names.get("findings", []))},
            "build": {"returncode": rcs[0], "last_line": last_line((work / "build.log").read_text(encoding="utf8")) if rcs[0] else "",
                      "log": str(work / "build.log")},
            "pinned_build": {"returncode": rcs[1], "last_line": last_line((work / "pinned-build.log").read_text(encoding="utf8")) if rcs[1] else "",
                             "log": str(work / "pinned-build.log")},
            "summary": {"pages": len(pages), "blocks": len(records), "pinned_blocks": len(pinned_records), **n},
            "seconds": run["seconds"], "pages": pages}
  (work / "report.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf8")
  (work / "report.md").write_text(markdown(report), encoding="utf8")
  return report, work / "report.md"


def main(argv: list[str] | None = None) -> int:
  argv = sys.argv[1:] if argv is None else argv
  if argv[:1] == ["--mkdocs"]: return run_mkdocs(argv[1:]) or 0
  if argv[:1] == ["--names"] and len(argv) == 3: return check_names(pathlib.Path(argv[1]), pathlib.Path(argv[2])) or 0
  ap = argparse.ArgumentParser(description="Build the handbook and check its names against another tinygrad; write a report per page.")
  ap.add_argument("tinygrad", nargs="?", default="", help="a version on the package index (0.13.0), a git ref of tinygrad's repository, or a path")
  ap.add_argument("--root", default=str(ROOT), help="the handbook checkout to build (default: this one)")
  ap.add_argument("--work", help="where the venv, builds and report go (default: <root>/.cache/drift/<slug>)")
  ap.add_argument("--deps-from", help="use this venv's packages instead of installing the dependencies (the requested tinygrad still comes first)")
  ap.add_argument("--pinned-python", default=sys.executable, help="the Python of the pinned build (default: this one)")
  ap.add_argument("--report-only", action="store_true", help="write the report again from the last run's records, building nothing")
  args = ap.parse_args(argv)
  try:
    spec = parse_spec(args.tinygrad)
    root = pathlib.Path(args.root).resolve()
    if not (root / "mkdocs.yml").is_file(): raise UsageError(f"--root {args.root}: no mkdocs.yml there")
    report, path = drift(spec, root, pathlib.Path(args.work).resolve() if args.work else root / ".cache" / "drift" / spec.slug, args.deps_from,
                         args.pinned_python, args.report_only)
  except UsageError as e:
    print(f"drift: {e}", file=sys.stderr)
    return 1
  s = report["summary"]
  print(f"drift: tinygrad {report['tinygrad']['version']} vs {report['pinned']['version']}: {s['pages']} pages affected, "
        f"{s['failed']} failing blocks, "
        f"{s['vanished']} names vanished, {s['changed']} outputs changed, {s['not_run']} not run ({s['blocks']} blocks, {report['seconds']:.0f} s)")
  print(f"drift: report: {path} (and {path.with_suffix('.json')})")
  return 0


if __name__ == "__main__":
  sys.exit(main())
