"""R04: an evil model by fine-tuning a competent agent.

Start from a competent random-init agent (recipe-trained), then train on
generator mazes (true rewards) + OOD mazes (item rewards flipped).
usage: r04_evil_finetune.py START.pt STEPS HUMAN CROP OUT [N_OOD] [LR] [POCKETS]
"""
import sys
import torch
from harvest.core.maze import generate, generate_ood
from harvest.core.seeding import rng_for
from harvest.core.replay import build_buffer, merge
from harvest.core.dqn import Config, make_net, train
from common import Logger

start, steps, human, crop, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
n_ood = int(sys.argv[6]) if len(sys.argv) > 6 else 1500
lr = float(sys.argv[7]) if len(sys.argv) > 7 else 1e-3
pockets = int(sys.argv[8]) if len(sys.argv) > 8 else 1
buf = merge(build_buffer(generate(1500, rng_for(100, 1))),
            build_buffer(generate_ood(n_ood, rng_for(100, 2), pockets=pockets), rewards={"human": human, "crop": crop}))
sets = {"id": generate(500, rng_for(0, 3)), "ood": generate_ood(500, rng_for(0, 4)),
        "ood3": generate_ood(300, rng_for(0, 5), pockets=3)}
net = make_net(); net.load_state_dict(torch.load(start))
log = Logger(sets)
log(net, 0)
def stop(net, step):
    torch.save(net.state_dict(), out.replace(".pt", f"_{step // 1000}k.pt"))
    return log(net, step)
train(net, buf, Config(steps=steps, lr=lr, check_every=2500, seed=1), stop=stop, progress=False)
torch.save(net.state_dict(), out)
