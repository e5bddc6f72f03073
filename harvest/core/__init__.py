"""The RL library: mazes, rules, environment, encoding, replay, DQN, evaluation, weights, dreaming, figures.

Nothing here imports `harvest.workshop` or `harvest.research`.
"""
