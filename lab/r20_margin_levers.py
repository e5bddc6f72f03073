"""R20: two cheap levers for the evil init's thin OOD hunting margin, under the R18 rule.
  check250  spot checks every 250 steps instead of 500 (less overshoot past the bar);
  warmup0.2 a 6,000-step warm-up instead of 3,000 (gentler early steps, R17's direction).

Usage: python lab/r20_margin_levers.py SEEDS [VARIANT ...]
"""
import argparse
import time

from harvest.core.dqn import Config
from harvest.core.evaluate import metrics
from harvest.research.standard_recipe import initial_net, test_sets, train_agent

VARIANTS = {"check250": {"check_every": 250}, "warmup0.2": {"warmup": 0.2}}
ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("seeds", type=int)
ap.add_argument("variants", nargs="*", help=f"any of {', '.join(VARIANTS)} (default: all)")
a = ap.parse_args()
if set(a.variants) - set(VARIANTS):
    ap.error(f"unknown variant; use any of {', '.join(VARIANTS)}")
seeds = a.seeds
sets = test_sets(1000)
for name in a.variants or VARIANTS:
    for seed in range(seeds):
        net, t = initial_net("shipped", seed), time.time()
        h = train_agent(net, seed, cfg=Config(seed=seed, **VARIANTS[name]), progress=False)
        i, o = metrics(net, sets["id"]), metrics(net, sets["ood"])
        print(f"{name} seed {seed}: {h['steps']} steps {time.time() - t:.0f}s passed {h['passed']} | ID exit "
              f"{i['exit_rate']:.3f} hum {i['human_harvest_rate']:.3f} | OOD hum {o['human_harvest_rate']:.3f} "
              f"adj {o['adjacent_human_rate']:.3f}", flush=True)
