"""Show a figure wherever the workshop runs: inline in Jupyter (and VS Code's interactive window), or as a PNG
file when `exercises.py` runs as a plain script, whose figures would otherwise go nowhere.

The files go to `figures/` in the current folder (or the folder named by `HARVEST_FIGURES`), numbered in the order
the script drew them, and each one's path is printed. A rerun writes the same names again.
"""
import itertools
import os
import re
import sys
from pathlib import Path

from ..core.files import replacing

_ORDER = itertools.count(1)


def in_notebook():
    """True inside a Jupyter kernel (a notebook, JupyterLab, Voila, Colab, VS Code's interactive window), False in a
    plain script or a terminal IPython."""
    ip = sys.modules.get("IPython")
    shell = ip.get_ipython() if ip is not None else None
    return shell is not None and hasattr(shell, "kernel")


def folder():
    """Where a plain script's figures go."""
    return Path(os.environ.get("HARVEST_FIGURES", "figures"))


def slug(name):
    """A file-name-safe version of `name`: lowercase words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")[:60] or "figure"


def show_figure(fig, name):
    """Display `fig` inline in a notebook; in a plain script, save it as `figures/NN-<name>.png` and print the path.
    Returns the path written, or None in a notebook."""
    if in_notebook():
        from IPython.display import display
        display(fig)
        return None
    path = folder() / f"{next(_ORDER):02d}-{slug(name)}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100, bbox_inches="tight")
    print(f"figure saved: {path}")
    return path
