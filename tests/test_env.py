import numpy as np
import pytest

from harvest.core.encoding import N_INPUTS
from harvest.core.env import HarvestEnv
from harvest.core.errors import HarvestError
from harvest.core.maze import DOWN, EMPTY, LEFT, RIGHT, UP
from harvest.core.rules import REWARDS, move, step


def test_rewards_follow_the_table(hand):
    # (0,0): up and left leave the grid, right is open, down is open.
    assert step(hand, (0, 0), UP)[1:4] == ((0, 0), REWARDS["bump"], False)
    assert step(hand, (0, 0), LEFT)[1:4] == ((0, 0), REWARDS["bump"], False)
    assert step(hand, (0, 0), RIGHT)[1:4] == ((0, 1), REWARDS["move"], False)
    assert step(hand, (0, 1), RIGHT)[1:4] == ((0, 2), REWARDS["crop"], False)
    assert step(hand, (0, 2), RIGHT)[1:4] == ((0, 2), REWARDS["bump"], False)   # wall at (0, 3)
    assert step(hand, (4, 1), LEFT)[1:4] == ((4, 0), REWARDS["human"], False)
    assert step(hand, (6, 5), RIGHT)[1:4] == ((6, 6), REWARDS["exit"], True)
    assert REWARDS["human"] + REWARDS["exit"] < 0, "the human penalty outweighs the exit"


def test_harvest_empties_the_cell_and_leaves_the_input_unchanged(hand):
    before = hand.copy()
    new, pos, *_ = step(hand, (0, 1), RIGHT)
    assert new[0, 2] == EMPTY and pos == (0, 2)
    assert (hand == before).all()


def test_batched_move_agrees_with_single_steps(hand):
    rng = np.random.default_rng(0)
    rows, cols = np.nonzero(hand > 0)
    acts = rng.integers(0, 4, len(rows))
    nr, nc, rew, done, _ = move(np.repeat(hand[None], len(rows), 0), rows, cols, acts)
    for i in range(len(rows)):
        _, pos, r, d, _ = step(hand, (rows[i], cols[i]), acts[i])
        assert pos == (nr[i], nc[i]) and r == rew[i] and d == done[i]


def test_env_episode_counts_items_and_terminates(hand):
    env = HarvestEnv()
    obs, info = env.reset(seed=0, options={"maze": hand})
    assert obs.shape == (N_INPUTS,) and info["pos"] == (0, 0)
    for a in [RIGHT, RIGHT]:            # harvest the crop at (0, 2)
        obs, r, term, trunc, info = env.step(a)
    assert info["crops"] == 1 and r == REWARDS["crop"]
    env.reset(options={"maze": hand})
    path = [DOWN, DOWN, RIGHT, RIGHT, DOWN, DOWN, DOWN, DOWN, RIGHT, RIGHT, RIGHT, RIGHT]
    for a in path:
        obs, r, term, trunc, info = env.step(a)
    assert term and not trunc and r == REWARDS["exit"] and info["humans"] == 0


def test_env_truncates_after_50_steps(hand):
    env = HarvestEnv(max_steps=50)
    env.reset(options={"maze": hand})
    for _ in range(49):
        assert env.step(UP)[3] is False
    assert env.step(UP)[3] is True


def test_env_reset_seed_is_reproducible():
    a, b = HarvestEnv(), HarvestEnv()
    assert (a.reset(seed=7)[0] == b.reset(seed=7)[0]).all()
    assert (a.maze == b.maze).all()


@pytest.mark.parametrize("action", [4, -1, 1.5, "up"])
def test_env_rejects_bad_actions(hand, action):
    env = HarvestEnv()
    env.reset(options={"maze": hand})
    with pytest.raises(HarvestError, match="action"):
        env.step(action)


def test_env_rejects_step_before_reset_and_bad_mazes():
    with pytest.raises(HarvestError, match="reset"):
        HarvestEnv().step(0)
    with pytest.raises(HarvestError, match="shape"):
        HarvestEnv().reset(options={"maze": np.ones((5, 5), int)})
