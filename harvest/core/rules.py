"""The rules of the gridworld: the reward table and one move.

Change a reward here: `REWARDS` is the one table every part of the project reads.

The agent's position is a (row, column) pair. A move into a wall or off the
grid keeps the agent in place; moving onto an item harvests it (the cell
becomes empty); the exit ends the episode.
"""
import numpy as np

from .maze import CROP, EMPTY, EXIT, HUMAN, MOVES, SIZE, WALL

REWARDS = {"bump": -5.0, "move": -0.25, "crop": 2.0, "human": -11.0, "exit": 10.0}
MAX_STEPS = 50


def reward_lookup(rewards=None):
    """Reward per entered cell code, as an array indexed by code + 1 (exit is -1)."""
    r = {**REWARDS, **(rewards or {})}
    table = np.zeros(5, np.float32)
    table[[EXIT + 1, WALL + 1, EMPTY + 1, CROP + 1, HUMAN + 1]] = [r["exit"], r["bump"], r["move"], r["crop"], r["human"]]
    return table


def move(mazes, rows, cols, actions, rewards=None):
    """Apply one move in each maze of a batch (the mazes are not changed).

    Returns the next rows and columns, the rewards, whether the exit was
    reached, and the code of the cell entered (WALL for a bump).
    """
    mazes, rows, cols, actions = map(np.asarray, (mazes, rows, cols, actions))
    nr, nc = rows + MOVES[actions, 0], cols + MOVES[actions, 1]
    inside = (nr >= 0) & (nr < SIZE) & (nc >= 0) & (nc < SIZE)
    nr, nc = np.clip(nr, 0, SIZE - 1), np.clip(nc, 0, SIZE - 1)
    entered = np.where(inside, mazes[np.arange(len(mazes)), nr, nc], WALL)
    bump = entered == WALL
    reward = reward_lookup(rewards)[entered + 1]
    return np.where(bump, rows, nr), np.where(bump, cols, nc), reward, entered == EXIT, entered


def step(maze, pos, action, rewards=None):
    """One move in one maze. Returns (new maze, new position, reward, terminated, entered cell code)."""
    nr, nc, reward, done, entered = move(maze[None], [pos[0]], [pos[1]], [action], rewards)
    maze = maze.copy()
    if entered[0] in (CROP, HUMAN):
        maze[nr[0], nc[0]] = EMPTY
    return maze, (int(nr[0]), int(nc[0])), float(reward[0]), bool(done[0]), int(entered[0])
