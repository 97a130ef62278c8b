"""The one error type tgkit raises for bad input; the CLI turns it into one line and exit code 2."""


class UsageError(ValueError):
  """Bad input from the user: an unknown op, device or dtype, a malformed spec or report.

  The message names the problem and, where there is a fixed set, the valid choices.
  """

  @classmethod
  def unknown(cls, kind: str, name: str, choices) -> "UsageError":
    """`unknown op 'foo'; choose from: abs, add, ...`"""
    return cls(f"unknown {kind} {name!r}; choose from: {', '.join(sorted(set(choices)))}")
