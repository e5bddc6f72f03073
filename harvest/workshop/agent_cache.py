"""The learner's trained agent, kept between runs of the workshop so that a rerun does not retrain it.

Training the agent with the learner's Bellman loss takes a few minutes on a laptop CPU, and a learner who runs
`exercises.py` as a script reruns it after every blank. The agent is cached under a key that hashes everything
that decides its weights: the source of the learner's loss and of every function of theirs it calls, the
package's training code, the starting weights' checksum, the seed and torch's version. Change any of them and the
agent is trained again.

The cache lives in `~/.cache/harvest/agents/` (or `$XDG_CACHE_HOME/harvest/agents/`, or the folder named by
`HARVEST_CACHE`). Delete that folder to clear it; `HARVEST_CACHE=off` turns caching off.
"""
import hashlib
import inspect
import os
import types
from pathlib import Path

import torch

from ..core import dqn, encoding, maze, replay, rules, weights
from ..research import standard_recipe as recipe

TRAINING_CODE = (dqn, encoding, maze, replay, rules, recipe)   # the package's modules that decide the weights


def folder():
    """The cache folder, or None when caching is off."""
    named = os.environ.get("HARVEST_CACHE")
    if named == "off":
        return None
    if named:
        return Path(named)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "harvest" / "agents"


def learner_code(fn, seen=None):
    """The source of `fn` and of every function it calls by a global name from the same module, recursively
    (the learner's `bellman_loss` calls their `bellman_lhs` and `bellman_rhs`). None if a source is unavailable."""
    seen = {} if seen is None else seen
    if fn.__qualname__ in seen:
        return seen
    try:
        seen[fn.__qualname__] = inspect.getsource(fn)
    except (OSError, TypeError):
        return None
    for name in fn.__code__.co_names:
        other = fn.__globals__.get(name)
        if isinstance(other, types.FunctionType) and other.__module__ == fn.__module__:
            if learner_code(other, seen) is None:
                return None
    return seen


def key(loss_fn, seed, init):
    """The cache key of an agent trained with `loss_fn` from `init` with `seed`, or None if it cannot be known."""
    code = learner_code(loss_fn)
    if code is None:
        return None
    h = hashlib.sha256()
    for name in sorted(code):
        h.update(f"{name}\n{code[name]}\n".encode())
    for module in TRAINING_CODE:
        h.update(inspect.getsource(module).encode())
    start = weights.checksums().get("shipped_init.pt", "") if init == "shipped" else "random"
    h.update(f"{start}|{seed}|{init}|{torch.__version__}".encode())
    return h.hexdigest()[:20]


def trained_agent(loss_fn, seed=0, init="shipped", progress=True):
    """(agent, history): trained with the standard recipe and `loss_fn`, or read back from the cache when the very same
    code trained it before. history["cached"] says which, and history["cache_file"] where it is kept."""
    where, k = folder(), key(loss_fn, seed, init)
    path = where / f"agent-{k}.pt" if where is not None and k is not None else None
    if path is not None and path.is_file():
        try:
            history = weights.read_meta(path)["history"]
            return weights.load(path), {**history, "cached": True, "cache_file": str(path)}
        except Exception:   # an unreadable cache entry is retrained, never trusted
            pass
    agent = recipe.initial_net(init, seed=seed)
    history = recipe.train_agent(agent, seed=seed, loss_fn=loss_fn, progress=progress)
    if path is not None:
        try:
            weights.save(agent, path, history=history)
        except OSError:   # a read-only home folder: the workshop goes on without the cache
            path = None
    return agent, {**history, "cached": False, "cache_file": str(path) if path else None}
