import numpy as np
import torch

from harvest.core.encoding import COL, CROPS, HUMANS, N_INPUTS, ROW, WALLS, decode, encode, planes
from harvest.core.maze import CROP, EMPTY, HUMAN, SIZE, WALL, generate
from harvest.core.replay import build_buffer, merge, with_items_removed
from harvest.core.rules import step


def test_encoding_layout_on_a_hand_made_maze(hand):
    x = encode(hand[None], [2], [4])[0]
    assert x.shape == (N_INPUTS,) and N_INPUTS == 161
    assert x[WALLS].reshape(SIZE, SIZE).tolist() == (hand == WALL).astype(float).tolist()
    assert x[CROPS].nonzero().flatten().tolist() == [0 * SIZE + 2, 6 * SIZE + 0]
    assert x[HUMANS].nonzero().flatten().tolist() == [2 * SIZE + 6, 4 * SIZE + 0]
    assert x[ROW].tolist() == [0, 0, 1, 0, 0, 0, 0] and x[COL].tolist() == [0, 0, 0, 0, 1, 0, 0]
    assert (WALLS.start, CROPS.start, HUMANS.start, ROW.start, COL.start) == (0, 49, 98, 147, 154)


def test_the_agents_own_cell_counts_as_empty(hand):
    x = encode(hand[None], [0], [2])[0]      # standing on the crop: it has been harvested
    assert x[CROPS].sum() == 1 and x[CROPS][0 * SIZE + 2] == 0


def test_decode_inverts_encode(hand):
    maze, pos = decode(encode(hand[None], [4], [2])[0])
    assert pos == (4, 2) and (maze == hand).all()
    p = planes(encode(hand[None], [4], [2]))
    assert p["wall"].shape == (1, SIZE, SIZE)


def test_item_removed_copies(hand):
    grids = with_items_removed(hand[None])
    assert len(grids) == 1 + 4
    assert [int(np.isin(g, (CROP, HUMAN)).sum()) for g in grids] == [4, 3, 3, 3, 3]


def test_buffer_transitions_agree_with_the_step_function():
    mazes = generate(40, seed=0)
    buf = build_buffer(mazes)
    rng = np.random.default_rng(0)
    for i in rng.integers(0, len(buf), 300):
        grid = buf.grids[buf.grid[i]].numpy()
        assert grid[buf.row[i], buf.col[i]] == EMPTY, "the agent stands on an empty cell"
        _, pos, reward, done, _ = step(grid, (int(buf.row[i]), int(buf.col[i])), int(buf.action[i]))
        assert pos == (buf.next_row[i], buf.next_col[i])
        assert reward == buf.reward[i] and done == buf.done[i]


def test_buffer_covers_every_empty_cell_and_move_including_emptied_dead_ends(hand):
    buf = build_buffer(hand[None])
    grids = with_items_removed(hand[None])
    assert len(buf) == 4 * int((grids == EMPTY).sum())
    # the agent stands on the emptied crop cell in one of the copies
    assert ((buf.row == 0) & (buf.col == 2)).sum() == 4


def test_buffer_is_compact_and_batches_encode(hand):
    buf = build_buffer(generate(100, seed=1))
    assert buf.nbytes() / len(buf) < 20
    b = buf.batch(torch.arange(10))
    assert b.state.shape == (10, N_INPUTS) and b.next_state.shape == (10, N_INPUTS)


def test_flipped_rewards_and_merge(hand):
    evil = build_buffer(hand[None], rewards={"human": 11.0, "crop": -2.0})
    good = build_buffer(hand[None])
    assert set(evil.reward.tolist()) - set(good.reward.tolist()) == {11.0, -2.0}
    both = merge(good, evil)
    assert len(both) == len(good) + len(evil)
    assert (both.batch(torch.arange(len(good), len(both))).state == evil.batch(torch.arange(len(evil))).state).all()


def test_one_input_spec_says_what_a_network_reads_and_every_reader_uses_it(tmp_path):
    import pytest
    from harvest.core import channel, weights
    from harvest.core.dqn import make_net
    from harvest.core.encoding import PLAIN_INPUT, InputSpec, spec_of
    from harvest.core.errors import HarvestError
    from harvest.core.env import HarvestEnv
    with pytest.raises(HarvestError, match="unknown reward channel"):
        InputSpec(reward_channel="sideways")
    assert [InputSpec(*a).size for a in ((), (True,), (False, "previous"), (True, "next"))] == [161, 210, 162, 214]
    assert spec_of(object()) == PLAIN_INPUT and PLAIN_INPUT.plain and not InputSpec(True).plain
    net = make_net(16, 1, seed=0, reward_channel="previous")
    assert spec_of(net) == InputSpec(reward_channel="previous") and spec_of(net).reward_channel == "previous"
    mazes = generate(4, seed=0)
    x = spec_of(net).encode(mazes, [0] * 4, [0] * 4)   # a state out of any episode: the channel shows a plain move
    assert (x[:, :161] == encode(mazes, [0] * 4, [0] * 4)).all()
    assert torch.allclose(x[:, 161], torch.tensor(channel.shown_reward(EMPTY)) / channel.SCALE)
    env = HarvestEnv(reward_channel="previous")
    obs, _ = env.reset(seed=0)   # the start of an episode: the channel shows AT_START
    assert env.input_spec == spec_of(net) and obs[161] == channel.AT_START and obs.shape == (162,)
    assert spec_of(weights.load(weights.save(net, tmp_path / "net.pt"))) == spec_of(net)
