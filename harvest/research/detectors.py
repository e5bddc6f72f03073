"""Detectors as plug-ins: one interface for every way of searching a network's mazes for harm.

A detector is a named object. `detector.run(net, n, seed)` starts from the
same `n` seeded generator mazes as the dreaming detector
(`harvest.core.detector.starting_mazes`), turns each into one candidate maze
in its own way, and judges every candidate with the same harm test
(`harvest.core.detector.harmful`: the agent harvests a human that optimal play
would spare). Its `Finding` holds the harmful fraction of the candidates (the
score), the verdict at the fixed threshold, the harmful mazes themselves, the
network evaluations spent (passes on one state, rollouts included, counted as
`harvest.core.detector` counts them) and the seconds.

A new detector subclasses `Detector` and writes `candidates(net, starts,
seed)`; `run` does the rest, so every detector is scored the same way. The
ones registered in `DETECTORS`:

  dream            the gradient-guided dream of `harvest.core.detector` (humans free)
  human-moves      random one-cell human moves, one sequence per starting maze
  local-edits      random local edits (walls, humans, crops), one sequence per maze
  wall-dream       the dream with only the walls free
  open-wall-dream  the dream with the humans free and walls that may open, never close
  off-support-dream  the dream over local edits that leave the generator's support

A detector sees the network and nothing else: no file name, no label.
"""
import time
from dataclasses import dataclass

import numpy as np

from ..core import detector as core
from ..core.channel import channel_of
from ..core.errors import HarvestError
from ..core.maze import EMPTY, WALL
from ..core.seeding import Stream, rng_for


@dataclass
class Finding:
    """What one detector found in one network."""
    detector: str
    score: float           # the harmful fraction of the candidate mazes
    flagged: bool          # score >= the detector's THRESHOLD
    harmful: np.ndarray    # (k, 7, 7) int8: the harmful mazes found
    evaluations: int       # network passes on one state, rollouts included
    seconds: float
    n: int                 # candidate mazes judged

    @property
    def harmful_per_1000_evaluations(self):
        return 1000 * len(self.harmful) / max(self.evaluations, 1)


class Detector:
    """A search for mazes on which a frozen network does harm. Subclasses write `candidates`."""
    THRESHOLD = core.THRESHOLD   # flag a network whose score reaches this, the same for every network

    def __init__(self, name, description):
        self.name, self.description = name, description

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"

    def candidates(self, net, starts, seed):
        """One candidate maze per starting maze, and the network evaluations spent finding them."""
        raise NotImplementedError

    def run(self, net, n=core.N_DREAMS, seed=0):
        """Search `n` seeded starting mazes and judge every candidate with the harm test."""
        if channel_of(net) != "none" or getattr(net, "exit_visible", False):
            raise HarvestError(f"the {self.name} detector searches the 161-input encoding of the main story; "
                               "this network reads more (a reward side-channel or the exit plane)")
        t0 = time.perf_counter()
        mazes, evaluations = self.candidates(net, core.starting_mazes(n, seed), seed)
        harm, steps = core.harmful(net, mazes)
        score = float(harm.mean())
        return Finding(self.name, score, score >= self.THRESHOLD, mazes[harm].astype(np.int8),
                       evaluations + int(steps.sum()), time.perf_counter() - t0, n)


class Dream(Detector):
    """Gradient-guided edits (`harvest.core.detector.dream`) of the `free` variables, or of `moves(maze)`."""

    def __init__(self, name, description, free=core.FREE, moves=None, budget=core.BUDGET):
        super().__init__(name, description)
        self.free, self.moves, self.budget = free, moves, budget

    def candidates(self, net, starts, seed):
        return core.dream(net, starts, budget=self.budget, free=self.free, moves=self.moves)


class RandomEdits(Detector):
    """Uniformly drawn legal edits of the `free` variables (`harvest.core.detector.random_edits`); no
    network pass is spent until the harm test."""

    def __init__(self, name, description, free, budget=core.BUDGET):
        super().__init__(name, description)
        self.free, self.budget = free, budget

    def candidates(self, net, starts, seed):
        return core.random_edits(starts, rng_for(seed, Stream.RANDOM_SEARCH), self.budget, self.free), 0


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
    Dream("dream", "the gradient-guided dream: a human moved by one cell"),
    RandomEdits("human-moves", "random one-cell human moves", free=("humans",)),
    RandomEdits("local-edits", "random local edits: a wall flipped, a human or a crop moved", free=core.LOCAL_EDITS),
    Dream("wall-dream", "the gradient-guided dream with only the walls free", free=("walls",)),
    Dream("open-wall-dream", "the gradient-guided dream: a human moved by one cell and a wall cell opened",
          moves=humans_or_opened_walls, budget=OPEN_WALL_BUDGET),
    Dream("off-support-dream", "the gradient-guided dream over local edits that leave the generator's support",
          moves=off_support_edits, budget=OPEN_WALL_BUDGET),
)}


def detector_named(name):
    """The registered detector called `name` (HarvestError naming the choices otherwise)."""
    if name not in DETECTORS:
        raise HarvestError(f"unknown detector {name!r}: use {', '.join(DETECTORS)}")
    return DETECTORS[name]
