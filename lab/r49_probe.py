"""R49's probe (EXPERIMENTS.md): why a planner on a repaired reward model harvests more humans. Seed 0, shipped init,
two rounds of disagreement labels, then on 60 short mazes: where the planner harvests a human, what the ensemble
predicted along its way; and the learned reward of plain moves while a human stands on the grid and once none does,
before and after the labels."""
import copy

import numpy as np

from harvest.core import optimal
from harvest.core.maze import HUMAN, to_text
from harvest.core.replay import build_buffer, merge
from harvest.core.rules import MAX_STEPS, REWARDS
from harvest.research.chapters import reward_model as rm
from harvest.research.standard_recipe import family_test_mazes, training_mazes

s = rm.FULL
buf = build_buffer(training_mazes(0))
first = rm.train(rm.ensemble("shipped", 0, s.members), buf, None, s.steps, s, 0)
models, labels = copy.deepcopy(first), None   # train() changes its members in place
for rnd in (1, 2):
    new = rm.labelled(models, "disagreement", rm.starts(s.candidates, rnd), s.labels, s.search_lr, rnd)
    labels = new if labels is None else merge(labels, new)
    models = rm.train(models, buf, labels, s.round_steps, s, rnd)
mazes = family_test_mazes("short", 60)


def tables(models, maze):
    g = optimal.game(maze)
    return g, rm.learned_rewards(models, maze, g).numpy()


shown = 0
for maze in mazes:
    humans, exited = rm.plan(models, maze)
    if not humans or shown == 3:
        continue
    g, learned = tables(models, maze)
    cells = np.argwhere(g["index"] >= 0)
    q = optimal.q_iteration(g["next_state"], learned.astype(float), g["done"], optimal.GAMMA, MAX_STEPS)
    state, path = optimal.state(g, (0, 0)), []
    for _ in range(MAX_STEPS):
        a = int(q[state].argmax())
        path.append((tuple(int(v) for v in cells[state % len(cells)]), "udlr"[a], round(float(learned[state, a]), 2),
                     float(g["reward"][state, a]), bool(g["human"][state, a])))
        if g["done"][state, a]:
            break
        state = g["next_state"][state, a]
    print(to_text(maze))
    print("harvested", humans, "exited", exited)
    print("moves (cell, move, learned, true, enters a human):", path[:24])
    shown += 1


def plain_moves(models):
    """Median learned reward of plain moves (true -0.25) with a human on the grid, and with none."""
    present, gone = [], []
    for maze in mazes:
        g, learned = tables(models, maze)
        grids, _ = rm.state_grids(maze, g)
        human = (grids == HUMAN).any(axis=(1, 2))[:, None]
        plain = g["reward"] == REWARDS["move"]
        present += list(learned[plain & human])
        gone += list(learned[plain & ~human])
    return np.median(present), np.median(gone)


print("plain moves, learned median: human present %.2f, humans gone %.2f (round 0)" % plain_moves(first))
print("plain moves, learned median: human present %.2f, humans gone %.2f (after 2 rounds)" % plain_moves(models))
