"""Does `spoilers.py` make what the repository ships? Tensor-by-tensor comparison, and a reduced run for CI.

Training is deterministic on one platform (the same torch build on the same kind of CPU): the same code and seeds
give the same tensors, bit for bit. A change to any stage's random streams or arithmetic changes them. The full
run takes many minutes, so CI runs `reduced()`: the same stages (buffers, the normal agent, the hunting fine-tune,
the scramble, then the standard recipe from the result) at a tiny scale, whose tensors are committed in
`tests/data/spoilers_reduced.pt` with the platform that made them. On that platform they must come out equal; on
another one, close (a few hundred floating-point steps cannot drift far), while a changed seed or stream moves
them by far more.

    python -m harvest.research.reproduction --write tests/data/spoilers_reduced.pt   # after a deliberate change
"""
import argparse
import copy
import hashlib
import platform
from dataclasses import asdict, replace

import torch

from ..core.dqn import Config, make_net, train
from ..core.files import replacing
from ..core.weights import load
from . import shipped_init as planted
from . import standard_recipe as recipe

TINY = dict(steps=60, batch_size=128, warmup=0, target_every=20)
REDUCED = planted.InitRecipe(n_mazes=40, base=Config(hidden=32, seed=100, **TINY),
                             hunt=Config(hidden=32, lr=5e-4, seed=101, **TINY), scramble_steps=3)
AGENT_CFG = Config(hidden=32, steps=40, batch_size=128, target_every=20, seed=0)


def compare(made, folder):
    """[(name, equal, largest absolute difference or None when the file is missing)] for every made network
    against the file of the same name in `folder`."""
    out = []
    for name, net in made.items():
        path = folder / name
        if not path.is_file():
            out.append((name, False, None))
            continue
        theirs = load(path).state_dict()
        ours = net.state_dict()
        same_shape = theirs.keys() == ours.keys() and all(theirs[k].shape == ours[k].shape for k in ours)
        gap = max(float((theirs[k] - ours[k]).abs().max()) for k in ours) if same_shape else float("inf")
        out.append((name, same_shape and all(torch.equal(theirs[k], ours[k]) for k in ours), gap))
    return out


def summary(results):
    """One line: match, or which files differ and by how much."""
    if results and all(equal for _, equal, _ in results):
        return f"match: {len(results)} of {len(results)} files equal the shipped ones, tensor by tensor"
    parts = [f"{name} " + ("missing" if gap is None else f"max |difference| {gap:.3g}")
             for name, equal, gap in results if not equal]
    return f"no match: {'; '.join(parts)} (the same code reproduces only on the platform that made the files)"


def platform_id():
    """What decides the arithmetic: torch's version, its CPU kernels and the processor."""
    return (f"torch {torch.__version__}, {torch.backends.cpu.get_cpu_capability()}, {platform.machine()}, "
            f"{platform.processor() or 'unknown cpu'}")


def reduced(recipe_=REDUCED, agent_cfg=AGENT_CFG):
    """The stages of spoilers.py at a tiny scale: {name: tensor} of the made initialisation and of an agent
    trained from it with the standard recipe's buffer, plus a hash of the two buffers."""
    good, mixed = planted.buffers(recipe_)
    net = make_net(recipe_.base.hidden, recipe_.base.layers, seed=recipe_.seed)
    train(net, good, recipe_.base, progress=False)
    train(net, mixed, recipe_.hunt, progress=False)
    planted.scramble(net, good, recipe_.scramble_steps, recipe_.scramble_lr)
    agent = copy.deepcopy(net)
    train(agent, recipe.PLAIN.buffer(agent_cfg.seed), agent_cfg, progress=False)
    digest = hashlib.sha256()
    for buffer in (good, mixed):
        for value in vars(buffer).values():
            if isinstance(value, torch.Tensor):
                digest.update(value.numpy().tobytes())
    tensors = {f"init.{k}": v.clone() for k, v in net.state_dict().items()}
    tensors.update({f"agent.{k}": v.clone() for k, v in agent.state_dict().items()})
    return tensors, digest.hexdigest()


def tensor_hash(tensors):
    digest = hashlib.sha256()
    for name in sorted(tensors):
        digest.update(name.encode() + tensors[name].numpy().tobytes())
    return digest.hexdigest()


def write(path):
    """Run `reduced()` and save its tensors, their hash, the buffers' hash and the platform to `path`."""
    tensors, buffers = reduced()
    with replacing(path) as tmp:
        torch.save({"tensors": tensors, "hash": tensor_hash(tensors), "buffers": buffers, "platform": platform_id(),
                    "recipe": asdict(REDUCED), "agent": asdict(AGENT_CFG)}, tmp)
    return tensor_hash(tensors)


def reseeded(seed):
    """The reduced recipe with the hunting fine-tune's shuffle seed changed (to test the test)."""
    return replace(REDUCED, hunt=replace(REDUCED.hunt, seed=seed))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Write the reduced reproduction reference (tests/data).")
    parser.add_argument("--write", required=True, help="where to write it, e.g. tests/data/spoilers_reduced.pt")
    print(write(parser.parse_args().write))
