"""A warm-up without a network: Q-values of a tiny game by repeated Bellman backups.

A game is three (S, A) arrays: the next state, the reward and whether the move
ends the game. Q-iteration applies Bellman's equation to every (state, move)
pair at once until the table stops changing.
"""
import numpy as np

from ..core.optimal import q_iteration  # noqa: F401  (the warm-up's answer, reused for whole mazes)
from ..core.rules import REWARDS

LEFT, RIGHT = 0, 1


def corridor(length=4):
    """A one-row maze: start on the left, the exit just past the right end, moves left and right.

    Stepping left from the first cell bumps into the edge; stepping right from
    the last cell leaves through the exit. Rewards come from rules.REWARDS.
    """
    s = np.arange(length)
    next_state = np.stack([np.maximum(s - 1, 0), np.minimum(s + 1, length - 1)], axis=1)
    reward = np.stack([np.where(s == 0, REWARDS["bump"], REWARDS["move"]),
                       np.where(s == length - 1, REWARDS["exit"], REWARDS["move"])], axis=1)
    done = np.zeros((length, 2), bool)
    done[-1, RIGHT] = True
    return next_state, reward.astype(float), done



def random_game(rng, n_states=6, n_actions=3):
    """A random game for checks: random next states, rewards and terminal moves."""
    next_state = rng.integers(n_states, size=(n_states, n_actions))
    reward = np.round(rng.normal(0, 3, size=(n_states, n_actions)), 2)
    done = rng.random((n_states, n_actions)) < 0.2
    return next_state, reward, done
