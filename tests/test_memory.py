"""tgkit.memory: a model's bytes from shapes, the budget refusal, the NULL dry run, the planner's effect and the leak
check on leaking and clean steps. Every number asserted is tinygrad's own count of allocated bytes."""
import resource

import pytest

from tinygrad import Context, Device, Tensor, TinyJit, nn
from tinygrad.helpers import GlobalCounters

from tgkit import memory
from tgkit.errors import UsageError

ACT = 4 * 16 * 4            # one (4, 16) float32 activation: 256 bytes, the planner's block size


class MLP:
  def __init__(self, width: int, depth: int): self.layers = [nn.Linear(width, width, bias=False) for _ in range(depth)]
  def __call__(self, x: Tensor) -> Tensor:
    for layer in self.layers: x = layer(x).relu()
    return x


@pytest.fixture(scope="module")
def mlp():
  Tensor.manual_seed(0)
  model, x = MLP(16, 6), Tensor.rand(4, 16).realize()
  Tensor.realize(*[layer.weight for layer in model.layers])
  return model, x


def test_param_bytes_is_the_closed_form_and_allocates_nothing():
  nn.Linear(1, 1)   # the first random tensor allocates the random generator's state (16 bytes), once per device
  before = GlobalCounters.mem_used
  big = [nn.Linear(4096, 4096) for _ in range(4)]   # 256 MiB of parameters, never realized
  assert memory.param_bytes(big[0]) == (4096 * 4096 + 4096) * 4
  assert memory.param_bytes(big) == 4 * (4096 * 4096 + 4096) * 4   # get_parameters walks lists too
  class Model:
    def __init__(self): self.layers, self.tied = big, big[0].weight   # a shared tensor counts once
  assert memory.param_bytes(Model()) == 4 * (4096 * 4096 + 4096) * 4
  assert memory.param_bytes(nn.BatchNorm(5)) == 4 * 5 * 4 + 8   # weight, bias, two running stats (float32), a step counter (int64)
  assert GlobalCounters.mem_used == before


def test_check_budget_refuses_before_allocating():
  before = GlobalCounters.mem_used
  big = nn.Linear(8192, 8192)
  with pytest.raises(memory.OverBudget, match="refused before allocating it") as e: memory.check_budget(big, 64 << 20, what="Linear(8192, 8192)")
  assert e.value.need == (8192 * 8192 + 8192) * 4 and e.value.budget == 64 << 20 and "Linear(8192, 8192) needs 256.03 MiB" in str(e.value)
  assert isinstance(e.value, UsageError) and GlobalCounters.mem_used == before
  assert memory.check_budget(nn.Linear(4, 2), 1024) == 40 and memory.check_budget(100, 100) == 100
  for bad in (0, -1, 1.5, True):
    with pytest.raises(UsageError, match="positive number of bytes"): memory.check_budget(1, bad)


def test_planner_packs_the_mlp_activations(mlp):
  model, x = mlp
  eff = memory.planner_effect(lambda: model(x))
  # five intermediate activations and the output without the planner; two ping-pong buffers in one arena with it
  assert (eff.unplanned, eff.planned, eff.saved) == (6 * ACT, 3 * ACT, 3 * ACT)


def test_dry_run_on_null_counts_what_cpu_allocates_and_reserves_nothing():
  def build():   # weights, input and activations all built inside: on NULL they are NULL buffers
    h = Tensor.empty(4, 16)
    for w in [Tensor.empty(16, 16) for _ in range(6)]: h = (h @ w).relu()
    return h
  from tgkit.profile import run_memory
  weights_and_input = 6 * 16 * 16 * 4 + ACT
  for off, activations in ((0, 3 * ACT), (1, 6 * ACT)):
    with Context(NO_MEMORY_PLANNER=off):
      assert memory.dry_run(build) == run_memory(build).peak_bytes == weights_and_input + activations
  rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
  huge = memory.dry_run(lambda: Tensor.empty(1 << 28) + 1)   # 1 GiB in, 1 GiB out: counted, never reserved
  assert huge == 2 << 30 and resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 < rss + (256 << 20)


def test_live_buffers_and_cache_bytes():
  t, u = Tensor.ones(1237).contiguous().realize(), Tensor.ones(1238).contiguous().realize()
  assert memory.live_buffers()[(Device.DEFAULT, "float", 1237)] >= 1
  cached = memory.cache_bytes()
  with Context(LRU=1): del t   # the LRU allocator keeps the freed buffer for reuse
  assert memory.cache_bytes() >= cached + 1237 * 4
  cached = memory.cache_bytes()
  with Context(LRU=0): del u   # LRU=0 (the handbook's build setting) frees it at once
  assert memory.cache_bytes() == cached
  Device[Device.DEFAULT].allocator.free_cache()


