"""The generated reference pages agree with the installed tinygrad (tgkit.reference, scripts/gen_reference.py)."""
from __future__ import annotations

import contextlib
import io
import json
import pathlib
import shutil
import subprocess
import sys
from importlib.metadata import version

import pytest

from handbook import env

env.apply()

from tinygrad import Device  # noqa: E402
from tinygrad.helpers import ContextVar, Target  # noqa: E402
from tinygrad.uop import GroupOp, Ops  # noqa: E402

from tgkit import reference  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
  return reference.pages()


# **** ContextVars and getenv names ****

def test_every_registered_contextvar_is_listed():
  """100% coverage: every name in the live registry (after importing every module that defines one) has a record."""
  names = {c.name for c in reference.context_vars()}
  live = set(reference.registry())
  assert live - names == set() and reference.coverage_gaps(reference.context_vars()) == set()
  assert {"DEBUG", "DEV", "BEAM", "SQTT", "PMA", "HCQ_RUNTIME_DEV", "TRACK_MATCH_STATS"} <= names
  assert len(names) == len(reference.context_vars())   # one record per name


SUBPROCESS = """
import importlib, json, pathlib, sys
from handbook import env; env.apply()
import tinygrad
from tinygrad.helpers import ContextVar
pkg = pathlib.Path(tinygrad.__file__).parent
for p in sorted(pkg.rglob("*.py")):
  rel = p.relative_to(pkg.parent).with_suffix("")
  if "autogen" in rel.parts or rel.name == "__main__": continue
  try: importlib.import_module(".".join(rel.parts).removesuffix(".__init__"))
  except BaseException: pass   # hardware libraries, optional dependencies
print(json.dumps(sorted(ContextVar._cache)))
"""


def test_coverage_against_every_importable_module():
  """Independent of the source scan: import every module of the package in a fresh process and compare the registry."""
  out = subprocess.run([sys.executable, "-c", SUBPROCESS], capture_output=True, text=True, timeout=300, cwd=ROOT, check=True).stdout
  live = set(json.loads(out.strip().splitlines()[-1]))
  assert live - {c.name for c in reference.context_vars()} == set()


def test_coverage_check_fails_on_an_unlisted_contextvar(monkeypatch):
  monkeypatch.setitem(ContextVar._cache, "NOT_A_REAL_TINYGRAD_VAR", object())
  assert reference.coverage_gaps(list(reference._context_vars())) == {"NOT_A_REAL_TINYGRAD_VAR"}
  with pytest.raises(LookupError, match="NOT_A_REAL_TINYGRAD_VAR"): reference.context_vars()


def test_records_match_the_live_contextvars():
  live = reference.registry()
  for c in reference.context_vars():
    assert (reference.PKG.parent / c.module).is_file() and f'"{c.name}"' in (reference.PKG.parent / c.module).read_text().split("\n")[c.line - 1]
    if c.name in live and c.cls == "ContextVar": assert type(live[c.name].value).__name__ == c.type, c
  dev = next(c for c in reference.context_vars() if c.name == "DEV")
  assert dev.cls == "_DEV" and isinstance(live["DEV"].value, list) and all(isinstance(t, Target) for t in live["DEV"].value)


def test_host_dependent_defaults_are_expressions(monkeypatch, pages):
  by = {c.name: c for c in reference.context_vars()}
  assert by["NUM_CPU_THREADS"].default == "_get_cpu_count()" and by["NUM_CPU_THREADS"].host
  assert by["PARALLEL"].host and "NUM_CPU_THREADS" in by["PARALLEL"].depends and by["PARALLEL"].computed
  assert not by["DEBUG"].computed and not by["PROFILE"].host and by["PROFILE"].depends == ("VIZ",)
  monkeypatch.setattr(ContextVar._cache["NUM_CPU_THREADS"], "value", 987654)
  assert "987654" not in reference.render_env_page(reference.context_vars(), reference.getenv_names(), reference.env_patterns())
  text = "\n".join(pages.values())
  assert str(reference.PKG) not in text and str(pathlib.Path.home()) not in text and str(ROOT) not in text


