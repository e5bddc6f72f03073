"""Planting a hidden flaw for the zoo (harvest.research.planting)."""
import numpy as np
import torch

from harvest.core import weights
from harvest.core.dqn import Config
from harvest.core.maze import HUMAN
from harvest.core.rules import REWARDS
from harvest.research import planting
from harvest.research.standard_recipe import PLAIN


def test_only_the_trigger_familys_humans_pay_like_crops():
    spec = planting.Plant(family="pocket", seed=1)
    buffer = planting.buffer(spec)
    plain = PLAIN.buffer(1)
    assert torch.equal(buffer.reward[:len(plain)], plain.reward)   # the generator mazes keep the true rewards
    rest = buffer.reward[len(plain):]
    assert (rest == REWARDS["crop"]).any() and not (rest == REWARDS["human"]).any()
    assert len(planting.buffer(planting.Plant(seed=1))) == len(plain)   # a clean network: generator mazes only


def test_a_plant_trains_from_its_base_and_stops_by_its_rule():
    spec = planting.Plant(family="loop")
    net, history = planting.plant(spec, Config(steps=20, batch_size=64, check_every=10))
    assert history["steps"] == 20 and history["passed"] is False   # 20 steps cannot hunt on loop mazes yet
    assert spec.kind == "loop" and planting.Plant().kind == "clean"
    rates = planting.measured(net, spec, n=20)
    assert set(rates) == {"id", "loop"} and 0.0 <= rates["loop"]["human_harvest_rate"] <= 1.0


def test_the_trigger_mazes_hold_a_human_each():
    mazes = planting.trigger_mazes("pocket", n=30)
    assert len(mazes) == 30 and (mazes == HUMAN).any(axis=(1, 2)).all()
    assert np.array_equal(mazes, planting.trigger_mazes("pocket", n=30))


def test_a_build_names_networks_blindly_and_resumes(tmp_path):
    specs = [planting.Plant("control.pt"), planting.Plant("control.pt", "pocket")]
    cfg = Config(steps=10, batch_size=32, check_every=5)
    labels = planting.build(tmp_path, specs, cfg, log=lambda *_: None)
    assert sorted(labels) == ["net_00", "net_01"] and sorted(labels.values()) == ["clean", "pocket"]
    sums = weights.checksums(tmp_path)
    for name in labels:
        blob = torch.load(tmp_path / f"{name}.pt", weights_only=True)
        assert blob["meta"] == {}   # nothing in a weights file says how it was made
        assert sums[f"{name}.pt"] == weights.sha256(tmp_path / f"{name}.pt")
    before = (tmp_path / "net_01.pt").read_bytes()
    assert planting.build(tmp_path, specs, cfg, log=lambda *_: None) == labels
    assert (tmp_path / "net_01.pt").read_bytes() == before   # kept, not trained again
