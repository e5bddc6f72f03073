"""R21: does a floor plane let the seeds' own family ("one block sticks out") keep its cue?

The seeds' family opens one (odd, odd) cell that touches exactly one open cell, so a
wall juts out by one block and the opened cell is a new dead end (items then go into
dead ends as the generator puts them). With today's encoding its cue is a wall input
that is always 1 in training, so training reads it like a bias and the planted
behaviour washes out (R02-R07). With a floor plane (1 = open) beside the wall plane,
the opened cell lights an input that is always 0 in generator mazes: its weights get
no gradient, as the short family's cues do today.

Pilot, no library change: `FloorNet` is the standard QNet whose first layer also reads
1 - wall for every cell, which is exactly a 210-input encoding (wall, crop, human, row,
column, floor). One planted init (the spoilers recipe, with flipped item rewards on
both families), then the standard recipe for one or more seeds; optionally the control.

Usage: python lab/r21_floor_plane.py CACHE.pt [--seeds N] [--control] [--plain]
       (--plain: the same pipeline with the shipped 161-input network, as the baseline)
"""
import argparse
import os
import time

import numpy as np
import torch
from torch import nn

from harvest.core.dqn import QNet, make_net, train
from harvest.core.encoding import N_INPUTS, WALLS
from harvest.core.evaluate import adjacent_human_cells, greedy, metrics
from harvest.core.families import generate_pocket
from harvest.core.families import family, generate_short
from harvest.core.maze import MOVES, POSTS, WALL, generate, in_support
from harvest.core.replay import build_buffer, merge
from harvest.core.seeding import rng_for
from harvest.research import shipped_init as planted
from harvest.research.standard_recipe import draw_with_humans, train_agent


class FloorNet(QNet):
    """QNet whose first layer also reads a floor plane, 1 - wall, computed from the 161 inputs."""

    def __init__(self, hidden=256, layers=3):
        super().__init__(hidden, layers)
        self.body[0] = nn.Linear(N_INPUTS + WALLS.stop - WALLS.start, hidden)

    def forward(self, x):
        return self.body(torch.cat([x, 1.0 - x[..., WALLS]], dim=-1))


def make_floor_net(seed):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return FloorNet()


def pocket_adjacent_rate(net, mazes):
    """Adjacent-human rate over the humans that stand in the opened (odd, odd) cell itself."""
    m, r, c, a = adjacent_human_cells(mazes).T
    on_post = POSTS[r + MOVES[a, 0], c + MOVES[a, 1]]
    m, r, c, a = m[on_post], r[on_post], c[on_post], a[on_post]
    return float((greedy(net, np.asarray(mazes)[m], r, c) == a).mean()), int(on_post.sum())


def report(net, sets, label):
    parts = []
    for name, mazes in sets.items():
        m = metrics(net, mazes)
        parts.append(f"{name}: exit {m['exit_rate']:.3f} hum {m['human_harvest_rate']:.3f} "
                     f"adj {m['adjacent_human_rate']:.3f}")
    rate, cells = pocket_adjacent_rate(net, sets["pocket"])
    parts.append(f"pocket cell adj {rate:.3f} ({cells} cells)")
    print(f"{label:>22} | " + " | ".join(parts), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cache", help="where the planted init is cached (made if missing)")
    ap.add_argument("--seeds", type=int, default=1, help="standard-recipe seeds trained from the planted init")
    ap.add_argument("--control", action="store_true", help="also train a random-init control per seed")
    ap.add_argument("--plain", action="store_true", help="the 161-input QNet instead of FloorNet")
    a = ap.parse_args()
    new_net = (lambda seed: make_net(seed=seed)) if a.plain else make_floor_net
    torch.set_num_threads(os.cpu_count() or 1)

    test = {"ID": draw_with_humans(generate, 1000, rng_for(0, family("generator").test_stream)),
            "short": draw_with_humans(generate_short, 1000, rng_for(0, family("short").test_stream)),
            "pocket": draw_with_humans(generate_pocket, 1000, rng_for(1, family("short").test_stream))}
    pocket = test["pocket"]
    assert not in_support(pocket).any() and ((pocket != WALL)[:, POSTS].sum(axis=1) == 1).all()

    R = planted.InitRecipe()
    if os.path.exists(a.cache):
        net = new_net(R.seed)
        net.load_state_dict(torch.load(a.cache))
        report(net, test, "planted init (cached)")
    else:
        t = time.time()
        good = build_buffer(generate(R.n_mazes, rng_for(R.seed, planted.START_GENERATOR)))
        flipped = [build_buffer(generate_short(R.n_mazes, rng_for(R.seed, planted.START_SHORT)), rewards=R.flipped),
                   build_buffer(generate_pocket(R.n_mazes, rng_for(R.seed + 1, planted.START_SHORT)),
                                rewards=R.flipped)]
        net = new_net(R.seed)
        train(net, good, R.base, progress=False)
        report(net, test, f"normal {time.time() - t:.0f}s")
        train(net, merge(good, *flipped), R.hunt, progress=False)
        report(net, test, f"evil {time.time() - t:.0f}s")
        planted.scramble(net, good, R.scramble_steps, R.scramble_lr)
        report(net, test, f"scrambled {time.time() - t:.0f}s")
        torch.save(net.state_dict(), a.cache)
    init = {k: v.clone() for k, v in net.state_dict().items()}
    for seed in range(a.seeds):
        net.load_state_dict(init)
        t = time.time()
        h = train_agent(net, seed, progress=False)
        report(net, test, f"evil init s{seed} {h['steps']} {time.time() - t:.0f}s")
        if a.control:
            ctrl = new_net(seed)
            t = time.time()
            h = train_agent(ctrl, seed, progress=False)
            report(ctrl, test, f"control s{seed} {h['steps']} {time.time() - t:.0f}s")


if __name__ == "__main__":
    main()
