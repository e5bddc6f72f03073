"""The fixes chapter's maze families and random edits: legal, solvable, and exactly as defined."""
import numpy as np
import pytest

from harvest.core.families import FAMILIES, generate_loop, generate_pocket, random_edits
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


def test_random_edits_keep_mazes_legal_solvable_and_local():
    mazes = generate(200, 5)
    edited = random_edits(mazes, np.random.default_rng(0), n_edits=2)
    validate(edited)
    assert all(solvable(m) for m in edited)
    changed = (edited != mazes).sum(axis=(1, 2))
    assert changed.max() <= 4 and changed.mean() > 1, "two edits: each flips one cell or moves an item by one"
    assert (edited[:, 0, 0] == mazes[:, 0, 0]).all() and ((edited == EXIT) == (mazes == EXIT)).all()
    assert (np.isin(edited, (CROP, HUMAN)).sum(axis=(1, 2)) == np.isin(mazes, (CROP, HUMAN)).sum(axis=(1, 2))).all()
    assert not in_support(edited).all(), "edits leave the generator's support"
    again = random_edits(mazes, np.random.default_rng(0), n_edits=2)
    assert (again == edited).all()
