"""The network's input: 161 floats per state, or 210 with the exit visible.

Order: wall plane (49), crop plane (49), human plane (49), one-hot row (7),
one-hot column (7); planes are row-major. The agent's own cell always counts
as empty: standing on an item means it has just been harvested.

The main story's agent cannot see the exit: the generator always puts it in
the bottom-right corner. The corner chapter's variant (`exit_visible=True`)
appends an exit plane (49), so the first 161 inputs mean the same in both.
A network with a reward side-channel (`harvest.core.channel`) reads 1 or 4
more inputs after these; `encode` leaves them out.
"""
from dataclasses import dataclass

import numpy as np
import torch

from . import channel
from .channel import width
from .maze import CROP, EMPTY, EXIT, HUMAN, SIZE, WALL, place_exit

N_CELLS = SIZE * SIZE
N_INPUTS = 3 * N_CELLS + 2 * SIZE                 # 161: the main story's input
N_INPUTS_EXIT = N_INPUTS + N_CELLS                # 210: with the exit plane
WALLS, CROPS, HUMANS = slice(0, N_CELLS), slice(N_CELLS, 2 * N_CELLS), slice(2 * N_CELLS, 3 * N_CELLS)
ROW, COL = slice(3 * N_CELLS, 3 * N_CELLS + SIZE), slice(3 * N_CELLS + SIZE, N_INPUTS)
EXITS = slice(N_INPUTS, N_INPUTS_EXIT)


def n_inputs(exit_visible=False, reward_channel="none"):
    """The input size of an encoding: 161, or 210 with the exit plane, plus the reward channel's inputs."""
    return (N_INPUTS_EXIT if exit_visible else N_INPUTS) + width(reward_channel)


def encode(mazes, rows, cols, exit_visible=False):
    """Encode a batch of states as a (N, 161) float32 tensor, or (N, 210) with the exit plane."""
    rows, cols = torch.as_tensor(np.asarray(rows)).long(), torch.as_tensor(np.asarray(cols)).long()
    return place_agent(grid_planes(mazes, exit_visible), rows, cols)


@dataclass(frozen=True)
class InputSpec:
    """What a network sees, in one value: the grid's planes (with the exit's own plane when `exit_visible`, the
    corner chapter) and the agent's cell, then the inputs of its reward side-channel (`harvest.core.channel`).

    A network carries it as `input_spec` (read it with `spec_of`), its weights file records it, and the env, the
    replay buffer, the rollouts, the detectors and the checks all encode states through it."""
    exit_visible: bool = False
    reward_channel: str = "none"

    def __post_init__(self):
        width(self.reward_channel)   # an unknown channel is a HarvestError here, not later

    @property
    def size(self):
        """How many floats the network reads: 161, 210 with the exit plane, plus 1 or 4 for a channel."""
        return n_inputs(self.exit_visible, self.reward_channel)

    @property
    def plain(self):
        """Whether this is the main story's encoding: 161 inputs, no exit plane, no channel."""
        return self == PLAIN_INPUT

    def encode(self, mazes, rows, cols, previous=None, tamper=channel.TRUTH, rng=None):
        """A batch of states as the network reads them, (N, size). For a channel: `tamper` and `rng` are what it
        shows and its random draws, and `previous` (the `previous` channel) what the last step showed, in reward
        units; by default what a plain move shows, for a state taken out of any episode (a rollout starts from
        `channel.AT_START` instead)."""
        x = encode(mazes, rows, cols, self.exit_visible)
        if self.reward_channel == "none":
            return x
        if previous is None:
            previous = np.full(len(x), channel.shown_reward(EMPTY, tamper), np.float32)
        return torch.cat([x, channel.values(self.reward_channel, mazes, rows, cols, previous, tamper, rng)], dim=1)


PLAIN_INPUT = InputSpec()


def spec_of(net):
    """The InputSpec `net` reads; the plain one for anything without a spec, such as a scripted policy."""
    return getattr(net, "input_spec", PLAIN_INPUT)


def grid_planes(mazes, exit_visible=False):
    """The part of the encoding that depends on the grid alone: its planes, with no agent placed yet."""
    mazes = torch.as_tensor(np.asarray(mazes)).reshape(-1, N_CELLS)
    out = torch.zeros(len(mazes), n_inputs(exit_visible))
    out[:, WALLS] = (mazes == WALL).float()
    out[:, CROPS] = (mazes == CROP).float()
    out[:, HUMANS] = (mazes == HUMAN).float()
    if exit_visible:
        out[:, EXITS] = (mazes == EXIT).float()
    return out


def place_agent(x, rows, cols):
    """Complete grid planes `x` in place with the agent's cell: its one-hot row and column, and no item under it.

    `rows` and `cols` are long tensors. The replay buffer encodes each grid
    once and calls this for every batch, which is what makes a batch cheap.
    """
    n = torch.arange(len(x))
    here = rows * SIZE + cols
    x[n, CROPS.start + here] = 0.0
    x[n, HUMANS.start + here] = 0.0
    x[n, ROW.start + rows] = 1.0
    x[n, COL.start + cols] = 1.0
    return x


def planes(x):
    """Split encodings (..., 161 or 210) into named parts: (..., 7, 7) planes and (..., 7) one-hots."""
    x = torch.as_tensor(x)
    grid = lambda s: x[..., s].reshape(*x.shape[:-1], SIZE, SIZE)
    parts = {"wall": grid(WALLS), "crop": grid(CROPS), "human": grid(HUMANS), "row": x[..., ROW], "col": x[..., COL]}
    if x.shape[-1] == N_INPUTS_EXIT:
        parts["exit"] = grid(EXITS)
    return parts


def decode(x):
    """Inverse of `encode` for one state: (maze, (row, col)).

    Values are thresholded at 0.5, so a dreamed (continuous) input decodes to
    the nearest maze. With the exit plane the exit goes on its largest entry;
    without it the exit is put back on the furthest open cell, as the
    generator does.
    """
    p = {k: v.detach().cpu().numpy() for k, v in planes(x).items()}
    maze = np.full((SIZE, SIZE), EMPTY, np.int8)
    maze[p["crop"] > 0.5] = CROP
    maze[p["human"] > 0.5] = HUMAN
    maze[p["wall"] > 0.5] = WALL
    if "exit" in p:
        maze.reshape(-1)[p["exit"].argmax()] = EXIT
    else:
        maze = place_exit(maze[None])[0]
    return maze, (int(p["row"].argmax()), int(p["col"].argmax()))
