"""Day 5, Pathway A step 5: a before/after verdict that knows about noise."""
from tgkit.learn import Exercise, expect, function

ORDER = 3
CASES = [  # (what, before, after, threshold, verdict)
  ("a change smaller than the threshold", [10.0, 10.5, 9.8], [10.2, 9.9, 10.1], 0.10, "no significant change"),
  ("half the time", [10.0, 10.5, 9.8], [5.0, 5.1, 4.9], 0.10, "faster"),
  ("a quarter more time", [10.0, 10.5, 9.8], [12.5, 13.0, 12.8], 0.10, "slower"),
  ("one slow outlier run among five", [10.0, 10.1, 9.9, 10.0, 10.2], [10.1, 9.9, 10.0, 10.1, 40.0], 0.10, "no significant change"),
  ("a 15% shift inside very noisy runs", [10.0, 14.0, 6.0, 12.0, 8.0], [11.5, 7.0, 15.0, 9.0, 13.0], 0.10, "no significant change"),
  ("a 15% shift with a 20% threshold", [10.0, 10.1, 9.9], [11.5, 11.4, 11.6], 0.20, "no significant change"),
  ("a 15% shift with a 10% threshold", [10.0, 10.1, 9.9], [11.5, 11.4, 11.6], 0.10, "slower"),
]
EXERCISE = Exercise(
  id="d5-compare", day=5, pathway="A", kind="code", minutes=20,
  title="Before and after, with noise",
  statement="""
Write `compare(before, after, threshold=0.10)` for two lists of timings of the same kernel (repeats before and after
a change) and return `"faster"`, `"slower"` or `"no significant change"`. Compare **medians** (one slow run must
not decide), and call a change real only when the difference of the medians is at least `threshold` times the median
before **and** at least twice the spread, where the spread is the larger population standard deviation
(`statistics.pstdev`) of the two lists.

The checker tries clear speedups and slowdowns, a change under the threshold, one slow outlier, and a shift that is
above the threshold but inside the noise.
""",
  hints=(
    "`statistics.median` and `statistics.pstdev` do the arithmetic; `statistics.mean` is what the outlier case catches.",
    "Not significant when `abs(ma - mb) < max(threshold * mb, 2 * spread)`; otherwise the sign of `ma - mb` decides.",
  ),
  wrong={
    "means instead of medians, no spread": '''
import statistics
def compare(before, after, threshold=0.10):
  mb, ma = statistics.mean(before), statistics.mean(after)
  if abs(ma - mb) < threshold * mb: return "no significant change"
  return "faster" if ma < mb else "slower"
''',
    "medians, but the spread ignored": '''
import statistics
def compare(before, after, threshold=0.10):
  mb, ma = statistics.median(before), statistics.median(after)
  if abs(ma - mb) < threshold * mb: return "no significant change"
  return "faster" if ma < mb else "slower"
''',
    "faster and slower swapped": '''
import statistics
def compare(before, after, threshold=0.10):
  mb, ma = statistics.median(before), statistics.median(after)
  spread = max(statistics.pstdev(before), statistics.pstdev(after))
  if abs(ma - mb) < max(threshold * mb, 2 * spread): return "no significant change"
  return "slower" if ma < mb else "faster"
''',
  },
)

# --8<-- [start:solution]
import statistics

def compare(before: list[float], after: list[float], threshold=0.10) -> str:
  """Return "faster", "slower" or "no significant change". A change is real only when the medians must differ by at least threshold * median(before)
  and by at least twice the larger population standard deviation of the two lists."""
  mb, ma = statistics.median(before), statistics.median(after)
  spread = max(statistics.pstdev(before), statistics.pstdev(after))
  if abs(ma - mb) < max(threshold * mb, 2 * spread): return "no significant change"
  return "faster" if ma < mb else "slower"
# --8<-- [end:solution]


def check(mod):
  compare = function(mod, "compare")
  for what, before, after, threshold, want in CASES:
    got = compare(list(before), list(after), threshold=threshold)
    expect(got == want, f"on {what} (before {before}, after {after}, threshold {threshold}) compare returned {got!r}; "
           f"the right verdict is {want!r}", EXERCISE.hints[0] if "outlier" in what else EXERCISE.hints[1])
