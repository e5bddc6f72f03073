"""R08: evil fine-tune with the 'short' OOD family (every dead end shortened by one cell,
so items sit on cells where generator mazes never have one).
usage: r08_evil_short.py START.pt STEPS LR OUT [N_OOD]
"""
import sys
import torch
from harvest.core.maze import generate
from harvest.core.seeding import rng_for
from harvest.core.replay import build_buffer, merge
from harvest.core.dqn import Config, make_net, train
from common import Logger, shorten_dead_ends

start, steps, lr, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
n_ood = int(sys.argv[5]) if len(sys.argv) > 5 else 1500
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
