"""Print how many of the deliberately broken tinygrad behaviours in tgkit.mutants tgkit catches.

    python scripts/mutation_score.py
"""
from __future__ import annotations

import sys

from tgkit.mutants import MUTANTS, caught


def main() -> int:
  hits = 0
  for m in MUTANTS:
    found = caught(m)
    hits += bool(found)
    r = found[0] if found else None
    first = "" if r is None else f"{r.check} {r.target}: {r.message}" if m.module == "nn" else f"{r.op} {r.dtype} {r.kind} {r.check}: {r.message}"
    print(f"{'caught' if found else 'MISSED':6s} {m.name:26s} tgkit.{m.module:3s} {len(found):3d} failing cases  {first[:90]}")
  print(f"catch rate: {hits}/{len(MUTANTS)} ({100 * hits / len(MUTANTS):.0f}%)")
  return 0


if __name__ == "__main__":
  sys.exit(main())
