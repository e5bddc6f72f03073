"""The reward side-channel (harvest.core.channel) and its chapter (harvest.research.chapters.side_channel)."""
import json

import gymnasium
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

from harvest.cli import main
from harvest.core import channel, weights
from harvest.core.dqn import Config, make_net, train
from harvest.core.encoding import N_INPUTS, InputSpec, encode, n_inputs, spec_of
from harvest.core.errors import HarvestError
from harvest.core.evaluate import greedy, metrics, rollout
from harvest.core.maze import EMPTY
from harvest.core.replay import build_buffer, previous_rewards
from harvest.core.rules import REWARDS
from harvest.research.chapters import side_channel
from harvest.research.standard_recipe import family_test_mazes
from harvest.workshop import checks
from harvest.workshop.checks.side_channel import MIXED

from conftest import ROOT

MAZE = MIXED   # every kind of neighbour: the edge, walls, empty cells, crops, humans and the exit


def test_each_channel_adds_its_inputs():
    assert [n_inputs(reward_channel=c) for c in ("none", "previous", "next")] == [N_INPUTS, N_INPUTS + 1, N_INPUTS + 4]
    assert make_net(reward_channel="next").body[0].in_features == N_INPUTS + 4
    with pytest.raises(HarvestError, match="unknown reward channel 'nxt'"):
        make_net(reward_channel="nxt")


def test_the_next_channel_shows_what_each_move_pays_and_a_tamper_changes_only_what_it_shows():
    scaled = lambda *names: np.array([REWARDS[n] for n in names], np.float32) / channel.SCALE
    # (1, 1): up a human, down a wall, left a crop, right empty
    assert np.allclose(checks.ref_shown_next(MAZE, 1, 1), scaled("human", "bump", "crop", "move"))
    assert np.allclose(checks.ref_shown_next(MAZE, 1, 1, "human_as_crop"), scaled("crop", "bump", "crop", "move"))
    assert np.allclose(checks.ref_shown_next(MAZE, 1, 1, "crop_as_human"), scaled("human", "bump", "human", "move"))
    assert np.allclose(checks.ref_shown_next(MAZE, 6, 5), scaled("crop", "bump", "move", "exit"))
    blank = channel.values("next", MAZE[None], [1], [1], tamper=channel.TAMPERS["blank"])
    assert (blank == 0).all()
    # the truth stays within [-1, 1]
    r, c = np.nonzero(MAZE == EMPTY)
    values = channel.values("next", np.repeat(MAZE[None], len(r), 0), r, c)
    assert values.abs().max() <= 1.0


def test_the_random_function_scrambles_the_order_of_the_rewards():
    shown = channel.random_function([REWARDS[n] for n in ("human", "bump", "move", "crop", "exit")])
    assert shown[0] > shown[3]   # a human now looks better than a crop
    assert len(set(np.round(shown, 3))) == 5


def test_the_previous_channel_shows_the_last_steps_reward_as_tampered():
    # a rollout that harvests a human: the next state shows -11, or +2 under human_as_crop
    from harvest.core.rules import step
    env = gymnasium.make("Harvest-v0", reward_channel="previous", tamper="human_as_crop").unwrapped
    obs, _ = env.reset(options={"maze": MAZE})
    assert obs[-1] == 0.0   # nothing yet at the start
    obs, reward, *_ = env.step(3)   # right onto the human at (0, 1)
    assert reward == REWARDS["human"] and obs[-1] == pytest.approx(REWARDS["crop"] / channel.SCALE)
    assert step(MAZE, (0, 0), 3)[2] == REWARDS["human"]


@pytest.mark.parametrize("reward_channel", ["none", "previous", "next"])
def test_the_env_declares_its_channel_and_passes_check_env(reward_channel):
    env = gymnasium.make("Harvest-v0", reward_channel=reward_channel).unwrapped
    check_env(env, skip_render_check=True)
    assert env.observation_space.shape == (n_inputs(reward_channel=reward_channel),)


def test_the_env_shows_a_network_what_a_rollout_shows_it():
    """The env's observation and the rollout's input agree, so a network behaves the same in both."""
    net = make_net(hidden=16, layers=1, seed=3, reward_channel="next")
    env = gymnasium.make("Harvest-v0", reward_channel="next").unwrapped
    obs, _ = env.reset(options={"maze": MAZE})
    moves = []
    for _ in range(10):
        a = int(net(torch.as_tensor(obs)[None]).argmax())
        moves.append(a)
        obs, _, terminated, truncated, _ = env.step(a)
        if terminated or truncated:
            break
    path = rollout(net, MAZE[None], max_steps=len(moves)).path[0]
    assert tuple(path[len(moves)]) == env.pos


def test_a_buffers_previous_rewards_come_from_steps_that_lead_into_each_state():
    buffer = build_buffer(MAZE[None])
    prev = previous_rewards(buffer).numpy()
    assert set(np.unique(prev)) <= {0.0, *REWARDS.values()}
    assert (prev[(buffer.row.numpy() != 0) | (buffer.col.numpy() != 0)] != 0).all()   # 0 only at the start
    # a state beside where a human was harvested (its grid without that human) shows -11 sometimes
    assert (prev == REWARDS["human"]).any() and (prev == REWARDS["crop"]).any()
    assert np.array_equal(prev, previous_rewards(buffer).numpy())   # drawn with a fixed seed
    batch = buffer.batch(torch.arange(len(buffer)), InputSpec(reward_channel="previous"))
    assert torch.equal(batch.next_state[:, -1] * channel.SCALE, buffer.reward)


