"""Print how many of the deliberately broken tinygrad behaviours in tests/mutants.py tgkit catches.

    python scripts/mutation_score.py
"""
from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))

from mutants import MUTANTS, caught  # noqa: E402


def main() -> int:
  hits = 0
  for m in MUTANTS:
    found = caught(m)
    hits += bool(found)
    first = f"{found[0].op} {found[0].dtype} {found[0].kind} {found[0].check}: {found[0].message}" if found else ""
    print(f"{'caught' if found else 'MISSED':6s} {m.name:26s} tgkit.{m.module:3s} {len(found):3d} failing cases  {first[:90]}")
  print(f"catch rate: {hits}/{len(MUTANTS)} ({100 * hits / len(MUTANTS):.0f}%)")
  return 0


if __name__ == "__main__":
  sys.exit(main())
