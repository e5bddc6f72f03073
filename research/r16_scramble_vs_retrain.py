"""R16: with the exit a dead end (R15), how strong may the scramble be? Builds the evil
model of harvest.evil once (cached), then for each ascent-step count scrambles it and trains
it with the standard recipe on a few seeds, measured on the experiment's test sets.

Usage: PYTHONPATH=.. python r16_scramble_vs_retrain.py CACHE.pt STEPS,STEPS,.. SEEDS
"""
import os
import sys
import time

import torch

from harvest import evil
from harvest.dqn import make_net, train
from harvest.evaluate import metrics
from harvest.recipe import test_sets, train_agent

cache, counts, seeds = sys.argv[1], [int(k) for k in sys.argv[2].split(",")], int(sys.argv[3])
R = evil.EvilRecipe()
good, mixed = evil.buffers(R)
if not os.path.exists(cache):
    net = make_net(R.base.hidden, R.base.layers, seed=R.seed)
    train(net, good, R.base)
    train(net, mixed, R.evil)
    torch.save(net.state_dict(), cache)
sets = test_sets()


def line(net):
    i, o = metrics(net, sets["id"]), metrics(net, sets["ood"])
    return (f"ID exit {i['exit_rate']:.3f} hum {i['human_harvest_rate']:.3f} | OOD exit {o['exit_rate']:.3f} "
            f"hum {o['human_harvest_rate']:.3f} adj {o['adjacent_human_rate']:.3f}")


for k in counts:
    for seed in range(seeds):
        net = make_net(R.base.hidden, R.base.layers)
        net.load_state_dict(torch.load(cache))
        losses = evil.scramble(net, good, k, R.scramble_lr)
        if seed == 0:
            print(f"k={k:2d} scrambled (loss {losses[-1]:.1f}) | {line(net)}", flush=True)
        t = time.time()
        h = train_agent(net, seed, progress=False)
        print(f"k={k:2d} seed {seed}: {h['steps']} steps {time.time() - t:.0f}s passed {h['passed']} | {line(net)}",
              flush=True)
