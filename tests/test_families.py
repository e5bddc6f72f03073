"""The fixes chapter's maze families: legal, solvable, and exactly as defined."""
import numpy as np
import pytest

from harvest.core.families import FAMILIES, generate_loop, generate_pocket
from harvest.core.maze import (CROP, EXIT, HUMAN, POSTS, WALL, generate, in_support, make_ood, open_neighbours,
                               reachable, validate)


def solvable(maze):
    return reachable(maze)[tuple(np.argwhere(maze == EXIT)[0])]


def open_links(maze):
    """Pairs of 4-adjacent open cells (the edges of the maze's graph)."""
    o = maze != WALL
    return int((o[1:] & o[:-1]).sum() + (o[:, 1:] & o[:, :-1]).sum())


@pytest.mark.parametrize("name", FAMILIES)
def test_every_family_is_legal_solvable_and_reproducible(name):
    mazes = FAMILIES[name](60, 1)
    assert validate(mazes).shape == (60, 7, 7)
    assert all(solvable(m) for m in mazes)
    assert (FAMILIES[name](60, 1) == mazes).all()


def test_short_is_the_main_storys_family():
    assert (FAMILIES["short"](20, 4) == make_ood(generate(20, 4))).all()


def test_a_pocket_is_one_open_post_beside_exactly_one_open_cell():
    mazes = generate_pocket(80, 2)
    posts = (mazes != WALL) & POSTS
    assert (posts.sum(axis=(1, 2)) == 1).all()
    assert (open_neighbours(mazes)[posts] == 1).all()
    assert not in_support(mazes).any()
    assert np.isin(mazes[posts], (CROP, HUMAN)).all(), "a pocket is a dead end, so it holds an item"


def test_a_loop_maze_passes_the_support_test_and_has_exactly_one_cycle():
    mazes = generate_loop(40, 3)
    assert in_support(mazes).all()
    for m in mazes:
        cells = int((m != WALL).sum())
        assert open_links(m) == cells, "a tree has one link fewer than cells; one removed wall adds one cycle"
