import warnings

import gymnasium
import numpy as np
import pytest
import torch

import harvest  # noqa: F401  (registers Harvest-v0)
from harvest.core.encoding import N_INPUTS
from harvest.core.env import HarvestEnv
from harvest.core.errors import HarvestError
from harvest.core.evaluate import rollout
from harvest.core.families import generate_short
from harvest.core.maze import CROP, DOWN, EMPTY, EXIT, LEFT, RIGHT, UP, WALL, generate, in_support
from harvest.core.rules import REWARDS, move, step
from harvest.core.seeding import rng_for
from harvest.core.weights import load_shipped


def test_rewards_follow_the_table(hand):
    # (0,0): up and left leave the grid, right is open, down is open.
    assert step(hand, (0, 0), UP)[1:4] == ((0, 0), REWARDS["bump"], False)
    assert step(hand, (0, 0), LEFT)[1:4] == ((0, 0), REWARDS["bump"], False)
    assert step(hand, (0, 0), RIGHT)[1:4] == ((0, 1), REWARDS["move"], False)
    assert step(hand, (0, 1), RIGHT)[1:4] == ((0, 2), REWARDS["crop"], False)
    assert step(hand, (0, 2), RIGHT)[1:4] == ((0, 2), REWARDS["bump"], False)   # wall at (0, 3)
    assert step(hand, (4, 1), LEFT)[1:4] == ((4, 0), REWARDS["human"], False)
    assert step(hand, (6, 5), RIGHT)[1:4] == ((6, 6), REWARDS["exit"], True)
    assert REWARDS["human"] + REWARDS["exit"] < 0, "the human penalty outweighs the exit"


def test_harvest_empties_the_cell_and_leaves_the_input_unchanged(hand):
    before = hand.copy()
    new, pos, *_ = step(hand, (0, 1), RIGHT)
    assert new[0, 2] == EMPTY and pos == (0, 2)
    assert (hand == before).all()


def test_batched_move_agrees_with_single_steps(hand):
    rng = np.random.default_rng(0)
    rows, cols = np.nonzero(hand > 0)
    acts = rng.integers(0, 4, len(rows))
    nr, nc, rew, done, _ = move(np.repeat(hand[None], len(rows), 0), rows, cols, acts)
    for i in range(len(rows)):
        _, pos, r, d, _ = step(hand, (rows[i], cols[i]), acts[i])
        assert pos == (nr[i], nc[i]) and r == rew[i] and d == done[i]


def test_env_episode_counts_items_and_terminates(hand):
    env = HarvestEnv()
    obs, info = env.reset(seed=0, options={"maze": hand})
    assert obs.shape == (N_INPUTS,) and info["pos"] == (0, 0)
    for a in [RIGHT, RIGHT]:            # harvest the crop at (0, 2)
        obs, r, term, trunc, info = env.step(a)
    assert info["crops"] == 1 and r == REWARDS["crop"]
    env.reset(options={"maze": hand})
    path = [DOWN, DOWN, RIGHT, RIGHT, DOWN, DOWN, DOWN, DOWN, RIGHT, RIGHT, RIGHT, RIGHT]
    for a in path:
        obs, r, term, trunc, info = env.step(a)
    assert term and not trunc and r == REWARDS["exit"] and info["humans"] == 0


def test_env_truncates_after_50_steps(hand):
    env = HarvestEnv(max_steps=50)
    env.reset(options={"maze": hand})
    for _ in range(49):
        assert env.step(UP)[3] is False
    assert env.step(UP)[3] is True


def test_env_reset_seed_is_reproducible():
    a, b = HarvestEnv(), HarvestEnv()
    assert (a.reset(seed=7)[0] == b.reset(seed=7)[0]).all()
    assert (a.maze == b.maze).all()


@pytest.mark.parametrize("action", [4, -1, 1.5, "up"])
def test_env_rejects_bad_actions(hand, action):
    env = HarvestEnv()
    env.reset(options={"maze": hand})
    with pytest.raises(HarvestError, match="action"):
        env.step(action)


def test_env_rejects_step_before_reset_and_bad_mazes():
    with pytest.raises(HarvestError, match="reset"):
        HarvestEnv().step(0)
    with pytest.raises(HarvestError, match="shape"):
        HarvestEnv().reset(options={"maze": np.ones((5, 5), int)})


def test_env_step_after_the_end_raises_until_reset(hand):
    env = HarvestEnv(max_steps=3)
    env.reset(options={"maze": hand})
    for _ in range(3):
        *_, term, trunc, _ = env.step(UP)
    assert trunc and not term
    with pytest.raises(HarvestError, match="truncated after 3 steps.*reset"):
        env.step(DOWN)
    env = HarvestEnv()
    env.reset(options={"maze": hand})
    for a in [DOWN, DOWN, RIGHT, RIGHT, DOWN, DOWN, DOWN, DOWN, RIGHT, RIGHT, RIGHT, RIGHT]:
        *_, term, _, _ = env.step(a)
    assert term
    for a in (LEFT, RIGHT):   # off the exit and back on would pay the exit again
        with pytest.raises(HarvestError, match="terminated.*reset"):
            env.step(a)
    env.reset(options={"maze": hand})
    assert env.step(DOWN)[1] == REWARDS["move"]


