"""Day 7, Pathway A: the validation platform a learner ends the week with (tgkit.report is the full version).

The record, the exit code and the JSON report are the solutions of the day's exercises d7-record, d7-exit-code and
d7-report (in a workspace: day7/record.py, day7/exit_code.py, day7/report.py), imported rather than copied."""
# --8<-- [start:suites]
import numpy as np
from tinygrad import GlobalCounters, Tensor, nn
from tinygrad.nn.state import get_parameters

X = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
OPS = {"exp": (lambda t: t.exp(), np.exp), "tanh": (lambda t: t.tanh(), np.tanh), "sum": (lambda t: t.sum(1), lambda a: a.sum(1)),
       "matmul": (lambda t: t @ t.T, lambda a: a @ a.T), "softmax": (lambda t: t.softmax(-1), lambda a: np.exp(a) / np.exp(a).sum(-1, keepdims=True))}


def op_close(tiny, ref):
  """Day 1: an op against numpy."""
  err = float(np.abs(tiny(Tensor(X)).numpy() - ref(X)).max())
  return err < 1e-5, f"max error {err:.0e}"


def same_on(dev: str):
  """Days 2 and 4: the same computation on the CPU device and on `dev`."""
  cpu, other = (Tensor(X, device="CPU").exp() @ Tensor(X).T).numpy(), (Tensor(X, device=dev).exp() @ Tensor(X, device=dev).T).numpy()
  return bool(np.allclose(cpu, other, rtol=1e-5)), f"CPU vs {dev}"


def kernel_count(build, want: int):
  """Days 3 and 5: how many kernels an expression becomes."""
  GlobalCounters.reset()
  build().realize()
  return GlobalCounters.kernel_count == want, f"{GlobalCounters.kernel_count} kernel(s), want {want}"


def suites() -> list[tuple]:
  """(suite, name, check) for one small check of each day; a check returns (ok, detail)."""
  y = Tensor.ones(8, 8).contiguous().realize()
  out = [("ops", name, lambda t=t, r=r: op_close(t, r)) for name, (t, r) in OPS.items()]
  out += [("devices", "CPU==PYTHON", lambda: same_on("PYTHON")),
          ("schedule", "elementwise+reduce fuses", lambda: kernel_count(lambda: (y * 2 + 1).sum(), 1)),
          ("schedule", "matmul+relu fuses", lambda: kernel_count(lambda: (y @ y).relu(), 1))]
  out += [("nn", f"{n} params", lambda m=m, w=w: (sum(p.numel() for p in get_parameters(m())) == w, str(w)))   # Day 6
          for n, m, w in [("Linear(8,4)", lambda: nn.Linear(8, 4), 36), ("Conv2d(1,2,3)", lambda: nn.Conv2d(1, 2, 3), 20)]]
  return out
# --8<-- [end:suites]


# --8<-- [start:run]
import html
import pathlib
import tempfile

from tinygrad import Device

from tgkit.exercises.day7_exit_code import exit_code          # your day7/exit_code.py
from tgkit.exercises.day7_record import record                # your day7/record.py
from tgkit.exercises.day7_report import load, to_json         # your day7/report.py


def to_markdown(rep: dict) -> str:
  s = rep["summary"]
  rows = [f"| {f['suite']} | {f['name']} | {f['status']} | {f['detail']} |" for f in rep["findings"]]
  return "\n".join([f"# tinygrad {rep['tinygrad']} on {rep['device']}: {s['pass']} passed, {s['fail']} failed, {s['error']} errors", "",
                    "| suite | check | status | detail |", "| --- | --- | --- | --- |", *rows]) + "\n"


def to_html(rep: dict) -> str:
  rows = "".join(f"<tr><td>{html.escape(f['suite'])}</td><td>{html.escape(f['name'])}</td><td>{f['status']}</td>"
                 f"<td>{html.escape(f['detail'])}</td></tr>" for f in rep["findings"])
  return f"<!doctype html><meta charset=utf-8><title>validation</title><table>{rows}</table>\n"


findings = [record(*s) for s in suites()]
text = to_json(findings, Device.DEFAULT)
rep = load(text)
with tempfile.TemporaryDirectory() as d:
  out = pathlib.Path(d)
  (out / "report.json").write_text(text)
  (out / "report.md").write_text(to_markdown(rep))
  (out / "report.html").write_text(to_html(rep))
  assert load((out / "report.json").read_text()) == rep
  print("wrote", sorted(p.name for p in out.iterdir()))
print(to_markdown(rep))
print("exit code", exit_code(findings))
assert exit_code(findings) == 0
# --8<-- [end:run]
