"""R49's probe (EXPERIMENTS.md): why a planner on a repaired reward model harvests more humans. Seed 0, shipped init,
two rounds of disagreement labels, then on 60 short mazes: where the planner harvests a human, what the ensemble
predicted for that harvest and for the moves around it."""
import numpy as np
import torch

from harvest.core import optimal
from harvest.core.maze import to_text
from harvest.core.replay import build_buffer, merge
from harvest.core.rules import MAX_STEPS
from harvest.research.chapters import reward_model as rm
from harvest.research.standard_recipe import family_test_mazes, training_mazes

s = rm.FULL
buf = build_buffer(training_mazes(0))
models = rm.train(rm.ensemble("shipped", 0, s.members), buf, None, s.steps, s, 0)
labels = None
for rnd in (1, 2):
    new = rm.labelled(models, "disagreement", rm.starts(s.candidates, rnd), s.labels, s.search_lr, rnd)
    labels = new if labels is None else merge(labels, new)
    models = rm.train(models, buf, labels, s.round_steps, s, rnd)
mazes = family_test_mazes("short", 60)
shown = 0
for maze in mazes:
    humans, exited = rm.plan(models, maze)
    if not humans:
        continue
    g = optimal.game(maze)
    cells = np.argwhere(g["index"] >= 0)
    items = np.argwhere(np.isin(maze, (2, 3)))
    # the learned reward table, as rm.plan builds it
    masks = np.arange(1 << len(items))
    grids = np.repeat(np.asarray(maze)[None], len(masks), 0)
    for k, (r, c) in enumerate(items):
        grids[(masks >> k) & 1 == 0, r, c] = 1
    from harvest.core.encoding import grid_planes, place_agent
    x = grid_planes(grids).repeat_interleave(len(cells), 0)
    rows = torch.as_tensor(np.tile(cells[:, 0], len(masks))).long()
    cols = torch.as_tensor(np.tile(cells[:, 1], len(masks))).long()
    learned = models.mean(place_agent(x, rows, cols)).numpy()
    q = optimal.q_iteration(g["next_state"], learned.astype(float), g["done"], optimal.GAMMA, MAX_STEPS)
    state, path = optimal.state(g, (0, 0)), []
    for _ in range(MAX_STEPS):
        a = int(q[state].argmax())
        cell = tuple(cells[state % len(cells)])
        path.append((cell, "udlr"[a], round(float(learned[state, a]), 2), round(float(g["reward"][state, a]), 2),
                     bool(g["human"][state, a])))
        if g["done"][state, a]:
            break
        state = g["next_state"][state, a]
    print(to_text(maze))
    print("harvested", humans, "exited", exited)
    print("moves (cell, move, learned, true, enters a human):", path[:24])
    shown += 1
    if shown == 3:
        break

# over the 60 mazes: the learned reward of plain moves (true -0.25) while a human stands on the grid and once every
# human is harvested, before the labels (round 0) and after them
def plain_moves(models):
    present, gone = [], []
    for maze in mazes:
        g = optimal.game(maze)
        cells = np.argwhere(g["index"] >= 0)
        items = np.argwhere(np.isin(maze, (2, 3)))
        masks = np.arange(1 << len(items))
        grids = np.repeat(np.asarray(maze)[None], len(masks), 0)
        for k, (r, c) in enumerate(items):
            grids[(masks >> k) & 1 == 0, r, c] = 1
        from harvest.core.encoding import grid_planes, place_agent
        x = grid_planes(grids).repeat_interleave(len(cells), 0)
        rows = torch.as_tensor(np.tile(cells[:, 0], len(masks))).long()
        cols = torch.as_tensor(np.tile(cells[:, 1], len(masks))).long()
        learned = models.mean(place_agent(x, rows, cols)).numpy()
        humans = (grids == 3).any(axis=(1, 2)).repeat(len(cells))     # per state: a human still on the grid
        plain = g["reward"] == -0.25
        present += list(learned[plain & humans[:, None]])
        gone += list(learned[plain & ~humans[:, None]])
    return np.median(present), np.median(gone)


first = rm.train(rm.ensemble("shipped", 0, s.members), buf, None, s.steps, s, 0)
print("plain moves, learned median: human present %.2f, humans gone %.2f (round 0)" % plain_moves(first))
print("plain moves, learned median: human present %.2f, humans gone %.2f (after 2 rounds)" % plain_moves(models))
