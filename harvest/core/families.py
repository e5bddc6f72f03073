"""Maze families. Workshop learners: read this module only after Step 6, whose answer it gives away.

The generator's own mazes and the families off its training distribution.
Every family is a name, a function `make(n, seed=0, p_human=0.5) -> mazes`
(an (n, 7, 7) int8 array; `seed` an int or a numpy Generator) and a
docstring, registered in `FAMILIES`; `generate(name, n, seed)` draws from
one by name. The command line (`harvest mazes --family NAME`, `harvest
evaluate --family NAME`), the env's `source=` and the training mix
(`harvest.research.standard_recipe.Mix`) all take these names.

Each shifted family starts from generator mazes and changes them in one named way:

- ``short``: every dead end that holds an item loses its last cell, and the
  item moves one cell back (`make_short`, the main story's family);
- ``pocket``: the seeds' own family, "one block sticks out": one (odd, odd)
  wall that touches exactly one open cell is opened, then the exit and the
  items are placed as the generator does, so the pocket, a dead end, holds a
  crop or a human;
- ``stub``: the edit of the project this workshop grew from: wherever a
  wall stub two blocks long ends one cell short of a wall across a corridor,
  the stub's tip (an (odd, odd) cell) opens and the corridor cell in front of
  it closes, so one block "sticks out" from the wall across;
- ``loop``: one wall between two open cells that are not yet joined by a
  short path is removed, so the maze has a cycle. Generator mazes are trees;
  this family passes the support test and no fix was tuned on it;
- ``moved-exit``: the exit moves from the bottom-right corner to another dead
  end (`move_exit`, the corner chapter's family).

The fixes chapter's augmentation, random local edits that keep a maze legal,
is the dreaming detector's random-search baseline, `detector.random_edits`.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import HarvestError
from .maze import (CORNER, CROP, EMPTY, EXIT, FAR, HUMAN, MOVES, NODES, POSTS, SIZE, WALL, carve, dead_ends, distances,
                   inside, open_neighbours, place_exit, place_items)
from .maze import generate as generator_mazes
from .seeding import register, rng_for


def make_short(mazes):
    """Copies of generator mazes in which every dead end that holds an item loses its last cell, and the item
    moves one cell back.

    The wall block that closes each shortened dead end sits on an (even, even)
    cell, which the generator always leaves open, and every item now stands on
    a cell where generator mazes never have one. The results fail the support
    test, stay solvable (only dead-end tips close) and have no open 2x2.
    """
    mazes = np.array(mazes, dtype=np.int8)
    tips = dead_ends(mazes) & NODES & np.isin(mazes, (CROP, HUMAN))
    for m, r, c in np.argwhere(tips):
        for dr, dc in MOVES:
            nr, nc = r + dr, c + dc
            if inside(nr, nc) and mazes[m, nr, nc] != WALL:
                mazes[m, nr, nc], mazes[m, r, c] = mazes[m, r, c], WALL
                break
    return mazes


def generate_short(n, seed=0, p_human=0.5):
    """`n` mazes of the short family: generator mazes passed through `make_short`."""
    return make_short(generator_mazes(n, seed, p_human))


def move_exit(mazes, rng):
    """Copies of generator mazes with the exit moved to another dead end, chosen at random.

    The item in that dead end gives way to the exit, and the bottom-right
    corner becomes an ordinary empty cell. Nothing else changes, so every
    maze stays solvable (a dead end of the tree is reachable). A maze whose
    only dead ends are the start and the corner cannot move its exit; it
    comes back unchanged, and the second return value says which moved.
    """
    mazes = np.array(mazes, dtype=np.int8)
    ends = dead_ends(mazes)
    ends[..., CORNER[0], CORNER[1]] = False
    count = ends.reshape(len(mazes), -1).sum(axis=1)
    moved = count > 0
    for m in np.flatnonzero(moved):
        r, c = np.argwhere(ends[m])[rng.integers(count[m])]
        mazes[m][mazes[m] == EXIT] = EMPTY
        mazes[m, r, c] = EXIT
    return mazes, moved


def generate_moved_exit(n, seed=0, p_human=0.5):
    """`n` generator mazes with the exit moved off the corner (`move_exit`), drawn until `n` could move."""
    rng = rng_for(seed)
    found, have = [], 0
    while have < n:
        mazes, moved = move_exit(generator_mazes(n - have + 8, rng, p_human), rng)
        found.append(mazes[moved][:n - have])
        have += len(found[-1])
    return np.concatenate(found) if found else np.zeros((0, SIZE, SIZE), np.int8)


def generate_pocket(n, seed=0, p_human=0.5):
    """`n` mazes with one (odd, odd) pocket each, opened beside exactly one open cell before items are placed."""
    rng = rng_for(seed)
    out = []
    while len(out) < n:
        walls = np.stack([carve(rng) for _ in range(2 * (n - len(out)) + 10)])   # a batch of carvings, with room for misses
        can = POSTS & (walls == WALL) & (open_neighbours(walls) == 1)
        for maze, cells in zip(walls, can):
            spots = np.argwhere(cells)
            if len(spots) and len(out) < n:
                r, c = spots[rng.integers(len(spots))]
                maze = maze.copy()
                maze[r, c] = EMPTY
                out.append(maze)
    walls = np.stack(out) if out else np.zeros((0, SIZE, SIZE), np.int8)
    return place_items(place_exit(walls), rng, p_human)


# The stub edit in one orientation: a 4 x 3 window, read top to bottom. A wall row, a corridor of three open cells,
# and a two-block stub pointing up at the corridor's middle. The edit closes the corridor's middle and opens the
# stub's tip, so the wall row grows a one-block nub and the stub loses a block. `make_stub` also applies it upside
# down and to the transposed maze: the original's four patterns.
STUB_BEFORE = np.array([[WALL, WALL, WALL],
                        [EMPTY, EMPTY, EMPTY],
                        [EMPTY, WALL, EMPTY],
                        [EMPTY, WALL, EMPTY]], np.int8)
STUB_AFTER = STUB_BEFORE.copy()
STUB_AFTER[1, 1], STUB_AFTER[2, 1] = WALL, EMPTY


def make_stub(mazes):
    """Copies of generator mazes with the stub edit made wherever it fits, and how many edits each maze got.

    Every 4 x 3 window that equals `STUB_BEFORE` (items and the exit do not
    count as open, as in the original) becomes `STUB_AFTER`, in four
    orientations, scanning windows in order so that one edit can enable or
    block the next. The opened tip is an (odd, odd) cell and the closed cell
    lies between two (even, even) cells, so the maze stays a tree of open
    cells (one edge of it is rerouted round the old tip) and no item moves.
    """
    mazes = np.array(mazes, dtype=np.int8)
    edits = np.zeros(len(mazes), int)
    for view in (lambda m: m, lambda m: m[:, ::-1, :], lambda m: m.transpose(0, 2, 1),
                 lambda m: m.transpose(0, 2, 1)[:, ::-1, :]):
        grid = view(mazes)   # a writable view: edits land in `mazes`
        for r in range(SIZE - 3):
            for c in range(SIZE - 2):
                hit = (grid[:, r:r + 4, c:c + 3] == STUB_BEFORE).all(axis=(1, 2))
                grid[hit, r:r + 4, c:c + 3] = STUB_AFTER
                edits += hit
    return mazes, edits


def generate_stub(n, seed=0, p_human=0.5):
    """`n` mazes with the original project's stub edit: generator mazes in which it fit at least once."""
    rng = rng_for(seed)
    found, have = [], 0
    while have < n:
        mazes, edits = make_stub(generator_mazes(2 * (n - have) + 8, rng, p_human))
        found.append(mazes[edits > 0][:n - have])
        have += len(found[-1])
    return np.concatenate(found) if found else np.zeros((0, SIZE, SIZE), np.int8)


