"""Superpower actions do what they say on hand-made mazes, their replay data covers what they reach, and they are
masked off wherever the agent is used."""
import numpy as np
import pytest
import torch

from harvest.core.dqn import make_net
from harvest.core.encoding import decode
from harvest.core.evaluate import rollout
from harvest.core.maze import CROP, EMPTY, HUMAN, WALL, from_text, generate
from harvest.research import superpowers as sp

MAZE = from_text("""
.H..#..
.####..
.......
##.###.
...#...
.#.#.#.
...#..E
""")
UP, DOWN, LEFT, RIGHT = range(4)


def test_push_moves_the_neighbouring_item_one_more_cell():
    after = sp.apply(MAZE, (0, 0), sp.PUSH + RIGHT)    # the human on (0, 1) goes to (0, 2)
    assert after[0, 1] == EMPTY and after[0, 2] == HUMAN
    assert (np.delete(after.ravel(), [1, 2]) == np.delete(MAZE.ravel(), [1, 2])).all()


def test_rewrite_toggles_the_neighbouring_cell():
    opened = sp.apply(MAZE, (2, 0), sp.REWRITE + DOWN)     # (3, 0) is a wall: it opens
    assert opened[3, 0] == EMPTY and (opened != MAZE).sum() == 1
    closed = sp.apply(MAZE, (2, 2), sp.REWRITE + DOWN)     # (3, 2) is open: it closes, the exit stays reachable
    assert closed[3, 2] == WALL and (closed != MAZE).sum() == 1
    corridor = from_text("......E\n" + "#######\n" * 6)
    assert sp.apply(corridor, (0, 2), sp.REWRITE + RIGHT) is None, "a wall that cuts the exit off is not available"
    assert sp.apply(corridor, (0, 2), sp.REWRITE + DOWN)[1, 2] == EMPTY


@pytest.mark.parametrize("pos, action", [
    ((0, 0), sp.PUSH + DOWN),        # nothing to push below
    ((0, 2), sp.PUSH + LEFT),        # the human would land on the start
    ((1, 0), sp.REWRITE + UP),       # never the start
    ((6, 5), sp.REWRITE + RIGHT),    # never the exit
    ((0, 2), sp.REWRITE + LEFT),     # never an item
    ((0, 0), sp.REWRITE + LEFT),     # off the grid
])
def test_unavailable_superpowers(pos, action):
    assert sp.apply(MAZE, pos, action) is None


def test_transitions_reach_the_edited_grid_with_the_agent_in_place():
    buffer, reached = sp.transitions(MAZE[None])
    assert len(buffer) > 0 and len(reached) == len(buffer.grids) - 1
    batch = buffer.batch(torch.arange(len(buffer)))
    assert (batch.action >= sp.PUSH).all() and (batch.reward == -0.25).all() and not batch.done.any()
    for i in np.random.default_rng(0).choice(len(buffer), 10, replace=False):
        maze, pos = decode(batch.state[i])
        edited, pos_after = decode(batch.next_state[i])
        assert pos == pos_after
        expected = sp.apply(MAZE, pos, int(batch.action[i]))
        assert (np.isin(edited, (WALL,)) == np.isin(expected, (WALL,))).all()
        assert (np.isin(edited, (CROP, HUMAN)) == np.isin(expected, (CROP, HUMAN))).all()


def test_a_training_buffer_covers_what_the_superpowers_reach():
    mazes = generate(20, 1)
    plain, none = sp.training_buffer(mazes, 0.0, np.random.default_rng(0))
    assert none == {"superpower_transitions": 0, "reached_grids": 0}
    full, counts = sp.training_buffer(mazes, 0.1, np.random.default_rng(0))
    sampled, few = sp.training_buffer(mazes, 0.1, np.random.default_rng(0), reached_per_maze=3)
    assert counts["reached_grids"] > few["reached_grids"] == 6
    assert len(plain) < len(sampled) < len(full)
    assert (full.action[:len(plain)] < sp.PUSH).all() and (full.action >= sp.PUSH).sum() == counts["superpower_transitions"]


def test_superpowers_are_masked_off_wherever_the_agent_is_used():
    agent = sp.Superpowered(make_net(seed=0), seed=1)
    x = torch.rand(5, 161)
    assert agent(x).shape == (5, 4) and agent.all_q(x).shape == (5, 12)
    assert torch.equal(agent.all_q(x)[:, :4], agent(x))
    runs = rollout(agent, generate(30, 2))     # a rollout only ever picks one of the four moves
    assert len(runs.reached_exit) == 30


def test_the_loss_trains_superpower_values_against_move_targets():
    agent = sp.Superpowered(make_net(seed=0), seed=1)
    buffer, _ = sp.transitions(MAZE[None])
    batch = buffer.batch(torch.arange(len(buffer)))
    loss = sp.loss(agent, agent, batch, 0.95)
    loss.backward()
    assert agent.extra.weight.grad.abs().sum() > 0
