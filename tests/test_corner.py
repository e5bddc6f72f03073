"""The corner chapter: the moved-exit family, the exit plane, the corner metrics and the sweep."""
import json

import gymnasium
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

from harvest.cli import main
from harvest.core import weights
from harvest.core.errors import HarvestError
from harvest.core.dqn import Config, make_net
from harvest.core.encoding import InputSpec, spec_of
from harvest.core.encoding import EXITS, N_INPUTS, N_INPUTS_EXIT, decode, encode, planes
from harvest.core.env import HarvestEnv
from harvest.core.evaluate import Rollouts, corner_metrics, metrics
from harvest.core.families import generate_moved_exit, move_exit
from harvest.core.maze import (CORNER, CROP, EMPTY, EXIT, HUMAN, NODES, WALL, dead_ends, exit_cells, from_text, generate,
                               has_cavern, in_support, reachable, validate)
from harvest.research.chapters import corner
from harvest.research.standard_recipe import PLAIN, Mix


def test_moved_exit_mazes_are_valid_solvable_and_never_exit_at_the_corner():
    mazes = generate_moved_exit(500, seed=3)
    validate(mazes)
    exits = exit_cells(mazes)
    assert not (exits == CORNER).all(axis=1).any()
    assert (mazes[:, CORNER[0], CORNER[1]] == EMPTY).all()
    assert all(reachable(m)[tuple(e)] for m, e in zip(mazes, exits))
    assert in_support(mazes).all() and not has_cavern(mazes).any()
    assert dead_ends(mazes)[np.arange(len(mazes)), exits[:, 0], exits[:, 1]].sum() == 0  # the exit is not "a dead end"
    # the exit sits where a dead end was: exactly one open neighbour
    is_open = np.pad(mazes != WALL, ((0, 0), (1, 1), (1, 1)))
    r, c = exits[:, 0] + 1, exits[:, 1] + 1
    i = np.arange(len(mazes))
    assert ((is_open[i, r - 1, c].astype(int) + is_open[i, r + 1, c] + is_open[i, r, c - 1] + is_open[i, r, c + 1]) == 1).all()


def test_move_exit_changes_only_the_exit_its_dead_end_and_the_corner():
    mazes = generate(300, seed=4)
    moved, ok = move_exit(mazes, np.random.default_rng(0))
    assert ok.mean() > 0.9
    changed = (moved != mazes)
    assert (changed[~ok] == 0).all()
    assert (changed[ok].sum(axis=(1, 2)) == 2).all()          # the corner and the new exit cell
    assert (mazes[ok][changed[ok]] != WALL).all()              # walls never change
    items = np.isin(mazes, (CROP, HUMAN)).sum(axis=(1, 2)) - np.isin(moved, (CROP, HUMAN)).sum(axis=(1, 2))
    assert (items[ok] == 1).all()                              # the exit took one item's place


def test_move_exit_leaves_a_maze_with_no_other_dead_end_alone():
    snake = from_text("""
        .......
        ######.
        .......
        .######
        .......
        ######.
        ######E""")
    moved, ok = move_exit(snake[None], np.random.default_rng(0))
    assert not ok[0] and (moved[0] == snake).all()


def test_the_exit_plane_round_trips_through_decode():
    for maze in generate_moved_exit(20, seed=5):
        x = encode(maze[None], [0], [0], exit_visible=True)[0]
        assert x.shape == (N_INPUTS_EXIT,) and x[EXITS].sum() == 1
        assert torch.equal(x[:N_INPUTS], encode(maze[None], [0], [0])[0])   # the first 161 mean the same
        back, pos = decode(x)
        assert (back == maze).all() and pos == (0, 0)
        assert planes(x)["exit"].shape == (7, 7)
    assert "exit" not in planes(encode(maze[None], [0], [0]))


def _runs(paths, exited):
    paths = np.array(paths)
    n = len(paths)
    return Rollouts(np.array(exited), np.zeros(n, int), np.zeros(n, int), np.full(n, paths.shape[1] - 1), paths)


