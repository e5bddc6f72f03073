"""R05: how strong is a scramble? Loss and behaviour after k ascent steps (no retraining)."""
import sys
import torch
from harvest.core.maze import generate, generate_ood
from harvest.core.seeding import rng_for
from harvest.core.replay import build_buffer
from harvest.core.dqn import make_net
from harvest.research.planted_init import scramble
from common import row

path, lr, on = sys.argv[1], float(sys.argv[2]), sys.argv[3]
from common import shorten_dead_ends
sets = {"id": generate(300, rng_for(0, 3)), "short": shorten_dead_ends(generate(300, rng_for(0, 4)))}
buf = build_buffer(generate(1500, rng_for(100, 1)))
for k in [int(v) for v in sys.argv[4].split(",")]:
    net = make_net(); net.load_state_dict(torch.load(path))
    losses = scramble(net, buf, k, lr)
    print(f"k={k:3d} lr={lr} loss {losses[0]:.2f} -> {losses[-1]:.1f} | {row(net, sets)}", flush=True)