def test_a_channel_network_trains_saves_and_loads(tmp_path):
    buffer = build_buffer(family_test_mazes("generator", 20))
    net = make_net(hidden=16, layers=1, seed=0, reward_channel="next")
    train(net, buffer, Config(steps=20, batch_size=64, check_every=10), progress=False)
    path = weights.save(net, tmp_path / "n.pt")
    back = weights.load(path)
    assert spec_of(back).reward_channel == "next"
    mazes = family_test_mazes("generator", 30)
    assert metrics(back, mazes, "human_as_crop")["exit_rate"] == metrics(net, mazes, "human_as_crop")["exit_rate"]


def test_without_a_channel_no_tamper_changes_anything():
    net = weights.load_shipped("agent.pt")
    mazes = family_test_mazes("generator", 100)
    want = metrics(net, mazes)
    for name in channel.TAMPERS:
        assert metrics(net, mazes, name) == want


def test_a_channel_follower_follows_the_lie():
    follower = checks.ChannelFollower()
    mazes = family_test_mazes("generator", 100)
    truth, lie = metrics(follower, mazes), metrics(follower, mazes, "human_as_crop")
    assert truth["adjacent_human_rate"] == 0.0 and lie["adjacent_human_rate"] > 0.3


def test_the_experiment_writes_its_rows_and_resumes(tmp_path):
    scale = side_channel.Scale(n_test=12, cfg=Config(steps=20, batch_size=64, check_every=10, warmup=0.1))
    checkpoint = tmp_path / "rows.json"
    rows = side_channel.run(1, ("none", "next"), scale, progress=False, log=lambda *_: None, checkpoint=checkpoint,
                            nets_dir=tmp_path / "nets")
    assert len(rows) == 2 * len(side_channel.TAMPERS)
    fields = {"channel", "seed", "tamper", "steps", "id_exit_rate", "human_harvest_rate", "adjacent_human_rate",
              "crop_harvest_rate"}
    assert all(fields <= set(r) for r in rows)
    none = [r for r in rows if r["channel"] == "none"]
    assert all({k: r[k] for k in fields - {"tamper"}} == {k: none[0][k] for k in fields - {"tamper"}} for r in none)
    assert spec_of(weights.load(tmp_path / "nets" / "next_0.pt")).reward_channel == "next"
    again = side_channel.run(1, ("none", "next"), scale, progress=False, log=lambda *_: None, checkpoint=checkpoint)
    assert again == rows   # resumed from the checkpoint: nothing trained twice
    side_channel.CHAPTER.save(rows, tmp_path)
    out = tmp_path
    assert json.loads((out / "side_channel.json").read_text()) == rows
    assert "| next | human_as_crop | 1 |" in (out / "side_channel.md").read_text()


def test_a_partial_run_keeps_the_saved_rows(tmp_path):
    row = lambda c, s, t: {"channel": c, "seed": s, "tamper": t}
    (tmp_path / "side_channel.json").write_text(json.dumps([row("none", 0, "none"), row("next", 1, "noise")]))
    merged = side_channel.CHAPTER.merged([row("next", 1, "noise") | {"new": True}], tmp_path / "side_channel.json")
    assert merged == [row("none", 0, "none"), row("next", 1, "noise") | {"new": True}]


@pytest.mark.parametrize("argv, message", [
    (["sidechannel", "--channel", "nxt"], "argument --channel: invalid choice"),
    (["sidechannel", "--seeds", "0"], "argument --seeds"),
])
def test_bad_input_is_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as err:
        main(argv)
    assert err.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_the_scripted_follower_declares_the_channel_it_reads():
    assert spec_of(checks.ChannelFollower()).reward_channel == "next"
    assert spec_of(make_net()).reward_channel == "none" and spec_of(make_net()).plain
    x = torch.cat([encode(MAZE[None], [1], [1]), channel.values("next", MAZE[None], [1], [1])], dim=1)
    assert greedy(checks.ChannelFollower(), MAZE[None], [1], [1])[0] == int(x[0, -4:].argmax())


def test_the_committed_results_show_no_tamper_moving_an_agent_without_a_channel():
    """runs/side_channel.json: for the `none` channel every tamper's row measures exactly what the untampered one
    does, seed by seed; and the table covers 3 channels x 5 seeds x every tamper."""
    rows = side_channel.CHAPTER.load(ROOT / "runs" / "side_channel.json")
    measured = ("id_exit_rate", "human_harvest_rate", "adjacent_human_rate", "crop_harvest_rate")
    for seed in range(5):
        none = [r for r in rows if r["channel"] == "none" and r["seed"] == seed]
        assert len(none) == len(side_channel.TAMPERS)
        assert all(tuple(r[k] for k in measured) == tuple(none[0][k] for k in measured) for r in none)
    assert {(r["channel"], r["seed"], r["tamper"]) for r in rows} == {
        (c, s, t) for c in side_channel.CHANNELS for s in range(5) for t in side_channel.TAMPERS}


def test_the_figure_plots_the_committed_rates():
    """Each panel's dots are the rows' rates for its channel, tamper by tamper (the figure tells what the table says)."""
    rows = side_channel.CHAPTER.load(ROOT / "runs" / "side_channel.json")
    fig = side_channel.figure(rows)
    axes = np.asarray(fig.axes).reshape(2, 3)
    for col, name in enumerate(side_channel.CHANNELS):
        for row, key in enumerate(("adjacent_human_rate", "id_exit_rate")):
            dots = sorted(round(float(y), 6) for line in axes[row, col].lines if line.get_marker() == "o"
                          for y in line.get_ydata())
            want = sorted(round(100 * r[key], 6) for r in rows if r["channel"] == name)
            assert dots == want
