"""Generates the reference pages from the installed tinygrad; mkdocs-gen-files runs it at every build (see mkdocs.yml).

Writes reference/env-vars.md, reference/ops.md and reference/dev.md from `tgkit.reference`, and points each page's edit
button at this script. The build fails when a registered ContextVar is missing from the records or a meaning names a variable
tinygrad does not read (`tgkit.reference.pages` raises).
"""
import mkdocs_gen_files

from tgkit import reference

for path, text in reference.pages().items():
  with mkdocs_gen_files.open(path, "w") as f: f.write(text)
  mkdocs_gen_files.set_edit_path(path, "../" + reference.GENERATOR)   # edit_uri is edit/main/docs/: the script lives beside docs/
