"""Maze families off the generator's training distribution: the fixes chapter's test bed.

Every family starts from generator mazes and changes them in one named way:

- ``short``: every dead end that holds an item loses its last cell, and the
  item moves one cell back (`maze.make_ood`, the main story's family);
- ``pocket``: the seeds' own family, "one block sticks out": one (odd, odd)
  wall that touches exactly one open cell is opened, then the exit and the
  items are placed as the generator does, so the pocket, a dead end, holds a
  crop or a human;
- ``loop``: one wall between two open cells that are not yet joined by a
  short path is removed, so the maze has a cycle. Generator mazes are trees;
  this family passes the support test and no fix was tuned on it.

The fixes chapter's augmentation, random local edits that keep a maze legal,
is the dreaming detector's random-search baseline, `detector.random_edits`.
"""
import numpy as np

from .maze import EMPTY, MOVES, POSTS, SIZE, WALL, carve, generate, make_ood, open_neighbours, place_exit, place_items
from .seeding import rng_for


def generate_pocket(n, seed=0, p_human=0.5):
    """`n` mazes with one (odd, odd) pocket each, opened beside exactly one open cell before items are placed."""
    rng = rng_for(seed)
    out = []
    while len(out) < n:
        walls = np.stack([carve(rng) for _ in range(2 * (n - len(out)) + 10)])   # as R21 drew them
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


def _path_length(maze, a, b):
    """Moves on the shortest path from cell `a` to cell `b` through open cells (None if there is none)."""
    frontier, seen, steps = [a], {a}, 0
    while frontier:
        if b in frontier:
            return steps
        nxt = []
        for r, c in frontier:
            for dr, dc in MOVES:
                cell = (r + dr, c + dc)
                if 0 <= cell[0] < SIZE and 0 <= cell[1] < SIZE and maze[cell] != WALL and cell not in seen:
                    seen.add(cell)
                    nxt.append(cell)
        frontier, steps = nxt, steps + 1
    return None


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


FAMILIES = {"short": lambda n, seed: make_ood(generate(n, seed)), "pocket": generate_pocket, "loop": generate_loop}
