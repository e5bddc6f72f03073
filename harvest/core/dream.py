"""Dreaming: gradient ascent on the network's *input* to find the mazes that
make a frozen agent step onto a human.

Each dream starts from a real generator maze with a human in one of its dead
ends and the agent on the open cell next to it. Only the wall plane may
change, and never on the agent's or the human's cell: items, position and
the one-hots stay as they were. The objective is the margin of Q(step onto
the human) over the best other move, so a positive value means the greedy
agent would harvest the human. After the ascent the walls are binarised and
decoded back into mazes, and the support test says whether the generator
could ever have produced them.
"""
from dataclasses import dataclass

import numpy as np
import torch

from .encoding import N_INPUTS, WALLS, decode, encode
from .maze import HUMAN, MOVES, SIZE, WALL, dead_ends, generate, in_support, inside
from .seeding import Stream, rng_for


@dataclass
class Placements:
    """Where each dream puts the agent and the human, and the maze it starts from."""
    mazes: np.ndarray   # (N, 7, 7) generator mazes with a human in the chosen dead end
    human: np.ndarray   # (N, 2) row, column of the human: an (even, even) dead end
    agent: np.ndarray   # (N, 2) row, column of the agent: the dead end's one open neighbour
    action: np.ndarray  # (N,) the move that steps from the agent onto the human

    def __len__(self):
        return len(self.action)


def placements(n, seed=0):
    """`n` generator-legal agent/human placements, one per fresh generator maze.

    The human goes into a random dead end of the maze and the agent onto its
    only open neighbour, as in the generator's own mazes, so any break of the
    support test in a dream comes from the dreamed walls alone.
    """
    rng = rng_for(seed, Stream.DREAM)
    mazes = generate(2 * n, rng)
    mazes = mazes[dead_ends(mazes).any(axis=(1, 2))][:n]   # a maze that is one long corridor has none
    human = np.array([ends[rng.integers(len(ends))] for ends in map(np.argwhere, dead_ends(mazes))])
    mazes[np.arange(n), human[:, 0], human[:, 1]] = HUMAN
    agent, action = np.zeros_like(human), np.zeros(n, int)
    for i, (r, c) in enumerate(human):
        for a, (dr, dc) in enumerate(MOVES):
            fr, fc = r - dr, c - dc   # the cell from which move a enters (r, c)
            if inside(fr, fc) and mazes[i, fr, fc] != WALL:
                agent[i], action[i] = (fr, fc), a
    return Placements(mazes, human, agent, action)


def start_inputs(p):
    """The encoded starting states (N, 161): the real maze, agent beside the human."""
    return encode(p.mazes, p.agent[:, 0], p.agent[:, 1])


def objective(q, action):
    """Q of stepping onto the human minus the best Q of the other three moves, per dream."""
    q_human = q.gather(1, torch.as_tensor(action).long()[:, None]).squeeze(1)
    others = q.masked_fill(torch.nn.functional.one_hot(torch.as_tensor(action).long(), 4).bool(), -torch.inf)
    return q_human - others.max(dim=1).values


def wall_mask(agent, human):
    """1 where the dream may change the input: the wall plane, except on the agent's and human's cells."""
    agent, human = np.asarray(agent).reshape(-1, 2), np.asarray(human).reshape(-1, 2)
    mask = torch.zeros(len(agent), N_INPUTS)
    mask[:, WALLS] = 1.0
    rows = torch.arange(len(agent))
    mask[rows, WALLS.start + torch.as_tensor(agent[:, 0] * SIZE + agent[:, 1])] = 0.0
    mask[rows, WALLS.start + torch.as_tensor(human[:, 0] * SIZE + human[:, 1])] = 0.0
    return mask


def ascent_step(x, grad, mask, lr):
    """One step uphill on the free entries, kept inside [0, 1] like a real encoding."""
    return (x + lr * grad * mask).clamp(0.0, 1.0)


def dream(net, p, steps=30, lr=0.02, objective_fn=objective, mask_fn=wall_mask, step_fn=ascent_step):
    """Gradient ascent on the inputs of placements `p`; the network stays frozen.

    Returns the dreamed inputs (N, 161) and the objective before and after.
    The gradient is scaled so that its largest free entry is 1 in each dream,
    which lets one `lr` suit any network. The budget is deliberately small
    (no cell can move by more than steps * lr = 0.6): only the cells the
    network wants changed most, and most consistently, cross 0.5, so the
    binarised dream shows what matters most to it rather than everything
    that helps a little. Deterministic: no randomness after
    the placements. The `*_fn` arguments let learners plug in their own parts.
    """
    net.eval()
    x = start_inputs(p)
    mask = torch.as_tensor(mask_fn(p.agent, p.human), dtype=torch.float32)
    params = list(net.parameters())
    flags = [q.requires_grad for q in params]
    for q in params:            # freeze: only the input gets a gradient
        q.requires_grad_(False)
    try:
        before = objective_fn(net(x), p.action).detach()
        for _ in range(steps):
            x = x.detach().requires_grad_(True)
            value = objective_fn(net(x), p.action)
            (grad,) = torch.autograd.grad(value.sum(), x)
            scale = (grad * mask).abs().amax(dim=1, keepdim=True).clamp_min(1e-12)
            x = step_fn(x.detach(), grad / scale, mask, lr)
        after = objective_fn(net(x), p.action).detach()
    finally:
        for q, flag in zip(params, flags):
            q.requires_grad_(flag)
    return x.detach(), {"before": before, "after": after}


def binarise(x):
    """Dreamed inputs -> mazes (N, 7, 7): walls above 0.5, items from their planes, exit re-placed."""
    return np.stack([decode(row)[0] for row in torch.as_tensor(x).detach()]) if len(x) else \
        np.zeros((0, SIZE, SIZE), np.int8)


def support_break_rate(x):
    """Fraction of binarised dreams that the generator could never produce."""
    return float((~in_support(binarise(x))).mean())


def changed_walls(x, p):
    """Per dream, the (7, 7) wall change from the starting maze: +1 wall added, -1 wall removed."""
    start = start_inputs(p)[:, WALLS] > 0.5
    end = torch.as_tensor(x)[:, WALLS] > 0.5
    return (end.int() - start.int()).reshape(-1, SIZE, SIZE).numpy()


def support_breaks(net, n=64, seed=0, **kw):
    """Dream on `n` seeded placements and report how often the dreams leave the generator's support."""
    p = placements(n, seed)
    x, obj = dream(net, p, **kw)
    return {"break_rate": support_break_rate(x), "dreams": x, "placements": p,
            "objective_before": float(obj["before"].mean()), "objective_after": float(obj["after"].mean())}
