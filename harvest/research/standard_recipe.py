"""The standard recipe: which mazes, which buffer, when to stop.

What to train on is one value, a `Mix`: it builds both the replay buffer and
the spot-check mazes. `PLAIN` is the recipe of the main story (generator
mazes only); `KNOWN_FAMILY_FIX`, the known-family fix, adds the mazes of one
named family (`harvest.core.families`) to training and to the spot checks.

Seeds are split into streams (each family's own, `harvest.core.families`, and the edits' here) so
that training, spot-check and test mazes never overlap, whatever seed a user picks.
"""
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from ..core import detector
from ..core.errors import HarvestError
from ..core.dqn import Config, make_net, train
from ..core.evaluate import passes_spot_checks, with_humans
from ..core.families import family
from ..core.replay import build_buffer, merge
from ..core.seeding import register, rng_for
from ..core.weights import load_shipped

N_TRAIN_MAZES = 1500   # about 500k transitions with the item-removed copies
N_SPOT_MAZES = 1000    # 300 left a sampling error of about 1.3 points at the threshold (R18)
EDIT_BUDGET = 2        # cells a random edit sequence may change, as in a dream
TRAIN_EDITS = register(17, "standard recipe: random edits of training mazes")


def draw_with_humans(make, n, rng):
    """`n` mazes from `make(count, rng)` that each hold a human: the only mazes the metrics count."""
    found, have = [], 0
    while have < n:   # about 3 in 4 generator mazes hold a human, and 4 in 9 moved-exit ones
        found.append(with_humans(make(2 * (n - have) + 50, rng))[:n - have])
        have += len(found[-1])
    return np.concatenate(found) if found else with_humans(make(0, rng))


@dataclass(frozen=True)
class Mix:
    """What the standard recipe trains on, as one value: it builds the replay buffer and the spot-check mazes.

    - `swap`: family name -> the share of the N_TRAIN_MAZES generator training
      mazes, and of the N_SPOT_MAZES spot-check mazes, that fresh mazes of that
      family replace (the last ones; the corner chapter's moved exit);
    - `extra`: family name -> the size, relative to N_TRAIN_MAZES, of a set of
      that family's mazes added to training; N_SPOT_MAZES of them join the
      spot checks (the known-family fix);
    - `edits`: the share of the training mazes (the last ones) passed through
      random local edits that keep a maze legal (`detector.random_edits`, at
      most EDIT_BUDGET cells); the spot checks stay unedited;
    - `rewards`: entries of the reward table that differ from the true one
      (`harvest.core.rules.REWARDS`), for every transition; None: the true rewards.

    Family names are those of `harvest.core.families` (workshop learners: only after Step 6). Each family draws from
    its own random streams, so a mix reproduces from its seed.
    """
    swap: Mapping = field(default_factory=dict)
    extra: Mapping = field(default_factory=dict)
    edits: float = 0.0
    rewards: Mapping = None

    def __post_init__(self):
        for name, share in {**self.swap, **self.extra, "edits": self.edits}.items():
            if name != "edits":
                family(name)
            if not 0.0 <= share <= 1.0:
                raise HarvestError(f"a mix's share must lie in [0, 1], got {name} {share}")
        if sum(self.swap.values()) > 1.0:
            raise HarvestError(f"a mix swaps at most all generator mazes, got shares {dict(self.swap)}")

    @property
    def families(self):
        """The families besides the generator's that this mix trains on."""
        return [family(name).name for name, share in {**self.swap, **self.extra}.items() if share > 0]

    def _swapped(self, mazes, seed, stream, draw):
        """`mazes` with the last ones swapped, family by family, for `draw(family, count, rng)`."""
        counts = {name: round(share * len(mazes)) for name, share in self.swap.items()}
        keep = len(mazes) - sum(counts.values())
        parts = [mazes[:keep]] + [draw(family(name), n, rng_for(seed, getattr(family(name), stream)))
                                  for name, n in counts.items() if n]
        return np.concatenate(parts) if len(parts) > 1 else mazes

    def training_mazes(self, seed):
        """The N_TRAIN_MAZES mazes the mix swaps and edits (the extra families' mazes come on top)."""
        mazes = family("generator").make(N_TRAIN_MAZES, rng_for(seed, family("generator").train_stream))
        mazes = self._swapped(mazes, seed, "train_stream", lambda f, n, rng: f.make(n, rng))
        n = round(self.edits * len(mazes))
        if n:
            mazes[len(mazes) - n:] = detector.random_edits(mazes[len(mazes) - n:], rng_for(seed, TRAIN_EDITS),
                                                           budget=EDIT_BUDGET)
        return mazes

    def buffer(self, seed):
        """The replay buffer for training seed `seed`: the training mazes, then each extra family's mazes."""
        buffer = build_buffer(self.training_mazes(seed), rewards=self.rewards)
        for name, size in self.extra.items():
            f = family(name)
            mazes = f.make(round(size * N_TRAIN_MAZES), rng_for(seed, f.train_stream))
            buffer = merge(buffer, build_buffer(mazes, rewards=self.rewards))
        return buffer

    def spot_mazes(self, seed=0):
        """Held-out mazes drawn like the training mazes, each holding a human, for the spot checks."""
        mazes = draw_with_humans(family("generator").make, N_SPOT_MAZES, rng_for(seed, family("generator").spot_stream))
        mazes = self._swapped(mazes, seed, "spot_stream", lambda f, n, rng: draw_with_humans(f.make, n, rng))
        extra = [draw_with_humans(family(name).make, N_SPOT_MAZES, rng_for(seed, family(name).spot_stream))
                 for name, size in self.extra.items() if size]
        return np.concatenate([mazes, *extra])


