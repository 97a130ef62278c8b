"""Learning-rate schedules for tinygrad's optimizers, which ship none.

tinygrad 0.14.0's package has no scheduler: `tinygrad.nn.optim` holds the optimizers only, and the schedulers of
tinygrad's repository (`extra/lr_scheduler.py`) are not part of the wheel. This module builds three, the way the
course's Day 6 does:

* `StepDecay(base_lr, step_size, gamma)`: `base_lr * gamma ** (step // step_size)`.
* `Cosine(base_lr, total, min_lr)`: from `base_lr` at step 0 down to `min_lr` at step `total` along half a cosine,
  `min_lr + (base_lr - min_lr) * (1 + cos(pi * step / total)) / 2`, then `min_lr`.
* `Warmup(base_lr, steps, after)`: `base_lr * (step + 1) / steps` for the first `steps` steps (so step `steps - 1`
  reaches `base_lr`), then `after(step - steps)`, or `base_lr` when there is no `after`.

A schedule maps a step number (0, 1, 2, ...) to a learning rate; it knows nothing of optimizers. `set_lr` writes a
rate into an optimizer. tinygrad keeps an optimizer's rate as a one-element Tensor, `opt.lr`, that the kernels of
every step read ([optim.py#L20](https://github.com/tinygrad/tinygrad/blob/a9069c177a9da9cca18593edf55acd2e6073cca6/tinygrad/nn/optim.py#L20)),
so `set_lr` *assigns* the new value into that buffer. Binding `opt.lr` to a new Tensor instead would work for a
plain loop, which builds its graph anew each step, but not for a `TinyJit` step: the captured kernels keep reading
the old buffer. `Scheduler` pairs an optimizer with a schedule, in torch's order: the rate of step 0 is set when
it is created, and `sched.step()` after each `opt.step()` sets the next one.

```python
opt = nn.optim.SGD(get_parameters(model), lr=0.1)
sched = Scheduler(opt, Warmup(0.1, 5, after=Cosine(0.1, 95)))
for _ in range(100):
  ...; opt.step(); sched.step()
```
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

from tgkit.errors import UsageError

Schedule = Callable[[int], float]


def _step(step) -> int:
  if isinstance(step, bool) or not isinstance(step, int) or step < 0: raise UsageError(f"a schedule's step must be an int >= 0, got {step!r}")
  return step


def _rate(name: str, v) -> float:
  if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
    raise UsageError(f"{name} must be a finite number >= 0, got {v!r}")
  return float(v)


def _count(name: str, v, least: int = 1) -> int:
  if isinstance(v, bool) or not isinstance(v, int) or v < least: raise UsageError(f"{name} must be an int >= {least}, got {v!r}")
  return v


@dataclasses.dataclass(frozen=True)
class StepDecay:
  """Multiply the rate by `gamma` every `step_size` steps: `base_lr * gamma ** (step // step_size)`."""
  base_lr: float
  step_size: int
  gamma: float = 0.1

  def __post_init__(self):
    _rate("base_lr", self.base_lr), _count("step_size", self.step_size), _rate("gamma", self.gamma)

  def __call__(self, step: int) -> float: return self.base_lr * self.gamma ** (_step(step) // self.step_size)


@dataclasses.dataclass(frozen=True)
class Cosine:
  """Half a cosine from `base_lr` (step 0) to `min_lr` (step `total` and after)."""
  base_lr: float
  total: int
  min_lr: float = 0.0

  def __post_init__(self):
    _rate("base_lr", self.base_lr), _count("total", self.total), _rate("min_lr", self.min_lr)

  def __call__(self, step: int) -> float:
    t = min(_step(step), self.total)
    return self.min_lr + (self.base_lr - self.min_lr) * (1 + math.cos(math.pi * t / self.total)) / 2


@dataclasses.dataclass(frozen=True)
class Warmup:
  """A linear warm-up: `base_lr * (step + 1) / steps` for `step < steps`, then `after(step - steps)` (or `base_lr`)."""
  base_lr: float
  steps: int
  after: Schedule | None = None

  def __post_init__(self):
    _rate("base_lr", self.base_lr), _count("steps", self.steps)
    if self.after is not None and not callable(self.after): raise UsageError(f"after must be a schedule (a callable), got {self.after!r}")

  def __call__(self, step: int) -> float:
    step = _step(step)
    if step < self.steps: return self.base_lr * (step + 1) / self.steps
    return self.base_lr if self.after is None else self.after(step - self.steps)


def _optimizers(opt) -> tuple:
  """The optimizers behind `opt`: itself, or the members of an `OptimizerGroup`."""
  subs = getattr(opt, "optimizers", None)
  found = tuple(subs) if subs is not None else (opt,)
  from tinygrad import Tensor
  for o in found:
    if not isinstance(getattr(o, "lr", None), Tensor): raise UsageError(f"{type(o).__name__} has no learning-rate Tensor `lr`: not a tinygrad optimizer")
  return found


def set_lr(opt, lr: float) -> None:
  """Set the learning rate of a tinygrad optimizer (or of every optimizer of an `OptimizerGroup`) to `lr`.

  The value is assigned into the optimizer's existing `lr` buffer and realized, so steps already captured by a
  `TinyJit` use it too.

  Raises:
    UsageError: `lr` is negative or not finite, or `opt` has no `lr` Tensor.
  """
  from tinygrad import Tensor
  lr = _rate("lr", lr)
  for o in _optimizers(opt):
    o.lr.assign(Tensor([lr], dtype=o.lr.dtype, device=o.lr.device).reshape(o.lr.shape)).realize()


def get_lr(opt) -> float:
  """The learning rate an optimizer (or the first optimizer of a group) will use at its next step."""
  return float(_optimizers(opt)[0].lr.numpy().reshape(-1)[0])


class Scheduler:
  """Drives an optimizer's learning rate by a schedule: `schedule(0)` now, `schedule(k)` after the k-th `step()`."""

  def __init__(self, opt, schedule: Schedule):
    if not callable(schedule): raise UsageError(f"schedule must be callable (step -> learning rate), got {schedule!r}")
    self.opt, self.schedule, self.steps = opt, schedule, 0
    self.lr = schedule(0)
    set_lr(opt, self.lr)

  def step(self) -> float:
    """Advance one step and set the optimizer's rate to the schedule's value there; returns that value."""
    self.steps += 1
    self.lr = self.schedule(self.steps)
    set_lr(self.opt, self.lr)
    return self.lr


# the schedules `tgkit.nn` checks, with the values they must take (closed forms written out, independent of the classes)
SCHEDULES: dict[str, Callable[[], Schedule]] = {
  "step": lambda: StepDecay(0.1, 3, 0.5),
  "cosine": lambda: Cosine(0.1, 10, 0.01),
  "warmup": lambda: Warmup(0.1, 4, after=Cosine(0.1, 6)),
}
EXPECTED: dict[str, dict[int, float]] = {
  "step": {0: 0.1, 1: 0.1, 2: 0.1, 3: 0.05, 5: 0.05, 6: 0.025, 9: 0.0125, 10: 0.0125},
  "cosine": {0: 0.1, 1: 0.01 + 0.09 * (1 + math.cos(math.pi / 10)) / 2, 5: 0.055, 9: 0.01 + 0.09 * (1 - math.cos(math.pi / 10)) / 2,
             10: 0.01, 14: 0.01},
  "warmup": {0: 0.025, 1: 0.05, 2: 0.075, 3: 0.1, 4: 0.1, 7: 0.05, 10: 0.0, 12: 0.0},
}
