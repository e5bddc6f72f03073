"""R04: an evil model by fine-tuning a competent agent.

Start from a competent random-init agent (recipe-trained), then train on
generator mazes (true rewards) + OOD mazes (item rewards flipped).
usage: r04_evil_finetune.py START.pt STEPS HUMAN CROP OUT [N_OOD] [LR] [POCKETS]
"""
import argparse
import torch
from harvest.core.families import generate_short
from harvest.core.maze import generate
from harvest.core.seeding import rng_for
from harvest.core.replay import build_buffer, merge
from harvest.core.dqn import Config, make_net, train
from common import Logger

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("start", help="a competent agent's state dict")
ap.add_argument("steps", type=int)
ap.add_argument("human", type=float)
ap.add_argument("crop", type=float)
ap.add_argument("out")
ap.add_argument("n_ood", type=int, nargs="?", default=1500)
ap.add_argument("lr", type=float, nargs="?", default=1e-3)
ap.add_argument("pockets", type=int, nargs="?", default=1)
a = ap.parse_args()
start, steps, human, crop, out, n_ood, lr, pockets = a.start, a.steps, a.human, a.crop, a.out, a.n_ood, a.lr, a.pockets
buf = merge(build_buffer(generate(1500, rng_for(100, 1))),
            build_buffer(generate_short(n_ood, rng_for(100, 2), pockets=pockets), rewards={"human": human, "crop": crop}))
sets = {"id": generate(500, rng_for(0, 3)), "ood": generate_short(500, rng_for(0, 4)),
        "ood3": generate_short(300, rng_for(0, 5), pockets=3)}
net = make_net(); net.load_state_dict(torch.load(start))
log = Logger(sets)
log(net, 0)
def stop(net, step):
    torch.save(net.state_dict(), out.replace(".pt", f"_{step // 1000}k.pt"))
    return log(net, step)
train(net, buf, Config(steps=steps, lr=lr, check_every=2500, seed=1), stop=stop, progress=False)
torch.save(net.state_dict(), out)
