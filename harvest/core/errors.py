"""The one error type the library raises for bad input from outside."""


class HarvestError(ValueError):
    """Bad input: a missing file, a wrong shape, an unknown cell code, foreign weights."""
