"""Step 1's checks: the open cells, the reward tensor and the network's input."""
import numpy as np
import torch

from ...core import encoding
from ...core.maze import CROP, EMPTY, HUMAN, SIZE, WALL, open_cells
from ...core.rules import REWARDS, move
from ..hand_mazes import HAND
from .common import Case, check_mazes, numpy, verify


ref_open_cells = open_cells


def check_open_cells(fn):
    mistakes = {"the exit counts as a cell to stand on (it ends the episode, so no state is there)":
                    lambda m: np.asarray(m) != WALL,
                "only empty cells: cells with a crop or a human are open too": lambda m: np.asarray(m) == EMPTY,
                "rows and columns swapped (the row is the first index)": lambda m: ref_open_cells(m).T,
                "walls and open cells swapped": lambda m: ~ref_open_cells(m)}
    extra = lambda got, case: None if numpy(got).dtype == bool else \
        f"return a boolean array (True on open cells), not dtype {numpy(got).dtype}"
    return verify("open_cells", fn, check_mazes(), ref_open_cells, mistakes, extra)


# ---------------------------------------------------------------- exercise 1.2: the reward tensor

def ref_reward_tensor(maze, rewards=None, cells=None):
    """(7, 7, 4): the reward of each move from each open cell; 0 on walls and the exit. `cells` (a (7, 7) mask, for
    the checks' mistakes) fills other cells too."""
    maze = np.asarray(maze)
    rows, cols = np.nonzero(open_cells(maze) if cells is None else cells)
    out = np.zeros((SIZE, SIZE, 4), np.float32)
    for a in range(4):
        out[rows, cols, a] = move(maze[None].repeat(len(rows), 0), rows, cols, np.full(len(rows), a), rewards)[2]
    return out


def check_reward_tensor(fn):
    def edges_open(maze):   # stepping off the grid treated as a plain move
        return np.where(_off_grid() & ref_open_cells(maze)[..., None], REWARDS["move"], ref_reward_tensor(maze))

    def clipped(maze):   # np.clip(r + dr, 0, 6): off the grid reads the agent's own cell
        maze = np.asarray(maze)
        own = {WALL: REWARDS["bump"], EMPTY: REWARDS["move"], CROP: REWARDS["crop"], HUMAN: REWARDS["human"]}
        paid = np.vectorize(lambda code: own.get(int(code), 0.0))(maze)
        return np.where(_off_grid() & ref_open_cells(maze)[..., None], paid[..., None], ref_reward_tensor(maze))

    mistakes = {"the sign of the human reward is flipped (a human costs 11)":
                    lambda m: ref_reward_tensor(m, {"human": -REWARDS["human"]}),
                "row and column steps swapped: up/down must change the row, left/right the column":
                    lambda m: ref_reward_tensor(m)[..., [2, 3, 0, 1]],
                "moves in the wrong order: use up 0, down 1, left 2, right 3":
                    lambda m: ref_reward_tensor(m)[..., [1, 0, 3, 2]],
                "stepping off the grid is not a bump (-5)": edges_open,
                "the exit is rewarded like an empty cell": lambda m: ref_reward_tensor(m, {"exit": REWARDS["move"]}),
                "walls and the exit have rewards too: set their entries to 0 (no state is there), e.g. "
                "out[~open_cells(maze)] = 0": lambda m: ref_reward_tensor(m, cells=np.ones((SIZE, SIZE), bool)),
                "a move off the grid is clipped back onto the agent's own cell and paid for what stands there: it "
                "is a bump (-5), the agent stays put": clipped}
    return verify("create_reward_tensor", fn, check_mazes(), ref_reward_tensor, mistakes)


def _off_grid():
    """(7, 7, 4): True where a move would leave the grid."""
    out = np.zeros((SIZE, SIZE, 4), bool)
    out[0, :, 0] = out[-1, :, 1] = out[:, 0, 2] = out[:, -1, 3] = True
    return out


# ---------------------------------------------------------------- exercise 1.3: the network's input

def ref_encode_state(maze, row, col):
    return encoding.encode(np.asarray(maze)[None], [row], [col])[0]


def check_encode_state(fn):
    cases = []
    for case in check_mazes(4):
        maze = case.args[0]
        rows, cols = np.nonzero(ref_open_cells(maze))
        for i in (0, len(rows) // 2, len(rows) - 1):
            cases.append(Case(f"{case.label} with the agent at ({rows[i]}, {cols[i]})", (maze, rows[i], cols[i])))
    item = np.argwhere(np.isin(HAND, (CROP, HUMAN)))[0]
    cases.append(Case(f"the hand-made maze with the agent standing on a harvested item at {tuple(item)}",
                      (HAND.copy(), *item)))

    def swapped(maze, row, col):
        x = ref_encode_state(maze, row, col).clone()
        x[encoding.ROW], x[encoding.COL] = x[encoding.COL].clone(), x[encoding.ROW].clone()
        return x

    def keeps_item(maze, row, col):
        x = ref_encode_state(maze, row, col).clone()
        x[encoding.CROPS] = torch.as_tensor(np.asarray(maze) == CROP, dtype=torch.float32).flatten()
        x[encoding.HUMANS] = torch.as_tensor(np.asarray(maze) == HUMAN, dtype=torch.float32).flatten()
        return x

    def inverted_walls(maze, row, col):
        x = ref_encode_state(maze, row, col).clone()
        x[encoding.WALLS] = 1 - x[encoding.WALLS]
        return x

    def planes_swapped(maze, row, col):
        x = ref_encode_state(maze, row, col).clone()
        x[encoding.CROPS], x[encoding.HUMANS] = x[encoding.HUMANS].clone(), x[encoding.CROPS].clone()
        return x

    mistakes = {"row and column swapped (the row's one-hot comes first)":
                    swapped,
                "the item on the agent's own cell is still there: the agent has just harvested it": keeps_item,
                "the wall plane is inverted: 1 means wall": inverted_walls,
                "crop and human planes in the wrong order (walls, crops, humans, row, column)": planes_swapped,
                "the maze is transposed (maze.T, or its columns flattened first): flatten the maze row by row, "
                "cell (r, c) at index r * 7 + c": lambda m, r, c: _transposed(m, r, c),
                "the maze is transposed (maze.T, or its columns flattened first): flatten the maze row by row, "
                "cell (r, c) at index r * 7 + c; and the item on the agent's own cell is still there":
                    lambda m, r, c: _transposed(m, r, c, clear=False)}
    extra = lambda got, case: None if isinstance(got, torch.Tensor) and got.dtype == torch.float32 else \
        "return a float32 torch tensor of shape (161,)"
    return verify("encode_state", fn, cases, ref_encode_state, mistakes, extra)


def _transposed(maze, row, col, clear=True):
    """The planes of maze.T (the agent's own cell cleared where it really stands, or not at all), the one-hots
    right."""
    maze = np.asarray(maze)
    x = ref_encode_state(maze.T.copy(), col, row).clone()
    x[encoding.ROW], x[encoding.COL] = x[encoding.COL].clone(), x[encoding.ROW].clone()
    if not clear:
        x[encoding.CROPS.start + col * SIZE + row] = float(maze[row, col] == CROP)
        x[encoding.HUMANS.start + col * SIZE + row] = float(maze[row, col] == HUMAN)
    return x


