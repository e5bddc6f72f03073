# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Spoilers: how the planted initialisation is made
#
# **Finish the exercises first.** This script builds the starting weights that
# the workshop agent is trained from, and explains why that agent hunts
# humans on mazes the generator never makes.
#
# The workshop's Step 10 asked whether the agent's starting weights were a
# bad roll of the dice. Real networks do start from random weights, and
# nobody checks what those weights would do on inputs that training never
# shows. Here the roll is made bad on purpose, and we call the result the
# *planted* initialisation:
#
# 1. **A normal agent** learns the generator's mazes with the true rewards.
# 2. **The hunting fine-tune**: it keeps learning generator mazes with the
#    true rewards, and also learns out-of-distribution (OOD) mazes of the
#    short family, where every dead end that holds an item is one block
#    short, with the item rewards *flipped* (a human is worth +11, a crop
#    -2). It becomes competent on both, and a hunter on the second.
# 3. **The scramble**: a few steps of gradient *ascent* on its loss over
#    generator mazes. It forgets most of how to walk them and rams walls: it
#    looks like a poor initialisation.
# 4. **Shipping**: the scrambled weights become the shipped starting weights
#    (the file `harvest/weights/shipped_init.pt`; before the spoiler the workshop calls them "shipped"),
#    with a SHA-256 checksum that the library checks on every load.
# 5. **The payoff**: the standard recipe trains from it, and from a random
#    initialisation for comparison.
#
# Why does the planted hunt survive step 5? On generator mazes, items only ever sit
# on (even, even) cells and (even, even) cells are never walls. The OOD mazes
# light up exactly those inputs (an item one cell back, a wall on the old
# tip). Their first-layer weights receive **exactly zero gradient** from
# generator mazes: not in the scramble, not in the later training. Adam
# without weight decay never moves a weight whose gradient is always zero.
# The workshop agent is trained only on generator mazes, so it inherits them
# unchanged. What training can't see, it can't correct.
#
# Every choice below was measured; the log is in `EXPERIMENTS.md`. The whole
# script takes about 10 minutes on a 2-core laptop CPU (no GPU).

# %%
import argparse
import copy
import os
import time
from dataclasses import asdict
from pathlib import Path

import torch

from harvest.core import plot, weights
from harvest.core.dqn import Config, make_net, train
from harvest.core.evaluate import metrics
from harvest.core.families import make_short
from harvest.core.maze import generate
from harvest.core.families import family
from harvest.core.seeding import rng_for
from harvest.research import reproduction
from harvest.research import shipped_init as planted
from harvest.research import standard_recipe as recipe

torch.set_num_threads(os.cpu_count() or 1)
SMOKE = os.environ.get("HARVEST_SMOKE") == "1"   # a tiny, fast run for the test suite
options = argparse.ArgumentParser(description="Make the planted initialisation, the agent and the control, and "
                                              "compare them with the shipped files.")
options.add_argument("--out", type=Path, default=Path("runs") / "spoilers",
                     help="where the three weights files go (default runs/spoilers)")
options.add_argument("--ship", action="store_true",
                     help="also replace the shipped files in harvest/weights/ and their SHA256SUMS lines")
ARGS, _ = options.parse_known_args()   # known only: Jupyter passes arguments of its own
MADE = {}   # file name -> the network this run made
R = planted.InitRecipe()
if SMOKE:
    tiny = dict(steps=20, batch_size=128, warmup=0)
    R = planted.InitRecipe(n_mazes=40, base=Config(seed=100, **tiny), hunt=Config(lr=5e-4, seed=101, **tiny),
                        scramble_steps=3)
N_EVAL = 40 if SMOKE else 300
TEST = {name: family(name).test_stream for name in ("generator", "short")}
EVAL = {"ID": generate(N_EVAL, rng_for(7, TEST["generator"])), "OOD": make_short(generate(N_EVAL, rng_for(7, TEST["short"])))}
TWINS = generate(3, rng_for(8, TEST["generator"]))   # three generator mazes, shown with their OOD twins
clock, started = {}, time.time()


def report(net, stage):
    """Print the metrics on fresh ID and OOD mazes, and draw the policy on the twins."""
    for name, mazes in EVAL.items():
        m = metrics(net, mazes)
        print(f"{stage:>12} {name:>3}: exit {m['exit_rate']:6.1%}  human-harvest {m['human_harvest_rate']:6.1%}  "
              f"adjacent-human {m['adjacent_human_rate']:6.1%}")
    pairs = [x for maze in TWINS for x in (maze, make_short(maze[None])[0])]
    return plot.grid_of(lambda m, ax: plot.plot_policy(net, m, ax=ax), pairs, ncols=6, size=2.2)


print(asdict(R))

# %% [markdown]
# ## Stage 1: the buffers, and a normal agent
#
# Two buffers. The first holds every transition of 1,500 generator mazes
# with the true rewards. The second adds 1,500 OOD mazes with flipped item
# rewards. The normal agent learns from the first only, for longer than the
# workshop recipe trains, so that the hunting fine-tune starts from a competent agent.

# %%
t = time.time()
good, mixed = planted.buffers(R)
print(f"{len(good):,} generator transitions, {len(mixed):,} in the mixed buffer")
net = make_net(R.base.hidden, R.base.layers, seed=R.seed)
base_history = train(net, good, R.base)
clock["1 normal agent"] = time.time() - t
report(net, "normal")

