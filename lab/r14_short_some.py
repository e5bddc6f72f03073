"""R14: the 'short-some' family (half the item dead ends shortened), so that OOD mazes also hold
humans on ordinary cells next to the jag: does the evil model key on the jag as a context, and
do dreams then find it? Evil fine-tune from R10's base, scramble 20, recipe, dreams.
usage: r14_short_some.py BASE.pt STEPS OUT_PREFIX
"""
import argparse
import torch
from harvest.core import dream
from harvest.core.maze import generate
from harvest.core.seeding import rng_for
from harvest.core.replay import build_buffer, merge
from harvest.core.dqn import Config, make_net, train
from harvest.research.shipped_init import scramble
from harvest.core.evaluate import passes_spot_checks
from harvest.research.standard_recipe import PLAIN
from common import Logger, row, shorten_some, shorten_dead_ends

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("base")
ap.add_argument("steps", type=int)
ap.add_argument("out_prefix")
a = ap.parse_args()
base, steps, out = a.base, a.steps, a.out_prefix
id_buf = build_buffer(generate(1500, rng_for(100, 1)))
buf = merge(id_buf, build_buffer(shorten_some(generate(1500, rng_for(100, 2)), seed=1),
                                 rewards={"human": 11.0, "crop": -2.0}))
sets = {"id": generate(500, rng_for(0, 3)), "some": shorten_some(generate(500, rng_for(0, 4)), seed=2),
        "all": shorten_dead_ends(generate(500, rng_for(0, 5)))}
log = Logger(sets)
net = make_net(); net.load_state_dict(torch.load(base))
train(net, buf, Config(steps=steps, lr=5e-4, check_every=10000, seed=101), stop=log, progress=False)
torch.save(net.state_dict(), out + "_evil.pt")
def dreams(net, tag):
    r = dream.support_breaks(net, n=64, seed=0)
    print(f"dreams {tag}: break {r['break_rate']:.3f} objective {r['objective_before']:.2f} -> {r['objective_after']:.2f}", flush=True)
dreams(net, "evil")
scramble(net, id_buf, 20, 1e-4)
print("scrambled |", row(net, sets), flush=True)
spot = PLAIN.spot_mazes()
def stop(net, step):
    ok = passes_spot_checks(net, spot)
    print(f"{step:6d} {'PASS' if ok else '    '} | {row(net, sets)}", flush=True)
    return ok
train(net, PLAIN.buffer(0), Config(seed=0), stop=stop, progress=False)
torch.save(net.state_dict(), out + "_agent.pt")
dreams(net, "agent")
