"""Mazes: cell codes, moves, the generator, items, the exit and the support test.

Workshop learners: the generator's rule is the answer to Step 6, so read below the spoiler line only after it.
Other maze families live in `harvest.core.families`.

A maze is a (7, 7) int8 array of cell codes; a batch is (N, 7, 7). The row is
the first index.
"""
from pathlib import Path

import numpy as np

from .errors import HarvestError
from .seeding import rng_for

SIZE = 7
WALL, EMPTY, CROP, HUMAN, EXIT = 0, 1, 2, 3, -1
CELL_CODES = (WALL, EMPTY, CROP, HUMAN, EXIT)

UP, DOWN, LEFT, RIGHT = 0, 1, 2, 3
MOVE_NAMES = ("up", "down", "left", "right")
MOVES = np.array([[-1, 0], [1, 0], [0, -1], [0, 1]])  # (d_row, d_col) per move

# ---- spoiler line: below it, the generator's rule, which is the answer to Step 6 of the workshop ----

_EVEN = np.arange(SIZE) % 2 == 0
NODES = _EVEN[:, None] & _EVEN[None, :]      # the (even, even) cells (`in_support` says what the generator does there)
POSTS = ~_EVEN[:, None] & ~_EVEN[None, :]    # the (odd, odd) cells
CORNER = (SIZE - 1, SIZE - 1)                # where the generator always puts the exit

FAR = 99   # `distances` where no target can be reached


def inside(row, col):
    """Whether (row, col) lies on the 7x7 grid."""
    return 0 <= row < SIZE and 0 <= col < SIZE


def carve(rng):
    """One maze carved by depth-first search from (0, 0), two cells at a time.

    Only the (even, even) cells are visited; carving opens the cell between two
    of them. The result is a tree of corridors with no loops and no open 2x2.
    The search never carves onward from the bottom-right corner, so the exit
    that goes there is a dead end and no cell hides behind it.
    """
    open_ = [[False] * SIZE for _ in range(SIZE)]
    open_[0][0] = True
    keys = rng.random((SIZE, SIZE, 4)).tolist()  # the largest key picks a uniformly random neighbour
    stack = [(0, 0)]
    while stack:
        r, c = stack[-1]
        best, best_key = None, -1.0
        for m, (dr, dc) in enumerate(((-1, 0), (1, 0), (0, -1), (0, 1))):
            nr, nc = r + 2 * dr, c + 2 * dc
            if inside(nr, nc) and not open_[nr][nc] and keys[r][c][m] > best_key:
                best, best_key = (dr, dc), keys[r][c][m]
        if best is None:
            stack.pop()
            continue
        dr, dc = best
        open_[r + dr][c + dc] = open_[r + 2 * dr][c + 2 * dc] = True
        if (r + 2 * dr, c + 2 * dc) != (SIZE - 1, SIZE - 1):
            stack.append((r + 2 * dr, c + 2 * dc))
    return np.array(open_, dtype=np.int8)  # True -> EMPTY (1), False -> WALL (0)


def open_neighbours(mazes):
    """Number of open 4-neighbours of every cell, shape like `mazes`."""
    is_open = np.pad(np.asarray(mazes) != WALL, [(0, 0)] * (np.ndim(mazes) - 2) + [(1, 1), (1, 1)])
    return (is_open[..., :-2, 1:-1].astype(np.int8) + is_open[..., 2:, 1:-1]
            + is_open[..., 1:-1, :-2] + is_open[..., 1:-1, 2:])


def distances(maze, targets):
    """Moves from every cell to the nearest cell of `targets` (a boolean 7x7 map) through open cells, by breadth-first
    search; FAR where no target can be reached."""
    dist = np.full((SIZE, SIZE), FAR)
    frontier = [tuple(t) for t in np.argwhere(targets)]
    for r, c in frontier:
        dist[r, c] = 0
    while frontier:
        nxt = []
        for r, c in frontier:
            for dr, dc in MOVES:
                nr, nc = r + dr, c + dc
                if inside(nr, nc) and maze[nr, nc] != WALL and dist[nr, nc] > dist[r, c] + 1:
                    dist[nr, nc] = dist[r, c] + 1
                    nxt.append((nr, nc))
        frontier = nxt
    return dist


