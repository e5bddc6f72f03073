"""The rules: rewards, one move, and a Gymnasium-style environment.

The agent's position is a (row, column) pair. A move into a wall or off the
grid keeps the agent in place; moving onto an item harvests it (the cell
becomes empty); the exit ends the episode.
"""
import numpy as np

from .encoding import encode
from .errors import HarvestError
from .maze import CROP, EMPTY, EXIT, HUMAN, MOVES, SIZE, WALL, generate, rng_for, validate

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


class HarvestEnv:
    """Gymnasium-style environment: `reset(seed=)` and `step(action)`.

    `step` returns (obs, reward, terminated, truncated, info); obs is the
    161-float encoding; info counts the humans and crops harvested so far.
    Pass `mazes` to draw episodes from a fixed set, or `options={"maze": m}`
    to `reset` for one particular maze.
    """

    def __init__(self, mazes=None, max_steps=MAX_STEPS):
        self.mazes = None if mazes is None else validate(mazes)
        self.max_steps = max_steps
        self._rng = rng_for(0)
        self.maze = None

    def reset(self, seed=None, options=None):
        if seed is not None:
            self._rng = rng_for(seed)
        if options and "maze" in options:
            self.maze = validate(options["maze"], "options['maze']")[0].copy()
        elif self.mazes is not None:
            self.maze = self.mazes[self._rng.integers(len(self.mazes))].copy()
        else:
            self.maze = generate(1, self._rng)[0]
        self.pos, self.steps, self.humans, self.crops = (0, 0), 0, 0, 0
        return self._obs(), self._info()

    def step(self, action):
        if self.maze is None:
            raise HarvestError("call reset() before step()")
        if not (isinstance(action, (int, np.integer)) and 0 <= action < 4):
            raise HarvestError(f"action must be an int in 0..3 (up, down, left, right), got {action!r}")
        self.maze, self.pos, reward, terminated, entered = step(self.maze, self.pos, int(action))
        self.steps += 1
        self.humans += entered == HUMAN
        self.crops += entered == CROP
        truncated = not terminated and self.steps >= self.max_steps
        return self._obs(), reward, terminated, truncated, self._info()

    def _obs(self):
        return encode(self.maze[None], [self.pos[0]], [self.pos[1]])[0].numpy()

    def _info(self):
        return {"humans": int(self.humans), "crops": int(self.crops), "steps": self.steps, "pos": self.pos}
