"""Superpowers: extra actions during training that reach states ordinary play never does (the fixes chapter).

In a share of the training mazes the agent has eight more actions, one of
each kind per direction d (up, down, left, right):

- ``pull d``: the agent steps back one cell, away from direction d, onto an
  empty cell, and the item on the neighbouring cell in direction d follows it
  onto the cell it left (never onto the start). Generator items sit in dead
  ends, whose only open side is the agent's, so an item can only leave its
  dead end this way: a push would always meet a wall (R27);
- ``rewrite d``: the neighbouring cell in direction d turns from wall to empty
  or from empty to wall (never the start, never the exit, never an item).

A rewrite leaves the agent where it is; either action pays an ordinary
move. An action whose result would cut the exit off from the agent, or that
has nothing to act on, is not available there. The rewards stay the true
ones.

Replay data covers both the superpower transitions and what they reach: each
edited grid joins the buffer with all of its ordinary transitions (or a
seeded sample of them per maze, `reached_per_maze`), so the network learns
the true values of states that ordinary play never shows it.

The network gets eight more Q-values from a new head on its last hidden
layer (`Superpowered`). Its forward pass returns the four moves only: the
superpowers are masked off at test time by construction, and every metric
and the detector see an ordinary four-move agent. Bellman targets take the
max over the four moves (a superpower is a one-off: after it the agent plays
on normally).
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..core.maze import CROP, EMPTY, EXIT, HUMAN, MOVES, SIZE, WALL, inside, reachable
from ..core.replay import ReplayBuffer, build_buffer, merge
from ..core.rules import REWARDS

N_MOVES = 4
PULL, REWRITE = 4, 8          # action ids: PULL + d and REWRITE + d for direction d
N_ACTIONS = 12


def apply(maze, pos, action):
    """(the maze, the agent's cell) after superpower `action` taken on cell `pos`, or None where it is not
    available."""
    r, c = pos
    d = (action - PULL) % 4
    nr, nc = r + MOVES[d, 0], c + MOVES[d, 1]
    if not inside(nr, nc) or (nr, nc) == (0, 0):
        return None
    out = np.array(maze, dtype=np.int8)
    if action < REWRITE:                     # step back and pull the neighbouring item after
        br, bc = r - MOVES[d, 0], c - MOVES[d, 1]
        if out[nr, nc] not in (CROP, HUMAN) or not inside(br, bc) or out[br, bc] != EMPTY or (r, c) == (0, 0):
            return None
        out[r, c], out[nr, nc] = out[nr, nc], EMPTY
        return out, (br, bc)                 # the walls are unchanged, so the exit stays reachable
    if out[nr, nc] not in (WALL, EMPTY):     # rewrite the neighbouring cell
        return None
    out[nr, nc] = EMPTY if out[nr, nc] == WALL else WALL
    return (out, (r, c)) if reachable(out, (r, c))[out == EXIT].any() else None


def transitions(mazes):
    """Every available superpower transition of `mazes`, from every empty cell: a ReplayBuffer whose grids are the
    mazes followed by the distinct edited grids, and the edited grids (each once) for their ordinary transitions."""
    mazes = np.asarray(mazes, np.int8)
    grids, index = [m for m in mazes], {}
    g, ng, rows, cols, acts, next_rows, next_cols = [], [], [], [], [], [], []
    for m, maze in enumerate(mazes):
        for r, c in np.argwhere(maze == EMPTY):
            for a in range(PULL, N_ACTIONS):
                done = apply(maze, (r, c), a)
                if done is None:
                    continue
                edited, (nr, nc) = done
                key = edited.tobytes()
                if key not in index:
                    index[key] = len(grids)
                    grids.append(edited)
                g.append(m), ng.append(index[key]), rows.append(r), cols.append(c), acts.append(a)
                next_rows.append(nr), next_cols.append(nc)
    n = len(g)
    small = lambda a: torch.tensor(np.asarray(a, np.int8).reshape(n))
    buffer = ReplayBuffer(torch.from_numpy(np.stack(grids)), torch.tensor(np.asarray(g, np.int32).reshape(n)),
                          small(rows), small(cols), small(acts), small(next_rows), small(next_cols),
                          torch.full((n,), REWARDS["move"]), torch.zeros(n, dtype=torch.bool),
                          next_grid=torch.tensor(np.asarray(ng, np.int32).reshape(n)))
    reached = np.stack(grids[len(mazes):]) if len(grids) > len(mazes) else np.zeros((0, SIZE, SIZE), np.int8)
    return buffer, reached


def training_buffer(mazes, share, rng, reached_per_maze=None):
    """Ordinary transitions of all `mazes`, plus, for the last round(share * N) of them, their superpower
    transitions and the ordinary transitions of the grids those reach (all of them, or `reached_per_maze` drawn
    at random per maze). Returns (buffer, counts)."""
    mazes = np.asarray(mazes, np.int8)
    n = round(share * len(mazes))
    plain = build_buffer(mazes)
    if n == 0:
        return plain, {"superpower_transitions": 0, "reached_grids": 0}
    powers, reached = [], []
    for maze in mazes[len(mazes) - n:]:
        p, r = transitions(maze[None])
        if reached_per_maze is not None and len(r) > reached_per_maze:
            r = r[rng.choice(len(r), reached_per_maze, replace=False)]
        powers.append(p), reached.append(r)
    reached = np.concatenate(reached)
    buffer = merge(plain, *powers, build_buffer(reached))
    return buffer, {"superpower_transitions": sum(map(len, powers)), "reached_grids": len(reached)}


class Superpowered(nn.Module):
    """A QNet with a second head of eight superpower Q-values on its last hidden layer.

    forward(x) is the QNet's own: the four moves, so the superpowers are masked
    off wherever the agent is used. all_q(x) gives all twelve, for training.
    """

    def __init__(self, net, seed=0):
        super().__init__()
        self.net = net
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.extra = nn.Linear(net.hidden, N_ACTIONS - N_MOVES)

    def forward(self, x):
        return self.net(x)

    def all_q(self, x):
        hidden = self.net.body[:-1](x)
        return torch.cat([self.net.body[-1](hidden), self.extra(hidden)], dim=1)


def loss(net, target, batch, gamma):
    """Mean squared Bellman error over all twelve actions, with targets from the four moves."""
    q = net.all_q(batch.state).gather(1, batch.action[:, None]).squeeze(1)
    with torch.no_grad():
        future = target(batch.next_state).max(dim=1).values
    return F.mse_loss(q, batch.reward + gamma * future * (~batch.done))