def test_leak_verdict_rule():
  assert memory.leak_verdict([1, 2, 3, 4]) == "grows"
  assert memory.leak_verdict([0, 10, 10, 10, 10, 10]) == "plateau"   # a one-time allocation
  assert memory.leak_verdict([0, 0, 0, 0]) == "plateau" and memory.leak_verdict([4, 3, 2, 1]) == "plateau"
  assert memory.leak_verdict([0, 5, 0, 0, 0, 6]) == "grows"
  with pytest.raises(UsageError, match="at least 4"): memory.leak_verdict([1, 2, 3])


def test_a_list_of_realized_tensors_grows_and_is_named():
  kept = []
  def step(): kept.append((Tensor.ones(24).contiguous() * 2).realize())
  rep = memory.leak_check(step, runs=6, warmup=1, label="list")
  assert rep.verdict == "grows" and rep.mem == [96 * i for i in range(1, 7)]
  assert [(g.device, g.dtype, g.size, g.added, g.added_bytes) for g in rep.groups] == [(Device.DEFAULT, "float", 24, 3, 288)]
  assert rep.growth == 288 and rep.per_run == 96.0 and rep.untracked == 0
  text = memory.render_leak(rep)
  assert "leak check list: grows" in text and "float x24 (96 B each)" in text and "+288 bytes" in text


def test_a_lazy_running_total_grows_and_a_float_total_does_not():
  x = Tensor.ones(8).contiguous().realize()
  state = {"total": Tensor.zeros(()).contiguous().realize(), "floats": []}
  def lazy():
    loss = (x * 3).sum().realize()
    state["total"] = state["total"] + loss      # a lazy graph that keeps every step's loss buffer alive
  def item():
    state["floats"].append((x * 3).sum().realize().item())
  grows, flat = memory.leak_check(lazy, runs=6), memory.leak_check(item, runs=6)
  assert grows.verdict == "grows" and [(g.dtype, g.size, g.added) for g in grows.groups] == [("float", 1, 3)]
  assert flat.verdict == "plateau" and flat.mem == [0] * 6 and flat.groups == [] and flat.growth == 0
  assert "no buffer kind changed" in memory.render_leak(flat)


def test_a_jit_holds_its_buffers_once():
  w = Tensor.ones(16, 16).contiguous().realize()
  @TinyJit
  def step(x): return (x @ w).relu().sum().realize()
  rep = memory.leak_check(lambda: step(Tensor.ones(4, 16).contiguous().realize()), runs=6, warmup=0)
  assert rep.verdict == "plateau" and rep.mem[1] > rep.mem[0] and len(set(rep.mem[1:])) == 1


def test_leak_check_bad_arguments():
  with pytest.raises(UsageError, match="runs must be >= 4"): memory.leak_check(lambda: None, runs=3)
  with pytest.raises(UsageError, match="warmup"): memory.leak_check(lambda: None, warmup=-1)
  with pytest.raises(UsageError, match="zero-argument function"): memory.leak_check(Tensor.ones(2))


def test_load_step(tmp_path):
  (tmp_path / "steps.py").write_text("def step(): return 1\nvalue = 3\n")
  (tmp_path / "broken.py").write_text("raise ValueError('no data\\nsecond line')\n")
  assert memory.load_step(f"{tmp_path / 'steps.py'}:step")() == 1
  assert memory.load_step("tgkit.memory:leak_verdict") is memory.leak_verdict
  assert memory.load_step("Tensor.ones(4).sum()") is None and memory.load_step("x[1:2]") is None
  with pytest.raises(UsageError, match="no such file"): memory.load_step(f"{tmp_path / 'none.py'}:step")
  with pytest.raises(UsageError, match="has no function 'value'"): memory.load_step(f"{tmp_path / 'steps.py'}:value")
  with pytest.raises(UsageError, match="no module named 'nosuchmodule'"): memory.load_step("nosuchmodule:step")
  with pytest.raises(UsageError, match="raised ValueError: no data$"): memory.load_step(f"{tmp_path / 'broken.py'}:step")


def test_a_new_jit_kept_every_step_grows_by_its_arena():
  jits = []
  def step():
    @TinyJit
    def f(t):
      for _ in range(3): t = (t * 2 + 1).contiguous()
      return t.sum().realize()
    for _ in range(3): f(Tensor.ones(256).contiguous().realize())
    jits.append(f)   # each JIT keeps the arena the planner gave its intermediates
  rep = memory.leak_check(step, runs=4, warmup=0)
  arena = [g for g in rep.groups if g.dtype == "signed char"]   # the planner's arena is an int8 buffer
  assert rep.verdict == "grows" and [(g.size, g.nbytes, g.added) for g in arena] == [(2048, 2048, 2)]
  assert rep.untracked == 0 and rep.growth == sum(g.added_bytes for g in rep.groups)