def test_corner_metrics_on_hand_made_rollouts():
    moved = from_text("""
        ..E....
        .#####.
        .......
        .#####.
        .......
        .#####.
        .......""")
    plain = moved.copy()
    plain[0, 2], plain[6, 6] = EMPTY, EXIT
    to_exit = [(0, 0), (0, 1), (0, 2), (0, 2)]
    via_corner = [(0, 0), (6, 6), (0, 2), (0, 2)]            # teleports are fine: only the cells visited count
    lost = [(0, 0), (1, 0), (2, 0), (2, 1)]
    stuck = [(0, 0), (5, 6), (6, 6), (6, 6)]
    runs = _runs([to_exit, via_corner, lost, stuck], [True, True, False, False])
    m = corner_metrics(runs, np.stack([moved] * 4))
    assert m == {"corner_rate": 0.75, "reached_corner_rate": 0.5, "end_at_corner_rate": 0.25}
    # mazes with the exit in the corner do not count; with none moved there is nothing to report
    m = corner_metrics(runs, np.stack([moved, plain, plain, moved]))
    assert m == {"corner_rate": 0.5, "reached_corner_rate": 0.5, "end_at_corner_rate": 0.5}
    assert corner_metrics(runs, np.stack([plain] * 4)) == {}


class _GoRightThenDown(torch.nn.Module):
    """A scripted 210-input policy: right along the top row, then down the last column."""
    input_spec = InputSpec(exit_visible=True)

    def forward(self, x):
        col = x[:, 154:161].argmax(dim=1)
        q = torch.zeros(len(x), 4)
        q[col < 6, 3] = 1.0
        q[col == 6, 1] = 1.0
        return q


def test_metrics_add_the_corner_rate_on_real_rollouts():
    open_top = from_text("""
        ...E...
        .#####.
        .#...#.
        .#.#.#.
        .#.#.#.
        .#H#.#.
        .......""")
    exit_in_corner = from_text("""
        .......
        .#####.
        .#...#.
        .#.#.#.
        .#.#.#.
        .#H#.#.
        ......E""")
    net = _GoRightThenDown()
    assert spec_of(net).exit_visible and not spec_of(make_net(8, 1)).exit_visible
    m = metrics(net, np.stack([open_top, exit_in_corner]))
    assert m["exit_rate"] == 1.0 and m["corner_rate"] == 0.0       # walks into the moved exit at (0, 3)
    open_top[0, 3], open_top[0, 0] = EMPTY, EMPTY
    open_top[2, 2] = EXIT                                           # now off its route
    m = metrics(net, np.stack([open_top, exit_in_corner]))
    assert m["exit_rate"] == 0.5 and m["corner_rate"] == 1.0 and m["end_at_corner_rate"] == 1.0
    assert "corner_rate" not in metrics(net, exit_in_corner[None])


def test_moved_exit_share_swaps_that_share_of_training_and_spot_mazes():
    assert (exit_cells(PLAIN.spot_mazes()) == CORNER).all()
    spot = Mix(swap={"moved-exit": 0.01}).spot_mazes()
    assert (~(exit_cells(spot) == CORNER).all(axis=1)).sum() == round(0.01 * len(spot))
    assert (spot == HUMAN).any(axis=(1, 2)).all()
    buf = Mix(swap={"moved-exit": 0.003}).buffer(0)
    assert (~(exit_cells(buf.grids.numpy()) == CORNER).all(axis=1)).sum() > 0


def test_exit_visible_weights_record_their_encoding(tmp_path):
    net = make_net(16, 1, seed=0, exit_visible=True)
    back = weights.load(weights.save(net, tmp_path / "w.pt"))
    assert spec_of(back).exit_visible and back.body[0].in_features == N_INPUTS_EXIT
    assert not spec_of(weights.load(weights.save(make_net(16, 1), tmp_path / "v.pt"))).exit_visible


def test_the_env_can_show_the_exit():
    env = HarvestEnv(source="moved-exit", exit_visible=True)
    check_env(env, skip_render_check=True)
    obs, _ = env.reset(seed=1)
    assert obs.shape == (N_INPUTS_EXIT,) and obs[EXITS].sum() == 1
    assert obs[EXITS.start + CORNER[0] * 7 + CORNER[1]] == 0
    assert gymnasium.make("Harvest-v0", source="moved-exit").observation_space.shape == (N_INPUTS,)


