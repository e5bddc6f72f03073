import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harvest.checks import HAND  # noqa: E402  (the hand-made generator maze the exercise checks use too)


@pytest.fixture
def hand():
    return HAND.copy()
