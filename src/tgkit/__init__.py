"""tgkit: validation and inspection tools for tinygrad contributors (the handbook's Pathway A toolkit).

Each tool is one module that computes plain records; renderers turn records into text, Markdown,
HTML or JSON, and `tgkit.cli` is a thin command-line shell over them.
"""
__version__ = "0.1.0"
