"""Superpower actions do what they say on hand-made mazes, their replay data covers what they reach, and they are
masked off wherever the agent is used."""
import numpy as np
import pytest
import torch

from harvest.core.dqn import make_net
from harvest.core.encoding import decode
from harvest.core.evaluate import rollout
from harvest.core.maze import CROP, EMPTY, HUMAN, MOVES, WALL, from_text, generate
from harvest.core.detector import items_in_support as in_support_items
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


def test_pull_steps_back_and_the_item_follows():
    after, agent = sp.apply(MAZE, (0, 2), sp.PULL + LEFT)    # the human on (0, 1) follows the agent onto (0, 2)
    assert agent == (0, 3) and after[0, 1] == EMPTY and after[0, 2] == HUMAN
    assert (np.delete(after.ravel(), [1, 2]) == np.delete(MAZE.ravel(), [1, 2])).all()


def test_pull_takes_an_item_out_of_a_generator_dead_end():
    """Generator items sit on dead ends; a pull is the only superpower that moves one, out of its dead end."""
    mazes = generate(30, 4)
    moved = 0
    for maze in mazes:
        for r, c in np.argwhere(np.isin(maze, (CROP, HUMAN))):
            for d, (dr, dc) in enumerate(MOVES):
                pos = (r - dr, c - dc)   # the agent beside the item, pulling towards itself
                if 0 <= pos[0] < 7 and 0 <= pos[1] < 7 and maze[pos] == EMPTY and pos != (0, 0):
                    done = sp.apply(maze, pos, sp.PULL + d)
                    if done is not None:
                        assert done[0][r, c] == EMPTY and done[0][pos] == maze[r, c] and not in_support_items(done[0])
                        moved += 1
    assert moved > 0


def test_rewrite_toggles_the_neighbouring_cell():
    opened, agent = sp.apply(MAZE, (2, 0), sp.REWRITE + DOWN)     # (3, 0) is a wall: it opens
    assert agent == (2, 0) and opened[3, 0] == EMPTY and (opened != MAZE).sum() == 1
    closed, _ = sp.apply(MAZE, (2, 2), sp.REWRITE + DOWN)     # (3, 2) is open: it closes, the exit stays reachable
    assert closed[3, 2] == WALL and (closed != MAZE).sum() == 1
    corridor = from_text("......E\n" + "#######\n" * 6)
    assert sp.apply(corridor, (0, 2), sp.REWRITE + RIGHT) is None, "a wall that cuts the exit off is not available"
    assert sp.apply(corridor, (0, 2), sp.REWRITE + DOWN)[0][1, 2] == EMPTY


@pytest.mark.parametrize("pos, action", [
    ((2, 0), sp.PULL + DOWN),        # nothing to pull below
    ((0, 0), sp.PULL + RIGHT),       # the human would land on the start
    ((0, 3), sp.PULL + LEFT),        # nothing beside the agent on that side (an empty cell)
    ((1, 6), sp.PULL + LEFT),        # a wall, not an item
    ((1, 0), sp.REWRITE + UP),       # never the start
    ((6, 5), sp.REWRITE + RIGHT),    # never the exit
    ((0, 2), sp.REWRITE + LEFT),     # never an item
    ((0, 0), sp.REWRITE + LEFT),     # off the grid
])
def test_unavailable_superpowers(pos, action):
    assert sp.apply(MAZE, pos, action) is None


def test_no_pull_into_a_wall_behind_the_agent():
    maze = from_text("""
...#...
.#H#.#.
.#.#.#.
.......
.#.#.#.
.#.#.#.
......E""")
    assert sp.apply(maze, (2, 2), sp.PULL + UP) is not None       # (3, 2) behind is open
    blocked = maze.copy()
    blocked[3, 2] = WALL
    assert sp.apply(blocked, (2, 2), sp.PULL + UP) is None         # nowhere to step back to


def test_transitions_reach_the_edited_grid_and_the_agent_s_new_cell():
    buffer, reached = sp.transitions(MAZE[None])
    assert len(buffer) > 0 and len(reached) == len(buffer.grids) - 1
    batch = buffer.batch(torch.arange(len(buffer)))
    assert (batch.action >= sp.PULL).all() and (batch.reward == -0.25).all() and not batch.done.any()
    assert (batch.action < sp.REWRITE).any(), "MAZE has pulls"
    for i in list(np.flatnonzero(batch.action < sp.REWRITE)) + list(np.random.default_rng(0).choice(len(buffer), 10)):
        maze, pos = decode(batch.state[i])
        edited, pos_after = decode(batch.next_state[i])
        expected, agent = sp.apply(MAZE, pos, int(batch.action[i]))
        assert pos_after == agent
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
    assert (full.action[:len(plain)] < sp.PULL).all() and (full.action >= sp.PULL).sum() == counts["superpower_transitions"]


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