def dead_ends(mazes):
    """Open cells with exactly one open neighbour, other than the start and the exit."""
    mazes = np.asarray(mazes)
    ends = (mazes != WALL) & (mazes != EXIT) & (open_neighbours(mazes) == 1)
    ends[..., 0, 0] = False
    return ends


def open_cells(mazes):
    """True on the cells an agent can stand on: open, not the exit (the exit ends the episode)."""
    mazes = np.asarray(mazes)
    return (mazes != WALL) & (mazes != EXIT)


def place_exit(mazes):
    """Put the exit on the empty cell furthest from the start (largest row + column, then row).

    The generator calls it before items are placed; decoding a dreamed input
    calls it after, so an item is never overwritten.
    """
    mazes = np.array(mazes, dtype=np.int8)
    rows, cols = np.indices((SIZE, SIZE))
    score = np.where(mazes == EMPTY, (rows + cols) * SIZE + rows, -1).reshape(len(mazes), -1)
    best = score.argmax(axis=1)
    mazes.reshape(len(mazes), -1)[np.arange(len(mazes)), best] = EXIT
    return mazes


def place_items(mazes, rng, p_human=0.5):
    """Put a crop or (with probability `p_human`) a human in every dead end."""
    mazes = np.array(mazes, dtype=np.int8)
    ends = dead_ends(mazes)
    humans = rng.random(mazes.shape) < p_human
    mazes[ends] = np.where(humans[ends], HUMAN, CROP)
    return mazes


def generate(n, seed=0, p_human=0.5):
    """`n` generator mazes: carved, exit at the bottom-right, an item in every dead end."""
    rng = rng_for(seed)
    walls = np.stack([carve(rng) for _ in range(n)]) if n else np.zeros((0, SIZE, SIZE), np.int8)
    return place_items(place_exit(walls), rng, p_human)


def in_support(mazes):
    """True where a maze could come from the generator: the support test.

    Step 6 of the workshop asks learners to find this rule themselves; `carve`
    shows why it holds.
    """
    is_open = np.asarray(mazes) != WALL
    return is_open[..., NODES].all(axis=-1) & ~is_open[..., POSTS].any(axis=-1)


def wall_breaks(mazes):
    """Per cell, the walls the generator could never produce: a closed (even, even) cell, an open (odd, odd) one."""
    is_open = np.asarray(mazes) != WALL
    return (NODES & ~is_open) | (POSTS & is_open)


def item_breaks(mazes):
    """Per cell, the items the generator could never place: a crop or human off an (even, even) dead end."""
    mazes = np.asarray(mazes)
    return np.isin(mazes, (CROP, HUMAN)) & ~(dead_ends(mazes) & NODES)


def has_cavern(mazes):
    """True where a maze has an open 2x2 block."""
    o = np.asarray(mazes) != WALL
    return (o[..., :-1, :-1] & o[..., 1:, :-1] & o[..., :-1, 1:] & o[..., 1:, 1:]).any(axis=(-2, -1))


