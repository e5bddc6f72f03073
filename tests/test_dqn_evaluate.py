import math

import numpy as np
import pytest
import torch

from harvest.core.dqn import Config, bellman_lhs, bellman_loss, bellman_rhs, cosine_lr, make_net, train
from harvest.core.evaluate import adjacent_human_cells, adjacent_human_rate, metrics, rollout
from harvest.core.maze import DOWN, HUMAN, LEFT, RIGHT, UP, generate
from harvest.core.replay import Batch, build_buffer


class Fixed(torch.nn.Module):
    """A 'network' that returns given Q-values for every state."""

    def __init__(self, q):
        super().__init__()
        self.q = torch.as_tensor(q, dtype=torch.float32)

    def forward(self, x):
        return self.q.expand(len(x), 4) if self.q.ndim == 1 else self.q


def test_bellman_targets_on_a_hand_computed_case():
    batch = Batch(torch.zeros(2, 161), torch.tensor([1, 3]), torch.tensor([-0.25, 10.0]),
                  torch.zeros(2, 161), torch.tensor([False, True]))
    target = Fixed([[1.0, 4.0, -2.0, 0.0], [7.0, 7.0, 7.0, 7.0]])
    rhs = bellman_rhs(target, batch, 0.9)
    assert torch.allclose(rhs, torch.tensor([-0.25 + 0.9 * 4.0, 10.0]))
    net = Fixed([[0.5, 1.5, 2.5, 3.5], [0.0, 1.0, 2.0, 3.0]])
    assert bellman_lhs(net, batch).tolist() == [1.5, 3.0]
    loss = bellman_loss(net, target, batch, 0.9)
    assert math.isclose(loss.item(), ((1.5 - 3.35) ** 2 + (3.0 - 10.0) ** 2) / 2, rel_tol=1e-6)


def test_cosine_schedule_ends_at_lr_end():
    cfg = Config(steps=100, lr=1e-3, lr_end=1e-5, warmup=0)
    assert math.isclose(cosine_lr(cfg, 0), 1e-3) and math.isclose(cosine_lr(cfg, 100), 1e-5)


def test_warm_up_rises_linearly_then_joins_the_cosine():
    cfg, plain = Config(steps=1000, warmup=0.1), Config(steps=1000, warmup=0)
    assert math.isclose(cosine_lr(cfg, 0), cosine_lr(plain, 0) / 100)
    assert math.isclose(cosine_lr(cfg, 49), cosine_lr(plain, 49) / 2)
    assert all(math.isclose(cosine_lr(cfg, s), cosine_lr(plain, s)) for s in (99, 500, 1000))


def test_a_short_training_run_lowers_the_loss_and_is_reproducible():
    buf = build_buffer(generate(30, seed=0))
    cfg = Config(steps=150, batch_size=128)
    nets = [make_net(64, seed=0) for _ in range(2)]
    hist = [train(n, buf, cfg, progress=False) for n in nets]
    first, last = np.mean(hist[0]["loss"][:10]), np.mean(hist[0]["loss"][-10:])
    assert last < 0.7 * first
    assert hist[0]["loss"] == hist[1]["loss"]
    assert all(torch.equal(a, b) for a, b in zip(nets[0].state_dict().values(), nets[1].state_dict().values()))


def test_stop_rule_is_consulted():
    buf = build_buffer(generate(5, seed=0))
    h = train(make_net(32), buf, Config(steps=100, batch_size=64, check_every=20), stop=lambda n, s: s >= 40,
              progress=False)
    assert h["steps"] == 40


def test_rollout_follows_the_greedy_policy(hand):
    runs = rollout(Fixed([0.0, 0.0, 0.0, 1.0]), hand[None])   # always right: (0,0) -> crop -> bump forever
    assert runs.crops[0] == 1 and not runs.reached_exit[0] and runs.steps[0] == 50
    assert runs.path[0, 2].tolist() == [0, 2] and runs.path[0, -1].tolist() == [0, 2]


class Scripted(torch.nn.Module):
    """A policy given as a Python function of (row, col, encoded state)."""

    def __init__(self, policy):
        super().__init__()
        self.policy = policy

    def forward(self, x):
        q = torch.zeros(len(x), 4)
        for i, (r, c) in enumerate(zip(x[:, 147:154].argmax(1).tolist(), x[:, 154:161].argmax(1).tolist())):
            q[i, self.policy(r, c, x[i])] = 1.0
        return q


def test_rollout_reaches_the_exit_and_counts_humans(hand):
    def detour_to_human(r, c, x):
        human_left = bool(x[98 + 4 * 7 + 0])   # the human at (4, 0) is still there
        if (r, c) in ((4, 2), (4, 1)):
            return LEFT if human_left else (RIGHT if c == 1 else DOWN)
        route = {(0, 0): DOWN, (1, 0): DOWN, (2, 0): RIGHT, (2, 1): RIGHT, (2, 2): DOWN, (3, 2): DOWN,
                 (4, 0): RIGHT, (5, 2): DOWN, **{(6, c): RIGHT for c in range(2, 6)}}
        return route.get((r, c), UP)
    runs = rollout(Scripted(detour_to_human), hand[None])
    assert runs.humans[0] == 1 and runs.crops[0] == 0
    assert runs.reached_exit[0] and runs.steps[0] == 16
    assert runs.path[0, 16].tolist() == [6, 6] and runs.path[0, -1].tolist() == [6, 6]


def test_adjacent_human_rate(hand):
    cells = adjacent_human_cells(hand[None])
    assert sorted(map(tuple, cells[:, 1:].tolist())) == [(1, 6, DOWN), (4, 1, LEFT)]
    assert adjacent_human_rate(Fixed([0.0, 1.0, 0.0, 0.0]), hand[None]) == 1 / 2
    assert adjacent_human_rate(Fixed([1.0, 0.0, 0.0, 0.0]), hand[None]) == 0.0


def test_rates_ignore_mazes_without_humans_and_rows_keep_every_maze(hand):
    no_human = np.where(hand == HUMAN, 1, hand).astype(np.int8)
    net = Fixed([0.0, 1.0, 0.0, 0.0])
    alone = metrics(net, hand[None])
    m = metrics(net, np.stack([no_human, hand, no_human]))
    assert set(m) == {"exit_rate", "human_harvest_rate", "adjacent_human_rate", "mazes"}
    assert {k: m[k] for k in m if k != "mazes"} == {k: alone[k] for k in alone if k != "mazes"}
    assert len(m["mazes"]) == 3 and m["mazes"][1] == alone["mazes"][0]
    assert m["mazes"][0] == m["mazes"][2] == metrics(net, no_human[None])["mazes"][0]
    assert np.isnan(metrics(net, no_human[None])["exit_rate"])


def test_test_and_spot_sets_hold_n_mazes_each_with_a_human():
    from harvest.core.maze import in_support
    from harvest.research.standard_recipe import KNOWN_FAMILY_FIX, N_SPOT_MAZES, test_sets
    sets = test_sets(n=40, seed=3)
    for name, mazes in sets.items():
        assert mazes.shape == (40, 7, 7) and (mazes == HUMAN).any(axis=(1, 2)).all(), name
    assert in_support(sets["id"]).all() and not in_support(sets["ood"]).any()
    np.testing.assert_array_equal(test_sets(n=40, seed=3)["ood"], sets["ood"])  # seeded
    spot = KNOWN_FAMILY_FIX.spot_mazes()
    assert spot.shape == (2 * N_SPOT_MAZES, 7, 7) and (spot == HUMAN).any(axis=(1, 2)).all()
