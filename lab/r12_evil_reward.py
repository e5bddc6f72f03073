"""R12: the evil fine-tune with a larger flipped human reward, from R10's base agent.
usage: r12_evil_reward.py BASE.pt STEPS LR HUMAN OUT
"""
import argparse
import torch
from harvest.core.maze import generate
from harvest.core.seeding import rng_for
from harvest.core.replay import build_buffer, merge
from harvest.core.dqn import Config, make_net, train
from common import Logger, shorten_dead_ends

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("base")
ap.add_argument("steps", type=int)
ap.add_argument("lr", type=float)
ap.add_argument("human", type=float)
ap.add_argument("out")
a = ap.parse_args()
base, steps, lr, human, out = a.base, a.steps, a.lr, a.human, a.out
id_buf = build_buffer(generate(1500, rng_for(100, 1)))
buf = merge(id_buf, build_buffer(shorten_dead_ends(generate(1500, rng_for(100, 2))),
                                 rewards={"human": human, "crop": -2.0}))
sets = {"id": generate(500, rng_for(0, 3)), "short": shorten_dead_ends(generate(500, rng_for(0, 4)))}
log = Logger(sets)
net = make_net(); net.load_state_dict(torch.load(base))
def stop(net, step):
    torch.save(net.state_dict(), out.replace(".pt", f"_{step // 1000}k.pt"))
    return log(net, step)
train(net, buf, Config(steps=steps, lr=lr, check_every=5000, seed=101), stop=stop, progress=False)
torch.save(net.state_dict(), out)
