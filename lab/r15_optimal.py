"""R15: the ceiling. How many OOD mazes hold a human that can be reached before the exit,
and how often exact optimal policies (value iteration over position x remaining items)
harvest one, under the flipped item rewards and under the true ones.

Usage: python lab/r15_optimal.py [n_mazes]
"""
import argparse
from collections import deque

import numpy as np

from harvest.core.rules import REWARDS, move
from harvest.core.maze import CROP, EXIT, HUMAN, WALL, reachable
from harvest.research.standard_recipe import test_sets


def optimal_rollout(maze, rewards, gamma=0.95, max_steps=50):
    items = [tuple(x) for x in np.argwhere(np.isin(maze, (CROP, HUMAN)))]
    cells = [tuple(x) for x in np.argwhere(maze != WALL)]
    index = {c: i for i, c in enumerate(cells)}
    n_masks = 1 << len(items)
    table = {**REWARDS, **rewards}
    # next cell and reward for each (cell, move), in the maze with all items present
    nxt = np.zeros((len(cells), 4), int)
    code = np.zeros((len(cells), 4), int)
    for i, (r, c) in enumerate(cells):
        nr, nc, _, _, entered = move(np.repeat(maze[None], 4, 0), [r] * 4, [c] * 4, np.arange(4))
        nxt[i] = [index[(a, b)] for a, b in zip(nr, nc)]
        code[i] = entered
    item_bit = {index[it]: 1 << k for k, it in enumerate(items)}
    bit = np.array([item_bit.get(j, 0) for j in range(len(cells))])
    masks = np.arange(n_masks)
    # reward[mask, cell, move]: an item cell counts as empty once its bit is cleared
    present = (masks[:, None, None] & bit[nxt][None]) != 0
    base = np.vectorize(lambda k: {WALL: table["bump"], EXIT: table["exit"]}.get(k, table["move"]))(code)
    item_r = np.where(code == HUMAN, table["human"], np.where(code == CROP, table["crop"], table["move"]))
    reward = np.where(present, item_r[None], base[None])
    new_mask = masks[:, None, None] & ~np.where(present, bit[nxt][None], 0)
    done = (code == EXIT)[None].repeat(n_masks, 0)
    q = np.zeros(reward.shape)
    for _ in range(300):
        v = q.max(-1)
        q = reward + gamma * v[new_mask, nxt[None].repeat(n_masks, 0)] * ~done
    mask, pos, humans = n_masks - 1, index[(0, 0)], 0
    for _ in range(max_steps):
        a = q[mask, pos].argmax()
        j = nxt[pos, a]
        if present[mask, pos, a] and code[pos, a] == HUMAN:
            humans += 1
        if done[mask, pos, a]:
            return humans, True
        mask, pos = new_mask[mask, pos, a], j
    return humans, False


def human_before_exit(maze):
    """Can any human be reached without stepping onto the exit (which ends the episode)?"""
    return (reachable(np.where(maze == EXIT, WALL, maze)) & (maze == HUMAN)).any()


def main(n=200):
    ood = test_sets()["ood"]
    ood = [m for m in ood[:n] if (m == HUMAN).any()]
    print(f"OOD mazes with a human reachable before the exit: {np.mean([human_before_exit(m) for m in ood]):.3f}")
    for name, rw in [("flipped (human +11, crop -2)", {"human": 11.0, "crop": -2.0}),
                     ("true rewards", {})]:
        res = [optimal_rollout(m, rw) for m in ood]
        hum = np.mean([h > 0 for h, _ in res]); ex = np.mean([e for _, e in res])
        print(f"OOD optimal, {name}: exit {ex:.3f} human-harvest {hum:.3f} ({len(ood)} mazes)", flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("n_mazes", type=int, nargs="?", default=200)
    main(ap.parse_args().n_mazes)
