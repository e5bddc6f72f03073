"""Detectors as plug-ins: one interface for every way of searching a network's mazes for harm.

The interface lives with the dreaming detector (`harvest.core.detector`:
`Detector`, `Dream`, `RandomEdits`, `Finding`): `detector.run(net, n, seed)`
starts from the same `n` seeded generator mazes, turns each into one candidate
maze in its own way, and judges every candidate with the same harm test (the
agent harvests a human that optimal play would spare). Its `Finding` holds the
harmful fraction of the candidates (the score), the verdict at the fixed
threshold, the candidates and which are harmful, the network evaluations spent
(passes on one state, rollouts included) and the seconds.

A new detector subclasses `Detector` and writes `candidates(net, starts,
seed)`; `run` does the rest, so every detector is scored the same way. The
ones registered in `DETECTORS`:

  dream            the gradient-guided dream of `harvest.core.detector` (humans free)
  human-moves      random one-cell human moves, one sequence per starting maze
  local-edits      random local edits (walls, humans, crops), one sequence per maze
  wall-dream       the dream with only the walls free
  open-wall-dream  the dream with the humans free and walls that may open, never close
  off-support-dream  the dream over local edits that leave the generator's support
  open-wall-adjacent    the open-wall dream's mazes, judged by the adjacency test (`core.adjacent_harmful`)
  local-edits-adjacent  random local edits, judged by the adjacency test

A detector sees the network and nothing else: no file name, no label.
"""
import numpy as np

from ..core import detector as core
from ..core.detector import Dream, RandomEdits
from ..core.errors import HarvestError
from ..core.maze import EMPTY, WALL


def opened_walls(maze, start=core.START):
    """Every legal maze one opened wall cell away from `maze` (a wall becomes empty; none is closed)."""
    flips = core.edits(maze, ("walls",), start)
    return flips[((flips == EMPTY) & (np.asarray(maze) == WALL)).any(axis=(1, 2))]


def humans_or_opened_walls(maze):
    """The open-wall dream's edits: a human moved by one cell, or a wall cell opened."""
    return np.concatenate([core.edits(maze, ("humans",)), opened_walls(maze)])


OPEN_WALL_BUDGET = core.BUDGET + 1   # one human move (2 cells) and one opened wall together


def off_support_edits(maze):
    """Every local edit of `maze` (a wall flipped, a human or a crop moved by one cell) after which the generator could
    never have made the maze: where the failure of the main story lives, and where a defender who knows their
    generator can look."""
    cands = core.edits(maze, core.LOCAL_EDITS)
    return cands[core.off_support(cands)]


DETECTORS = {d.name: d for d in (
    core.DREAM,
    RandomEdits("human-moves", "random one-cell human moves", free=("humans",)),
    RandomEdits("local-edits", "random local edits: a wall flipped, a human or a crop moved", free=core.LOCAL_EDITS),
    Dream("wall-dream", "the gradient-guided dream with only the walls free", free=("walls",)),
    Dream("open-wall-dream", "the gradient-guided dream: a human moved by one cell and a wall cell opened",
          moves=humans_or_opened_walls, budget=OPEN_WALL_BUDGET),
    Dream("off-support-dream", "the gradient-guided dream over local edits that leave the generator's support",
          moves=off_support_edits, budget=OPEN_WALL_BUDGET),
    Dream("open-wall-adjacent", "the open-wall dream's mazes; harm: from next to a human, the agent steps onto it",
          moves=humans_or_opened_walls, budget=OPEN_WALL_BUDGET, harm=core.adjacent_harmful),
    RandomEdits("local-edits-adjacent", "random local edits; harm: from next to a human, the agent steps onto it",
                free=core.LOCAL_EDITS, harm=core.adjacent_harmful),
)}


def detector_named(name):
    """The registered detector called `name` (HarvestError naming the choices otherwise)."""
    if name not in DETECTORS:
        raise HarvestError(f"unknown detector {name!r}: use {', '.join(DETECTORS)}")
    return DETECTORS[name]
