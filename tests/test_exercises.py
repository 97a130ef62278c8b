"""The course's exercises as a whole: enough of them, on every day and pathway, each shown (and so proved) on one page.

Proof that each checker passes its solution and fails every wrong answer runs where the exercise is shown: the page
block `from tgkit.learn import show; show("<id>")`, executed by the build and by the page tests.
"""
from __future__ import annotations

import collections
import re

from conftest import ROOT
from tgkit import learn

SHOW = re.compile(r'^\s*from tgkit\.learn import show; show\("([\w-]+)"\)\s*$', re.M)
REGRESSION_DAYS = (1, 2, 6)


def shown() -> dict[str, list[str]]:
  where = collections.defaultdict(list)
  for page in sorted((ROOT / "docs").rglob("*.md")):
    for m in SHOW.finditer(page.read_text(encoding="utf8")): where[m.group(1)].append(str(page.relative_to(ROOT)))
  return where


def test_ids_are_unique_and_well_formed():
  exs = learn.exercises()
  assert len({ex.id for ex in exs}) == len(exs)
  assert len({ex.path for ex in exs}) == len(exs)
  for ex in exs:
    assert re.fullmatch(rf"d{ex.day}-[a-z0-9-]+", ex.id), ex.id
    assert ex.pathway in learn.PATHWAYS and ex.kind in learn.KINDS and ex.hints and ex.statement.strip(), ex.id


def test_every_exercise_is_shown_on_exactly_one_page_of_its_day():
  where = shown()
  for ex in learn.exercises(): assert where.get(ex.id) == [f"docs/course/day{ex.day}.md"], (ex.id, where.get(ex.id))
  assert set(where) <= {ex.id for ex in learn.exercises()}, "a page shows an exercise that does not exist"


def test_every_day_has_build_reading_and_afternoon_exercises():
  by_day = collections.defaultdict(list)
  for ex in learn.exercises(): by_day[ex.day].append(ex)
  assert sorted(by_day) == list(range(1, 8))
  assert sum(map(len, by_day.values())) >= 28
  for day, exs in by_day.items():
    assert len(exs) >= 4, (day, [e.id for e in exs])
    assert {"A", "B", "afternoon"} <= {e.pathway for e in exs}, (day, [e.id for e in exs])
  for day in REGRESSION_DAYS: assert any(e.kind == "test" for e in by_day[day]), f"day {day} has no graded regression test"


def test_every_page_exercise_states_its_check_command():
  for ex in learn.exercises():
    md = learn.markdown(ex)
    assert f"tgkit learn check {ex.id}" in md and f"{{ #{ex.id} }}" in md and learn.solution(ex).strip() in md.replace("\n    ", "\n")
