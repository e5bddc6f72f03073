import numpy as np
import pytest

from harvest.core.errors import HarvestError
from harvest.core.maze import (CROP, EMPTY, EXIT, HUMAN, NODES, POSTS, SIZE, WALL, dead_ends, from_text, generate,
                          has_cavern, in_support, reachable, to_text, validate)


@pytest.fixture(scope="module")
def mazes():
    return generate(2000, seed=1)


def test_generator_mazes_pass_the_support_test_and_have_no_cavern(mazes):
    assert mazes.shape == (2000, SIZE, SIZE) and mazes.dtype == np.int8
    assert in_support(mazes).all()
    assert not has_cavern(mazes).any()


def test_generator_mazes_are_solvable_trees_with_exit_bottom_right(mazes):
    assert (mazes[:, 6, 6] == EXIT).all()
    assert ((mazes == EXIT).sum(axis=(1, 2)) == 1).all()
    assert ((mazes != WALL).sum(axis=(1, 2)) == 31).all()  # 16 nodes + 15 corridors: a spanning tree
    for m in mazes[:200]:
        assert reachable(m).sum() == 31


def test_the_exit_is_a_dead_end_so_every_item_can_be_harvested_before_it(mazes):
    # With the exit as a through-cell, a third of mazes hid every human behind it (EXPERIMENTS R15).
    exit_neighbours = (mazes[:, 5, 6] != WALL).astype(int) + (mazes[:, 6, 5] != WALL)
    assert (exit_neighbours == 1).all()
    for m in mazes[:200]:
        before_exit = reachable(np.where(m == EXIT, WALL, m))
        assert before_exit[np.isin(m, (CROP, HUMAN))].all()


def test_items_sit_exactly_in_dead_ends(mazes):
    items = np.isin(mazes, (CROP, HUMAN))
    ends = dead_ends(np.where(items, EMPTY, mazes))
    assert (items == ends).all()
    assert (mazes[:, 0, 0] == EMPTY).all()
    frac_human = (mazes == HUMAN).sum() / items.sum()
    assert 0.45 < frac_human < 0.55


def test_same_seed_same_mazes_and_different_seed_different():
    assert (generate(50, seed=3) == generate(50, seed=3)).all()
    assert not (generate(50, seed=3) == generate(50, seed=4)).all()


def test_support_test_on_hand_made_cases(hand):
    assert in_support(hand)
    broken = hand.copy()
    broken[1, 1] = EMPTY        # open an (odd, odd) cell
    assert not in_support(broken)
    closed = hand.copy()
    closed[2, 2] = WALL         # close an (even, even) cell
    assert not in_support(closed)
    assert NODES.sum() == 16 and POSTS.sum() == 9


def test_text_round_trip(hand):
    assert (from_text(to_text(hand)) == hand).all()


@pytest.mark.parametrize("bad, message", [
    (np.ones((3, 7)), "shape"),
    (np.ones((2, 7, 7), float), "integer"),
    (np.full((1, 7, 7), 7), "unknown cell code 7"),
    (np.full((1, 7, 7), 1), "0 exits"),
])
def test_validate_rejects_bad_mazes_with_a_clear_message(bad, message):
    with pytest.raises(HarvestError, match=message):
        validate(bad)


def test_validate_rejects_a_wall_on_the_start(hand):
    hand[0, 0] = WALL
    with pytest.raises(HarvestError, match="start"):
        validate(hand)
