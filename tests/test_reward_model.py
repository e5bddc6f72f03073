"""The reward-model chapter (harvest.research.chapters.reward_model): its pieces, and a tiny run end to end."""
import json

import numpy as np
import torch

from harvest.core.encoding import decode, encode
from harvest.core.maze import EMPTY, EXIT, WALL, from_text
from harvest.core.rules import move
from harvest.research.chapters import reward_model as rm

TINY = rm.Scale(steps=20, round_steps=10, batch_size=64, members=2, rounds=1, labels=8, candidates=16, n_test=6)
MAZE = from_text("""
...#..c
##.#.#.
.....#.
.###.#.
...#...
##.###.
H.....E
""")

class Decoded:
    """A stand-in reward model that reads each state back to a maze and returns the reward of each move under
    `rewards`: what a perfect reward model of that table would predict."""

    def __init__(self, **rewards):
        self.rewards = rewards

    def mean(self, x):
        out = []
        for row in x:
            maze, (r, c) = decode(row)
            maze[maze == EXIT] = EMPTY
            maze[6, 6] = EXIT   # the exit stays in the corner, as in every maze here
            out.append(move(np.repeat(maze[None], 4, 0), [r] * 4, [c] * 4, range(4), self.rewards)[2])
        return torch.as_tensor(np.array(out))


def test_the_planner_reads_every_state_as_the_game_has_it():
    """Planning on a perfect model of the true reward spares the human; on one that pays for a human, it hunts."""
    assert rm.plan(None, MAZE) == (0, True)
    assert rm.plan(Decoded(), MAZE) == (0, True)
    assert rm.plan(Decoded(human=20.0), MAZE) == (1, True), "one harvest, then on to the exit: each state's items" \
                                                              " are the game's"


def test_labels_are_the_true_rewards_of_the_searched_moves():
    p = rm.starts(12, seed=3)
    assert all(p.mazes[i][tuple(p.human[i])] not in (WALL, EXIT) for i in range(len(p)))
    labels = rm.transitions(p.mazes, p.agent[:, 0], p.agent[:, 1], p.action)
    expected = move(p.mazes, p.agent[:, 0], p.agent[:, 1], p.action)[2]
    assert np.array_equal(labels.reward.numpy(), expected) and len(labels) == 12


def test_the_search_changes_only_the_entered_cell_and_keeps_the_most_disputed_states():
    models = rm.ensemble("random", 0, 2)
    p = rm.starts(32, seed=1)
    grids, pick = rm.search(models, p, keep=8, lr=0.05)
    assert len(grids) == len(set(pick)) == 8
    for g, i in zip(grids, pick):
        changed = np.argwhere(g != p.mazes[i])
        assert all(tuple(c) == tuple(p.human[i]) for c in changed), "only the cell the move enters may change"
    searched = rm.decoded(rm.search_inputs(models, p, 0.05), p)
    with torch.no_grad():
        spread = rm.disagreement(models(encode(searched, p.agent[:, 0], p.agent[:, 1])), p.action)
    assert spread[pick].min() >= np.delete(spread.numpy(), pick).max() - 1e-6, "the kept states are the most disputed"
    control, chosen = rm.random_contents(p, 8, seed=1)
    assert all((control[k] != p.mazes[i]).sum() <= 1 for k, i in enumerate(chosen))


def test_identical_members_do_not_disagree():
    models = rm.ensemble("shipped", 0, 3)
    x = torch.rand(5, 161)
    assert torch.allclose(rm.disagreement(models(x), np.zeros(5, int)), torch.zeros(5))


def test_a_tiny_run_writes_every_round_and_its_table_and_figure(tmp_path):
    rows = rm.run(1, inits=("random",), scale=TINY, progress=False, log=lambda *_: None)
    assert [(r["method"], r["round"]) for r in rows] == [("first", 0), ("disagreement", 1), ("random", 1), ("none", 1)]
    assert [r["labels"] for r in rows] == [0, 8, 8, 0] and [r["steps"] for r in rows] == [20, 30, 30, 30]
    for r in rows:
        for family in rm.FAMILIES:
            assert {"human_rewarded", "planner_human", "true_planner_human"} <= set(r[family])
    rm.CHAPTER.save(rows, tmp_path)
    table = (tmp_path / "reward_model.md").read_text()
    assert table.count("\n| random |") == 4 and "Planning on the true reward" in table
    assert json.loads((tmp_path / "reward_model.json").read_text())[0]["method"] == "first"
    assert (tmp_path / "reward_model.png").stat().st_size > 0


def test_the_committed_rows_are_complete_and_their_table_and_figure_are_drawn_from_them():
    from conftest import ROOT
    rows = rm.CHAPTER.load(ROOT / "runs" / "reward_model.json")
    keys = {(r["init"], r["method"], r["seed"], r["round"]) for r in rows}
    want = {(i, "first", s, 0) for i in rm.INITS for s in range(5)}
    want |= {(i, m, s, k) for i in rm.INITS for m in rm.METHODS for s in range(5) for k in (1, 2)}
    assert keys == want and len(rows) == len(want)
    assert (ROOT / "runs" / "reward_model.md").read_text() == rm.table(rows)
    fig = rm.figure(rows)
    for ax, (key, _) in zip(fig.axes, rm.PANELS):
        medians = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
        assert len(medians) == len(rm.INITS) * len(rm.METHODS)
        for line in medians:   # each median line passes through the rows' medians, round by round
            init, words = line.get_label().split(" init, ")
            method = {"labels by disagreement": "disagreement", "random labels": "random", "no labels": "none"}[words]
            for x, y in zip(*line.get_data()):
                rs = [r["short"][key] for r in rows if r["init"] == init and r["round"] == x
                      and r["method"] in (method, "first")]
                assert abs(y - 100 * float(np.median(rs))) < 1e-9
