import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from harvest.workshop.hand_mazes import HAND   # the hand-made generator maze the exercise checks use too

os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parents[1]
# The workshop's agent cache and plain-script figures stay out of the learner's folders while tests run the scripts;
# the tests of those two features set their own.
os.environ.setdefault("HARVEST_CACHE", "off")
os.environ.setdefault("HARVEST_FIGURES",
                      os.path.join(os.environ.get("TMPDIR", "/tmp"), f"harvest-figures-{os.getpid()}"))


@pytest.fixture
def hand():
    return HAND.copy()


# The solutions notebook is the slowest test. It starts in a process of its own as soon as the tests are collected
# and is checked last, so it runs beside the other tests on a second core.
NOTEBOOK_TEST = "test_solutions_notebook_runs_top_to_bottom"
_notebook = {}


def pytest_collection_modifyitems(session, config, items):
    late = [item for item in items if item.name == NOTEBOOK_TEST]
    for item in late:
        items.remove(item)
        items.append(item)
    if late and not config.getoption("collectonly"):
        folder = Path(tempfile.mkdtemp(prefix="harvest-notebook-"))
        out, log = folder / "solutions.executed.ipynb", open(folder / "stderr.txt", "w")
        _notebook.update(out=out, log=folder / "stderr.txt", process=subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "notebook_run.py"), str(ROOT / "solutions.ipynb"), str(out)],
            stdout=subprocess.DEVNULL, stderr=log, cwd=ROOT))


def pytest_sessionfinish(session, exitstatus):
    process = _notebook.get("process")
    if process is not None and process.poll() is None:   # a stopped or filtered session leaves no kernel running
        process.kill()
        process.wait()


@pytest.fixture
def executed_solutions():
    """The solutions notebook as the background run executed it: (return code, the executed notebook or None, its
    stderr)."""
    import nbformat
    if "process" not in _notebook:
        pytest.skip("the solutions notebook was not started at collection")
    code = _notebook["process"].wait()
    out = _notebook["out"]
    return code, (nbformat.read(out, as_version=4) if out.is_file() else None), _notebook["log"].read_text()
