"""The course's exercises, one module each (see `tgkit.learn` for the format). `tgkit learn list` shows them all."""
