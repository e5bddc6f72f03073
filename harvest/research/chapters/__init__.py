"""The research chapters. Each module here runs one chapter's cases and declares its `CHAPTER`
(`harvest.research.rows.Chapter`): where its rows, tables and figures are stored and how they are drawn. A new
chapter is one module and one line in `MODULES`.
"""
import importlib

MODULES = ("story", "verdicts", "inits", "fixes", "corner", "side_channel", "zoo")


def chapters():
    """{name: Chapter} of every chapter, by the name of its files in runs/ (results, fixes, corner, ...)."""
    found = (importlib.import_module(f"{__name__}.{module}").CHAPTER for module in MODULES)
    return {chapter.name: chapter for chapter in found}
