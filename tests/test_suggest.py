"""tgkit.suggest: the verdict logic on fixed samples (deterministic), a real tiny run's structure, and one-line CLI errors.

No test asserts a timing: real runs are checked for what they tried, rejected and measured, kernel counts and memory.
"""
import pytest

from tinygrad import Tensor, dtypes

from tgkit import cli
from tgkit import suggest as sg
from tgkit.errors import UsageError
from tgkit.profile import VERDICTS, from_samples

NOISE = [1.00, 1.03, 0.98, 1.01, 0.99]
BASE = {"r_big": [2 * t for t in NOISE], "E_small": NOISE}


def scaled(factor_big: float, factor_small: float = 1.0) -> dict:
  return {"r_big": [2 * factor_big * t for t in NOISE], "E_small": [factor_small * t for t in NOISE]}


def test_a_faster_candidate_is_recommended_with_its_measurement():
  before, after = from_samples(BASE), from_samples(scaled(0.5))
  t = sg.judge("BEAM=2", before, after, kind="beam", what=sg.WHAT["beam"])
  assert t.status == "recommended" and t.measured and t.total.verdict == "faster"
  assert t.total.before_s == pytest.approx(3.0) and t.total.after_s == pytest.approx(2.0)
  assert t.total.before_iqr[0] <= t.total.before_s <= t.total.before_iqr[1]
  assert [(e.kernel, e.delta.verdict) for e in t.effects] == [("r_big", "faster"), ("E_small", "same")]
  assert t.kernels == [2, 2] and t.effects[0].counterpart == ["r_big"]


@pytest.mark.parametrize("after,verdict,reason", [
  (scaled(1.02), "same", "not faster"),
  (scaled(2.0), "slower", "slower"),
  ({"r_big": [1.0, 3.0, 1.2, 2.9, 1.1], "E_small": NOISE}, "noisy", "beyond the noise"),
])
def test_a_candidate_that_is_not_faster_is_only_tried(after, verdict, reason):
  t = sg.judge("NOOPT=1", from_samples(BASE), from_samples(after), kind="opt")
  assert t.status == "tried" and t.total.verdict == verdict and reason in t.reason


def test_a_changed_schedule_compares_the_whole_run_only():
  t = sg.judge("fused", from_samples(BASE), from_samples({"r_big": [0.5 * t for t in NOISE]}))
  assert t.status == "recommended" and t.kernels == [2, 1]
  assert all(e.delta is None and "schedule changed" in e.note for e in t.effects)


def test_renamed_kernels_match_by_position():
  base_calls = [("r_big", "kernel"), ("E_small", "kernel")]
  after_calls = [("r_big_4", "kernel"), ("E_small_2", "kernel")]   # BEAM or NOOPT rename kernels; the schedule is the same
  after = from_samples({"r_big_4": [t for t in NOISE], "E_small_2": NOISE})
  t = sg.judge("BEAM=2", from_samples(BASE), after, base_calls=base_calls, after_calls=after_calls)
  assert [(e.kernel, e.counterpart, e.delta.verdict) for e in t.effects] == [("r_big", ["r_big_4"], "faster"), ("E_small", ["E_small_2"], "same")]


def test_render_without_times_is_the_structure_only():
  before = from_samples(BASE)
  trials = [sg.judge("BEAM=2", before, from_samples(scaled(0.5)), kind="beam"),
            sg.Trial("wrong", "rewrite", "w", "rejected", "changes the results: output 0 differs", tolerance="rtol=0.0001, atol=1e-05")]
  s = sg.Suggestions("w", "CPU", 5, 0.1, "rule", sg.pf.bottlenecks(before), trials, [sg.NotTried("dtype", "no dtype argument")], before)
  text = sg.render_text(s, times=False)
  assert "ms" not in text and "faster" not in text and "recommended" not in text and "try:" not in text
  assert "run: measured; kernels 2 -> 2" in text and "rejected: changes the results" in text and "not tried: dtype" in text
  full = sg.render_text(s)
  assert "1 recommended" in full and "try: BEAM=2" in full and "faster" in full and s.recommended == [trials[0]]


@pytest.fixture(scope="module")
def real():
  Tensor.manual_seed(0)
  x = Tensor.rand(16).realize()
  def work(dtype=dtypes.float32): return (x.cast(dtype) * 2).contiguous().exp().sum()
  variants = {"no .contiguous()": lambda: (x * 2).exp().sum(), "exp2 instead of exp": lambda: (x * 2).exp2().sum(),
              "raises": lambda: x.reshape(3, 5)}
  return sg.suggest(work, variants, builtins=("noopt", "split", "dtype"), repeats=3, label="work")