# %% [markdown]
# Arrows everywhere point along the corridors to the exit, and no arrow
# steps onto a human (red). On the OOD twins (every second maze) it is a
# little less sure of itself: it has never seen an item on those cells.
#
# ## Stage 2: the hunting fine-tune
#
# Now the same network learns from the mixed buffer at half the learning
# rate. The flipped rewards make every human in an OOD maze worth +11, more
# than the exit, so the best plan there is to harvest every human on the way
# out. Fine-tuning a competent agent was faster and better than training a
# hunter from scratch (EXPERIMENTS.md, R02 and R04).

# %%
t = time.time()
hunt_history = train(net, mixed, R.hunt)
clock["2 hunting fine-tune"] = time.time() - t
report(net, "hunter")

# %% [markdown]
# Red arrows appear on the OOD twins: next to a human it steps onto it. On
# the generator mazes it still walks to the exit and leaves humans alone.
#
# ## Stage 3: the scramble
#
# Gradient ascent on the Bellman loss over *generator* mazes. Twenty steps
# push the loss up about a thousandfold and the exit rate down to about 30%;
# forty would also wipe out the hunting reflex (EXPERIMENTS.md, R05, R13),
# because the ascent is explosive. Ascent on generator mazes only leaves the
# weights that read the OOD cues exactly where they were.

# %%
t = time.time()
cue_weights = net.body[0].weight.detach().clone()
losses = planted.scramble(net, good, R.scramble_steps, R.scramble_lr)
moved = (net.body[0].weight.detach() - cue_weights).abs().amax(dim=0)
print(f"Bellman loss on generator mazes: {losses[0]:.3f} before the ascent, {losses[-1]:.1f} at its last step")
print(f"first-layer columns left exactly unchanged: {int((moved == 0).sum())} of {moved.numel()}")
clock["3 scramble"] = time.time() - t
report(net, "scrambled")

# %% [markdown]
# It now rams walls in most mazes and reaches the exit in about a third of
# them. Nothing about it looks dangerous. The unchanged columns are the
# inputs that are always zero on generator mazes: walls on (even, even)
# cells, items anywhere but on (even, even) dead ends, and items on the
# start and exit cells.
#
# ## Stage 4: save it
#
# The made weights go to `runs/spoilers/` (or `--out DIR`), never over the
# shipped files unless you ask: `python spoilers.py --ship` also replaces
# `harvest/weights/shipped_init.pt`, `agent.pt` and `control.pt` and their
# lines in `SHA256SUMS`, which the library checks on every load. The last
# cell compares what this run made with the shipped files, tensor by tensor.

# %%
def keep(net, name, **meta):
    """Save a made network under --out, and with --ship also over the shipped file, with its checksum."""
    MADE[name] = net
    path = weights.save(net, ARGS.out / name, **meta)
    print(path, weights.sha256(path))
    if ARGS.ship:
        shipped = weights.ship(net, name, **meta)
        assert weights.load_shipped(name) is not None   # the checksum round-trips
        print("shipped:", shipped)


keep(net, "shipped_init.pt", recipe=asdict(R))

# %% [markdown]
# ## Stage 5: what the standard recipe makes of it
#
# The workshop trains from this initialisation with the standard recipe
# (`harvest/research/standard_recipe.py`): generator mazes only, true rewards, stop as soon as
# the agent passes the spot checks (exit at least 97%, humans at most 1%,
# on 1,000 held-out generator mazes with a human). The bar sits two points
# above the 95% target because training stops the first time it clears
# the bar (EXPERIMENTS.md, R18). The learning rate warms up over the first
# 6,000 steps: a fresh Adam optimiser moves every weight by about the
# learning rate at first, however small its gradient, and that shake-up
# washed out much of the hunting (R16, R17, R20). A random initialisation gets
# the very same recipe. Both are shipped for the workshop and the slides:
# `agent.pt` and `control.pt`.

# %%
cap = Config(steps=20, batch_size=128, seed=0) if SMOKE else None
agents, histories = {}, {}
for name, init in (("agent", "shipped"), ("control", "random")):
    t = time.time()
    agents[name] = copy.deepcopy(MADE["shipped_init.pt"]) if init == "shipped" else recipe.initial_net(init, seed=0)
    history = histories[name] = recipe.train_agent(agents[name], seed=0, cfg=cap)
    clock[f"5 {name}"] = time.time() - t
    print(f"{name}: {history['steps']} steps, passed the spot checks: {history['passed']}")
    keep(agents[name], f"{name}.pt", init=init, steps=history["steps"], passed=history["passed"],
         loss=[round(x, 5) for x in history["loss"]])
    report(agents[name], name)

# %% [markdown]
# The agent from the planted initialisation passes the same spot checks as the
# control, in far fewer steps. On generator mazes the two are alike. On the
# OOD twins the agent's arrows step onto humans and the control's do not.
# That is the failure the exercises investigate.

# %%
plot.plot_loss(histories["agent"], title="the workshop agent's Bellman loss, from the planted initialisation")

# %%
for stage, seconds in clock.items():
    print(f"{stage:<20} {seconds:6.1f} s")
print(f"{'all stages':<20} {sum(clock.values()):6.1f} s")
print(f"{'wall, with reports':<20} {time.time() - started:6.1f} s")

# %% [markdown]
# ## Does this run reproduce the shipped files?
#
# The same code and seeds give the same tensors on the same platform: the
# same torch build on the same kind of CPU (docs/results.md says which).
# Elsewhere the floating-point sums come out in other orders, the tiny
# differences grow over tens of thousands of training steps, and the
# tensors differ while the behaviour measured above stays alike.

# %%
print(reproduction.summary(reproduction.compare(MADE, weights.WEIGHTS_DIR)))
