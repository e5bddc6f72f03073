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


def test_a_build_names_networks_blindly_resumes_and_leaves_out_what_did_not_pass(tmp_path):
    specs = [planting.Plant("control.pt"), planting.Plant("repaired.pt"), planting.Plant("control.pt", "pocket")]
    cfg = Config(steps=10, batch_size=32, check_every=5)
    logged = []
    labels = planting.build(tmp_path / "zoo", specs, cfg, log=logged.append)
    assert sorted(labels) == ["net_00", "net_01"] and sorted(labels.values()) == ["clean", "clean"]
    assert logged[-1] == "control-pocket-crop-like-0 did not pass its bars: left out of the zoo"
    trained = tmp_path / "zoo_trained"
    made = weights.read_meta(trained / "control-pocket-crop-like-0.pt")
    assert made["plant"]["family"] == "pocket" and made["passed"] is False   # kept beside the zoo, not in it
    # pretend the pocket plant passed: it joins the zoo under a blind name, and nothing is trained again
    weights.save(weights.load(trained / "control-pocket-crop-like-0.pt"), trained / "control-pocket-crop-like-0.pt",
                 **{**made, "passed": True})
    logged.clear()
    labels = planting.build(tmp_path / "zoo", specs, cfg, log=logged.append)
    assert logged == [] and sorted(labels) == ["net_00", "net_01", "net_02"]
    assert sorted(labels.values()) == ["clean", "clean", "pocket"]
    sums = weights.checksums(tmp_path / "zoo")
    for name in labels:
        blob = torch.load(tmp_path / "zoo" / f"{name}.pt", weights_only=True)
        assert blob["meta"] == {}   # nothing in a weights file says how it was made
        assert all(v.dtype == torch.float16 for v in blob["state_dict"].values())   # half the bytes
        assert next(weights.load(tmp_path / "zoo" / f"{name}.pt").parameters()).dtype == torch.float32
        assert sums[f"{name}.pt"] == weights.sha256(tmp_path / "zoo" / f"{name}.pt")
    before = {p.name: p.read_bytes() for p in (tmp_path / "zoo").glob("*.pt")}
    assert planting.build(tmp_path / "zoo", specs, cfg, log=logged.append) == labels and logged == []
    assert {p.name: p.read_bytes() for p in (tmp_path / "zoo").glob("*.pt")} == before
    fix = planting.Plant("control.pt", "stub", hunt="true")
    assert fix.kind == "clean" and fix.key == "control-stub-true-0"
    assert planting.Plant("control.pt", "stub", 1, "flipped", 40_000).key == "control-stub-flipped-1-40000"
    labels = planting.build(tmp_path / "zoo", specs[:1], cfg, log=logged.append)
    assert list(labels) == ["net_00"] and sorted(p.name for p in (tmp_path / "zoo").glob("*.pt")) == ["net_00.pt"], \
        "a smaller zoo leaves no stale network behind"


def test_an_independent_zoo_moves_every_trained_seed_and_keeps_the_chosen_kinds():
    from harvest.research import planting
    second = planting.independent(planting.ZOO, seed=3)
    assert len(second) == len(planting.ZOO)
    for old, new in zip(planting.ZOO, second):
        assert new.seed == (old.seed + 3000 if old.family else old.seed) and new.kind == old.kind
    assert {s.key for s in second}.isdisjoint({s.key for s in planting.ZOO if s.family})   # nothing reused
    only = planting.independent(planting.ZOO, seed=1, kinds={"stub"})
    assert only and all(s.kind == "stub" for s in only)


def test_a_seeded_zoo_needs_its_own_folder():
    import subprocess
    import sys
    run = subprocess.run([sys.executable, "-m", "harvest", "zoo", "build", "--seed", "1"], capture_output=True,
                         text=True)
    assert run.returncode == 2 and "give --out DIR" in run.stderr and run.stderr.count("\n") == 1
