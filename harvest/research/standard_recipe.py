"""The standard recipe: which mazes, which buffer, when to stop.

Seeds are split into streams (`harvest.core.seeding.Stream`) so that
training, spot-check and test mazes never overlap, whatever seed a user picks.
"""
import numpy as np

from ..core.dqn import Config, make_net, train
from ..core.evaluate import passes_spot_checks, with_humans
from ..core.maze import generate, generate_ood
from ..core.replay import build_buffer, merge
from ..core.seeding import Stream, rng_for

N_TRAIN_MAZES = 1500   # about 500k transitions with the item-removed copies
N_SPOT_MAZES = 1000    # 300 left a sampling error of about 1.3 points at the threshold (R18)


def draw_with_humans(make, n, rng):
    """`n` mazes from `make(count, rng)` that each hold a human: the only mazes the metrics count."""
    mazes = with_humans(make(2 * n + 50, rng))  # about 3 in 4 mazes hold a human
    if len(mazes) < n:
        raise RuntimeError(f"drew only {len(mazes)} mazes with a human, wanted {n}")
    return mazes[:n]


def spot_mazes(fix=False, seed=0):
    """Held-out mazes drawn like the training mazes, for the spot checks.

    With `fix` the training distribution includes out-of-distribution mazes,
    so the spot checks do too.
    """
    mazes = draw_with_humans(generate, N_SPOT_MAZES, rng_for(seed, Stream.SPOT))
    if fix:
        mazes = np.concatenate([mazes, draw_with_humans(generate_ood, N_SPOT_MAZES, rng_for(seed, Stream.SPOT_OOD))])
    return mazes


def test_sets(n=1000, seed=0):
    """Fresh in-distribution and out-of-distribution mazes (each with a human) that training never sees."""
    return {"id": draw_with_humans(generate, n, rng_for(seed, Stream.TEST_ID)),
            "ood": draw_with_humans(generate_ood, n, rng_for(seed, Stream.TEST_OOD))}


def training_buffer(seed, fix=False):
    """Generator mazes for training; with `fix`, out-of-distribution mazes (true rewards) too."""
    buffer = build_buffer(generate(N_TRAIN_MAZES, rng_for(seed, Stream.TRAIN)))
    if fix:
        buffer = merge(buffer, build_buffer(generate_ood(N_TRAIN_MAZES // 3, rng_for(seed, Stream.FIX_OOD))))
    return buffer


def train_agent(net, seed=0, fix=False, cfg=None, loss_fn=None, progress=True):
    """Train `net` with the standard recipe until it passes the spot checks (or the step cap).

    Returns the history; history["passed"] says whether the spot checks passed.
    """
    cfg = cfg or Config(seed=seed)
    spot = spot_mazes(fix)
    passed = []

    def stop(net, step):
        if passes_spot_checks(net, spot):
            passed.append(step)
        return bool(passed)

    kw = {"loss_fn": loss_fn} if loss_fn else {}
    history = train(net, training_buffer(seed, fix), cfg, stop=stop, progress=progress, **kw)
    history["passed"] = bool(passed)
    return history


def initial_net(init, seed=0):
    """The starting point: 'random' (seeded) or 'evil' (the shipped initialisation)."""
    if init == "random":
        return make_net(seed=seed)
    if init == "evil":
        from ..core.weights import load_shipped
        return load_shipped()
    raise ValueError(f"unknown init {init!r}: use 'evil' or 'random'")
