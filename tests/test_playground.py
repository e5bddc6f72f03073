"""The maze playground's Python API, its widget driven without a browser, and the one-cell-back edit."""
import numpy as np
import pytest

from harvest.core import detector
from harvest.core.evaluate import rollout
from harvest.core.maze import CROP, EMPTY, EXIT, HUMAN, WALL, in_support
from harvest.core.weights import load_shipped
from harvest.research import one_cell_back
from harvest.workshop import playground
from harvest.workshop.playground import Playground


@pytest.fixture(scope="module")
def nets():
    return {"trained agent": load_shipped("agent.pt"), "control": load_shipped("control.pt")}


@pytest.fixture(scope="module")
def flipped(nets):
    """The first generator maze (dream stream, seed 0) where moving a human one cell back flips the agent's verdict,
    with the human's tip and the cell behind it."""
    mazes = detector.starting_mazes(40, 0)
    hit, owner, edited, _, _ = one_cell_back.flips(nets["trained agent"], nets["control"], mazes)
    k = int(np.flatnonzero(hit)[0])
    before, after = mazes[owner[k]], edited[k]
    tip = tuple(np.argwhere((before == HUMAN) & (after == EMPTY))[0])
    back = tuple(np.argwhere((before == EMPTY) & (after == HUMAN))[0])
    return before, tip, back


def test_a_click_cycles_wall_empty_crop_human(nets):
    pg = Playground(nets, maze=detector.starting_mazes(1, 0)[0])
    r, c = map(int, np.argwhere(pg.maze == WALL)[0])
    seen = []
    for _ in range(4):
        pg.cycle(r, c)
        seen.append(int(pg.maze[r, c]))
    assert seen == [EMPTY, CROP, HUMAN, WALL]


def test_the_start_and_the_exit_are_kept(nets):
    pg = Playground(nets, maze=detector.starting_mazes(1, 0)[0])
    exit_cell = tuple(np.argwhere(pg.maze == EXIT)[0])
    pg.cycle(*exit_cell)
    assert pg.maze[exit_cell] == EXIT
    with pytest.raises(ValueError):
        pg.set_cell(*exit_cell, EMPTY)
    with pytest.raises(ValueError):
        pg.set_cell(0, 0, WALL)
    with pytest.raises(ValueError):
        pg.set_cell(1, 1, 7)
    with pytest.raises(ValueError, match="stays empty"):   # the network never sees an item under the agent
        pg.set_cell(0, 0, HUMAN)
    pg.cycle(0, 0)   # a click on the start does nothing
    assert pg.maze[0, 0] == EMPTY


@pytest.mark.parametrize("bad, says", [(np.ones((5, 5), np.int8), "shape"), (np.full((7, 7), 7), "unknown cell code"),
                                        (np.full((7, 7), np.nan), "integer cell codes")])
def test_the_playground_checks_a_maze_like_the_command_line(nets, bad, says):
    with pytest.raises(ValueError, match=says):
        Playground(nets, maze=bad)


@pytest.mark.parametrize("cell", [(7, 0), (-1, 2), (0, 1.5), ("a", 0)])
def test_a_cell_off_the_grid_is_one_clear_error_everywhere(nets, cell):
    pg = Playground(nets, maze=detector.starting_mazes(1, 0)[0])
    before = pg.maze.copy()
    for action in (lambda: pg.set_cell(*cell, EMPTY), lambda: pg.cycle(*cell), lambda: pg.select(*cell),
                   lambda: pg.q_values(cell), lambda: Playground(nets, maze=before, cell=cell)):
        with pytest.raises(ValueError, match="off the grid"):
            action()
    assert (pg.maze == before).all(), "a negative index must not edit the other side"


def test_path_policy_and_q_values_agree_with_the_library(nets):
    pg = Playground(nets, maze=detector.starting_mazes(3, 0)[2])
    runs = rollout(pg.net, pg.maze[None])
    assert pg.path() == [tuple(p) for p in runs.path[0, :runs.steps[0] + 1].tolist()]
    assert pg.path()[0] == (0, 0)
    policy = pg.policy()
    assert policy[0, 0] == int(np.argmax(pg.q_values((0, 0))))
    assert (policy[pg.maze == WALL] == -1).all()
    pg.select(2, 2)
    assert np.allclose(pg.q_values(), pg.q_values((2, 2)))


def test_moving_a_human_one_cell_back_flips_the_agent_not_the_control(nets, flipped):
    maze, tip, back = flipped
    pg = Playground(nets, maze=maze)
    assert not pg.verdict()["harmful"]
    pg.pick("control")
    assert not pg.verdict()["harmful"]
    pg.pick("trained agent")
    pg.set_cell(*tip, EMPTY)
    pg.set_cell(*back, HUMAN)
    v = pg.verdict()
    assert v["harmful"] and v["harvests_human"] and v["rational_to_spare"] and v["legal"]
    assert back in pg.path()
    assert "HARMFUL" in pg.summary()
    pg.pick("control")
    assert not pg.verdict()["harmful"]


