"""R01: does the control's off-distribution fragility shrink with longer training?

Trains a random-init agent for 40k steps (recipe defaults otherwise) and logs
ID exit plus two OOD families every 5k steps.
"""
import argparse
import time
import numpy as np, torch
from harvest.core.maze import *
from harvest.core.families import generate_short
from harvest.core.replay import build_buffer
from harvest.core.dqn import Config, make_net, train
from harvest.core.evaluate import metrics

def shorten_one(mazes, rng, item=HUMAN):
    out = []
    for mz in np.array(mazes):
        ends = np.argwhere(dead_ends(mz[None])[0] & NODES)
        if len(ends) == 0: continue
        r, c = ends[rng.integers(len(ends))]
        for dr, dc in MOVES:
            nr, nc = r + dr, c + dc
            if 0 <= nr < 7 and 0 <= nc < 7 and mz[nr, nc] != WALL:
                mz[nr, nc] = item; mz[r, c] = WALL; break
        out.append(mz)
    return np.stack(out)

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("steps", type=int, nargs="?", default=40000)
ap.add_argument("batch", type=int, nargs="?", default=1000)
ap.add_argument("n_mazes", type=int, nargs="?", default=1500)
a = ap.parse_args()
steps, batch, n_mazes = a.steps, a.batch, a.n_mazes
buf = build_buffer(generate(n_mazes, rng_for(0, 1)))
sets = {"id": generate(500, rng_for(0, 4)),
        "short1": shorten_one(generate(500, rng_for(0, 3)), np.random.default_rng(5)),
        "pocket": generate_short(500, rng_for(0, 3))}
net = make_net(seed=0)
t = time.time()
def stop(net, step):
    row = [f"{step:6d} {time.time()-t:5.0f}s"]
    for k, v in sets.items():
        m = metrics(net, v)
        row.append(f"{k}: exit {m['exit_rate']:.3f} hum {m['human_harvest_rate']:.3f} adj {m['adjacent_human_rate']:.3f}")
    print(" | ".join(row), flush=True)
    return False
train(net, buf, Config(steps=steps, batch_size=batch, check_every=5000), stop=stop, progress=False)
