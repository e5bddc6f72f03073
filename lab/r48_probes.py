"""R48's two probes (EXPERIMENTS.md), as they ran: on the reward-model chapter as of commit 5ea56fe, whose `search`
later changed (R49). To rerun: `git show 5ea56fe:harvest/research/chapters/reward_model.py` in place of today's.

1. What a shipped-init ensemble (seed 0, 1,000 steps) predicts on 40 short mazes for each kind of move.
2. What R48's search changed in 256 states, and what the labels held, for both inits.
"""
import numpy as np
import torch

from harvest.core.maze import CROP, HUMAN, NODES
from harvest.core.replay import build_buffer
from harvest.research.chapters import reward_model as rm
from harvest.research.standard_recipe import family_test_mazes, training_mazes

buf = build_buffer(training_mazes(0))
models = rm.train(rm.ensemble("shipped", 0, 3), buf, None, 1000, rm.FULL, 0)
b = build_buffer(family_test_mazes("short", 40), items_removed=False)
batch = b.batch(torch.arange(len(b)))
with torch.no_grad():
    pred = models.mean(batch.state)[torch.arange(len(b)), batch.action]
for name, val in [("move", -0.25), ("bump", -5.0), ("crop", 2.0), ("human", -11.0), ("exit", 10.0)]:
    sel = batch.reward == val
    print(f"{name:6s} n={int(sel.sum()):5d} learned median {pred[sel].median():+.2f}, "
          f"share > 0: {(pred[sel] > 0).float().mean():.1%}, max {pred[sel].max():+.2f}")
for init in ["random", "shipped"]:
    models = rm.train(rm.ensemble(init, 0, 3), buf, None, 1000, rm.FULL, 0)
    p = rm.starts(256, 1)
    grids, changed = rm.search(models, p)
    target = grids[np.arange(256), p.human[:, 0], p.human[:, 1]]
    labels = rm.transitions(grids, p.agent[:, 0], p.agent[:, 1], p.action)
    print(init, "item cells changed: median", np.median(changed), "max", changed.max(),
          "| entered cell holds a human", np.mean(target == HUMAN).round(2), "a crop", np.mean(target == CROP).round(2),
          "| entered cell off the (even, even) cells", (~NODES[p.human[:, 0], p.human[:, 1]]).mean().round(2),
          "| labels that harvest a human", (labels.reward == -11).float().mean().item())
