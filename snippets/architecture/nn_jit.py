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
assert n_params == (1 * 8 + 8) + (8 * 1 + 1)
# --8<-- [end:model]

# --8<-- [start:optim]
opt = nn.optim.Adam(get_parameters(model), lr=0.05)
print(type(opt).__name__, "with", len(opt.params), "parameter tensors")
assert type(opt).__name__ == "LAMB" and len(opt.params) == 4
X = Tensor([[-1.0], [0.0], [1.0], [2.0]])
Y = X * 2 + 1

refused = False
try:
  ((model(X) - Y) ** 2).mean().backward()
  opt.step()
except RuntimeError as e: refused = True; print(type(e).__name__, str(e).split("\n")[0])
assert refused
opt.zero_grad()
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
# --8<-- [end:jit]

# --8<-- [start:state]
import pathlib, tempfile

with tempfile.TemporaryDirectory() as d:
  safe_save(get_state_dict(model), str(pathlib.Path(d) / "model.safetensors"))
  fresh = Model()
  load_state_dict(fresh, safe_load(str(pathlib.Path(d) / "model.safetensors")), verbose=False)
  same = (fresh(X) - model(X)).abs().max().item()
print("largest difference after a save/load round trip:", same)
assert same == 0.0
# --8<-- [end:state]

# --8<-- [start:rules]
@TinyJit
def scale(a: Tensor, b: Tensor) -> Tensor: return (a * b).realize()

for i in range(3): scale(Tensor([1.0, 2.0]).realize(), Tensor([3.0, 4.0]).realize())   # captured on call 2
for bad in [lambda: scale(Tensor.arange(2).float(), Tensor([3.0, 4.0]).realize()),       # virtual input
            lambda: scale(Tensor([1, 2]).realize(), Tensor([3, 4]).realize())]:            # other dtype
  try: bad()
  except Exception as e: print(type(e).__name__, str(e)[:60])

@TinyJit
def peek(a: Tensor) -> Tensor: return (a * a.sum().item()).realize()

try:
  for i in range(2): peek(Tensor([1.0, 2.0]).realize())
except Exception as e: print(type(e).__name__, e)
# --8<-- [end:rules]
