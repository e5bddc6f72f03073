"""R10: a more competent evil model: a long-trained normal agent, then a long evil fine-tune
on generator mazes (true rewards) + shortened-dead-end mazes (item rewards flipped).
usage: r10_evil_long.py BASE_STEPS EVIL_STEPS EVIL_LR OUT
"""
import sys
import torch
from harvest.core.maze import generate
from harvest.core.seeding import rng_for
from harvest.core.replay import build_buffer, merge
from harvest.core.dqn import Config, make_net, train
from common import Logger, shorten_dead_ends

base_steps, evil_steps, lr, out = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
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
