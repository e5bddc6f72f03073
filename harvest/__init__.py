"""Harvest: a DQN agent that learns the wrong goal with the right reward.

Modules: maze (cells, generator, support test, out-of-distribution maker),
env (rules and environment), encoding (network input), replay (buffer),
dqn (network, Bellman loss, training), evaluate (rollouts and metrics),
weights (saving and checksummed loading), plot (figures).
"""
from .errors import HarvestError

__all__ = ["HarvestError"]
