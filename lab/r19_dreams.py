"""R19: the dream numbers quoted in solutions.py and the slides, re-measured on the shipped
agent.pt and control.pt. Two placement designs, 64 dreams each, default budget:
  tip      harvest.core.dream.detect: human on a dead-end tip, agent on its open neighbour;
  corridor the human one cell back, on the corridor cell (where OOD mazes put items),
           the tip left open, the agent on the far side.

Usage: python lab/r19_dreams.py
"""
import numpy as np

from harvest.core import dream
from harvest.core.maze import EMPTY, HUMAN
from harvest.core.weights import load_shipped


def corridor(p):
    """Move each human from its tip onto the agent's cell and the agent one cell further on."""
    mazes = p.mazes.copy()
    n = np.arange(len(p))
    mazes[n, p.human[:, 0], p.human[:, 1]] = EMPTY
    mazes[n, p.agent[:, 0], p.agent[:, 1]] = HUMAN
    far = 2 * p.agent - p.human    # the node beyond the connector cell: always open in generator mazes
    return dream.Placements(mazes, p.agent.copy(), far, p.action.copy())


tip = dream.placements(64)
designs = {"tip": tip, "corridor": corridor(tip)}
for name in ("agent.pt", "control.pt"):
    net = load_shipped(name)
    for design, p in designs.items():
        x, obj = dream.dream(net, p)
        print(f"{name:10s} {design:8s} break {dream.support_break_rate(x):.3f} "
              f"objective {obj['before'].mean():+.2f} -> {obj['after'].mean():+.2f} "
              f"(positive before {(obj['before'] > 0).float().mean():.2f}, after {(obj['after'] > 0).float().mean():.2f}) "
              f"walls changed per dream {np.abs(dream.changed_walls(x, p)).sum(axis=(1, 2)).mean():.2f}")
