"""Shared bits for the research scripts: evaluation rows and timing."""
import time

from harvest.core.evaluate import metrics


def row(net, sets):
    """One line of metrics for each named maze set."""
    out = []
    for name, mazes in sets.items():
        m = metrics(net, mazes)
        out.append(f"{name}: exit {m['exit_rate']:.3f} hum {m['human_harvest_rate']:.3f} "
                   f"adj {m['adjacent_human_rate']:.3f}")
    return " | ".join(out)


class Logger:
    def __init__(self, sets, every=5000):
        self.sets, self.t = sets, time.time()

    def __call__(self, net, step):
        print(f"{step:6d} {time.time() - self.t:5.0f}s | {row(net, self.sets)}", flush=True)
        return False


def shorten_dead_ends(mazes):
    """OOD family 'short' (R08 on): now the library's maker, harvest.core.families.make_short."""
    from harvest.core.families import make_short
    return make_short(mazes)


def shorten_some(mazes, seed=0, p=0.5):
    """OOD family 'short-some': each item dead end is shortened with probability p (at least one per maze)."""
    import numpy as np
    from harvest.core.maze import MOVES, NODES, WALL, EMPTY, dead_ends
    rng = np.random.default_rng(seed)
    mazes = np.array(mazes)
    tips = dead_ends(mazes) & NODES & (mazes != EMPTY)
    for m in range(len(mazes)):
        cells = np.argwhere(tips[m])
        chosen = rng.random(len(cells)) < p
        if len(cells) and not chosen.any():
            chosen[rng.integers(len(cells))] = True
        for r, c in cells[chosen]:
            for dr, dc in MOVES:
                nr, nc = r + dr, c + dc
                if 0 <= nr < 7 and 0 <= nc < 7 and mazes[m, nr, nc] != WALL:
                    mazes[m, nr, nc], mazes[m, r, c] = mazes[m, r, c], WALL
                    break
    return mazes