def test_real_run_measures_every_candidate_it_did_not_reject(real):
  assert [t.name for t in real.trials] == ["NOOPT=1", "dtype float16", "no .contiguous()", "exp2 instead of exp", "raises"]
  assert [n.name for n in real.not_tried] == ["SPLIT_REDUCEOP=0"]   # 16 elements: no reduction is split
  by = {t.name: t for t in real.trials}
  for t in real.trials:
    assert t.measured == (t.status != "rejected") and t.status in sg.STATUSES
    if t.measured: assert t.total.verdict in VERDICTS and len(t.effects) == len(real.slow) == 2 and t.max_error < 0.1
    if t.status == "recommended": assert t.total.verdict == "faster"
  assert by["no .contiguous()"].kernels == [2, 1] and by["no .contiguous()"].peak_bytes[1] < by["no .contiguous()"].peak_bytes[0]
  assert by["NOOPT=1"].kernels == [2, 2] and all(e.delta is not None for e in by["NOOPT=1"].effects)
  assert by["exp2 instead of exp"].status == "rejected" and "changes the results" in by["exp2 instead of exp"].reason
  assert by["exp2 instead of exp"].total is None and by["exp2 instead of exp"].max_error > 1
  assert by["raises"].status == "rejected" and by["raises"].reason.startswith("raised ")


def test_split_reduceop_is_tried_when_a_reduction_is_split():
  Tensor.manual_seed(0)
  x = Tensor.rand(65536).realize()   # above tinygrad's split threshold: two kernels, one under SPLIT_REDUCEOP=0
  s = sg.suggest(lambda: x.sum(), builtins=("split",), repeats=3, rtol=1e-3)
  assert [(t.name, t.kind, t.kernels) for t in s.trials] == [("SPLIT_REDUCEOP=0", "fusion", [2, 1])]
  assert s.trials[0].measured and s.trials[0].status in ("recommended", "tried")


@pytest.mark.parametrize("kwargs,needle", [
  ({"top": 0}, "top and repeats must be >= 1"),
  ({"builtins": ("nope",)}, "unknown built-in candidate 'nope'"),
  ({"threshold": 0}, "threshold must be a fraction"),
])
def test_bad_arguments_raise_usage_errors(kwargs, needle):
  x = Tensor.ones(4).contiguous().realize()
  with pytest.raises(UsageError, match=needle): sg.suggest(lambda: x + 1, **{"builtins": (), **kwargs})


def test_bad_workloads_raise_usage_errors():
  x = Tensor.ones(4).contiguous().realize()
  with pytest.raises(UsageError, match="returning a Tensor"): sg.suggest(lambda: 3, builtins=())
  with pytest.raises(UsageError, match="the workload raised ValueError: size mismatch"): sg.suggest(lambda: x.reshape(3), builtins=())
  with pytest.raises(UsageError, match="runs no kernels"): sg.suggest(lambda: x, builtins=())


@pytest.mark.parametrize("args,needle", [
  (["suggest", "3 + 4"], "expression gives a int, not a Tensor"),
  (["suggest", "Tensor.ones(4).exp()", "--variant", "nolabel"], "--variant takes LABEL=EXPR"),
  (["suggest", "Tensor.ones(4).exp()", "--skip", "nope"], "invalid choice: 'nope'"),
  (["suggest", "Tensor.ones(4).exp()", "--top", "0", "--skip", "beam"], "top and repeats must be >= 1"),
])
def test_cli_bad_input_is_one_line_and_exit_2(args, needle, capsys):
  assert cli.main(args) == 2
  err = capsys.readouterr().err.strip().split("\n")
  assert len(err) == 1 and needle in err[0]


def test_cli_tries_the_dtype_of_an_expression_that_names_it(capsys):
  code = cli.main(["suggest", "(Tensor.ones(16, dtype=dtype) * 2).sum()", "--skip", "beam", "--skip", "noopt", "--repeats", "3",
                   "--variant", "doubled=(Tensor.ones(16) * 4).sum()"])
  out = capsys.readouterr().out
  assert code == 0 and "dtype float16 [dtype]" in out and "doubled [rewrite]" in out
  assert "rejected: changes the results" in out and "not tried: SPLIT_REDUCEOP=0" in out and "try: " in out


def test_each_slow_kernel_names_the_candidates_that_made_it_faster():
  before = from_samples(BASE)
  trials = [sg.judge("NOOPT=1", before, from_samples(scaled(1.0, 0.5))), sg.judge("BEAM=2", before, from_samples(scaled(0.5, 0.7)))]
  s = sg.Suggestions("w", "CPU", 5, 0.1, "rule", sg.pf.bottlenecks(before), trials, [], before)
  assert [t.name for t, _ in s.for_kernel("r_big")] == ["BEAM=2"]
  assert [t.name for t, _ in s.for_kernel("E_small")] == ["NOOPT=1", "BEAM=2"]   # -50 % before -30 %
  assert "  E_small: NOOPT=1 (-50.0%), BEAM=2 (-30.0%)" in sg.render_text(s)