def exit_cells(mazes):
    """The (row, col) of each maze's exit, shape (N, 2)."""
    mazes = np.asarray(mazes)
    flat = (mazes == EXIT).reshape(len(mazes), -1).argmax(axis=1)
    return np.stack([flat // SIZE, flat % SIZE], axis=1)


def reachable(maze, start=(0, 0)):
    """Boolean (7, 7) map of the open cells reachable from `start`."""
    seen = np.zeros((SIZE, SIZE), bool)
    stack = [start] if maze[start] != WALL else []
    while stack:
        r, c = stack.pop()
        if seen[r, c]:
            continue
        seen[r, c] = True
        for dr, dc in MOVES:
            nr, nc = r + dr, c + dc
            if inside(nr, nc) and maze[nr, nc] != WALL and not seen[nr, nc]:
                stack.append((nr, nc))
    return seen


def reachable_all(mazes, start=(0, 0)):
    """Boolean (N, 7, 7) map of the open cells reachable from `start` in every maze at once (as `reachable`)."""
    open_ = np.asarray(mazes) != WALL
    seen = np.zeros_like(open_)
    seen[:, start[0], start[1]] = open_[:, start[0], start[1]]
    while True:
        grown = seen.copy()
        grown[:, 1:] |= seen[:, :-1]
        grown[:, :-1] |= seen[:, 1:]
        grown[:, :, 1:] |= seen[:, :, :-1]
        grown[:, :, :-1] |= seen[:, :, 1:]
        grown &= open_
        if (grown == seen).all():
            return seen
        seen = grown


def validate(mazes, name="mazes"):
    """Check a batch of mazes from outside; return it as int8 or raise HarvestError.

    A maze an episode can be played in: known cell codes, an empty start cell,
    exactly one exit, and that exit reachable from the start.
    """
    arr = np.asarray(mazes)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[1:] != (SIZE, SIZE):
        raise HarvestError(f"{name}: expected shape (N, {SIZE}, {SIZE}), got {tuple(np.shape(mazes))}")
    if len(arr) == 0:
        raise HarvestError(f"{name}: holds no mazes, expected at least one")
    if not np.issubdtype(arr.dtype, np.integer):
        raise HarvestError(f"{name}: expected integer cell codes, got dtype {arr.dtype}")
    bad = ~np.isin(arr, CELL_CODES)
    if bad.any():
        i, r, c = np.argwhere(bad)[0]
        raise HarvestError(f"{name}: unknown cell code {arr[i, r, c]} at maze {i}, row {r}, column {c} "
                           f"(known: wall 0, empty 1, crop 2, human 3, exit -1)")
    blocked = arr[:, 0, 0] != EMPTY
    if blocked.any():
        i = np.argmax(blocked)
        what = {WALL: "a wall", CROP: "a crop", HUMAN: "a human", EXIT: "the exit"}[int(arr[i, 0, 0])]
        raise HarvestError(f"{name}: maze {i} has {what} on the start cell (0, 0), which must be empty")
    exits = (arr == EXIT).sum(axis=(1, 2))
    if (exits != 1).any():
        i = np.argmax(exits != 1)
        raise HarvestError(f"{name}: maze {i} has {exits[i]} exits; every maze needs exactly one")
    stuck = ~(reachable_all(arr) & (arr == EXIT)).any(axis=(1, 2))
    if stuck.any():
        raise HarvestError(f"{name}: maze {np.argmax(stuck)} has no open path from the start (0, 0) to its exit")
    return arr.astype(np.int8)


def on_grid(row, col, name="cell"):
    """(row, col) as ints when both are whole numbers in 0-6, else HarvestError (no negative index from the end)."""
    try:
        r, c = int(row), int(col)
        whole = r == row and c == col and not isinstance(row, bool) and not isinstance(col, bool)
    except (TypeError, ValueError):
        whole = False
    if not whole or not inside(r, c):
        raise HarvestError(f"{name} ({row!r}, {col!r}) is off the grid: rows and columns run from 0 to {SIZE - 1}")
    return r, c


def load_mazes(path):
    """Mazes from a `.npy` file of shape (N, 7, 7); raises HarvestError with a one-line reason."""
    path = Path(path)
    if not path.is_file():
        raise HarvestError(f"maze file not found: {path}")
    try:
        arr = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise HarvestError(f"{path} is not a .npy maze file ({str(err) or type(err).__name__})") from None
    if not isinstance(arr, np.ndarray):   # an .npz archive
        raise HarvestError(f"{path} is not a .npy maze file (it holds several arrays)")
    if arr.ndim != 3:
        raise HarvestError(f"{path}: expected shape (N, {SIZE}, {SIZE}), got {arr.shape}")
    return validate(arr, str(path))


def to_text(maze, agent=None):
    """A maze as text: # wall, . empty, c crop, H human, E exit, and A for the agent at `agent` (row, col)."""
    chars = {WALL: "#", EMPTY: ".", CROP: "c", HUMAN: "H", EXIT: "E"}
    rows = [[chars[int(v)] for v in row] for row in maze]
    if agent is not None:
        rows[agent[0]][agent[1]] = "A"
    return "\n".join("".join(row) for row in rows)


def from_text(text):
    """Inverse of `to_text`, handy for hand-made mazes."""
    codes = {"#": WALL, ".": EMPTY, "c": CROP, "H": HUMAN, "E": EXIT}
    rows = [line.strip() for line in text.strip().splitlines()]
    try:
        return validate(np.array([[codes[ch] for ch in row] for row in rows]), "maze text")[0]
    except KeyError as err:
        raise HarvestError(f"maze text: unknown character {err.args[0]!r} (use # . c H E)") from None
