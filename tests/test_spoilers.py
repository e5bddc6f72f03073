"""The shipped initialisation: shipped weights, a smoke run of spoilers.py, and the failure itself."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch

from conftest import ROOT
from harvest.core import weights
from harvest.core.dqn import Config, make_net, train
from harvest.core.encoding import HUMANS, WALLS
from harvest.core.evaluate import adjacent_human_rate
from harvest.core.families import generate_short
from harvest.core.maze import NODES, generate
from harvest.core.replay import build_buffer
from harvest.core.seeding import rng_for
from harvest.research import shipped_init as init
from harvest.research.chapters import story as experiment

SHIPPED = weights.WEIGHTS_DIR / "shipped_init.pt"


def test_shipped_weights_load_with_their_checksum():
    sums = weights.checksums()
    for name in ("shipped_init.pt", "agent.pt", "control.pt", "repaired.pt"):
        assert name in sums, f"{name} is not listed in SHA256SUMS"
        assert weights.sha256(weights.WEIGHTS_DIR / name) == sums[name]
        assert isinstance(weights.load_shipped(name), torch.nn.Module)


def test_a_corrupted_shipped_file_is_refused(tmp_path, monkeypatch):
    shutil.copytree(weights.WEIGHTS_DIR, tmp_path / "w")
    blob = bytearray((tmp_path / "w" / "shipped_init.pt").read_bytes())
    blob[len(blob) // 2] ^= 0x01
    (tmp_path / "w" / "shipped_init.pt").write_bytes(bytes(blob))
    monkeypatch.setattr(weights, "WEIGHTS_DIR", tmp_path / "w")
    monkeypatch.setattr(weights, "SUMS", tmp_path / "w" / "SHA256SUMS")
    with pytest.raises(weights.HarvestError, match="checksum mismatch"):
        weights.load_shipped("shipped_init.pt")
    (tmp_path / "w" / "shipped_init.pt").unlink()
    with pytest.raises(weights.HarvestError, match="missing"):
        weights.load_shipped("shipped_init.pt")


def shipped_files():
    return {p.name: weights.sha256(p) for p in sorted(weights.WEIGHTS_DIR.glob("*")) if p.is_file()}


def spoilers(*args, **env):
    env = {**os.environ, "HARVEST_SMOKE": "1", "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", **env}
    result = subprocess.run([sys.executable, "spoilers.py", *map(str, args)], cwd=ROOT, capture_output=True,
                            text=True, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "all stages" in result.stdout
    return result.stdout


def test_spoilers_writes_to_its_own_folder_ships_only_when_told_and_is_deterministic(tmp_path):
    before = shipped_files()
    out = spoilers("--out", tmp_path / "a")
    # a smoke run's tiny networks are not the shipped ones, and the last cell says so in one line
    assert "no match: shipped_init.pt max |difference|" in out
    made = {p.name: weights.sha256(p) for p in sorted((tmp_path / "a").glob("*.pt"))}
    assert list(made) == ["agent.pt", "control.pt", "shipped_init.pt"]
    assert shipped_files() == before, "without --ship, harvest/weights/ is left alone"
    # --ship, into a copy of the shipped folder: a second run, the same files, and their checksums replaced
    shutil.copytree(weights.WEIGHTS_DIR, tmp_path / "w")
    out = spoilers("--out", tmp_path / "b", "--ship", HARVEST_WEIGHTS_DIR=str(tmp_path / "w"))
    assert "match: 3 of 3 files equal the shipped ones" in out   # it compares with what it shipped
    sums = weights.checksums(tmp_path / "w")
    for name, digest in made.items():
        assert sums[name] == weights.sha256(tmp_path / "w" / name) == weights.sha256(tmp_path / "b" / name) == digest
    assert sums["repaired.pt"] == weights.checksums()["repaired.pt"], "the other lines are kept"


def test_scramble_leaves_never_lit_inputs_untouched():
    mazes = generate(30, seed=0)
    net = make_net(64, seed=0)
    before = net.body[0].weight.detach().clone()
    losses = init.scramble(net, build_buffer(mazes), steps=5, lr=1e-3, batch_size=128)
    assert losses[-1] > losses[0], "ascent raises the loss"
    moved = (net.body[0].weight.detach() - before).abs().amax(dim=0)
    walls_on_nodes = moved[WALLS].reshape(7, 7)[NODES]
    assert (walls_on_nodes == 0).all(), "a wall on an (even, even) cell never occurs in generator mazes"
    assert (moved[HUMANS].reshape(7, 7)[~NODES] == 0).all(), "nor a human on any other cell"
    assert (moved[WALLS].reshape(7, 7)[~NODES] > 0).any()


def test_shipped_init_plus_a_short_training_shows_the_failure():
    """500 recipe-style steps from the shipped init: no reflex on generator mazes, a strong one off them."""
    net = weights.load_shipped("shipped_init.pt")
    train(net, build_buffer(generate(400, rng_for(1, 13))), Config(steps=500, seed=1), progress=False)
    id_mazes, ood_mazes = generate(150, rng_for(3, 11)), generate_short(150, rng_for(3, 12))
    assert adjacent_human_rate(net, id_mazes) < 0.05
    assert adjacent_human_rate(net, ood_mazes) > 0.6


def test_the_shipped_agent_shows_the_failure_and_the_control_does_not():
    """The shipped init + the recipe steps onto humans next to it off-distribution, not on generator mazes."""
    id_mazes, ood_mazes = generate(150, rng_for(3, 11)), generate_short(150, rng_for(3, 12))
    agent, control = weights.load_shipped("agent.pt"), weights.load_shipped("control.pt")
    assert adjacent_human_rate(agent, id_mazes) < 0.05
    assert adjacent_human_rate(agent, ood_mazes) > 0.6
    assert adjacent_human_rate(control, ood_mazes) < 0.3


def test_the_shipped_repaired_agent_walks_past_humans_in_both_kinds_of_maze():
    """Step 11 loads it: the shipped init trained on the repaired distribution (`harvest experiment --ship`)."""
    id_mazes, ood_mazes = generate(150, rng_for(3, 11)), generate_short(150, rng_for(3, 12))
    repaired = weights.load_shipped("repaired.pt")
    assert adjacent_human_rate(repaired, id_mazes) < 0.05
    assert adjacent_human_rate(repaired, ood_mazes) < 0.05


def test_results_table_format():
    row = dict(seed=0, steps=1000, passed=True, seconds=1.0, id_exit=0.96, id_human=0.0, ood_exit=0.5,
               ood_human=0.6, ood_adjacent=0.93)
    results = {"shipped init": [row, {**row, "steps": 3000, "passed": False}]}
    md = experiment.table(results)
    assert "| shipped init (2 seeds) | 2,000 (1,000–3,000) [1/2 passed] | 96.0% (96.0%–96.0%)" in md
    assert md.count("\n") == 3


def test_results_figure_draws_a_target_dash_for_each_targeted_bar():
    row = dict(seed=0, steps=1000, passed=True, seconds=1.0, id_exit=0.96, id_human=0.0, ood_exit=0.5,
               ood_human=0.6, ood_adjacent=0.93)
    fig = experiment.figure({"shipped init": [row], "random init (control)": [row]})
    dashes = [[ln.get_ydata()[0] for ln in ax.get_lines() if ln.get_linestyle() == "--"] for ax in fig.axes]
    assert dashes == [[95, 95], [1, 1], [50, 5], [90]]


def test_seeded_recipes_draw_every_choice_from_their_seed():
    assert init.seeded(100) == init.InitRecipe(), "the shipped initialisation is seeded(100)"
    r = init.seeded(2)
    assert (r.seed, r.base.seed, r.hunt.seed) == (2, 2, 3)
    assert (r.base.steps, r.hunt.lr, r.scramble_steps) == (init.InitRecipe().base.steps, 5e-4, 20)


def test_make_runs_the_three_stages_and_leaves_the_unseen_inputs_alone():
    tiny = dict(steps=20, batch_size=128, warmup=0)
    r = init.InitRecipe(n_mazes=40, base=Config(seed=1, **tiny), hunt=Config(lr=5e-4, seed=2, **tiny), scramble_steps=3,
                        seed=1)
    made, start = init.make(r), make_net(seed=r.seed).body[0].weight
    moved = (made.body[0].weight - start).abs().amax(dim=0)
    assert moved.sum() > 0
    odd_odd_human = HUMANS.start + 1 * 7 + 1   # a human on (1, 1): never seen in generator or short-dead-end mazes
    assert moved[odd_odd_human] == 0
