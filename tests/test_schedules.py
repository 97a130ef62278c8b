"""tgkit.schedules: closed-form values, bad arguments refused in one line, and rates that reach the optimizer's kernels."""
import math

import pytest
from tinygrad import Tensor, nn as tnn
from tinygrad.nn.optim import OptimizerGroup

from tgkit import nn, schedules
from tgkit.errors import UsageError
from tgkit.schedules import Cosine, Scheduler, StepDecay, Warmup, get_lr, set_lr


def test_values_against_closed_forms():
  assert [StepDecay(1.0, 2, 0.5)(k) for k in range(6)] == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
  c = Cosine(1.0, 4, 0.2)
  assert [c(k) for k in (0, 2, 4, 9)] == [1.0, pytest.approx(0.6), pytest.approx(0.2), pytest.approx(0.2)]
  assert c(1) == pytest.approx(0.2 + 0.8 * (1 + math.cos(math.pi / 4)) / 2)
  assert [Warmup(1.0, 4)(k) for k in range(6)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
  w = Warmup(1.0, 2, after=StepDecay(1.0, 1, 0.5))
  assert [w(k) for k in range(5)] == [0.5, 1.0, 1.0, 0.5, 0.25]
  for name, make in schedules.SCHEDULES.items():
    assert all(make()(k) == pytest.approx(v, rel=1e-12, abs=1e-15) for k, v in schedules.EXPECTED[name].items()), name


@pytest.mark.parametrize("make,words", [
  (lambda: StepDecay(0.1, 0), "step_size must be an int >= 1, got 0"),
  (lambda: Cosine(-1.0, 10), "base_lr must be a finite number >= 0, got -1.0"),
  (lambda: Cosine(0.1, 10, float("nan")), "min_lr must be a finite number >= 0"),
  (lambda: Warmup(0.1, 2, after=0.5), "after must be a schedule"),
  (lambda: Cosine(0.1, 10)(-1), "a schedule's step must be an int >= 0, got -1"),
  (lambda: StepDecay(0.1, 2)(1.5), "a schedule's step must be an int >= 0, got 1.5"),
  (lambda: set_lr(tnn.optim.SGD([Tensor([1.0])]), -0.1), "lr must be a finite number >= 0, got -0.1"),
  (lambda: set_lr(object(), 0.1), "object has no learning-rate Tensor `lr`"),
  (lambda: Scheduler(tnn.optim.SGD([Tensor([1.0])]), 0.1), "schedule must be callable"),
])
def test_bad_arguments_are_usage_errors(make, words):
  with pytest.raises(UsageError, match=words.replace("(", r"\(").replace(")", r"\)")): make()


def test_set_lr_writes_into_the_same_buffer_of_every_optimizer():
  a, b = tnn.optim.SGD([Tensor([1.0])], lr=0.1), tnn.optim.Adam([Tensor([2.0])], lr=0.1)
  before = (a.lr, b.lr)
  set_lr(OptimizerGroup(a, b), 0.25)
  assert (a.lr, b.lr) == before and get_lr(a) == get_lr(b) == 0.25 and a.lr.shape == (1,)


def test_scheduler_sets_step_zero_then_each_next_step():
  opt = tnn.optim.SGD([Tensor([1.0])], lr=9.0)
  s = Scheduler(opt, StepDecay(0.4, 1, 0.5))
  seen = [s.lr] + [s.step() for _ in range(3)]
  assert seen == [0.4, 0.2, 0.1, 0.05] and get_lr(opt) == pytest.approx(0.05) and s.steps == 3   # the buffer holds float32


def test_rebinding_lr_is_caught_under_tinyjit(monkeypatch):   # the page (Day 6, Step 6) shows every schedule passing
  monkeypatch.setattr(schedules, "set_lr", lambda opt, lr: setattr(opt, "lr", Tensor([lr])))   # a new Tensor: captured kernels never see it
  r = nn.schedule_check("cosine")
  assert r.status == "fail" and "the optimizer used" in r.message, r
