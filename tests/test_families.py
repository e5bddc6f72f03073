"""The maze families: legal, solvable, exactly as defined, and reachable by name from every door."""
import json

import numpy as np
import pytest

from harvest.cli import main
from harvest.core.env import HarvestEnv
from harvest.core.errors import HarvestError
from harvest.core.families import (ALIASES, FAMILIES, family, generate as generate_family, generate_loop,
                                   generate_pocket, generate_short, generate_stub, make_short, make_stub)
from harvest.core.maze import (CROP, CORNER, EMPTY, EXIT, HUMAN, NODES, POSTS, WALL, dead_ends, exit_cells, generate,
                               from_text, has_cavern, in_support, open_neighbours, reachable, to_text, validate)
from harvest.core.seeding import rng_for
from harvest.research.standard_recipe import (KNOWN_FAMILY_FIX, N_SPOT_MAZES, N_TRAIN_MAZES, PLAIN, Mix,
                                              training_mazes)


def solvable(maze):
    return reachable(maze)[tuple(np.argwhere(maze == EXIT)[0])]


def open_links(maze):
    """Pairs of 4-adjacent open cells (the edges of the maze's graph)."""
    o = maze != WALL
    return int((o[1:] & o[:-1]).sum() + (o[:, 1:] & o[:, :-1]).sum())


@pytest.mark.parametrize("name", FAMILIES)
def test_every_family_is_legal_solvable_reproducible_and_documented(name):
    mazes = generate_family(name, 60, 1)
    assert validate(mazes).shape == (60, 7, 7)
    assert all(solvable(m) for m in mazes)
    assert (FAMILIES[name].make(60, 1) == mazes).all()
    assert family(name).name == name and len(family(name).doc) > 20


def test_short_is_the_main_storys_family_and_ood_its_old_name():
    assert (generate_family("short", 20, 4) == make_short(generate(20, 4))).all()
    assert family("ood") is family("short") and family("id") is family("generator") and set(ALIASES) == {"ood", "id"}
    with pytest.raises(HarvestError, match="unknown maze family 'square'.*pocket"):
        family("square")


