import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harvest.maze import from_text  # noqa: E402

# A hand-made generator-style maze: start top-left, exit bottom-right.
HAND = from_text("""
..c#...
.###.#.
...#.#H
##.#.##
H..#...
##.###.
c.....E
""")


@pytest.fixture
def hand():
    return HAND.copy()
