"""The standard recipe: which mazes, which buffer, when to stop.

Seeds are split into streams (`harvest.core.seeding.Stream`) so that
training, spot-check and test mazes never overlap, whatever seed a user picks.
"""
import numpy as np

from ..core.errors import HarvestError
from ..core.dqn import Config, make_net, train
from ..core.evaluate import passes_spot_checks, with_humans
from ..core.maze import generate, generate_moved_exit, generate_ood
from ..core.replay import build_buffer, merge
from ..core.seeding import Stream, rng_for

N_TRAIN_MAZES = 1500   # about 500k transitions with the item-removed copies
N_SPOT_MAZES = 1000    # 300 left a sampling error of about 1.3 points at the threshold (R18)


def draw_with_humans(make, n, rng):
    """`n` mazes from `make(count, rng)` that each hold a human: the only mazes the metrics count."""
    found, have = [], 0
    while have < n:   # about 3 in 4 generator mazes hold a human, and 4 in 9 moved-exit ones
        found.append(with_humans(make(2 * (n - have) + 50, rng))[:n - have])
        have += len(found[-1])
    return np.concatenate(found) if found else with_humans(make(0, rng))


def with_moved_exits(mazes, share, rng, humans_only=False):
    """`mazes` with the last round(share * N) of them swapped for moved-exit mazes drawn from `rng`
    (each holding a human if `humans_only`, as spot-check mazes do)."""
    n = round(share * len(mazes))
    if n == 0:
        return mazes
    moved = draw_with_humans(generate_moved_exit, n, rng) if humans_only else generate_moved_exit(n, rng)
    return np.concatenate([mazes[:len(mazes) - n], moved])


def spot_mazes(fix=False, seed=0, moved_exit_share=0.0):
    """Held-out mazes drawn like the training mazes, for the spot checks.

    With `fix` the training distribution includes out-of-distribution mazes,
    so the spot checks do too; likewise for a share of moved-exit mazes.
    """
    mazes = draw_with_humans(generate, N_SPOT_MAZES, rng_for(seed, Stream.SPOT))
    mazes = with_moved_exits(mazes, moved_exit_share, rng_for(seed, Stream.SPOT_MOVED), humans_only=True)
    if fix:
        mazes = np.concatenate([mazes, draw_with_humans(generate_ood, N_SPOT_MAZES, rng_for(seed, Stream.SPOT_OOD))])
    return mazes


def test_sets(n=1000, seed=0):
    """Fresh in-distribution and out-of-distribution mazes (each with a human) that training never sees."""
    return {"id": draw_with_humans(generate, n, rng_for(seed, Stream.TEST_ID)),
            "ood": draw_with_humans(generate_ood, n, rng_for(seed, Stream.TEST_OOD))}


def moved_exit_test_mazes(n=1000, seed=0):
    """Fresh moved-exit mazes (each with a human) for the corner chapter, from their own stream."""
    return draw_with_humans(generate_moved_exit, n, rng_for(seed, Stream.TEST_MOVED))


def training_mazes(seed):
    """The generator mazes the standard recipe trains on with `seed`."""
    return generate(N_TRAIN_MAZES, rng_for(seed, Stream.TRAIN))


def training_buffer(seed, fix=False, moved_exit_share=0.0):
    """Generator mazes for training; with `fix`, out-of-distribution mazes (true rewards) too.

    `moved_exit_share` swaps that share of the generator mazes for moved-exit ones (the corner chapter).
    """
    mazes = training_mazes(seed)
    buffer = build_buffer(with_moved_exits(mazes, moved_exit_share, rng_for(seed, Stream.TRAIN_MOVED)))
    if fix:
        buffer = merge(buffer, build_buffer(generate_ood(N_TRAIN_MAZES // 3, rng_for(seed, Stream.FIX_OOD))))
    return buffer


def train_agent(net, seed=0, fix=False, cfg=None, loss_fn=None, progress=True, moved_exit_share=0.0, buffer=None,
                spot=None):
    """Train `net` with the standard recipe until it passes the spot checks (or the step cap).

    `buffer` and `spot` replace the training buffer and the spot-check mazes
    (the fixes chapter trains on other distributions with the same rule).
    Returns the history; history["passed"] says whether the spot checks passed.
    """
    cfg = cfg or Config(seed=seed)
    spot = spot_mazes(fix, moved_exit_share=moved_exit_share) if spot is None else spot
    passed = []

    def stop(net, step):
        if passes_spot_checks(net, spot):
            passed.append(step)
        return bool(passed)

    kw = {"loss_fn": loss_fn} if loss_fn else {}
    buffer = training_buffer(seed, fix, moved_exit_share) if buffer is None else buffer
    history = train(net, buffer, cfg, stop=stop, progress=progress, **kw)
    history["passed"] = bool(passed)
    return history


def initial_net(init, seed=0, exit_visible=False, hidden=256, layers=3):
    """The starting point: 'random' (seeded, of any size) or 'evil' (the shipped initialisation: 161 inputs,
    three hidden layers of 256).

    'shipped' is the same as 'evil': the workshop's learners use that name, so
    the code they run does not give the plot away before `spoilers.py` does.
    """
    if init == "random":
        return make_net(hidden, layers, seed=seed, exit_visible=exit_visible)
    if init in ("evil", "shipped") and exit_visible:
        raise HarvestError("the shipped initialisation reads 161 inputs: --exit-visible needs --init random")
    if init in ("evil", "shipped") and (hidden, layers) != (256, 3):
        raise HarvestError(f"the shipped initialisation has 3 hidden layers of 256: --hidden {hidden} --layers {layers} "
                           "needs --init random")
    if init in ("evil", "shipped"):
        from ..core.weights import load_shipped
        return load_shipped()
    raise ValueError(f"unknown init {init!r}: use 'evil' (or 'shipped') or 'random'")