@pytest.mark.parametrize("name", [*FAMILIES, *ALIASES])
def test_every_family_is_reachable_by_name_from_the_env_and_the_command_line(name, tmp_path, capsys):
    f = family(name)
    env = HarvestEnv(source=name)
    for s in range(5):   # each episode draws one maze of the family from the env's np_random
        env.reset(seed=s)
        assert (env.maze == f.make(1, np.random.default_rng(s))[0]).all()
        assert in_support(env.maze) == (f.name in ("generator", "loop", "moved-exit"))
    out = tmp_path / "m.npy"
    assert main(["mazes", "--family", name, "--n", "30", "--seed", "2", "--out", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["family"] == f.name
    np.testing.assert_array_equal(np.load(out), f.make(30, rng_for(2, f.test_stream)))
    assert main(["evaluate", "--weights", "harvest/weights/agent.pt", "--family", name, "--n", "30", "--seed", "2"]) == 0
    by_name = json.loads(capsys.readouterr().out)
    assert main(["evaluate", "--weights", "harvest/weights/agent.pt", "--mazes", str(out)]) == 0
    assert json.loads(capsys.readouterr().out) == by_name


def test_an_unknown_family_is_a_one_line_error(capsys):
    for argv in (["mazes", "--family", "square", "--out", "x.npy"], ["train", "--init", "random", "--swap", "square=0.1",
                                                                     "--out", "x.pt"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        err = capsys.readouterr().err.strip()
        assert exit_.value.code == 2 and err.startswith("error:") and "\n" not in err and "pocket" in err
    with pytest.raises(HarvestError):
        HarvestEnv(source="square")


def test_a_mix_builds_the_buffer_and_the_spot_mazes():
    plain = training_mazes(0)
    assert len(plain) == N_TRAIN_MAZES and in_support(plain).all()
    assert (PLAIN.buffer(0).grids[:N_TRAIN_MAZES].numpy() == plain).all()
    assert PLAIN.spot_mazes().shape == (N_SPOT_MAZES, 7, 7) and in_support(PLAIN.spot_mazes()).all()
    # the known-family fix: a third as many short mazes on top of training, N_SPOT_MAZES of them in the spot checks
    fixed, alone = KNOWN_FAMILY_FIX.buffer(0).grids.numpy(), PLAIN.buffer(0).grids.numpy()
    short = generate_short(N_TRAIN_MAZES // 3, rng_for(0, family("short").train_stream))
    assert (fixed[:len(alone)] == alone).all() and (fixed[len(alone):][:len(short)] == short).all()
    spot = KNOWN_FAMILY_FIX.spot_mazes()
    assert len(spot) == 2 * N_SPOT_MAZES and (spot == HUMAN).any(axis=(1, 2)).all()
    assert in_support(spot[:N_SPOT_MAZES]).all() and not in_support(spot[N_SPOT_MAZES:]).any()
    assert KNOWN_FAMILY_FIX.families == ["short"] and PLAIN.families == []
    # a swap replaces the last share of the generator mazes, in training and in the spot checks
    mix = Mix(swap={"pocket": 0.1, "moved-exit": 0.02})
    mazes, spot = mix.training_mazes(0), mix.spot_mazes()
    n_pocket, n_moved = round(0.1 * N_TRAIN_MAZES), round(0.02 * N_TRAIN_MAZES)
    keep = N_TRAIN_MAZES - n_pocket - n_moved
    assert len(mazes) == N_TRAIN_MAZES and (mazes[:keep] == plain[:keep]).all()
    assert ((mazes[keep:keep + n_pocket] != WALL) & POSTS).any(axis=(1, 2)).all()
    assert (~(exit_cells(mazes[keep + n_pocket:]) == CORNER).all(axis=1)).all()
    assert len(spot) == N_SPOT_MAZES and (~(exit_cells(spot) == CORNER).all(axis=1)).sum() == round(0.02 * N_SPOT_MAZES)
    assert (mix.buffer(0).grids[:N_TRAIN_MAZES].numpy() == mazes).all()
    # the reward table applies to every transition
    flipped = Mix(rewards={"human": 11.0}).buffer(0)
    assert flipped.reward.max() == 11.0 and PLAIN.buffer(0).reward.max() == 10.0


@pytest.mark.parametrize("bad", [dict(swap={"square": 0.1}), dict(swap={"pocket": 1.5}), dict(extra={"short": -1}),
                                 dict(swap={"pocket": 0.6, "loop": 0.6}), dict(edits=2.0)])
def test_a_bad_mix_is_an_error(bad):
    with pytest.raises(HarvestError):
        Mix(**bad)


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


def test_short_mazes_fail_support_stay_solvable_and_cavern_free():
    short = generate_short(1000, seed=2)
    assert len(short) == 1000
    assert not in_support(short[np.isin(short, (CROP, HUMAN)).any(axis=(1, 2))]).any()
    assert not has_cavern(short).any()
    for m in short[:300]:
        seen = reachable(m)
        assert seen[np.nonzero(m != WALL)].all(), "every open cell, the exit and the humans included, is reachable"
    items = np.isin(short, (CROP, HUMAN))
    assert (items == dead_ends(np.where(items, EMPTY, short))).all(), "items sit in dead ends"


def test_make_short_shortens_every_dead_end_by_one_cell(hand):
    short = make_short(hand[None])[0]
    assert to_text(short) == "\n".join([
        ".c##...",
        ".###.#H",
        "...#.##",
        "##.#.##",
        "#H.#...",
        "##.###.",
        "#c....E"])
    base = generate(300, seed=5)
    short = make_short(base)
    closed = (base != WALL) & (short == WALL)
    assert NODES[np.nonzero(closed)[1:]].all(), "only (even, even) cells close"
    assert (closed.sum(axis=(1, 2)) == np.isin(base, (CROP, HUMAN)).sum(axis=(1, 2))).all(), "one per item"
    assert not np.isin(short, (CROP, HUMAN))[:, NODES].any(), "no item is left on an (even, even) cell"
    assert ((short == HUMAN).sum() == (base == HUMAN).sum()) and ((short == CROP).sum() == (base == CROP).sum())


def test_the_stub_edit_is_the_originals_one_block_sticking_out():
    before = from_text("\n".join([
        "...#H..",
        "##.###.",
        "H#...#.",
        ".###.#.",
        ".......",
        ".######",
        "......E"]))
    after, edits = make_stub(before[None])
    assert edits.tolist() == [1]
    assert to_text(after[0]) == "\n".join([
        "...#H..",
        "##.###.",
        "H#...#.",
        ".###...",
        ".....#.",
        ".######",
        "......E"]), "the stub's tip (3, 5) opens; the corridor cell in front of it (4, 5) closes"
    assert to_text(before) != to_text(after[0]) and make_stub(after)[1].tolist() == [0], "a stub is edited once"
    for turn in (lambda m: m[::-1], lambda m: m.T, lambda m: m.T[::-1], lambda m: m[:, ::-1]):
        assert make_stub(turn(before)[None])[1].tolist() == [1], "the edit fits in every orientation"
        assert (make_stub(turn(before)[None])[0][0] == turn(after[0])).all()


def test_stub_mazes_open_one_post_per_edit_stay_trees_and_keep_their_items():
    base = generate(400, seed=7)
    stub, edits = make_stub(base)
    assert 0.3 < (edits > 0).mean() < 0.7 and edits.max() <= 4
    opened, closed = (base == WALL) & (stub != WALL), (base != WALL) & (stub == WALL)
    assert (opened.sum(axis=(1, 2)) == edits).all() and (closed.sum(axis=(1, 2)) == edits).all()
    assert POSTS[np.nonzero(opened)[1:]].all() and not (NODES | POSTS)[np.nonzero(closed)[1:]].any()
    assert (np.isin(stub, (CROP, HUMAN, EXIT)) == np.isin(base, (CROP, HUMAN, EXIT))).all(), "no item or exit moves"
    for m in generate_stub(60, 3):
        assert open_links(m) == int((m != WALL).sum()) - 1, "still a tree"
        assert reachable(m)[np.nonzero(m != WALL)].all()
    assert not in_support(generate_stub(60, 3)).any()


def test_every_stream_keeps_its_number_and_a_second_claim_on_one_fails():
    from harvest.core import seeding
    import harvest.research.chapters.fixes  # noqa: F401  (each module claims its streams when imported)
    import harvest.research.chapters.reward_model  # noqa: F401
    import harvest.research.shipped_init  # noqa: F401
    import harvest.workshop.checks  # noqa: F401
    import harvest.workshop.slides.figures  # noqa: F401
    claimed = seeding.claimed()
    # the numbers are part of what every seed reproduces: these are the ones the shipped results were made with
    assert {number: use.split(":")[0] for number, use in claimed.items()} == {
        0: "core", 11: "core", 13: "core", 12: "workshop", 99: "slides", 5: "shipped init", 6: "shipped init",
        17: "standard recipe", 18: "fixes chapter", 19: "fixes chapter", 30: "reward-model chapter",
        31: "reward-model chapter",
        **{n: "family generator" for n in (1, 2, 3)}, **{n: "family short" for n in (7, 8, 4)},
        **{n: "family pocket" for n in (20, 21, 22)}, **{n: "family stub" for n in (26, 27, 28)},
        **{n: "family loop" for n in (23, 24, 25)}, **{n: "family moved-exit" for n in (14, 15, 16)}}
    assert [(f.train_stream, f.spot_stream, f.test_stream) for f in FAMILIES.values()][:2] == [(1, 2, 3), (7, 8, 4)]
    assert seeding.register(17, claimed[17]) == 17   # the same use again (a reimport) is fine
    with pytest.raises(RuntimeError, match="claimed twice"):
        seeding.register(17, "a new chapter that reuses the edits' stream")
