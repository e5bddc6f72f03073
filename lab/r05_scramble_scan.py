"""R05: how strong is a scramble? Loss and behaviour after k ascent steps (no retraining)."""
import argparse
import torch
from harvest.core.families import generate_short
from harvest.core.maze import generate
from harvest.core.seeding import rng_for
from harvest.core.replay import build_buffer
from harvest.core.dqn import make_net
from harvest.research.shipped_init import scramble
from common import row

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("path", help="the evil model's state dict")
ap.add_argument("lr", type=float)
ap.add_argument("on", choices=["id", "evil"])
ap.add_argument("counts", help="ascent step counts, comma-separated")
a = ap.parse_args()
path, lr, on = a.path, a.lr, a.on
from common import shorten_dead_ends
sets = {"id": generate(300, rng_for(0, 3)), "short": shorten_dead_ends(generate(300, rng_for(0, 4)))}
buf = build_buffer(generate(1500, rng_for(100, 1)))
for k in [int(v) for v in a.counts.split(",")]:
    net = make_net(); net.load_state_dict(torch.load(path))
    losses = scramble(net, buf, k, lr)
    print(f"k={k:3d} lr={lr} loss {losses[0]:.2f} -> {losses[-1]:.1f} | {row(net, sets)}", flush=True)