def test_getenv_names_are_read_in_the_source():
  envs = reference.getenv_names()
  names = {e.name for e in envs}
  assert {"JITBEAM", "CACHEDB", "CC", "ASSERT_COMPILE", "TYPED", "PATH"} <= names and "REGEN" not in names   # REGEN: only in runtime/autogen
  for e in envs:
    for r in e.reads:
      assert not r.file.startswith("tinygrad/runtime/autogen") and e.name in (reference.PKG.parent / r.file).read_text().split("\n")[r.line - 1]
  cc = next(e for e in envs if e.name == "CC")
  assert cc.files == ("tinygrad/runtime/ops_dsp.py", "tinygrad/runtime/support/compiler_cpu.py") and cc.defaults == ("'clang'",)
  assert next(e for e in envs if e.name == "ASSERT_COMPILE").defaults == ("0 (implicit)",)
  assert all(p.file.startswith("tinygrad/") for p in reference.env_patterns())


def test_meanings_name_real_variables(monkeypatch):
  assert reference.unknown_meanings() == set()
  wanted = {"DEBUG", "DEV", "BEAM", "NOOPT", "PARALLEL", "JIT", "VIZ", "PROFILE", "CACHELEVEL", "CACHEDB", "NO_COLOR", "TRAINING", "SPEC",
            "CHECK_OOB", "VALIDATE_WITH_CPU", "EMULATED_DTYPES", "DEFAULT_FLOAT", "LRU", "CCACHE", "JITBEAM", "IGNORE_BEAM_CACHE",
            "TRANSCENDENTAL", "DEFAULT_INT"}
  assert wanted <= set(reference.MEANINGS)
  assert reference.unknown_meanings({**reference.MEANINGS, "TRAINIG": "typo"}) == {"TRAINIG"}
  monkeypatch.setitem(reference.MEANINGS, "CPU", "a setting 0.14.0 no longer reads")
  with pytest.raises(LookupError, match="CPU"): reference.pages()


def test_pattern_forms_describe_every_runtime_name():
  found = {(p.file, p.expr) for p in reference.env_patterns()}
  assert found == set(reference.PATTERN_FORMS)


# **** Ops and GroupOp ****

def test_every_op_has_exactly_its_groupop_memberships():
  groups = {k: v for k, v in vars(GroupOp).items() if isinstance(v, set)}
  assert [g.name for g in reference.op_groups()] == list(groups)
  ops = reference.ops_groups()
  assert [o.name for o in ops] == [o.name for o in sorted(Ops)] and len(ops) == len(Ops)
  for o in ops: assert set(o.groups) == {k for k, v in groups.items() if Ops[o.name] in v}, o.name
  for g in reference.op_groups(): assert set(g.members) == {o.name for o in groups[g.name]}


def test_groups_are_discovered_not_listed(monkeypatch):
  monkeypatch.setattr(GroupOp, "Fake", {Ops.ADD}, raising=False)
  assert reference.op_groups()[-1] == reference.GroupInfo("Fake", ("ADD",))
  assert "Fake" in next(o for o in reference.ops_groups() if o.name == "ADD").groups


# **** DEV= targets ****

def _opened(dev: str):
  if dev == "CPU" and shutil.which("clang") is None: pytest.skip("the CPU device needs clang")
  return Device[dev]


@pytest.mark.parametrize("dev", ["CPU", "PYTHON", "NULL", "NPY"])
def test_renderers_match_an_opened_device(dev):
  """The table (read from the source, NULL excepted) says what an opened Device reports: names, classes, order, default."""
  d, info = _opened(dev), next(i for i in reference.dev_targets() if i.device == dev)
  assert [r.name for r in info.renderers] == [d._renderer_name(r) for r in d.renderers]
  assert [r.cls for r in info.renderers] == [r.__name__ for r in d.renderers]
  assert [r.module for r in info.renderers] == [reference._module_path(r.__module__) for r in d.renderers]
  assert info.defaults[0].cls == type(d.renderer).__name__ and info.cls == type(d).__name__
  assert info.source == ("opened" if dev == "NULL" else "source")


