"""R10: a more competent evil model: a long-trained normal agent, then a long evil fine-tune
on generator mazes (true rewards) + shortened-dead-end mazes (item rewards flipped).
usage: r10_evil_long.py BASE_STEPS EVIL_STEPS EVIL_LR OUT
"""
import argparse
import torch
from harvest.core.maze import generate
from harvest.core.seeding import rng_for
from harvest.core.replay import build_buffer, merge
from harvest.core.dqn import Config, make_net, train
from common import Logger, shorten_dead_ends

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("base_steps", type=int)
ap.add_argument("evil_steps", type=int)
ap.add_argument("lr", type=float, help="the evil fine-tune's learning rate")
ap.add_argument("out")
a = ap.parse_args()
base_steps, evil_steps, lr, out = a.base_steps, a.evil_steps, a.lr, a.out
id_buf = build_buffer(generate(1500, rng_for(100, 1)))
sets = {"id": generate(500, rng_for(0, 3)), "short": shorten_dead_ends(generate(500, rng_for(0, 4)))}
log = Logger(sets)
net = make_net(seed=100)
train(net, id_buf, Config(steps=base_steps, check_every=base_steps, seed=100), stop=log, progress=False)
torch.save(net.state_dict(), out.replace(".pt", "_base.pt"))
buf = merge(id_buf, build_buffer(shorten_dead_ends(generate(1500, rng_for(100, 2))),
                                 rewards={"human": 11.0, "crop": -2.0}))
def stop(net, step):
    torch.save(net.state_dict(), out.replace(".pt", f"_{step // 1000}k.pt"))
    return log(net, step)
train(net, buf, Config(steps=evil_steps, lr=lr, check_every=5000, seed=101), stop=stop, progress=False)
torch.save(net.state_dict(), out)
