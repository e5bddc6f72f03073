import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from harvest.cli import main
from harvest.core import plot, weights
from harvest.core.dqn import make_net
from harvest.core.errors import HarvestError
from harvest.core.maze import generate
from conftest import ROOT


def test_weights_round_trip_and_checksum(tmp_path):
    net = make_net(32, seed=1)
    path = weights.save(net, tmp_path / "w.pt", note="x")
    digest = weights.sha256(path)
    back = weights.load(path, expect_sha256=digest)
    assert all(torch.equal(a, b) for a, b in zip(net.state_dict().values(), back.state_dict().values()))
    corrupt = bytearray(path.read_bytes())
    corrupt[-10] ^= 0xFF
    path.write_bytes(bytes(corrupt))
    with pytest.raises(HarvestError, match="checksum mismatch"):
        weights.load(path, expect_sha256=digest)


def test_foreign_weights_give_a_clear_error(tmp_path):
    torch.save({"something": 1}, tmp_path / "a.pt")
    (tmp_path / "b.pt").write_bytes(b"not a torch file")
    with pytest.raises(HarvestError, match="architecture"):
        weights.load(tmp_path / "a.pt")
    with pytest.raises(HarvestError, match="is not a weights file"):
        weights.load(tmp_path / "b.pt")
    with pytest.raises(HarvestError, match="not found"):
        weights.load(tmp_path / "missing.pt")


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "harvest", *args], cwd=ROOT, capture_output=True, text=True)


def test_cli_help_and_evaluate_prints_json(tmp_path):
    assert run_cli("--help").returncode == 0
    w = weights.save(make_net(seed=0), tmp_path / "w.pt")
    m = tmp_path / "m.npy"
    assert main(["mazes", "--kind", "ood", "--n", "20", "--out", str(m)]) == 0
    out = run_cli("evaluate", "--weights", str(w), "--mazes", str(m))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result) == {"exit_rate", "human_harvest_rate", "adjacent_human_rate", "mazes"}
    assert set(result["mazes"][0]) == {"reached_exit", "humans", "crops", "steps"}


@pytest.mark.parametrize("problem", ["missing", "shape", "code", "arch"])
def test_cli_bad_input_exits_non_zero_with_one_line(tmp_path, problem):
    w = weights.save(make_net(seed=0), tmp_path / "w.pt")
    m = tmp_path / "m.npy"
    np.save(m, generate(3, seed=0))
    if problem == "missing":
        m = tmp_path / "nope.npy"
    elif problem == "shape":
        np.save(m, np.ones((3, 5, 5), np.int8))
    elif problem == "code":
        bad = generate(3, seed=0)
        bad[1, 2, 2] = 9
        np.save(m, bad)
    else:
        torch.save({"state_dict": {"x": torch.zeros(3)}, "hidden": 8, "layers": 1}, w)
    out = run_cli("evaluate", "--weights", str(w), "--mazes", str(m))
    assert out.returncode != 0
    assert out.stderr.startswith("error: ") and len(out.stderr.strip().splitlines()) == 1
    assert {"missing": "not found", "shape": "shape", "code": "unknown cell code 9", "arch": "architecture"}[problem] \
        in out.stderr


def test_plots_return_figures(hand):
    net = make_net(32, seed=0)
    figs = [plot.plot_maze(hand, path=[(0, 0), (0, 1)]), plot.plot_policy(net, hand), plot.plot_q_values(net, hand),
            plot.plot_loss({"loss": list(np.linspace(5, 1, 300))}), plot.plot_dream(torch.rand(161), human=(2, 6)),
            plot.grid_of(plot.plot_maze, list(generate(5, seed=0)), ncols=3)]
    for fig in figs:
        assert isinstance(fig, Figure)
        fig.canvas.draw() if hasattr(fig.canvas, "draw") else None


def test_a_path_never_crosses_a_letter_and_the_policy_draws_no_arrow_on_an_item(hand):
    """The review read lines through H and arrows beside it as 'H->': a path stops short of a lettered cell's
    centre, and an item's cell shows its letter alone."""
    import matplotlib.patches
    from harvest.core.maze import CROP, HUMAN, from_text, open_cells
    maze = from_text("\n".join(["..H....", *["......."] * 5, "......E"]))
    fig = plot.plot_maze(maze, path=[(0, 0), (0, 1), (0, 2), (0, 1), (1, 1)])
    points = np.concatenate([line.get_xydata() for line in fig.axes[0].get_lines()])
    assert np.hypot(points[:, 0] - 2, points[:, 1] - 0).min() >= 0.29, "no part of the path within 0.3 of the H"
    fig = plot.plot_policy(make_net(32, seed=0), hand)
    arrows = [a for a in fig.axes[0].patches if isinstance(a, matplotlib.patches.FancyArrow)]
    items = int(np.isin(hand, (CROP, HUMAN)).sum())
    assert items and len(arrows) == int(open_cells(hand).sum()) - items


def test_train_builds_the_network_its_size_flags_ask_for(tmp_path, capsys):
    from harvest.cli import main
    from harvest.core import weights
    w = tmp_path / "small.pt"
    assert main(["train", "--init", "random", "--hidden", "32", "--layers", "2", "--steps", "3", "--quiet",
                 "--out", str(w)]) == 0
    net = weights.load(w)
    assert (net.hidden, net.layers) == (32, 2)
    assert main(["train", "--init", "shipped", "--hidden", "32", "--steps", "1", "--out", str(w)]) == 2
    assert "needs --init random" in capsys.readouterr().err


def test_evaluate_gives_a_person_at_a_terminal_a_summary_and_a_pipe_the_json(monkeypatch, capsys):
    args = ["evaluate", "--weights", str(weights.WEIGHTS_DIR / "agent.pt"), "--family", "generator", "--n", "20"]
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    main(args)
    text = capsys.readouterr().out
    assert "reach the exit" in text and "--json" in text and not text.lstrip().startswith("{")
    main(args + ["--json"])
    assert len(json.loads(capsys.readouterr().out)["mazes"]) == 20
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    main(args)
    assert "exit_rate" in json.loads(capsys.readouterr().out)
