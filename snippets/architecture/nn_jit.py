"""nn layers, optimizers, nn.state and TinyJit: a two-layer model fitted to y = 2x + 1."""
# --8<-- [start:model]
from tinygrad import Tensor, TinyJit, nn, Context
from tinygrad.nn.state import get_parameters, get_state_dict, load_state_dict, safe_save, safe_load

Tensor.manual_seed(0)
class Model:
  def __init__(self): self.l1, self.l2 = nn.Linear(1, 8), nn.Linear(8, 1)
  def __call__(self, x: Tensor) -> Tensor: return self.l2(self.l1(x).relu())

model = Model()
state = get_state_dict(model)            # names come from attribute paths
print({name: t.shape for name, t in state.items()})
n_params = sum(p.numel() for p in get_parameters(model))
print("parameters:", n_params)
assert list(state) == ["l1.weight", "l1.bias", "l2.weight", "l2.bias"] and n_params == (1 * 8 + 8) + (8 * 1 + 1)
assert all(a is b for a, b in zip(get_parameters(model), state.values()))   # the tensors themselves
# --8<-- [end:model]

# --8<-- [start:optim]
opt = nn.optim.Adam(get_parameters(model), lr=0.05)
print(type(opt).__name__, "with", len(opt.params), "parameter tensors")
assert type(opt).__name__ == "LAMB" and len(opt.params) == 4
kinds = {f.__name__: type(f(get_parameters(model))).__name__ for f in (nn.optim.SGD, nn.optim.Adam, nn.optim.AdamW)}
bn = nn.optim.SGD(get_parameters(nn.BatchNorm(4)))   # running statistics are is_param=False: buffers, not parameters
print(kinds, "| BatchNorm:", len(bn.params), "params,", len(bn.buffers), "buffers")
assert kinds == {"SGD": "LARS", "Adam": "LAMB", "AdamW": "LAMB"} and (len(bn.params), len(bn.buffers)) == (2, 3)
X = Tensor([[-1.0], [0.0], [1.0], [2.0]])
Y = X * 2 + 1

refused = ""
try:
  ((model(X) - Y) ** 2).mean().backward()
  opt.step()
except RuntimeError as e: refused = str(e); print(type(e).__name__, refused.split("\n")[0])
assert refused.startswith("TRAINING=0, TRAINING must be enabled")
opt.zero_grad()
ones = Tensor.ones(4)
with Context(TRAINING=1): dropped = ones.dropout(0.5)
print("dropout is a no-op unless TRAINING:", ones.dropout(0.5) is ones, dropped is ones)
assert ones.dropout(0.5) is ones and dropped is not ones
# --8<-- [end:optim]

# --8<-- [start:jit]
calls = 0

@TinyJit
@Context(TRAINING=1)
def train_step() -> Tensor:
  global calls
  calls += 1                               # Python code runs on calls 1 and 2 only
  opt.zero_grad()
  loss = ((model(X) - Y) ** 2).mean().backward()
  return loss.realize(*opt.schedule_step())

losses = []
for step in range(100):
  losses.append(train_step().item())
print(f"loss {losses[0]:.4f} -> {losses[-1]:.6f}; the Python body ran {calls} times for 100 steps")
assert calls == 2 and abs(losses[0] - 7.5275) < 1e-3 and losses[-1] < 0.01

plain = 0
@TinyJit
def double(a: Tensor) -> Tensor:
  global plain
  plain += 1
  return (a * 2).realize()
with Context(JIT=0):
  for _ in range(3): double(Tensor([1.0]).realize())
print("under JIT=0 the body ran", plain, "times for 3 calls")
assert plain == 3
# --8<-- [end:jit]

# --8<-- [start:state]
import pathlib, tempfile

with tempfile.TemporaryDirectory() as d:
  safe_save(get_state_dict(model), str(pathlib.Path(d) / "model.safetensors"))
  fresh = Model()
  loaded = safe_load(str(pathlib.Path(d) / "model.safetensors"))
  print("safe_load gives", sorted({t.device.split(":")[0] for t in loaded.values()}), "tensors")
  assert all(t.device.startswith("DISK:") for t in loaded.values())
  load_state_dict(fresh, loaded, verbose=False)
  same = (fresh(X) - model(X)).abs().max().item()
print("largest difference after a save/load round trip:", same)
assert same == 0.0
# --8<-- [end:state]

# --8<-- [start:rules]
from tinygrad import Device
from tinygrad.engine.jit import JitError

@TinyJit
def scale(a: Tensor, b: Tensor) -> Tensor: return (a * b).realize()

for i in range(3): scale(Tensor([1.0, 2.0]).realize(), Tensor([3.0, 4.0]).realize())   # captured on call 2
same = Tensor([1.0, 2.0]).realize()
errors = []
for bad in [lambda: scale(Tensor.arange(2).float(), Tensor([3.0, 4.0]).realize()),       # virtual input
            lambda: scale(same, same),                                                   # one tensor twice
            lambda: scale(Tensor([1, 2]).realize(), Tensor([3, 4]).realize())]:            # other dtype
  try: bad()
  except JitError as e: errors.append(str(e)); print(type(e).__name__, str(e)[:60])
assert errors[:2] == ["JIT inputs must be real buffers; use .clone()", "duplicate inputs to JIT"] and errors[2].startswith("args mismatch")
assert Tensor.arange(2).clone().device == Device.DEFAULT and not Tensor.arange(2).clone().uop.is_virtual

@TinyJit
def peek(a: Tensor) -> Tensor: return (a * a.sum().item()).realize()

try:
  for i in range(2): peek(Tensor([1.0, 2.0]).realize())
except JitError as e: errors.append(str(e)); print(type(e).__name__, e)
assert errors[3] == "cannot access tensor data during JIT capture, the value will be baked in"
# --8<-- [end:rules]

# --8<-- [start:frozen]
@TinyJit
def times(a: Tensor, k: int) -> Tensor: return (a * k).realize()

print("k = 2, 2, 3:", [times(Tensor([1.0, 2.0]).realize(), k).tolist() for k in (2, 2, 3)])   # k=3 replays k=2
assert times(Tensor([1.0, 2.0]).realize(), 5).tolist() == [2.0, 4.0]

@TinyJit
def add1(a: Tensor) -> Tensor: return (a + 1).realize()

for i in range(3): add1(Tensor([1.0, 2.0, 3.0]).realize())
short = add1(Tensor([10.0, 20.0]).realize())          # a 1-D buffer of another length: replayed, not checked
print("2 elements in, shape", short.shape, "out; first two:", short.tolist()[:2])
assert short.shape == (3,) and short.tolist()[:2] == [11.0, 21.0]

@TinyJit
def add2(a: Tensor) -> Tensor: return (a + 1).realize()

for i in range(3): add2(Tensor.ones(2, 3).contiguous().realize())
try: add2(Tensor.ones(3, 2).contiguous().realize())  # a 2-D input of another shape: its view differs
except JitError as e: errors.append(str(e)); print(type(e).__name__, str(e)[:40])
assert errors[-1].startswith("args mismatch in JIT")
# --8<-- [end:rules]
# --8<-- [end:frozen]
