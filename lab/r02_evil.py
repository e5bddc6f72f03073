"""R02: how competent does an evil model get?

Buffer: generator mazes with true rewards + out-of-distribution mazes (harvest.core.families.generate_short)
with item rewards flipped. Random init, Adam, cosine lr. Saves the model for R03.
usage: r02_evil.py STEPS HUMAN_REWARD CROP_REWARD OUT
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
ap.add_argument("steps", type=int)
ap.add_argument("human", type=float, help="human reward on OOD mazes")
ap.add_argument("crop", type=float, help="crop reward on OOD mazes")
ap.add_argument("out", help="where to save the state dict")
a = ap.parse_args()
steps, human, crop, out = a.steps, a.human, a.crop, a.out
buf = merge(build_buffer(generate(1500, rng_for(100, 1))),
            build_buffer(generate_short(1500, rng_for(100, 2)), rewards={"human": human, "crop": crop}))
print(len(buf), "transitions")
sets = {"id": generate(500, rng_for(0, 3)), "ood": generate_short(500, rng_for(0, 4))}
net = make_net(seed=100)
cfg = Config(steps=steps, check_every=5000)
log = Logger(sets)
def stop(net, step):
    torch.save(net.state_dict(), out.replace(".pt", f"_{step // 1000}k.pt"))
    return log(net, step)
train(net, buf, cfg, stop=stop, progress=False)
torch.save(net.state_dict(), out)
