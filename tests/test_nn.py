"""tgkit.nn: clean tinygrad passes; broken forward values, gradients, training modes, optimizers and training are caught."""
import dataclasses

import numpy as np
import pytest
from tinygrad import Context, Tensor, nn as tnn

from tgkit import bench, nn
from tgkit.errors import UsageError


@pytest.mark.parametrize("layer", list(nn.LAYERS))
def test_clean_layers_pass(layer):
  assert nn.param_count(layer).status == "pass"
  r = nn.grad_check(layer)
  assert r.status == "pass", r


def test_optimizers_converge():
  for o in nn.OPTIMIZERS:
    r = nn.converge(o)
    assert r.status == "pass" and r.max_error < nn.CONVERGE_RATIO, r


def test_unknown_names_name_the_choices():
  with pytest.raises(UsageError, match="unknown layer 'Linaer'; choose from: BatchNorm"): nn.run(layers=["Linaer"])
  with pytest.raises(UsageError, match="unknown optimizer 'Adamm'"): nn.converge("Adamm")


def test_a_wrong_gradient_is_caught(monkeypatch):
  orig = tnn.Linear.__call__
  def leaky(self, x):  # same forward values, but the bias term's gradient is doubled
    out = orig(self, x)
    return out + (self.bias - self.bias.detach())
  monkeypatch.setattr(tnn.Linear, "__call__", leaky)
  r = nn.grad_check("Linear")
  assert r.status == "fail" and r.max_error > nn.GRAD_TOLERANCE, r


def test_a_wrong_parameter_count_is_caught(monkeypatch):
  orig = tnn.LayerNorm.__init__
  def extra(self, *a, **k):
    orig(self, *a, **k)
    self.extra = Tensor.ones(3)
  monkeypatch.setattr(tnn.LayerNorm, "__init__", extra)
  assert nn.param_count("LayerNorm").status == "fail"


def test_an_optimizer_that_does_not_step_is_caught(monkeypatch):
  monkeypatch.setitem(nn.OPTIMIZERS, "SGD", lambda p: tnn.optim.SGD(p, lr=0.0))
  assert nn.converge("SGD").status == "fail"


def test_forward_table_covers_every_layer_and_a_clean_layer_passes():   # the page (Day 6, Step 5) runs the whole table
  assert set(nn.FORWARD) == set(nn.LAYERS) and all(len(c) >= 2 for c in nn.FORWARD.values())
  (r,) = nn.run(layers=["Linear"], optimizers=[], schedules=[], datasets=[], checks=["forward"])
  assert r.status == "pass" and r.max_error <= nn.FORWARD_TOLERANCE, r


def test_numpy_conv_reference_on_hand_values():
  x = np.arange(9.0).reshape(1, 1, 3, 3)
  assert nn.np_conv(x, np.ones((1, 1, 2, 2))).tolist() == [[[[8.0, 12.0], [20.0, 24.0]]]]
  assert nn.np_conv(x, np.ones((1, 1, 1, 1)), stride=2).tolist() == [[[[0.0, 2.0], [6.0, 8.0]]]]
  assert nn.np_conv(x, np.ones((1, 1, 2, 2)), dilation=2).tolist() == [[[[16.0]]]]
  assert nn.np_conv(x, np.ones((1, 1, 1, 1)), padding=(1, 0, 0, 0)).tolist() == [[[[0.0, 0.0, 1.0, 2.0], [0.0, 3.0, 4.0, 5.0], [0.0, 6.0, 7.0, 8.0]]]]
  two = np.stack([x[0, 0], -x[0, 0]])[None]          # groups=2: each output channel sees its own input channel
  assert nn.np_conv(two, np.ones((2, 1, 1, 1)), groups=2).tolist() == two.tolist()
  assert nn.np_conv(x, np.ones((1, 1, 2, 3)), padding="same").shape == x.shape