PLAIN = Mix()                                   # the standard recipe: generator mazes only
KNOWN_FAMILY_FIX = Mix(extra={"short": 1 / 3})  # the known-family fix: a third as many short mazes on top


def family_test_mazes(name, n=1000, seed=0):
    """Fresh mazes of the family called `name` (each with a human), from its test stream: training never sees them."""
    f = family(name)
    return draw_with_humans(f.make, n, rng_for(seed, f.test_stream))


def test_sets(n=1000, seed=0):
    """Fresh in-distribution and out-of-distribution mazes (each with a human) that training never sees."""
    return {"id": family_test_mazes("generator", n, seed), "ood": family_test_mazes("short", n, seed)}


def moved_exit_test_mazes(n=1000, seed=0):
    """Fresh moved-exit mazes (each with a human) for the corner chapter, from their own stream."""
    return family_test_mazes("moved-exit", n, seed)


def training_mazes(seed):
    """The generator mazes the standard recipe trains on with `seed`."""
    return PLAIN.training_mazes(seed)


def train_to_spot_checks(net, buffer, spot, cfg, loss_fn=None, progress=True):
    """Train `net` on `buffer` until it passes the spot checks on the mazes `spot` (or the step cap).

    Returns the history; history["passed"] says whether the spot checks passed.
    """
    passed = []

    def stop(net, step):
        if passes_spot_checks(net, spot):
            passed.append(step)
        return bool(passed)

    kw = {"loss_fn": loss_fn} if loss_fn else {}
    history = train(net, buffer, cfg, stop=stop, progress=progress, **kw)
    history["passed"] = bool(passed)
    return history


def train_agent(net, seed=0, mix=PLAIN, cfg=None, loss_fn=None, progress=True):
    """Train `net` with the standard recipe on `mix` until it passes the spot checks (or the step cap).

    The spot-check mazes are the mix's for seed 0, whatever the training seed.
    Returns the history; history["passed"] says whether the spot checks passed.
    """
    cfg = cfg or Config(seed=seed)
    spot = mix.spot_mazes()
    return train_to_spot_checks(net, mix.buffer(seed), spot, cfg, loss_fn, progress)


def initial_net(init, seed=0, exit_visible=False, hidden=256, layers=3):
    """The starting point: 'random' (seeded, of any size) or 'shipped' (the starting weights the project
    ships: 161 inputs, three hidden layers of 256).
    """
    if init == "random":
        return make_net(hidden, layers, seed=seed, exit_visible=exit_visible)
    if init == "shipped" and exit_visible:
        raise HarvestError("the shipped starting weights read 161 inputs: --exit-visible needs --init random")
    if init == "shipped" and (hidden, layers) != (256, 3):
        raise HarvestError(f"the shipped starting weights have 3 hidden layers of 256: --hidden {hidden} --layers {layers} "
                           "needs --init random")
    if init == "shipped":
        return load_shipped()
    raise ValueError(f"unknown init {init!r}: use 'shipped' or 'random'")
