"""Harvest: a workshop on goal misgeneralization, built around a DQN agent in 7x7 mazes.

Three subpackages, and core never imports the other two:

- `harvest.core`: the RL library. Mazes and the generator (`maze`), rewards
  and moves (`rules`), the Gymnasium environment (`env`), the network input
  (`encoding`), the replay buffer (`replay`), the network and its training
  (`dqn`), rollouts and metrics (`evaluate`), weights files (`weights`),
  dreaming (`dream`), figures (`plot`), seeds (`seeding`).
- `harvest.workshop`: what learners and presenters use: the exercise checks,
  the build of exercises and notebooks, the tabular warm-up, the slides.
- `harvest.research`: how the project's agents are made and measured: the
  standard training recipe, how the shipped starting weights were made
  (`spoilers.py` tells the story), the results table, the benchmark.

Importing `harvest` registers the environment as `Harvest-v0` with Gymnasium.
"""
import gymnasium

from .core.errors import HarvestError

if "Harvest-v0" not in gymnasium.registry:
    gymnasium.register(id="Harvest-v0", entry_point="harvest.core.env:HarvestEnv")

__all__ = ["HarvestError"]
