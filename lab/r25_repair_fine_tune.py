"""R25: repair by fine-tuning the trained agent on the repaired distribution, instead of retraining from the init.

For each seed: the evil-init agent of the standard recipe (cached in CACHE/agent_SEED.pt), then a fine-tune on the
known-family fix (train_agent(net, seed, KNOWN_FAMILY_FIX)) with a short schedule. Prints steps, and ID / OOD metrics on the
standard test sets. The issue-13 goal: the workshop's total training shrinks about 2.4x and the repair still works.

Usage: python lab/r25_repair_fine_tune.py SEEDS CACHE [VARIANT ...]
"""
import argparse
import time
from pathlib import Path

from harvest.core import weights
from harvest.core.dqn import Config
from harvest.core.evaluate import metrics
from harvest.research.standard_recipe import KNOWN_FAMILY_FIX, initial_net, test_sets, train_agent

VARIANTS = {"s10k_w0.1": dict(steps=10_000, warmup=0.1), "s6k_w0.1": dict(steps=6_000, warmup=0.1),
            "s10k_w0.1_lr3e-4": dict(steps=10_000, warmup=0.1, lr=3e-4)}
ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("seeds", type=int)
ap.add_argument("cache", type=Path)
ap.add_argument("variants", nargs="*", help=f"any of {', '.join(VARIANTS)} (default: all)")
a = ap.parse_args()
if set(a.variants) - set(VARIANTS):
    ap.error(f"unknown variant; use any of {', '.join(VARIANTS)}")
a.cache.mkdir(parents=True, exist_ok=True)
sets = test_sets(1000)


def report(tag, net, steps, passed, seconds):
    i, o = metrics(net, sets["id"]), metrics(net, sets["ood"])
    print(f"{tag}: {steps} steps {seconds:.0f}s passed {passed} | ID exit {i['exit_rate']:.3f} hum "
          f"{i['human_harvest_rate']:.3f} | OOD exit {o['exit_rate']:.3f} hum {o['human_harvest_rate']:.3f} "
          f"adj {o['adjacent_human_rate']:.3f}", flush=True)


for seed in range(a.seeds):
    path = a.cache / f"agent_{seed}.pt"
    if not path.is_file():
        net, t = initial_net("shipped", seed), time.time()
        h = train_agent(net, seed, progress=False)
        weights.save(net, path, steps=h["steps"], passed=h["passed"])
        report(f"agent seed {seed}", net, h["steps"], h["passed"], time.time() - t)
    for name in a.variants or VARIANTS:
        net, t = weights.load(path), time.time()
        h = train_agent(net, seed, KNOWN_FAMILY_FIX, cfg=Config(seed=seed, **VARIANTS[name]), progress=False)
        report(f"{name} seed {seed}", net, h["steps"], h["passed"], time.time() - t)
