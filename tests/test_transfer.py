"""tgkit.transfer: copies counted for `.to`, what mixed-device ops raise, shards, and the cross-device report.

Tiny tensors on PYTHON (and a few CPU copies, which compile nothing) keep these fast.
"""
import pytest

from tinygrad import Tensor, dtypes

from tgkit import transfer
from tgkit.cli import main
from tgkit.devices import cross_check, render_cross_markdown
from tgkit.errors import UsageError
from tgkit.ops import Result
from tgkit.transfer import MIXED_OPS, TRANSFER_DTYPES, check_mixed, check_shard, check_transfer, count_copies


def test_count_copies_of_a_move_and_of_no_move():
  x = Tensor([1.0, 2.0, 3.0], device="PYTHON").realize()
  y = x.to("PYTHON:1")
  got = count_copies(y)
  assert [(c.src, c.dst, c.nbytes) for c in got.copies] == [("PYTHON", "PYTHON:1", 12)] and got.kernels == 0
  assert y.tolist() == [1.0, 2.0, 3.0]
  assert x.to("PYTHON") is x and x.to("python:0") is x
  assert count_copies(x.to("PYTHON")) == transfer.Counted([], 0) == count_copies(y)   # already realized: nothing runs


def test_count_copies_tells_kernels_from_copies():
  x = Tensor([1, 2, 3, 4], device="PYTHON").realize()
  got = count_copies(z := (x * 2).to("PYTHON:1"))
  assert got.kernels == 1 and [(c.src, c.dst) for c in got.copies] == [("PYTHON", "PYTHON:1")]
  assert z.tolist() == [2, 4, 6, 8]
  made = count_copies(Tensor([1.0, 2.0], device="CPU"))   # a list is packed on PYTHON, then copied
  assert [(c.src, c.dst, c.nbytes) for c in made.copies] == [("PYTHON", "CPU", 8)]


@pytest.mark.parametrize("src,dst,copies", [("CPU", "PYTHON", 1), ("PYTHON", "CPU", 1), ("CPU", "CPU:1", 1), ("PYTHON", "PYTHON", 0)])
def test_transfers_keep_every_byte(src, dst, copies):
  for dt in TRANSFER_DTYPES:
    c = check_transfer(src, dst, dt)
    assert (c.status, c.copies, c.expected_copies, c.same_tensor) == ("pass", copies, copies, copies == 0), c
    assert c.nbytes == 8 * getattr(dtypes, dt).itemsize


def test_payload_is_any_bit_pattern_and_seeded():
  f16 = transfer.payload("float16", 64)
  assert f16 == transfer.payload("float16", 64) and len(set(f16)) > 40
  assert set(transfer.payload("bool", 64)) == {0, 1}


def test_check_transfer_catches_changed_bytes_extra_copies_and_kernels(monkeypatch):
  real_to = Tensor.to
  monkeypatch.setattr(Tensor, "to", lambda self, d: real_to(self.flip(0), d))          # a kernel, and the bytes reversed
  c = check_transfer("PYTHON", "PYTHON:1", "int8")
  assert c.status == "fail" and "bytes changed" in c.message and "1 kernel ran besides the copy" in c.message
  monkeypatch.setattr(Tensor, "to", lambda self, d: real_to(real_to(self, "PYTHON:2"), d))   # two hops
  c = check_transfer("PYTHON", "PYTHON:1", "int8")
  assert (c.status, c.copies, c.message) == ("fail", 2, "2 copies, expected 1")
  monkeypatch.setattr(Tensor, "to", lambda self, d: real_to(real_to(self, "PYTHON:1"), d))   # a round trip for a no-op
  c = check_transfer("PYTHON", "PYTHON", "int8")
  assert (c.status, c.copies, c.same_tensor) == ("fail", 2, False) and c.message == "2 copies, expected 0"


def test_mixed_device_ops_raise_where_tinygrad_checks():
  got = {op: check_mixed(op, "PYTHON", "PYTHON:1") for op in MIXED_OPS}
  add = got["a + b"]
  assert (add.outcome, add.when, add.error) == ("raises", "realize", "RuntimeError: all buffers must be on the same device: ['PYTHON', 'PYTHON:1']")
  assert add.lost == ["b"]   # b's list was still to be copied to PYTHON:1; a's list already lives on PYTHON
  assert {op: m.when for op, m in got.items()} == {"a + b": "realize", "a @ b": "realize", "a.cat(b)": "realize",
                                                  "(a > 2).where(a, b)": "realize", "a[b.int() % 4]": "build", "a.assign(b)": "build"}
  assert got["a.assign(b)"].error == "RuntimeError: assign device mismatch PYTHON != PYTHON:1" and got["a.assign(b)"].lost == []
  assert got["a[b.int() % 4]"].error.startswith("RuntimeError: expected index and self on the same device")


