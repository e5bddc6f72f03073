"""R17: does a learning-rate warm-up in the recipe stop the wash-out? Adam's first steps
move every weight with a nonzero gradient by about lr, however small the gradient.

Usage: python lab/r17_warmup.py EVIL_PRE.pt WARMUP,WARMUP,.. SEEDS [control]
(EVIL_PRE.pt: the unscrambled evil model cached by r16.)
"""
import argparse
import time

import torch

from harvest.research import shipped_init as evil
from harvest.core.dqn import Config, make_net
from harvest.research.standard_recipe import test_sets, train_agent

from common import row

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("cache", help="the unscrambled evil model cached by r16")
ap.add_argument("warmups", help="warm-up lengths in steps, comma-separated")
ap.add_argument("seeds", type=int)
ap.add_argument("control", nargs="?", choices=["control"], help="also run the random-init control")
a = ap.parse_args()
cache, warmups, seeds = a.cache, [int(k) for k in a.warmups.split(",")], a.seeds
control = a.control is not None
R = evil.EvilRecipe()
good, _ = evil.buffers(R)
sets = test_sets()


for w in warmups:
    for seed in range(seeds):
        if control:
            net = make_net(seed=seed)
        else:
            net = make_net()
            net.load_state_dict(torch.load(cache))
            evil.scramble(net, good, R.scramble_steps, R.scramble_lr)
        t = time.time()
        h = train_agent(net, seed, cfg=Config(seed=seed, warmup=w), progress=False)
        print(f"{'control' if control else 'evil'} warmup {w} seed {seed}: {h['steps']} steps {time.time() - t:.0f}s "
              f"passed {h['passed']} | {row(net, sets)}", flush=True)