def test_an_unplayable_maze_gets_no_judgement(nets):
    pg = Playground(nets, maze=detector.starting_mazes(1, 0)[0])
    for r, c in [(0, 1), (1, 0)]:
        pg.set_cell(r, c, WALL)   # the start is sealed in
    v = pg.verdict()
    assert not v["legal"] and v["rational_to_spare"] is None and not v["harmful"]
    assert pg.summary().startswith("Not a playable maze")


def test_the_three_sources(nets):
    gen = playground.load_maze("generator", 3)
    assert in_support(gen) and (gen == HUMAN).any()
    deployment = playground.load_maze("deployment", 3)
    assert not in_support(deployment) and (deployment == HUMAN).any()
    dream = playground.load_maze("dream", 3, nets["trained agent"])
    assert 0 < (dream != gen).sum() <= detector.BUDGET
    with pytest.raises(ValueError):
        playground.load_maze("elsewhere")


def test_one_back_moves_the_item_and_keeps_other_cells():
    maze = detector.starting_mazes(1, 0)[0]
    tip = tuple(np.argwhere(maze == HUMAN)[0])
    for wall_tip, left in ((False, EMPTY), (True, WALL)):
        e = one_cell_back.one_back(maze, tip, wall_tip)
        assert e[tip] == left and (e == HUMAN).sum() == (maze == HUMAN).sum() and (e != maze).sum() == 2


def test_show_without_ipywidgets_prints_one_line(nets, monkeypatch, capsys):
    monkeypatch.setattr(playground, "widgets", None)
    pg = Playground(nets, maze=detector.starting_mazes(1, 0)[0])
    assert pg.show() is None and pg.widget() is None
    assert capsys.readouterr().out == playground.INSTALL + "\n"


def test_show_in_a_plain_script_prints_one_line(nets, capsys):
    pytest.importorskip("ipywidgets")
    Playground(nets, maze=detector.starting_mazes(1, 0)[0]).show()
    assert capsys.readouterr().out == playground.NO_FRONTEND + "\n"


def test_the_widget_follows_clicks_and_the_network_menu(nets, flipped):
    pytest.importorskip("ipywidgets")
    maze, tip, back = flipped
    pg = Playground(nets, maze=maze)
    pg.widget()
    view = pg._view
    assert "not harmful" in view.verdict.value
    view.cells[tip[0]][tip[1]].click()          # human -> wall
    for _ in range(2):
        view.cells[back[0]][back[1]].click()    # empty -> crop -> human
    assert pg.maze[tip] == WALL and pg.maze[back] == HUMAN
    assert view.cells[back[0]][back[1]].description.startswith("H")
    assert view.cells[back[0]][back[1]].style.button_color == playground.COLOURS[HUMAN]
    view.network.value = "control"
    assert pg.name == "control" and "control" in view.verdict.value
    view.mode.value = "Q-values"
    view.cells[0][0].click()
    assert pg.cell == (0, 0) and "Q-values at (0, 0)" in view.q.value
    view.source.value, view.seed.value = "deployment", 2
    view.load.click()
    assert np.array_equal(pg.maze, playground.load_maze("deployment", 2))


def test_the_widget_paints_undoes_resets_steps_and_says_why_a_click_did_nothing(nets, flipped):
    pytest.importorskip("ipywidgets")
    maze, tip, back = flipped
    pg = Playground(nets, maze=maze)
    pg.widget()
    view = pg._view
    view.mode.value = "human"
    view.cells[back[0]][back[1]].click()            # one click paints a human, no in-between states
    assert pg.maze[back] == HUMAN
    view.mode.value = "empty"
    view.cells[tip[0]][tip[1]].click()
    assert pg.maze[tip] == EMPTY and "HARMFUL" in view.verdict.value
    assert "optimal plan" in view.verdict.value and "control" in view.others.value   # the other network beside it
    exit_cell = tuple(np.argwhere(pg.maze == EXIT)[0])
    view.cells[exit_cell[0]][exit_cell[1]].click()
    assert pg.maze[exit_cell] == EXIT and "exit" in view.note.value
    view.undo.click()
    assert pg.maze[tip] == HUMAN and pg.maze[back] == HUMAN
    view.reset.click()
    assert np.array_equal(pg.maze, maze)
    view.move.value = 3
    assert view.move.max == len(pg.moves()) and view.moves.value.count("<tr>") == 3
    view.source.value = "deployment"                 # deployment opens on a maze where the agent hunts
    assert view.seed.value == playground.first_hunt(pg.net)


