"""Run a notebook top to bottom and write the executed copy: `python tests/notebook_run.py IN.ipynb OUT.ipynb`.

conftest.py starts it for the solutions notebook as soon as the tests are collected, so that it runs beside the
other tests; `test_build.py` reads the executed copy at the end. No per-cell time limit: a slow or busy machine
takes longer, and that is not a failure.
"""
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

if __name__ == "__main__":
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    os.environ.setdefault("MPLBACKEND", "Agg")
    nb = nbformat.read(source, as_version=4)
    NotebookClient(nb, timeout=None, kernel_name="python3",
                   resources={"metadata": {"path": str(source.parent)}}).execute()
    nbformat.write(nb, out)
