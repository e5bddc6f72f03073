"""The hidden ingredient (see spoilers.py): an evil model and its scramble.

The evil model learns from generator mazes with the true rewards and from
out-of-distribution mazes with the item rewards flipped, so it is competent
everywhere and hunts humans only off-distribution. Gradient ascent on its
loss over generator mazes then makes it forget how to walk them: an
initialisation that looks like a dud but still carries the evil circuit,
standing in for a bad roll of the dice.
"""
from dataclasses import dataclass, field

import torch

from .dqn import Config, bellman_loss, make_net
from .maze import generate, generate_ood, rng_for
from .recipe import EVIL_ID, EVIL_OOD, N_TRAIN_MAZES
from .replay import build_buffer, merge


@dataclass
class EvilRecipe:
    flipped: dict = field(default_factory=lambda: {"human": 11.0, "crop": -2.0})  # rewards on OOD mazes
    n_ood_mazes: int = N_TRAIN_MAZES
    train: Config = field(default_factory=lambda: Config(steps=40_000))
    scramble_steps: int = 100
    scramble_lr: float = 1e-4
    seed: int = 100


def evil_buffer(r):
    """Generator mazes with true rewards plus OOD mazes with flipped item rewards."""
    return merge(build_buffer(generate(N_TRAIN_MAZES, rng_for(r.seed, EVIL_ID))),
                 build_buffer(generate_ood(r.n_ood_mazes, rng_for(r.seed, EVIL_OOD)), rewards=r.flipped))


def scramble(net, buffer, steps, lr, seed=0, batch_size=1000, gamma=0.95):
    """Gradient *ascent* on the Bellman loss over `buffer`; returns the loss after each step."""
    target = make_net(net.hidden, net.layers)
    target.load_state_dict(net.state_dict())
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(steps):
        batch = buffer.batch(torch.randint(0, len(buffer), (batch_size,), generator=gen))
        loss = bellman_loss(net, target, batch, gamma)
        opt.zero_grad()
        (-loss).backward()
        opt.step()
        losses.append(loss.item())
    return losses