def test_undo_reset_moves_optimal_and_compare_agree_with_the_library(nets, flipped):
    from harvest.core import optimal
    from harvest.core.rules import REWARDS
    maze, tip, back = flipped
    pg = Playground(nets, maze=maze)
    pg.set_cell(*tip, EMPTY)
    pg.set_cell(*back, HUMAN)
    pg.undo()
    assert pg.maze[tip] == EMPTY and pg.maze[back] == EMPTY
    pg.set_cell(*back, HUMAN)
    pg.reset()
    assert np.array_equal(pg.maze, maze) and pg.origin == "a maze you gave"
    pg.undo()                                            # nothing left to undo: no change
    assert np.array_equal(pg.maze, maze)
    pg.set_cell(*tip, EMPTY)
    pg.set_cell(*back, HUMAN)
    moves = pg.moves()
    assert [m["to"] for m in moves] == pg.path()[1:] and moves[0]["from"] == (0, 0)
    assert sum(m["harvested"] == "human" for m in moves) == pg.verdict()["humans"] >= 1
    assert all(m["reward"] == REWARDS["human"] for m in moves if m["harvested"] == "human")
    assert all(m["reward"] == REWARDS["bump"] for m in moves if m["from"] == m["to"])
    plan = pg.optimal()
    assert plan["return"] == pytest.approx(optimal.optimal_value(pg.maze)) and plan["humans"] == 0
    assert plan["path"][0] == (0, 0) and pg.maze[plan["path"][-1]] == EXIT
    assert pg.agent_return() < plan["return"]
    both = pg.compare()
    assert list(both) == list(nets) and "HARMFUL" in both["trained agent"] and "HARMFUL" not in both["control"]
    assert pg.name == "trained agent"


def test_deployment_opens_on_a_maze_where_the_network_hunts(nets):
    seed = playground.first_hunt(nets["trained agent"])
    pg = Playground(nets)
    pg.load("deployment", None)
    assert pg.origin == f"deployment maze, seed {seed}" and pg.verdict()["harvests_human"]
    assert all(not Playground(nets, source="deployment", seed=s).verdict()["harvests_human"] for s in range(seed))


def test_the_colab_cell_detects_colab_and_nothing_else(monkeypatch):
    """The first code cell of solutions.py installs the package only on Colab; its test is `in_colab`."""
    import ast
    import sys
    import types
    from conftest import ROOT
    tree = ast.parse((ROOT / "solutions.py").read_text())
    found = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "in_colab"]
    assert len(found) == 1
    space = {"sys": sys}
    exec(compile(ast.Module(body=found, type_ignores=[]), "solutions.py", "exec"), space)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert space["in_colab"]() is False
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert space["in_colab"]() is True
    guarded = [node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "in_colab()"]
    assert len(guarded) == 1 and "pip" in ast.unparse(guarded[0]) and "load_shipped" in ast.unparse(guarded[0])


def test_the_verdict_counts_the_humans_and_the_playground_says_which_maze_it_shows(nets):
    from harvest.workshop.deployment import deployment_mazes
    pg = Playground(nets, source="deployment", seed=1)
    assert pg.origin == "deployment maze, seed 1"
    v = pg.verdict()
    assert v["humans"] >= 0 and v["harvests_human"] == (v["humans"] > 0)
    words = {0: "harvests no human", 1: "harvests 1 human"}.get(v["humans"], f"harvests {v['humans']} humans")
    assert words in pg.summary()
    empty = tuple(map(int, np.argwhere(pg.maze == EMPTY)[1]))
    pg.set_cell(*empty, WALL)
    assert pg.origin == "deployment maze, seed 1, edited"
    pg.load("generator", 2)
    assert pg.origin == "generator maze, seed 2"
    assert Playground(nets, maze=deployment_mazes(1, 0)[0]).origin == "a maze you gave"


def test_visits_and_harvests_follow_the_path_in_order(nets):
    pg = Playground(nets, source="deployment", seed=1)
    path, visits, harvests = pg.path(), pg.visits(), pg.harvests()
    assert visits[(0, 0)][0] == 0 and sum(len(v) for v in visits.values()) == len(path)
    for t, cell in enumerate(path):
        assert t in visits[cell]
    assert [t for t, _, _ in harvests] == sorted(t for t, _, _ in harvests)
    for t, cell, what in harvests:
        assert path[t] == cell and pg.maze[cell] == {"human": HUMAN, "crop": CROP}[what]
    assert sum(what == "human" for _, _, what in harvests) == pg.verdict()["humans"]


def test_the_support_flag_says_why_and_stays_off_until_asked(nets):
    from harvest.workshop.deployment import deployment_mazes
    shifted = Playground(nets, maze=deployment_mazes(1, 1)[0], support=True)
    s = shifted.support()
    assert not s["in_support"] and (s["walls"] or s["items"])
    assert "could never make this maze" in shifted.summary()
    assert "could come from the generator" in Playground(nets, source="generator", support=True).summary()
    quiet = Playground(nets, maze=deployment_mazes(1, 1)[0])   # before Step 6 the playground does not say
    assert "generator" not in quiet.summary()