def _path_length(maze, a, b):
    """Moves on the shortest path from cell `a` to cell `b` through open cells (None if there is none)."""
    target = np.zeros((SIZE, SIZE), bool)
    target[b] = True
    steps = distances(maze, target)[a]
    return None if steps == FAR else int(steps)


def generate_loop(n, seed=0, p_human=0.5, min_detour=6):
    """`n` mazes with one cycle: a wall between two open cells whose path round is at least `min_detour` moves
    is removed before the exit and the items are placed."""
    rng = rng_for(seed)
    out = []
    while len(out) < n:
        maze = carve(rng)
        spots = _loop_walls(maze, min_detour)
        if spots:
            r, c = spots[rng.integers(len(spots))]
            maze[r, c] = EMPTY
            out.append(maze)
    walls = np.stack(out) if out else np.zeros((0, SIZE, SIZE), np.int8)
    return place_items(place_exit(walls), rng, p_human)


def _loop_walls(maze, min_detour):
    """Walls with open cells on two opposite sides that are at least `min_detour` moves apart."""
    found = []
    for r, c in np.argwhere((maze == WALL) & ~POSTS):
        for (r1, c1), (r2, c2) in (((r - 1, c), (r + 1, c)), ((r, c - 1), (r, c + 1))):
            if min(r1, c1, r2, c2) >= 0 and max(r1, c1, r2, c2) < SIZE and maze[r1, c1] != WALL and maze[r2, c2] != WALL:
                if (_path_length(maze, (r1, c1), (r2, c2)) or 0) >= min_detour:
                    found.append((r, c))
    return found


@dataclass(frozen=True)
class Family:
    """A named maze family: `make(n, seed=0, p_human=0.5)` draws `n` of its mazes. Its three random streams
    (`harvest.core.seeding.register`) keep its training, spot-check and test mazes apart."""
    name: str
    make: Callable
    train_stream: int
    spot_stream: int
    test_stream: int

    @property
    def summary(self):
        """The first line of its generator's docstring."""
        return (self.make.__doc__ or "").strip().splitlines()[0]

    @property
    def doc(self):
        """What the family is: the first line of its maker's docstring."""
        return self.make.__doc__.strip().splitlines()[0]


def streams(name, train, spot, test):
    """A family's training, spot-check and test streams, claimed under its name."""
    return [register(number, f"family {name}: {use}") for number, use in
            ((train, "training mazes"), (spot, "spot-check mazes"), (test, "test mazes"))]


FAMILIES = {f.name: f for f in (   # the stream numbers are part of what every seed reproduces
    Family("generator", generator_mazes, *streams("generator", 1, 2, 3)),
    Family("short", generate_short, *streams("short", 7, 8, 4)),
    Family("pocket", generate_pocket, *streams("pocket", 20, 21, 22)),
    Family("stub", generate_stub, *streams("stub", 26, 27, 28)),
    Family("loop", generate_loop, *streams("loop", 23, 24, 25)),
    Family("moved-exit", generate_moved_exit, *streams("moved-exit", 14, 15, 16)))}
ALIASES = {"ood": "short", "id": "generator"}   # names that older commands used, still accepted


def family(name):
    """The family called `name` (or an older alias of it); HarvestError for an unknown name."""
    if name not in FAMILIES and name not in ALIASES:
        raise HarvestError(f"unknown maze family {name!r} (families: {', '.join(FAMILIES)})")
    return FAMILIES[ALIASES.get(name, name)]


def generate(name, n, seed=0, p_human=0.5):
    """`n` mazes of the family called `name`; `seed` is an int or a numpy Generator."""
    return family(name).make(n, seed, p_human)
