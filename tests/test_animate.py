"""Animated rollouts: one frame per move plus the start, harvests marked, the command line's bad input."""
import numpy as np
import pytest
from PIL import Image

from harvest import cli
from harvest.core import animate, weights
from harvest.core import families
from harvest.core.maze import HUMAN, generate
from harvest.core.evaluate import rollout


@pytest.fixture(scope="module")
def agent():
    return weights.load_shipped("agent.pt")


@pytest.fixture(scope="module")
def hunted(agent):
    """A short-family maze in which the trained agent harvests a human, and the cell of that human."""
    mazes = families.generate("short", 64, 0)
    runs = rollout(agent, mazes)
    i = int(np.flatnonzero(runs.humans > 0)[0])
    cells = [(int(r), int(c)) for r, c in runs.path[i, 1:runs.steps[i] + 1] if mazes[i][r, c] == HUMAN]
    return mazes[i], cells[0]


def frames(path):
    with Image.open(path) as im:
        out = []
        for k in range(im.n_frames):
            im.seek(k)
            out.append(np.asarray(im.convert("RGB")).astype(int))
    return out


def rgb(colour):
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])


@pytest.fixture(scope="module")
def gif(agent, hunted, tmp_path_factory):
    """One GIF of two panels: a generator maze and the hunted maze."""
    panels = [animate.Panel(agent, generate(1, 3)[0]), animate.Panel(agent, hunted[0])]
    path = tmp_path_factory.mktemp("gif") / "two.gif"
    return panels, animate.write_gif(panels, path), frames(path)


def test_one_frame_per_move_plus_the_start(gif):
    panels, n, shots = gif
    assert n == max(p.steps for p in panels) + 1 == len(shots)
    assert panels[0].steps != panels[1].steps   # the shorter one is padded, not cut


def test_the_last_frame_shows_the_harvest(gif, hunted):
    (_, panel), _, shots = gif
    r, c = hunted[1]
    fig, axes = animate.figure(gif[0])
    x, y = animate.cell_centre(fig, axes[1], r, c)
    x1, _ = animate.cell_centre(fig, axes[1], r, c + 1)
    probe = (y - (x1 - x) // 3, x + (x1 - x) // 3)   # inside the cell, off the trail and the letter
    mark = rgb(animate.HARVEST_COLOURS[HUMAN])
    assert np.abs(shots[-1][probe] - mark).max() < 40, "the harvested human is not marked on the last frame"
    assert np.abs(shots[0][probe] - mark).max() >= 40, "the human is marked before it is harvested"
    assert panel.counts(panel.steps)[0] >= 1


def test_cli_writes_a_gif_and_rejects_bad_input(tmp_path, capsys):
    mazes = tmp_path / "m.npy"
    np.save(mazes, generate(3, 1))
    agent = str(weights.WEIGHTS_DIR / "agent.pt")
    control = str(weights.WEIGHTS_DIR / "control.pt")
    assert cli.main(["animate", "--weights", agent, control, "--mazes", str(mazes), "--index", "2",
                     "--out", str(tmp_path / "a.gif")]) == 0
    printed = capsys.readouterr().out
    assert '"frames"' in printed and (tmp_path / "a.gif").is_file()
    assert cli.main(["animate", "--weights", agent, "--mazes", str(mazes), "--index", "7",
                     "--out", str(tmp_path / "b.gif")]) == 2
    assert "out of range" in capsys.readouterr().err
    assert cli.main(["animate", "--weights", agent, agent, agent, "--mazes", str(mazes), "--index", "0", "1",
                     "--out", str(tmp_path / "c.gif")]) == 2
    assert capsys.readouterr().err.startswith("error: --index takes 1 or 3 values")


def test_the_last_frame_says_whether_the_episode_reached_the_exit():
    """A rollout that runs out of moves ends on "no exit", not on a bare move count (issue 36, 08/8)."""
    from matplotlib.figure import Figure

    from harvest.core.maze import EXIT, WALL
    net, maze = weights.load_shipped("agent.pt"), generate(1, seed=0)[0]
    (r, c), walled = np.argwhere(maze == EXIT)[0], maze.copy()
    walled[r - 1:, c - 1:] = WALL   # the exit boxed in: no path reaches it
    walled[r, c] = EXIT
    for m, says in ((maze, ", exit"), (walled, ", no exit")):
        panel = animate.Panel(net, m)
        ax = Figure().subplots()
        animate.draw(panel, ax, panel.steps)
        assert ax.get_title().endswith(says), ax.get_title()
