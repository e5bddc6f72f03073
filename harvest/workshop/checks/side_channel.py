"""Step 15's checks (the side-channel chapter): what the `next` channel shows under a tamper, and the
adjacent-human rate of a network that sees it."""
import numpy as np
import torch

from ...core import channel
from ...core.encoding import InputSpec, encode
from ...core.evaluate import adjacent_human_cells, adjacent_human_rate
from ...core.maze import CROP, EMPTY, EXIT, HUMAN, MOVES, SIZE, WALL, from_text, inside
from ..hand_mazes import HAND
from .common import Case, small_net, verify

# every kind of neighbour: the edge, a wall, empty cells, a crop, a human and the exit
MIXED = from_text("""
.H.#...
c..#.H.
.#.c.#.
...#...
.#H.c#.
.....cH
.c#H..E""")


def ref_shown_next(maze, row, col, tamper="none"):
    """What the `next` channel shows on (row, col) under the tamper called `tamper` (`harvest.core.channel`)."""
    return channel.values("next", np.asarray(maze)[None], [row], [col], tamper=channel.TAMPERS[tamper])[0].numpy()


def _table_answer(maze, row, col, tamper="none", edge="bump", order=MOVES, exit_as="exit", scale=channel.SCALE,
                  flip=False, honest=False):
    """The answer with one slip or another, for the catalogue of mistakes."""
    shown = dict(channel.TAMPERS["none" if honest else tamper].shown)
    if flip and shown:
        ((name, _),) = shown.items()
        other = {"human": "crop", "crop": "human"}[name]
        shown = {other: channel.REWARDS[name]}
    table = {**channel.REWARDS, **shown}
    names = {WALL: "bump", EMPTY: "move", CROP: "crop", HUMAN: "human", EXIT: exit_as}
    out = []
    for dr, dc in order:
        r, c = row + dr, col + dc
        out.append(table[names[maze[r, c]] if inside(r, c) else edge])
    return np.array(out, np.float32) / scale


def check_shown_next(fn):
    """Every open cell of two mazes under the three table tampers."""
    cases = [Case(f"{name}, cell ({r}, {c}), tamper {tamper!r}", (maze.copy(), int(r), int(c), tamper))
             for name, maze in (("a maze with every kind of neighbour", MIXED), ("the hand-made maze", HAND))
             for tamper in ("none", "human_as_crop", "crop_as_human")
             for r, c in np.argwhere(maze == EMPTY)]
    mistakes = {
        "not divided by 11 (channel.SCALE): the channel shows rewards scaled into [-1, 1]":
            lambda *a: _table_answer(*a, scale=1.0),
        "the tamper is ignored: the channel should show what the tampered table says":
            lambda *a: _table_answer(*a, honest=True),
        "the swap goes the wrong way: human_as_crop shows a human as a crop pays, not a crop as a human pays":
            lambda *a: _table_answer(*a, flip=True),
        "a move off the grid is a bump (the agent stays put), not a plain move":
            lambda *a: _table_answer(*a, edge="move"),
        **{f"the moves are in the wrong order ({how}): up, down, left, right, as in harvest.core.maze.MOVES":
           (lambda *a, o=o: _table_answer(*a, order=MOVES[o])) for how, o in (
               ("up and down swapped, and left and right", [1, 0, 3, 2]), ("left and right swapped", [0, 1, 3, 2]),
               ("up and down swapped", [1, 0, 2, 3]), ("left and right first", [2, 3, 0, 1]),
               ("right, left, down, up", [3, 2, 1, 0]))},
        "entering the exit pays the exit's reward (+10), not a plain move's":
            lambda *a: _table_answer(*a, exit_as="move"),
    }

    def dtype(got, case):
        kind = getattr(got, "dtype", None)
        if kind is not None and str(kind).removeprefix("torch.") not in ("float32",):
            return (f"the values are {str(kind).removeprefix('torch.')}: return float32, as the network's inputs are "
                    "(a float64 channel makes the next exercise's torch.cat with the encoding float64, which the "
                    "network cannot read)")
        return None
    return verify("shown_next", fn, cases, ref_shown_next, mistakes, dtype)


class ChannelFollower(torch.nn.Module):
    """A scripted network that reads the `next` channel only: its Q-values are the rewards it is shown."""
    input_spec = InputSpec(reward_channel="next")

    def forward(self, x):
        return x[:, -4:]


def _rate_answer(net, mazes, tamper="none", pick=torch.argmax, cells="adjacent", per_maze=False):
    """The adjacent-human rate with one slip or another, for the catalogue of mistakes."""
    mazes = np.asarray(mazes)
    if cells == "adjacent":
        m, r, c, a = adjacent_human_cells(mazes).T
    else:   # every open cell, counting the moves that enter a human
        m, r, c = np.nonzero(mazes == EMPTY)
        a = None
    x = torch.cat([encode(mazes[m], r, c), channel.values("next", mazes[m], r, c, tamper=channel.TAMPERS[tamper])], dim=1)
    with torch.no_grad():
        moves = pick(net(x), dim=1).numpy()
    if a is not None and per_maze:   # each maze's own rate, then their mean: a maze with few such cells weighs more
        return float(np.mean([(moves[m == k] == a[m == k]).mean() for k in np.unique(m)]))
    if a is not None:
        return float((moves == a).mean())
    nr, nc = np.clip(r + MOVES[moves, 0], 0, SIZE - 1), np.clip(c + MOVES[moves, 1], 0, SIZE - 1)
    return float((mazes[m, nr, nc] == HUMAN).mean())


def check_adjacent_rate_shown(fn):
    """A scripted channel follower and two small random networks that read the `next` channel, on mazes with
    humans, told the truth and lied to."""
    mazes = np.stack([MIXED, HAND])
    nets = [("a network that goes where the channel shows the most reward", ChannelFollower())]
    nets += [(f"a small random network reading the next channel (seed {s})",
              small_net(s, reward_channel="next")) for s in (1, 2)]
    cases = [Case(f"{label}, tamper {tamper!r}", (net, mazes.copy(), tamper))
             for label, net in nets for tamper in ("none", "human_as_crop")]
    mistakes = {
        "the channel is not tampered: build the inputs with shown_next(..., tamper)":
            lambda net, m, t="none": _rate_answer(net, m, "none"),
        "argmin instead of argmax: the greedy move has the largest Q":
            lambda net, m, t="none": _rate_answer(net, m, t, pick=torch.argmin),
        "counted over every open cell: count only the cells next to a human (adjacent_human_cells)":
            lambda net, m, t="none": _rate_answer(net, m, t, cells="all"),
        "averaged per maze: the rate is over all the cells next to a human, pooled across the mazes, not a mean "
        "of each maze's rate":
            lambda net, m, t="none": _rate_answer(net, m, t, per_maze=True),
        "a count, not a fraction: divide by the number of cells next to a human":
            lambda net, m, t="none": _rate_answer(net, m, t) * len(adjacent_human_cells(m)),
    }
    return verify("adjacent_human_rate_shown", fn, cases,
                  lambda net, m, t="none": adjacent_human_rate(net, m, t), mistakes)