def test_the_sweep_runs_small_and_writes_its_files(tmp_path, capsys):
    rows = corner.run([0.0, 0.5], seeds=1, n_test=30, cfg=Config(hidden=16, layers=1, steps=30, batch_size=64),
                      progress=False, log=lambda line: None, nets_dir=tmp_path / "nets")
    corner.CHAPTER.save(rows, tmp_path)
    out = tmp_path
    saved = json.loads((out / "corner.json").read_text())
    assert [(r["p"], r["seed"]) for r in saved] == [(0.0, 0), (0.5, 0)]
    for r in saved:
        assert {"p", "seed", "id_exit_rate", "exit_rate", "corner_rate"} <= set(r)
        assert 0 <= r["exit_rate"] <= 1 and 0 <= r["corner_rate"] <= 1
    assert saved[0]["exit_columns_moved"] == 1 and saved[0]["corner_column_moved"]   # p = 0: only the corner's
    assert saved[1]["exit_columns_moved"] > 1
    assert (out / "corner.png").stat().st_size > 0 and "| 50% |" in (out / "corner.md").read_text()
    assert spec_of(weights.load(tmp_path / "nets" / "p0.5_seed0.pt")).exit_visible


def test_smallest_fixing_share():
    rows = [{"p": p, "exit_rate": e} for p, e in [(0, 0.1), (0, 0.2), (0.01, 0.95), (0.01, 0.5), (0.1, 0.9),
                                                  (0.1, 0.99), (0.3, 0.95), (0.3, 0.97)]]
    assert corner.smallest_fixing_share(rows) == 0.1
    assert corner.smallest_fixing_share(rows[:4]) is None


@pytest.mark.parametrize("bad", ["x", "1.5", "-0.1", "0,nan", "0,,1"])
def test_a_bad_share_is_a_one_line_error(bad, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["corner", "--p", bad])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err


def test_train_and_evaluate_pick_the_encoding(tmp_path, capsys):
    w, m = tmp_path / "w.pt", tmp_path / "m.npy"
    assert main(["train", "--init", "random", "--exit-visible", "--moved-exit-share", "0.1", "--seed", "0",
                 "--out", str(w), "--quiet", "--steps", "5"]) == 0
    assert spec_of(weights.load(w)).exit_visible
    assert main(["mazes", "--kind", "moved-exit", "--n", "20", "--out", str(m)]) == 0
    capsys.readouterr()
    assert main(["evaluate", "--weights", str(w), "--mazes", str(m)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "corner_rate" in report and "end_at_corner_rate" in report
    assert main(["train", "--init", "shipped", "--exit-visible", "--out", str(w), "--steps", "1"]) == 2
    assert main(["dream", "--weights", str(w)]) == 2


def test_the_shipped_corner_agents_are_what_the_workshop_says():
    for p in corner.SHIPPED_SHARES:
        name = corner.shipped_name(p)
        net = weights.load_shipped(name)          # checks the SHA-256 in SHA256SUMS
        meta = torch.load(weights.WEIGHTS_DIR / name, weights_only=True)["meta"]
        assert spec_of(net).exit_visible and meta["moved_exit_share"] == p and meta["seed"] == 0
        moved = corner.exit_plane_change(net, seed=0) > 0
        if p == 0:   # only the corner's column, a constant 1 in training, moved
            assert moved.sum() == 1 and moved[CORNER]
        else:        # every column an exit can stand on in training: the 14 (even, even) cells besides start and corner
            assert moved.sum() > 1 and not moved[~NODES].any()


def test_a_sweep_can_be_extended_without_its_first_seeds(tmp_path):
    cfg = Config(hidden=16, layers=1, steps=5, batch_size=32)
    first = corner.run([0.0], seeds=1, n_test=10, cfg=cfg, progress=False, log=lambda line: None)
    corner.CHAPTER.save(first, tmp_path)
    more = corner.run([0.0], seeds=2, n_test=10, cfg=cfg, progress=False, log=lambda line: None, first_seed=1)
    rows = corner.extend(more, tmp_path / "corner.json", [0.0], first_seed=1)
    assert [(r["p"], r["seed"]) for r in rows] == [(0.0, 0), (0.0, 1)] and rows[0] == first[0]
    with pytest.raises(HarvestError, match="lacks the rows"):
        corner.extend(more, tmp_path / "corner.json", [0.0, 0.1], first_seed=1)
