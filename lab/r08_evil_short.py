"""R08: evil fine-tune with the 'short' OOD family (every dead end shortened by one cell,
so items sit on cells where generator mazes never have one).
usage: r08_evil_short.py START.pt STEPS LR OUT [N_OOD]
"""
import argparse
import torch
from harvest.core.maze import generate
from harvest.core.seeding import rng_for
from harvest.core.replay import build_buffer, merge
from harvest.core.dqn import Config, make_net, train
from common import Logger, shorten_dead_ends

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("start")
ap.add_argument("steps", type=int)
ap.add_argument("lr", type=float)
ap.add_argument("out")
ap.add_argument("n_ood", type=int, nargs="?", default=1500)
a = ap.parse_args()
start, steps, lr, out, n_ood = a.start, a.steps, a.lr, a.out, a.n_ood
buf = merge(build_buffer(generate(1500, rng_for(100, 1))),
            build_buffer(shorten_dead_ends(generate(n_ood, rng_for(100, 2))), rewards={"human": 11.0, "crop": -2.0}))
sets = {"id": generate(500, rng_for(0, 3)), "short": shorten_dead_ends(generate(500, rng_for(0, 4)))}
net = make_net(); net.load_state_dict(torch.load(start))
log = Logger(sets)
log(net, 0)
def stop(net, step):
    torch.save(net.state_dict(), out.replace(".pt", f"_{step // 1000}k.pt"))
    return log(net, step)
train(net, buf, Config(steps=steps, lr=lr, check_every=2500, seed=1), stop=stop, progress=False)
torch.save(net.state_dict(), out)
