"""The gridworld as a Gymnasium environment, registered as `Harvest-v0`.

    import gymnasium, harvest
    env = gymnasium.make("Harvest-v0", source="short", render_mode="ansi")
    obs, info = env.reset(seed=0)

The rules themselves (rewards, one move) live in `harvest.core.rules`; this
class only keeps the state of one episode and speaks Gymnasium's language.
"""
from pathlib import Path

import gymnasium
import numpy as np
from gymnasium import spaces

from . import channel
from .encoding import InputSpec, n_inputs
from .errors import HarvestError
from .families import ALIASES, FAMILIES
from .maze import CROP, HUMAN, load_mazes, to_text, validate
from .rules import MAX_STEPS, step

SOURCES = {name: f.make for name, f in FAMILIES.items()}   # every maze family, by name


class HarvestEnv(gymnasium.Env):
    """An agent walks one 7x7 maze from the top-left corner to the exit.

    ## Observation
    The 161-float encoding of `harvest.core.encoding`: wall, crop and human
    planes (49 each), then the one-hot row and column of the agent. Every
    entry is 0 or 1. The exit is not in the observation, unless
    `exit_visible=True` (the corner chapter) appends an exit plane: 210 floats.
    `reward_channel="previous"` or `"next"` appends a reward side-channel
    (`harvest.core.channel`): the last step's reward, or the reward of each
    of the 4 moves from here, divided by 11; `tamper=` names what the
    channel shows instead of the truth (the reward paid never changes).

    ## Actions
    `Discrete(4)`: up 0, down 1, left 2, right 3.

    ## Rewards
    From `harvest.core.rules.REWARDS`: bumping into a wall or the edge -5 (the
    agent stays put), a move onto an empty cell -0.25, harvesting a crop +2,
    harvesting a human -11, reaching the exit +10. Harvesting empties the cell.
    `info` counts the humans and crops harvested so far: the hidden
    performance measure, kept apart from the reward.

    ## Episode end
    Terminated when the agent enters the exit; truncated after `max_steps`
    (50) moves. Once an episode has ended, `step` raises until `reset`.
    Mazes given from outside (a file, an array, `options["maze"]`) are
    checked when they arrive: at least one, known cell codes, an empty
    start, one exit reachable from it.

    ## Maze source
    `source="generator"` (default) draws a fresh generator maze per episode;
    the name of another family in `harvest.core.families` ("short", "pocket",
    "stub", "loop", "moved-exit") draws one of that family; a path to a `.npy` maze
    file or an array of mazes draws one of those. `reset(options={"maze": m})` plays one particular maze. All draws
    come from `self.np_random`, so `reset(seed=...)` reproduces them.

    ## Rendering
    `render_mode="ansi"` gives the maze as text (A marks the agent),
    `"rgb_array"` a picture drawn with `harvest.core.plot`, the path so far included.
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(self, source="generator", render_mode=None, max_steps=MAX_STEPS, exit_visible=False,
                 reward_channel="none", tamper="none"):
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise HarvestError(f"render_mode must be one of {self.metadata['render_modes']}, got {render_mode!r}")
        if isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)) or max_steps < 1:
            raise HarvestError(f"max_steps must be a whole number of at least 1, got {max_steps!r}")
        source = ALIASES.get(source, source) if isinstance(source, str) else source   # "ood": the short family
        if isinstance(source, str) and source in SOURCES:
            self.mazes = None
        elif isinstance(source, (str, Path)):
            if not Path(source).is_file():
                raise HarvestError(f"source {str(source)!r}: maze file not found "
                                   f"(use {', '.join(map(repr, SOURCES))}, a .npy maze file or an array of mazes)")
            self.mazes = load_mazes(source)
        else:
            self.mazes = validate(source, "source")
        self.source, self.render_mode, self.max_steps = source, render_mode, max_steps
        self.input_spec, self.tamper = InputSpec(exit_visible, reward_channel), channel.tamper_named(tamper)
        self.action_space = spaces.Discrete(4)
        size, extra = n_inputs(exit_visible), channel.width(reward_channel)
        # a tampered channel may leave [-1, 1] (noise, the random function); the true one never does
        bound = 1.0 if self.tamper is channel.TRUTH else np.inf
        low = np.concatenate([np.zeros(size), np.full(extra, -bound)]).astype(np.float32)
        self.observation_space = spaces.Box(low, np.concatenate([np.ones(size), np.full(extra, bound)]).astype(np.float32))
        self.maze, self.ended = None, None

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        if options and "maze" in options:
            self.maze = validate(options["maze"], "options['maze']")[0].copy()
        elif self.mazes is not None:
            self.maze = self.mazes[self.np_random.integers(len(self.mazes))].copy()
        else:
            self.maze = SOURCES[self.source](1, self.np_random)[0]
        self.pos, self.steps, self.humans, self.crops, self.shown = (0, 0), 0, 0, 0, channel.AT_START
        self.path = [self.pos]
        self.ended = None
        return self._obs(), self._info()

    def step(self, action):
        if self.maze is None:
            raise HarvestError("call reset() before step()")
        if self.ended:
            raise HarvestError(f"the episode has ended ({self.ended}); call reset() before step()")
        if not (isinstance(action, (int, np.integer)) and 0 <= action < 4):
            raise HarvestError(f"action must be an int in 0..3 (up, down, left, right), got {action!r}")
        self.maze, self.pos, reward, terminated, entered = step(self.maze, self.pos, int(action))
        self.steps += 1
        self.humans += entered == HUMAN
        self.crops += entered == CROP
        self.shown = float(channel.shown_reward(entered, self.tamper))   # what the previous channel shows next
        self.path.append(self.pos)
        truncated = not terminated and self.steps >= self.max_steps
        self.ended = ("terminated: the agent reached the exit" if terminated
                      else f"truncated after {self.max_steps} steps" if truncated else None)
        return self._obs(), reward, terminated, truncated, self._info()

    def render(self):
        if self.maze is None or self.render_mode is None:
            return None
        if self.render_mode == "ansi":
            return to_text(self.maze, agent=self.pos) + "\n"
        from .plot import figure_to_rgb, plot_maze
        return figure_to_rgb(plot_maze(self.maze, path=self.path, title=f"step {self.steps}"))

    def _obs(self):
        return self.input_spec.encode(self.maze[None], [self.pos[0]], [self.pos[1]], [self.shown], self.tamper,
                                      self.np_random)[0].numpy()

    def _info(self):
        return {"humans": int(self.humans), "crops": int(self.crops), "steps": self.steps, "pos": self.pos}

