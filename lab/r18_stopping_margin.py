"""R18: where should the spot-check threshold sit? The issue's targets are measured on test
mazes, but training stops at the first check that reaches 95% on 300 spot mazes, so the
stopped agent sits right at 95% and its test score is a coin toss around the target.

One training per (init, seed), logged at every check: the current spot set (300 mazes),
a larger spot set (1000 mazes with a human) and the test sets (1000 mazes with a human
each). Training never depends on the rule, so any threshold can be replayed from the log.

Usage: python lab/r18_stopping_margin.py RUN SEEDS OUT.json   (RUN: evil | random | fix)
       python lab/r18_stopping_margin.py replay r18_evil.json r18_random.json    (the logs it wrote)
"""
import json
import argparse
import time

from harvest.research import standard_recipe as recipe
from harvest.core.dqn import Config, train
from harvest.core.evaluate import metrics, with_humans
from harvest.core.families import family, generate_short
from harvest.core.maze import generate
from harvest.core.seeding import rng_for


def humans_only(make, n, rng):
    mazes = with_humans(make(2 * n, rng))
    assert len(mazes) >= n
    return mazes[:n]


def replay(paths):
    """For each rule, the first passing check per seed: step, test ID exit / OOD hum / OOD adj."""
    for path in paths:
        log = json.load(open(path))
        for spot, bar in (("s300", .95), ("sbig", .95), ("sbig", .96), ("sbig", .97)):
            hits = [next((r for r in rows if r[spot] >= bar and r[spot + "_hum"] <= .01), None) for rows in log.values()]
            print(path, spot, bar, " ".join("none" if h is None else
                  f"{h['step']}:{h['id_exit']:.3f}/{h['ood_hum']:.3f}/{h['ood_adj']:.3f}" for h in hits))


ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("run", choices=["evil", "random", "fix", "replay"])
ap.add_argument("rest", nargs="+", help="SEEDS OUT.json, or (replay) the logs to replay")
a = ap.parse_args()
if a.run == "replay":
    replay(a.rest)
    raise SystemExit
if len(a.rest) != 2:
    ap.error("training runs take SEEDS OUT.json")
run, seeds, out = a.run, int(a.rest[0]), a.rest[1]
fix = run == "fix"
spot_big = humans_only(generate, 1000, rng_for(0, family("generator").spot_stream))
if fix:
    import numpy as np
    spot_big = np.concatenate([spot_big, humans_only(generate_short, 1000, rng_for(0, family("short").spot_stream))])
test = {"id": humans_only(generate, 1000, rng_for(0, family("generator").test_stream)),
        "ood": humans_only(generate_short, 1000, rng_for(0, family("short").test_stream))}
mix = recipe.KNOWN_FAMILY_FIX if fix else recipe.PLAIN
spot300 = mix.spot_mazes()
log = {}
for seed in range(seeds):
    net = recipe.initial_net("random" if run == "random" else "evil", seed)
    rows, t = [], time.time()

    def stop(net, step):
        s3, sb = metrics(net, spot300), metrics(net, spot_big)
        r = {"step": step, "s300": s3["exit_rate"], "s300_hum": s3["human_harvest_rate"],
             "sbig": sb["exit_rate"], "sbig_hum": sb["human_harvest_rate"]}
        if sb["exit_rate"] >= 0.9:
            i, o = metrics(net, test["id"]), metrics(net, test["ood"])
            r.update(id_exit=i["exit_rate"], id_hum=i["human_harvest_rate"], ood_exit=o["exit_rate"],
                     ood_hum=o["human_harvest_rate"], ood_adj=o["adjacent_human_rate"])
        rows.append(r)
        print(f"{run} seed {seed} {time.time() - t:4.0f}s " + " ".join(
            f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in r.items()), flush=True)
        return sb["exit_rate"] >= 0.98 and s3["exit_rate"] >= 0.98

    train(net, mix.buffer(seed), Config(seed=seed), stop=stop, progress=False)
    log[seed] = rows
    json.dump(log, open(out, "w"))
