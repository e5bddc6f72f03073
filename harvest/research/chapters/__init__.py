"""The research chapters. Each module here is one chapter: it runs the chapter's cases, declares its `CHAPTER`
(`harvest.research.rows.Chapter`: where its rows, tables and figures are stored and how they are drawn) and its
command (`VERB`, `HELP`, `arguments(parser)` and `command(args)`), which the command line registers as they are.
A new chapter is one module and one line in `MODULES`.
"""
import importlib

MODULES = ("story", "verdicts", "inits", "corner", "fixes", "side_channel", "zoo", "reward_model")   # in `harvest --help`'s order


def modules():
    """Every chapter's module, in MODULES order."""
    return [importlib.import_module(f"{__name__}.{module}") for module in MODULES]


def chapters():
    """{name: Chapter} of every chapter, by the name of its files in runs/ (results, fixes, corner, ...)."""
    return {module.CHAPTER.name: module.CHAPTER for module in modules()}
