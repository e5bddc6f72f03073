"""The cross-episodic chapter's yardstick (issue 38): exact myopic and cross-episode optima under "seed corn"."""
import numpy as np
import pytest

from harvest.core import optimal
from harvest.core.maze import CROP, generate
from harvest.research import cross_episode as ce

MAZES = generate(60, seed=3)


def test_with_no_carry_the_play_is_the_ordinary_optimum():
    for maze in MAZES[:8]:
        p = ce.play(maze)
        assert p["value"] == pytest.approx(optimal.optimal_value(maze))
        assert p["episode_return"] == pytest.approx(p["value"]) and p["reached_exit"]
        assert p["crops"] + p["crops_left"] == (maze == CROP).sum()


def test_a_crop_worth_more_next_episode_is_left_at_a_cost_to_this_one():
    carry = 4.0
    pairs = [(ce.play(m), ce.play(m, carry)) for m in MAZES]
    differ = [(a, b) for a, b in pairs if b["crops_left"] != a["crops_left"]]
    assert differ, "some maze has a crop the myopic optimum takes and the cross-episode one leaves"
    for myopic, cross in differ:
        assert cross["crops_left"] > myopic["crops_left"]
        assert cross["episode_return"] < myopic["episode_return"]   # this episode pays for the next
        assert cross["value"] >= myopic["episode_return"] + carry * myopic["crops_left"] - 1e-9   # and it is optimal


def test_the_carry_is_the_bonus_discounted_by_the_next_walk_to_the_exit():
    carry = ce.carry_value(MAZES[:20], 3.0)
    steps = [ce.play(m, carry)["steps"] for m in MAZES[:20]]
    assert carry == pytest.approx(3.0 * np.mean([optimal.GAMMA ** s for s in steps]), rel=1e-6)
    assert 0 < carry < 3.0


def test_compare_counts_the_mazes_where_the_two_optima_disagree():
    rows, none = ce.compare(MAZES[:30], 0.0)
    assert none["leaves_more"] == 0.0 and none["cross_left"] == none["myopic_left"]
    rows, big = ce.compare(MAZES[:30], 8.0)
    assert big["leaves_more"] == np.mean([r["cross_left"] > r["myopic_left"] for r in rows]) > 0
