"""Step 7's checks: the three parts of the wall dream and the support-break rate of dreams."""
import numpy as np
import torch
import torch.nn.functional as F

from ...core import dream, encoding
from ...core.maze import NODES, SIZE
from .common import Case, reaches_input, verify


def _q_cases():
    """Q-values computed from a tensor that requires a gradient, as a network's are: the objective's gradient must
    reach it, or the dream cannot climb."""
    gen = torch.Generator().manual_seed(0)
    raw = torch.randn(32, 4, generator=gen).requires_grad_()
    action = torch.randint(4, (32,), generator=gen).numpy()   # numpy, as the library's placements hold them
    raw_tie = torch.tensor([[1.0, 1.0, 0.0, -2.0], [5.0, -1.0, 5.0, 0.0]], requires_grad=True)
    return [Case("random Q-values", (raw * 3, action), watch=raw),
            Case("ties between moves", (raw_tie * 1.0, np.array([0, 1])), watch=raw_tie)]


def check_dream_objective(fn):
    ref = dream.objective
    onehot = lambda a: F.one_hot(torch.as_tensor(a).long(), 4).bool()
    taken = lambda q, a: q.gather(1, torch.as_tensor(a).long()[:, None]).squeeze(1)
    mistakes = {"the sign is flipped: the objective grows when stepping onto the human gets better":
                    lambda q, a: -ref(q, a),
                "the human's move is compared with itself too: take the max over the other three moves":
                    lambda q, a: taken(q, a) - q.max(dim=1).values,
                "only Q of the human move: without the others the dream can raise every move at once": taken,
                "the mean of the other moves instead of the best of them":
                    lambda q, a: taken(q, a) - q.masked_fill(onehot(a), 0).sum(1) / 3}
    return verify("dream_objective", fn, _q_cases(), ref, mistakes, reaches_input(ref, "the dream climbs"))


def _placement_cases():
    p = dream.placements(16, seed=0)
    return [Case("16 seeded placements", (p.agent, p.human)),
            Case("one placement in a corner", (np.array([[0, 1]]), np.array([[0, 0]]))),
            Case("agent and human far from the diagonal", (np.array([[5, 2]]), np.array([[6, 2]])))]


def check_wall_mask(fn):
    ref = dream.wall_mask

    def plane(s):
        def wrong(agent, human):
            m = ref(agent, human)
            out = torch.zeros_like(m)
            out[:, s] = m[:, encoding.WALLS]
            return out
        return wrong

    def cells_free(agent, human):
        m = torch.zeros(len(np.asarray(agent).reshape(-1, 2)), encoding.N_INPUTS)
        m[:, encoding.WALLS] = 1
        return m

    def one_cell_fixed(agent, human, fixed="agent"):
        agent, human = np.asarray(agent).reshape(-1, 2), np.asarray(human).reshape(-1, 2)
        m = torch.zeros(len(agent), encoding.N_INPUTS)
        m[:, encoding.WALLS] = 1
        cell = agent if fixed == "agent" else human
        m[np.arange(len(cell)), encoding.WALLS.start + cell[:, 0] * SIZE + cell[:, 1]] = 0
        return m

    mistakes = {"the mask is on the human plane: only walls may change": plane(encoding.HUMANS),
                "the mask is on the crop plane: only walls may change": plane(encoding.CROPS),
                "the agent's and the human's cells are not fixed: the dream could wall them in": cells_free,
                "only the agent's cell is fixed: the human's cell must stay open too (set it to 0 as well)":
                    one_cell_fixed,
                "only the human's cell is fixed: the agent's cell must stay open too (set it to 0 as well)":
                    lambda a, h: one_cell_fixed(a, h, "human"),
                "rows and columns swapped in the cell index (row * 7 + column)":
                    lambda a, h: ref(np.asarray(a)[..., ::-1], np.asarray(h)[..., ::-1])}
    return verify("wall_mask", fn, _placement_cases(), ref, mistakes)


def check_ascent_step(fn):
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(8, encoding.N_INPUTS, generator=gen)
    grad = torch.randn(8, encoding.N_INPUTS, generator=gen)
    mask = dream.wall_mask(*_placement_cases()[0].args)[:8]
    cases = [Case("a small step", (x, grad, mask, 0.05)), Case("a big step that must be clamped", (x, grad, mask, 0.8))]
    ref = dream.ascent_step
    mistakes = {"the result is not clamped to [0, 1]: an input is a wall or not, in between at most":
                    lambda x, g, m, lr: x + lr * g * m,
                "the step goes downhill: add the gradient to climb": lambda x, g, m, lr: ref(x, -g, m, lr),
                "the mask is ignored: fixed entries must not move": lambda x, g, m, lr: ref(x, g, torch.ones_like(m), lr),
                "the step size lr is not used": lambda x, g, m, lr: ref(x, g, m, 1.0),
                "the sign of the gradient instead of the gradient (g.sign()): step by lr * grad itself":
                    lambda x, g, m, lr: ref(x, g.sign(), m, lr)}
    return verify("ascent_step", fn, cases, ref, mistakes)


# ---------------------------------------------------------------- exercise 7.4: the support-break rate of dreams

def check_support_break_rate(fn):
    p = dream.placements(12, seed=3)
    start = dream.start_inputs(p)
    gen = torch.Generator().manual_seed(1)
    noisy = (start + 0.3 * torch.randn(start.shape, generator=gen) * dream.wall_mask(p.agent, p.human)).clamp(0, 1)
    closed = start.clone()   # a wall on an (even, even) cell, as in the deployment mazes
    nodes = dream.wall_mask(p.agent, p.human)[:, encoding.WALLS] * torch.as_tensor(NODES.flatten())
    nodes[:, 0] = 0   # keep the start open
    closed[torch.arange(len(p)), encoding.WALLS.start + nodes.argmax(dim=1)] = 0.7   # just above 0.5
    opened = start.clone()
    opened[:, encoding.WALLS.start + 3 * SIZE + 3] = 0.3   # open the middle (odd, odd) cell just below 0.5
    cases = [Case("undreamt starting states", (start,)), Case("noisy walls", (noisy,)),
             Case("a closed (even, even) cell", (closed,)), Case("an opened (odd, odd) cell", (opened,))]
    ref = dream.support_break_rate

    def inverted(x):
        x = torch.as_tensor(x).clone()
        x[:, encoding.WALLS] = 1 - x[:, encoding.WALLS]
        return ref(x)

    def exact_ones(x):
        x = torch.as_tensor(x).clone()
        x[:, encoding.WALLS] = (x[:, encoding.WALLS] >= 1).float()
        return ref(x)

    mistakes = {"the fraction that stays in the support, not the fraction that breaks it": lambda x: 1 - ref(x),
                "the threshold is inverted: a wall-plane value above 0.5 is a wall": inverted,
                "only values of exactly 1 count as walls: binarise the wall plane at 0.5": exact_ones}
    return verify("support_break_rate", fn, cases, ref, mistakes)


