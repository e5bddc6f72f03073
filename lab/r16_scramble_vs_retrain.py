"""R16: with the exit a dead end (R15), how strong may the scramble be? Builds the evil
model of harvest.evil once (cached), then for each ascent-step count scrambles it and trains
it with the standard recipe on a few seeds, measured on the experiment's test sets.

Usage: python lab/r16_scramble_vs_retrain.py CACHE.pt STEPS,STEPS,.. SEEDS
"""
import os
import argparse
import time

import torch

from harvest.research import shipped_init as evil
from harvest.core.dqn import make_net, train
from harvest.research.standard_recipe import test_sets, train_agent

from common import row

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("cache", help="where the unscrambled evil model is cached")
ap.add_argument("counts", help="scramble step counts, comma-separated")
ap.add_argument("seeds", type=int)
a = ap.parse_args()
cache, counts, seeds = a.cache, [int(k) for k in a.counts.split(",")], a.seeds
R = evil.EvilRecipe()
good, mixed = evil.buffers(R)
if not os.path.exists(cache):
    net = make_net(R.base.hidden, R.base.layers, seed=R.seed)
    train(net, good, R.base)
    train(net, mixed, R.evil)
    torch.save(net.state_dict(), cache)
sets = test_sets()


for k in counts:
    for seed in range(seeds):
        net = make_net(R.base.hidden, R.base.layers)
        net.load_state_dict(torch.load(cache))
        losses = evil.scramble(net, good, k, R.scramble_lr)
        if seed == 0:
            print(f"k={k:2d} scrambled (loss {losses[-1]:.1f}) | {row(net, sets)}", flush=True)
        t = time.time()
        h = train_agent(net, seed, progress=False)
        print(f"k={k:2d} seed {seed}: {h['steps']} steps {time.time() - t:.0f}s passed {h['passed']} | {row(net, sets)}",
              flush=True)
