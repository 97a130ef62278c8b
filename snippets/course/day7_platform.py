"""Day 7, Pathway A: the validation platform a learner ends the week with (tgkit.report is the full version)."""
# --8<-- [start:run]
import dataclasses
import html
import json
import pathlib
import tempfile
from importlib.metadata import version

import numpy as np
from tinygrad import Device, GlobalCounters, Tensor, nn
from tinygrad.nn.state import get_parameters

SCHEMA = 1


@dataclasses.dataclass
class Finding:
  suite: str
  name: str
  status: str   # pass | fail | error
  detail: str = ""


def check(suite: str, name: str, fn) -> Finding:
  try:
    ok, detail = fn()
    return Finding(suite, name, "pass" if ok else "fail", detail)
  except Exception as e:  # noqa: BLE001 - an error is a finding
    return Finding(suite, name, "error", f"{type(e).__name__}: {e}")


X = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
OPS = {"exp": (lambda t: t.exp(), np.exp), "tanh": (lambda t: t.tanh(), np.tanh), "sum": (lambda t: t.sum(1), lambda a: a.sum(1)),
       "matmul": (lambda t: t @ t.T, lambda a: a @ a.T), "softmax": (lambda t: t.softmax(-1), lambda a: np.exp(a) / np.exp(a).sum(-1, keepdims=True))}


def op_close(tiny, ref):
  err = float(np.abs(tiny(Tensor(X)).numpy() - ref(X)).max())
  return err < 1e-5, f"max error {err:.0e}"


def same_on(dev: str):
  cpu, other = (Tensor(X, device="CPU").exp() @ Tensor(X).T).numpy(), (Tensor(X, device=dev).exp() @ Tensor(X, device=dev).T).numpy()
  return bool(np.allclose(cpu, other, rtol=1e-5)), f"CPU vs {dev}"


def kernel_count(build, want: int):
  GlobalCounters.reset()
  build().realize()
  return GlobalCounters.kernel_count == want, f"{GlobalCounters.kernel_count} kernel(s), want {want}"


def run_full_validation() -> list[Finding]:
  y = Tensor.ones(8, 8).contiguous().realize()
  findings = [check("ops", name, lambda t=t, r=r: op_close(t, r)) for name, (t, r) in OPS.items()]
  findings += [check("devices", f"CPU=={d}", lambda d=d: same_on(d)) for d in ("PYTHON",)]
  findings += [check("schedule", "elementwise+reduce fuses", lambda: kernel_count(lambda: (y * 2 + 1).sum(), 1)),
               check("schedule", "matmul+relu fuses", lambda: kernel_count(lambda: (y @ y).relu(), 1))]
  findings += [check("nn", f"{n} params", lambda m=m, w=w: (sum(p.numel() for p in get_parameters(m())) == w, str(w)))
               for n, m, w in [("Linear(8,4)", lambda: nn.Linear(8, 4), 36), ("Conv2d(1,2,3)", lambda: nn.Conv2d(1, 2, 3), 20)]]
  return findings


def to_json(findings) -> dict:
  return {"schema": SCHEMA, "tinygrad": version("tinygrad"), "device": Device.DEFAULT,
          "summary": {s: sum(f.status == s for f in findings) for s in ("pass", "fail", "error")},
          "findings": [dataclasses.asdict(f) for f in findings]}


def to_markdown(rep: dict) -> str:
  s = rep["summary"]
  rows = [f"| {f['suite']} | {f['name']} | {f['status']} | {f['detail']} |" for f in rep["findings"]]
  return "\n".join([f"# tinygrad {rep['tinygrad']} on {rep['device']}: {s['pass']} passed, {s['fail']} failed, {s['error']} errors", "",
                    "| suite | check | status | detail |", "| --- | --- | --- | --- |", *rows]) + "\n"


def to_html(rep: dict) -> str:
  rows = "".join(f"<tr><td>{html.escape(f['suite'])}</td><td>{html.escape(f['name'])}</td><td>{f['status']}</td>"
                 f"<td>{html.escape(f['detail'])}</td></tr>" for f in rep["findings"])
  return f"<!doctype html><meta charset=utf-8><title>validation</title><table>{rows}</table>\n"


def exit_code(rep: dict) -> int: return 0 if rep["summary"]["fail"] == rep["summary"]["error"] == 0 else 1


rep = to_json(run_full_validation())
with tempfile.TemporaryDirectory() as d:
  out = pathlib.Path(d)
  (out / "report.json").write_text(json.dumps(rep, indent=1))
  (out / "report.md").write_text(to_markdown(rep))
  (out / "report.html").write_text(to_html(rep))
  assert json.loads((out / "report.json").read_text()) == rep
  print("wrote", sorted(p.name for p in out.iterdir()))
print(to_markdown(rep))
print("exit code", exit_code(rep))
assert exit_code(rep) == 0
# --8<-- [end:run]