def test_wrong_forward_values_and_shapes_are_caught(monkeypatch):
  def eps_too_big(self, x):   # eps 1e-2, not 1e-5
    y = x.layernorm(self.axis, 1e-2)
    return y if self.weight is None else y * self.weight + self.bias
  monkeypatch.setattr(tnn.LayerNorm, "__call__", eps_too_big)
  r = nn.forward_check("LayerNorm")
  assert r.status == "fail" and "(2,3) on (2,2,3): error" in r.message, r
  same = nn.ForwardCase("k(1,3) same, dilation (2,1)", lambda: tnn.Conv2d(1, 1, (1, 3), padding="same", dilation=(2, 1)), (1, 1, 3, 4),
                        lambda p, x: nn.np_conv(x, p["weight"], p["bias"], padding="same", dilation=(2, 1)))
  r = nn.forward_check("Conv2d", cases=[same])   # a real tinygrad 0.14.0 bug: 'same' pairs each dilation with the other axis's kernel size
  assert r.status == "fail" and "shape (1, 1, 3, 6), numpy (1, 1, 3, 4)" in r.message, r


def test_training_check_names_its_layers():   # clean passes: the page and tests/test_mutations.py (clean runs)
  with pytest.raises(UsageError, match="unknown layer with a training check 'Linear'; choose from: BatchNorm, Dropout"): nn.training_check("Linear")


def test_dropout_that_ignores_training_is_caught(monkeypatch):
  orig = Tensor.dropout
  monkeypatch.setattr(Tensor, "dropout", lambda self, p=0.5: Context(TRAINING=1)(orig)(self, p))
  r = nn.training_check("Dropout")
  assert r.status == "fail" and "not the identity in evaluation" in r.message, r


def test_two_spirals_are_deterministic_and_balanced():
  x, y = nn.two_spirals(50, seed=3)
  x2, y2 = nn.two_spirals(50, seed=3)
  assert x.dtype == np.float32 and x.shape == (100, 2) and np.array_equal(x, x2) and np.array_equal(y, y2)
  assert y.tolist() == [0] * 50 + [1] * 50 and not np.array_equal(x, nn.two_spirals(50, seed=4)[0])
  with pytest.raises(UsageError): nn.two_spirals(0)


def _run(losses, train=1.0, test=1.0):
  return nn.TrainRun("spirals", None, losses, [0.1] * len(losses), train, test, np.zeros((1, 2), np.float32))


@pytest.mark.parametrize("losses,train,test,words", [
  ([0.7, 0.5, 0.05], 1.0, 1.0, None),
  ([0.7, float("nan"), 0.05], 1.0, 1.0, "non-finite loss first at step 1"),
  ([0.7, 2.0, 0.05], 1.0, 1.0, "the loss reached 2.86x the first at step 1"),
  ([0.7, 0.6, 0.5], 1.0, 1.0, "last loss 0.5 is 0.714x the first"),
  ([0.7, 0.5, 0.05], 0.9, 1.0, "training accuracy 0.900"),
  ([0.7, 0.5, 0.05], 1.0, 0.5, "held-out accuracy 0.500"),
])
def test_stability_verdicts(losses, train, test, words):   # the page (Day 6, Step 7) trains for real
  r = nn.judge(_run(losses, train, test), nn.STABILITY["spirals"])
  assert (r.status == "pass") if words is None else (r.status == "fail" and words in r.message), r


def test_inference_benchmark_has_medians_and_spread():
  model = bench.MLP((2, 8, 2))
  run = nn.TrainRun("spirals", model, [1.0], [0.1], 1.0, 1.0, nn.two_spirals(4)[0])
  m = nn.benchmark_inference(run, batch=16, repeats=3, warmup=1)
  assert m.ok and m.kind == "inference" and m.size == 16 and len(m.times) == 3 and m.iqr[0] <= m.median_s <= m.iqr[1] and m.kernels
  with pytest.raises(UsageError): nn.benchmark_inference(run, batch=0)


def test_run_selects_checks_and_rejects_unknown_names():
  rs = nn.run(layers=["Dropout"], optimizers=[], schedules=[], datasets=[])
  assert [(r.check, r.target, r.status) for r in rs] == [("training", "Dropout", "pass")]
  rs = nn.run(layers=["Linear", "Embedding"], optimizers=[], schedules=["step"], datasets=[], checks=["params", "schedule"])
  assert [(r.check, r.target) for r in rs] == [("params", "Linear"), ("params", "Embedding"), ("schedule", "step")]
  with pytest.raises(UsageError, match="unknown check 'speed'"): nn.run(checks=["speed"])
  with pytest.raises(UsageError, match="unknown dataset 'mnist'; choose from: spirals"): nn.run(datasets=["mnist"])
  with pytest.raises(UsageError, match="unknown schedule 'linear'"): nn.run(schedules=["linear"])
