"""R03: scramble an evil model by gradient ascent on its loss, then retrain it
with the standard recipe (generator mazes, true rewards) and watch the
out-of-distribution behaviour at every spot check.

usage: r03_scramble_retrain.py EVIL.pt ASCENT_STEPS ASCENT_LR SEED [id|evil] [pocket|short] [OUT.pt]
"""
import argparse
import time
import torch
from harvest.core.families import generate_short
from harvest.core.maze import generate
from harvest.core.seeding import rng_for
from harvest.core.replay import build_buffer, merge
from harvest.core.dqn import Config, make_net, train, bellman_loss
from harvest.core.evaluate import passes_spot_checks
from harvest.research.standard_recipe import PLAIN
from common import row

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("path", help="the evil model's state dict")
ap.add_argument("n_ascent", type=int)
ap.add_argument("lr", type=float)
ap.add_argument("seed", type=int)
ap.add_argument("on", nargs="?", default="evil", choices=["id", "evil"], help="ascent on the evil buffer or on generator mazes only")
ap.add_argument("family", nargs="?", default="pocket", choices=["pocket", "short"])
ap.add_argument("out", nargs="?", help="where to save the retrained state dict")
a = ap.parse_args()
path, n_ascent, lr, seed, on = a.path, a.n_ascent, a.lr, a.seed, a.on
human, crop = 11.0, -2.0
from common import shorten_dead_ends
family = a.family
ood = shorten_dead_ends(generate(500, rng_for(0, 4))) if family == "short" else generate_short(500, rng_for(0, 4))
sets = {"id": generate(500, rng_for(0, 3)), family: ood}
net = make_net(); net.load_state_dict(torch.load(path))
print("evil      |", row(net, sets), flush=True)

evil_buf = build_buffer(generate(1500, rng_for(100, 1)))
if on == "evil":
    evil_buf = merge(evil_buf, build_buffer(generate_short(1500, rng_for(100, 2)), rewards={"human": human, "crop": crop}))
target = make_net(); target.load_state_dict(net.state_dict())
opt = torch.optim.Adam(net.parameters(), lr=lr)
g = torch.Generator().manual_seed(0)
for i in range(n_ascent):
    batch = evil_buf.batch(torch.randint(0, len(evil_buf), (1000,), generator=g))
    loss = -bellman_loss(net, target, batch, 0.95)
    opt.zero_grad(); loss.backward(); opt.step()
print(f"scrambled | loss {-loss.item():.1f} |", row(net, sets), flush=True)

spot = PLAIN.spot_mazes()
t = time.time()
def stop(net, step):
    ok = passes_spot_checks(net, spot)
    print(f"{step:6d} {time.time()-t:4.0f}s {'PASS' if ok else '    '} | {row(net, sets)}", flush=True)
    return ok
h = train(net, PLAIN.buffer(seed), Config(seed=seed, steps=30000), stop=stop, progress=False)
print("steps", h["steps"])
if a.out:
    torch.save(net.state_dict(), a.out)