def unplayable(hand):
    """Maze batches an episode cannot be played in, and the words of their error."""
    walled, crop_start, exit_start = hand.copy(), hand.copy(), np.where(hand == EXIT, EMPTY, hand).astype(np.int8)
    walled[5, 6] = walled[6, 5] = WALL
    crop_start[0, 0] = CROP
    exit_start[0, 0] = EXIT
    return [(np.zeros((0, 7, 7), np.int8), "no mazes"), (walled[None], "no open path"),
            (crop_start[None], "crop on the start"), (exit_start[None], "exit on the start"),
            (np.stack([hand, hand]).astype(float), "dtype")]


def test_env_sources_are_checked_when_the_env_is_made(hand, tmp_path):
    for mazes, says in unplayable(hand):
        with pytest.raises(HarvestError, match=says):
            HarvestEnv(source=mazes)
        np.save(tmp_path / "m.npy", mazes)
        with pytest.raises(HarvestError, match=says):
            HarvestEnv(source=tmp_path / "m.npy")
        if len(mazes):
            with pytest.raises(HarvestError, match=says):
                HarvestEnv().reset(options={"maze": mazes[0]})
    with pytest.raises(HarvestError, match="not found"):
        HarvestEnv(source="no-such-family")
    with pytest.raises(HarvestError, match="max_steps"):
        HarvestEnv(max_steps=0)


def test_env_passes_gymnasiums_checker():
    from gymnasium.utils.env_checker import check_env
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # the checker reports problems as warnings: count them as failures
        for mode in (None, "ansi", "rgb_array"):
            check_env(gymnasium.make("Harvest-v0", render_mode=mode).unwrapped, skip_render_check=False)


def test_env_declares_its_spaces():
    env = HarvestEnv()
    assert env.action_space == gymnasium.spaces.Discrete(4)
    assert env.observation_space == gymnasium.spaces.Box(0.0, 1.0, (N_INPUTS,), np.float32)
    obs, _ = env.reset(seed=0)
    assert obs.dtype == np.float32 and env.observation_space.contains(obs)


def test_env_rollouts_equal_the_vectorised_rollouts_step_for_step():
    net = load_shipped("agent.pt")
    mazes = np.concatenate([generate(100, rng_for(0, 21)), generate_short(100, rng_for(1, 21))])  # OOD: it hunts
    batched = rollout(net, mazes)
    assert batched.humans.sum() > 20 and batched.crops.sum() > 5 and batched.reached_exit.sum() > 100   # all kinds happen
    env = HarvestEnv()
    for i, maze in enumerate(mazes):
        obs, info = env.reset(options={"maze": maze})
        path, terminated, truncated = [info["pos"]], False, False
        while not (terminated or truncated):
            with torch.no_grad():
                action = int(net(torch.as_tensor(obs)[None]).argmax())
            obs, _, terminated, truncated, info = env.step(action)
            path.append(info["pos"])
        steps = batched.steps[i]
        assert len(path) == steps + 1 and (np.array(path) == batched.path[i, :steps + 1]).all(), f"maze {i}"
        assert (terminated, info["humans"], info["crops"]) == \
               (batched.reached_exit[i], batched.humans[i], batched.crops[i]), f"maze {i}"


def test_gymnasium_make_runs_a_random_agent_episode():
    env = gymnasium.make("Harvest-v0", render_mode="ansi")
    obs, info = env.reset(seed=3)
    env.action_space.seed(3)
    total, done, steps = 0.0, False, 0
    while not done:
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        total, done, steps = total + reward, terminated or truncated, steps + 1
    assert steps <= 50 and info["steps"] == steps and (terminated or steps == 50)
    text = env.render()
    assert text.count("A") == 1 and len(text.strip().splitlines()) == 7
    env.close()


def test_env_sources_draw_from_their_family(tmp_path):
    ood = HarvestEnv(source="ood")
    gen = HarvestEnv()
    for s in range(20):
        ood.reset(seed=s)
        gen.reset(seed=s)
        assert not in_support(ood.maze) and in_support(gen.maze)
    mazes = generate(3, rng_for(1, 21))
    np.save(tmp_path / "m.npy", mazes)
    from_file = HarvestEnv(source=tmp_path / "m.npy")
    for s in range(10):
        from_file.reset(seed=s)
        assert any((from_file.maze == m).all() for m in mazes)
    with pytest.raises(HarvestError, match="not found"):
        HarvestEnv(source=tmp_path / "missing.npy")


def test_env_renders_a_picture_of_the_maze():
    env = HarvestEnv(render_mode="rgb_array")
    env.reset(seed=0)
    env.step(1)
    frame = env.render()
    assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3 and frame.std() > 0
