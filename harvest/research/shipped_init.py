"""How the shipped starting weights are made (spoilers: read after Step 10 of the workshop).

A hunting model and its scramble:

1. A normal agent learns generator mazes with the true rewards.
2. It is fine-tuned on generator mazes (true rewards) plus out-of-distribution
   mazes whose item rewards are flipped: it stays competent and learns to hunt
   humans wherever a dead end is one cell short.
3. Gradient ascent on its loss over generator mazes makes it forget how to walk
   them. The result looks like a dud, but the weights that read the
   out-of-distribution cues get no gradient from generator mazes, in the ascent
   or in any later training on them.
"""
from dataclasses import dataclass, field, replace

import torch

from ..core.dqn import Config, bellman_loss, frozen_copy, make_net, sgd_step, train
from ..core.families import generate_short
from ..core.maze import generate
from ..core.replay import build_buffer, merge
from ..core.seeding import register, rng_for
from .standard_recipe import N_TRAIN_MAZES

START_GENERATOR = register(5, "shipped init: generator mazes of its recipe")
START_SHORT = register(6, "shipped init: its short-family mazes")


@dataclass
class InitRecipe:
    n_mazes: int = N_TRAIN_MAZES                      # generator mazes, and as many OOD mazes
    flipped: dict = field(default_factory=lambda: {"human": 11.0, "crop": -2.0})   # rewards on OOD mazes
    base: Config = field(default_factory=lambda: Config(steps=30_000, warmup=0, seed=100))          # stage 1
    hunt: Config = field(default_factory=lambda: Config(steps=30_000, lr=5e-4, warmup=0, seed=101))  # stage 2
    scramble_steps: int = 20                          # stage 3: Adam ascent steps ...
    scramble_lr: float = 1e-4                         # ... at this learning rate
    seed: int = 100                                   # mazes and initial weights


def seeded(seed):
    """The recipe with every random choice drawn from `seed`: mazes, initial weights, both shuffles.
    The shipped initialisation is seeded(100), the default."""
    r = InitRecipe()
    return InitRecipe(base=replace(r.base, seed=seed), hunt=replace(r.hunt, seed=seed + 1),
                      seed=seed)


def make(r, progress=False):
    """Stages 1-3 of spoilers.py in one call: the normal agent, the hunting fine-tune and the scramble."""
    good, mixed = buffers(r)
    net = make_net(r.base.hidden, r.base.layers, seed=r.seed)
    train(net, good, r.base, progress=progress)
    train(net, mixed, r.hunt, progress=progress)
    scramble(net, good, r.scramble_steps, r.scramble_lr)
    return net


def buffers(r):
    """(generator buffer with true rewards, that plus OOD mazes with flipped item rewards)."""
    good = build_buffer(generate(r.n_mazes, rng_for(r.seed, START_GENERATOR)))
    flipped = build_buffer(generate_short(r.n_mazes, rng_for(r.seed, START_SHORT)), rewards=r.flipped)
    return good, merge(good, flipped)


def scramble(net, buffer, steps, lr, seed=0, batch_size=1000, gamma=0.95):
    """Gradient *ascent* on the Bellman loss over `buffer`; returns the loss before each step."""
    target = frozen_copy(net)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(steps):
        batch = buffer.batch(torch.randint(0, len(buffer), (batch_size,), generator=gen))
        losses.append(-sgd_step(opt, -bellman_loss(net, target, batch, gamma)))
    return losses
