import os
from pathlib import Path

import pytest

from harvest.workshop.hand_mazes import HAND   # the hand-made generator maze the exercise checks use too

os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parents[1]
# The workshop's agent cache and plain-script figures stay out of the learner's folders while tests run the scripts;
# the tests of those two features set their own.
os.environ.setdefault("HARVEST_CACHE", "off")
os.environ.setdefault("HARVEST_FIGURES", os.path.join(os.environ.get("TMPDIR", "/tmp"), f"harvest-figures-{os.getpid()}"))


@pytest.fixture
def hand():
    return HAND.copy()
