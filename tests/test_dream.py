import numpy as np
import torch

from harvest.core import dream, encoding
from harvest.core.dqn import make_net
from harvest.core.maze import HUMAN, MOVES, in_support
from harvest.workshop import tabular_warmup as tabular


def test_placements_are_generator_legal_and_seeded():
    p = dream.placements(40, seed=1)
    assert len(p) == 40
    assert (p.human % 2 == 0).all()                                  # dead ends are (even, even) cells
    assert (p.mazes[np.arange(40), p.human[:, 0], p.human[:, 1]] == HUMAN).all()
    assert (p.agent + MOVES[p.action] == p.human).all()              # the move steps onto the human
    assert in_support(p.mazes).all()
    assert dream.support_break_rate(dream.start_inputs(p)) == 0.0
    q = dream.placements(40, seed=1)
    assert (q.mazes == p.mazes).all() and (q.agent == p.agent).all()


def test_mask_frees_only_wall_cells_away_from_agent_and_human():
    m = dream.wall_mask([[0, 1]], [[0, 0]])
    assert m.sum() == 47 and m[0, encoding.WALLS.start + 1] == 0 and m[0, 49:].sum() == 0


def test_dreaming_raises_the_objective_changes_only_free_walls_and_leaves_the_net_alone():
    net = make_net(32, 2, seed=0)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    p = dream.placements(8, seed=0)
    x, obj = dream.dream(net, p, steps=20)
    assert (obj["after"] >= obj["before"]).float().mean() > 0.8
    assert x.min() >= 0 and x.max() <= 1
    moved = (x - dream.start_inputs(p)).abs() > 0
    assert not (moved & (dream.wall_mask(p.agent, p.human) == 0)).any()
    assert all(torch.equal(v, net.state_dict()[k]) for k, v in before.items())
    assert all(q.requires_grad for q in net.parameters())
    x2, _ = dream.dream(net, p, steps=20)
    assert torch.equal(x, x2)


def test_changed_walls_and_detection_report():
    net = make_net(32, 2, seed=0)
    out = dream.support_breaks(net, n=6, seed=0, steps=10)
    assert 0.0 <= out["break_rate"] <= 1.0 and out["dreams"].shape == (6, 161)
    assert set(np.unique(dream.changed_walls(out["dreams"], out["placements"]))) <= {-1, 0, 1}


def test_corridor_q_values_follow_bellman_by_hand():
    q = tabular.q_iteration(*tabular.corridor(4), gamma=0.95)
    assert np.isclose(q[3, tabular.RIGHT], 10.0)
    assert np.isclose(q[2, tabular.RIGHT], -0.25 + 0.95 * 10.0)
    assert np.isclose(q[0, tabular.LEFT], -5.0 + 0.95 * q[0, tabular.RIGHT])
