"""tgkit.report: sections, exit codes, and the three renderings."""
import json

import pytest

from tgkit import report
from tgkit.errors import UsageError


def test_trace_and_profile_sections_pass(tmp_path):
  rep = report.run_full_validation("trace,profile", tmp_path)
  assert [s.name for s in rep.sections] == ["trace", "profile"] and rep.passed and report.exit_code(rep) == 0
  data = report.load(tmp_path / "report.json")
  assert data["tinygrad_version"] == "0.14.0" and data["host"]["cpu_count"] >= 1
  assert "/root" not in json.dumps(data["host"]) and "/home" not in json.dumps(data["host"])


def test_a_failing_section_fails_the_report(tmp_path, monkeypatch):
  broken = lambda device: report.Section("trace", "fail", "wrong value", {}, [{"expected": 1, "got": 2}])  # noqa: E731
  monkeypatch.setattr(report, "_trace", broken)
  rep = report.run_full_validation("trace", tmp_path)
  assert not rep.passed and report.exit_code(rep) == 1
  md, page = (tmp_path / "report.md").read_text(), (tmp_path / "report.html").read_text()
  assert "FAIL" in md and "| trace | fail | wrong value |" in md
  assert page.startswith("<!doctype html>") and "<script" not in page and "http" not in page  # self-contained


def test_a_crashing_tool_is_an_error_section(tmp_path, monkeypatch):
  def crash(device): raise RuntimeError("boom")
  monkeypatch.setattr(report, "_trace", crash)
  rep = report.run_full_validation("trace", None)
  assert rep.sections[0].status == "error" and "RuntimeError: boom" in rep.sections[0].summary and not rep.passed


def test_html_escapes_tool_output(tmp_path):
  rep = report.Report(1, "0", "0.14.0", "2026-01-01T00:00:00+00:00", report.host_description(), "CPU", "ops",
                      [report.Section("ops", "fail", "<script>alert(1)</script>", {}, [{"op": "<b>x</b>", "status": "fail"}])])
  page = report.render_html(rep)
  assert "<script>alert" not in page and "&lt;script&gt;" in page and "&lt;b&gt;x" in page


def test_wrong_schema_version_is_named(tmp_path):
  p = tmp_path / "r.json"
  p.write_text(json.dumps({"schema_version": 99}))
  with pytest.raises(UsageError, match="schema_version"): report.load(p)
  p.write_text("[1,")
  with pytest.raises(UsageError, match="malformed JSON"): report.load(p)