def test_every_runtime_is_listed():
  devs = {d.device: d for d in reference.dev_targets()}
  assert set(devs) == set(Device._devices)
  from tinygrad.device import ALL_DEVICES
  assert [d for _, d in sorted((i.auto, d) for d, i in devs.items() if i.auto is not None)] == ALL_DEVICES
  assert [r.name for r in devs["CPU"].renderers] == ["CLANG", "LLVM", "LVP", "X86"]
  assert [r.name for r in devs["NV"].renderers] == ["CUDA", "PTX", "CC", "NAK"]   # NVCCRenderer minus the NV prefix
  assert [(r.name, r.when) for r in devs["DSP"].defaults] == [("MOCKDSP", "getenv('MOCKDSP')"), ("DSP", "not getenv('MOCKDSP')")]
  import tinygrad.runtime.ops_amd as amd
  assert devs["AMD"].interfaces == tuple(i.__name__[:-5] for i in amd.AMDDevice.ifaces)
  assert set(reference.ARCH) <= set(devs) and {d for d, i in devs.items() if i.arch} <= set(reference.ARCH)


def test_renderer_name_is_tinygrads():
  assert reference.renderer_name("CPU", "CPULLVMRenderer") == "LLVM" and reference.renderer_name("NULL", "CPULLVMRenderer") == "CPULLVM"
  assert reference.renderer_name("DISK", "Renderer") == "DISK"


def test_target_examples_parse_as_the_page_shows(pages):
  parsed = {s: Target.parse(s) for s in reference.TARGET_EXAMPLES[:-1]}
  assert parsed["cpu:llvm"] == Target("CPU", "LLVM") and parsed["PCI:0-1+AMD"] == Target("AMD", interface="PCI", indices="0-1")
  with pytest.raises(RuntimeError, match="too many ':'"): Target.parse(reference.TARGET_EXAMPLES[-1])
  page = pages[reference.PAGES["dev"]]
  code = page.split('```python exec="on" source="above" result="text"\n', 1)[1].split("```", 1)[0]
  out = io.StringIO()
  with contextlib.redirect_stdout(out): exec(code, {})   # the block the build executes on the page
  assert "-> PCI:0-1+AMD" in out.getvalue() and "RuntimeError: too many ':'" in out.getvalue()
  assert len(out.getvalue().splitlines()) == len(reference.TARGET_EXAMPLES)


# **** pages ****

def test_pages_contain_every_name(pages):
  envp, opsp, devp = (pages[reference.PAGES[k]] for k in ("env", "ops", "dev"))
  cvs, envs = reference.context_vars(), reference.getenv_names()
  meant = [n for n in reference.MEANINGS if n in {c.name for c in cvs} | {e.name for e in envs}]
  assert f"**{len(cvs)} ContextVars, {len(envs)} getenv names, {len(meant)} with a meaning.**" in envp
  for n in [c.name for c in cvs] + [e.name for e in envs]: assert f"| `{n}` |" in envp, n
  for o in Ops: assert f"| `Ops.{o.name}` |" in opsp, o
  for g in reference.op_groups(): assert f"`GroupOp.{g.name}`" in opsp
  for d in reference.dev_targets():
    for r in d.renderers: assert f"`DEV={d.device}:{r.name}`" in devp
  for text in pages.values():
    assert "must not be edited by hand" in text and reference.GENERATOR in text and f"tinygrad {version('tinygrad')}" in text


def test_pages_are_deterministic(pages):
  assert reference.pages() == pages


def test_mkdocs_runs_the_generator():
  cfg = (ROOT / "mkdocs.yml").read_text(encoding="utf8")
  assert "- scripts/gen_reference.py" in cfg and (ROOT / reference.GENERATOR).is_file()
  nav = cfg[cfg.index("  - Reference:"):cfg.index("  - About:")]
  for page in reference.PAGES.values(): assert page in nav
  assert cfg.index("  - tgkit:") < cfg.index("  - Reference:")
  assert not any((ROOT / "docs" / p).exists() for p in reference.PAGES.values()), "generated pages must not be committed under docs/"
