"""tgkit.nn: clean tinygrad passes; a broken gradient and a broken optimizer are caught."""
import pytest
from tinygrad import Tensor, nn as tnn

from tgkit import nn
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