def test_mixed_ops_compute_on_one_device_and_wrong_values_are_flagged(monkeypatch):
  assert [check_mixed(op, "PYTHON", "PYTHON").outcome for op in MIXED_OPS] == ["computes"] * len(MIXED_OPS)
  monkeypatch.setitem(MIXED_OPS, "a + b", (lambda a, b: a - b.to(a.device), MIXED_OPS["a + b"][1]))   # moves, and computes wrong
  m = check_mixed("a + b", "PYTHON", "PYTHON:1")
  assert m.outcome == "wrong" and m.error == "got [-4.0, -4.0, -4.0, -4.0], numpy [6.0, 8.0, 10.0, 12.0]"


def test_shard_over_two_instances():
  s = check_shard(["PYTHON", "PYTHON:1"])
  assert (s.status, s.value, s.copies, s.result_device) == ("pass", 28.0, 3, "(PYTHON, PYTHON:1)")
  with pytest.raises(UsageError, match="instances of one device"): check_shard(["CPU", "PYTHON"])
  with pytest.raises(UsageError, match="at least two different devices"): check_shard(["PYTHON", "PYTHON:0"])


def test_bad_names_are_usage_errors():
  with pytest.raises(UsageError, match="unknown device 'NOPE'"): check_transfer("nope", "CPU")
  with pytest.raises(UsageError, match="not a device instance"): check_transfer("CPU:LLVM", "CPU")
  with pytest.raises(UsageError, match="unknown dtype 'float99'"): check_transfer("CPU", "PYTHON", "float99")
  with pytest.raises(UsageError, match="unknown mixed-device op 'a - b'"): check_mixed("a - b", "CPU", "PYTHON")
  with pytest.raises(UsageError, match="unknown mixed-device op"): transfer.run(["PYTHON"], ops=["a - b"])
  assert transfer.canonical("cpu:0") == "CPU" and transfer.second_instance("PYTHON:1") == "PYTHON:2"


def test_run_pairs_devices_and_skips_null():
  rep = transfer.run(["PYTHON", "NULL"], dtypes=["int8"], ops=["a + b"], shard=False)
  assert rep.devices == ["PYTHON"] and list(rep.skipped) == ["NULL"]
  assert [(t.src, t.dst, t.copies) for t in rep.transfers] == [("PYTHON", "PYTHON", 0), ("PYTHON", "PYTHON:1", 1)]
  assert [(m.a_device, m.b_device, m.outcome) for m in rep.mixed] == [("PYTHON", "PYTHON:1", "raises")] and rep.problems == 0
  md = transfer.render_markdown(rep)
  assert "| PYTHON -> PYTHON:1 | 1 | 1 | pass |" in md and "| `a + b` | raises at realize, b lost |" in md
  assert transfer.transfer_pairs(["CPU", "PYTHON"]) == [("CPU", "CPU"), ("CPU", "CPU:1"), ("PYTHON", "PYTHON"), ("PYTHON", "PYTHON:1"),
                                                        ("CPU", "PYTHON"), ("PYTHON", "CPU")]


def _runner(device=None, ops=None, dtypes=None, **kw):
  return [Result("add", "binary", "int8", "(3,)", device, "value", "pass", 0.0, "", "odd")]


def test_cross_check_reports_transfers_only_when_asked(monkeypatch):
  assert cross_check(["PYTHON"], runner=_runner).across is None
  seen, real_run = {}, transfer.run
  def fake_run(devices, dtypes=None):
    seen["args"] = (devices, dtypes)
    return real_run(devices, dtypes=dtypes, ops=["a.assign(b)"], shard=False)
  monkeypatch.setattr(transfer, "run", fake_run)
  rep = cross_check(["PYTHON"], dtypes=["int8"], runner=_runner, transfers=True)
  assert seen["args"] == (["PYTHON"], ["int8"]) and rep.cases == 1
  assert [t.dst for t in rep.across.transfers] == ["PYTHON", "PYTHON:1"]
  md = render_cross_markdown(rep)
  assert "**Across devices: 2 transfers, 1 mixed-device ops, 0 shards; 0 problems**" in md and "assign device mismatch" in md


def test_cli_cross_shows_transfers(capsys):
  assert main(["devices", "--cross", "PYTHON", "--op", "add", "--dtype", "int8"]) == 0
  out = capsys.readouterr().out
  assert "2 transfers (.to)" in out and "6 ops with a and b on two devices" in out and "a[b.int() % 4]" in out
  assert "PYTHON, PYTHON:1" in out   # the shard
  assert main(["devices", "--cross", "PYTHON", "--op", "add", "--dtype", "int8", "--no-transfers"]) == 0
  assert "transfers" not in capsys.readouterr().out
