"""Every mutant in tgkit.mutants is reported as a failure by its tgkit module; clean tinygrad is not."""
import pytest

from tgkit.mutants import MUTANTS, caught, clean, patched


def test_registry_is_large_and_names_are_unique():
  assert len(MUTANTS) >= 12 and {m.module for m in MUTANTS} == {"ops", "nn"}
  assert len({m.name for m in MUTANTS}) == len(MUTANTS)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_mutant_is_caught_by_its_module(mutant):
  found = caught(mutant)
  assert found, f"{mutant.name} ({mutant.description}) was not caught by tgkit.{mutant.module}"
  if mutant.module == "ops": assert all(r.op in mutant.target or r.group in mutant.target for r in found)
  else: assert all(r.target in mutant.target for r in found)


def test_clean_tinygrad_raises_no_false_alarm():
  alarms = [(m.name, r) for m in MUTANTS for r in clean(m)]
  assert alarms == []


def test_patches_restore_tinygrad_exactly():
  from tinygrad import Tensor
  before = {name: vars(Tensor).get(name) for name in ("sigmoid", "sum", "pad", "cast", "__lt__", "where")}
  for m in MUTANTS:
    with m.patch(): pass
  assert before == {name: vars(Tensor).get(name) for name in before}
  class Box: pass
  with patched(Box, "x", lambda orig: 1): assert Box.x == 1
  assert not hasattr(Box, "x")
