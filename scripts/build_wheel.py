"""Write tgkit's wheel (src/handbook/wheel.py) into a folder: `python scripts/build_wheel.py dist/`.

Needs nothing but Python 3.11+: the release workflow runs it before publishing to PyPI. The site build writes the same
bytes to `<site>/dist/`. `--check-tag v0.1.0` also fails unless the tag names tgkit's version.
"""
import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))
from handbook import wheel  # noqa: E402

p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("out", type=pathlib.Path, help="folder to write the wheel into")
p.add_argument("--check-tag", metavar="TAG", help="a git tag that must be v<version> (the release workflow passes its tag)")
a = p.parse_args()
if a.check_tag is not None and a.check_tag != f"v{wheel.version()}":
  sys.exit(f"error: tag {a.check_tag!r} does not match tgkit's version {wheel.version()} (src/tgkit/__init__.py): tag v{wheel.version()}")
path = wheel.write(a.out)
print(f"{path} ({path.stat().st_size} bytes)")
