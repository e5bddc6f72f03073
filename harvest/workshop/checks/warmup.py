"""Step 0's check: Q-iteration on the corridor and on random small games."""
import numpy as np

from .. import tabular_warmup as tabular
from .common import Case, verify


def check_q_iteration(fn):
    rng = np.random.default_rng(0)
    cases = [Case("the 4-cell corridor", tabular.corridor(4), {"gamma": 0.95, "iters": 200}),
             Case("a 6-cell corridor with gamma 0.5", tabular.corridor(6), {"gamma": 0.5, "iters": 200})]
    cases += [Case(f"random game {i}", tabular.random_game(rng), {"gamma": 0.9, "iters": 200}) for i in range(4)]
    ref = tabular.q_iteration

    def no_mask(next_state, reward, done, gamma, iters):
        return ref(next_state, reward, np.zeros_like(done), gamma, iters)

    def backup(pick, sign=1.0):
        def fn(next_state, reward, done, gamma, iters):
            q = np.zeros(reward.shape)
            for _ in range(iters):
                q = reward + sign * gamma * pick(q[next_state]) * ~done
            return q
        return fn

    mistakes = {"the terminal mask is missing: a move that ends the game has no future value": no_mask,
                "min instead of max over the next moves": backup(lambda q: q.min(axis=-1)),
                "argmax instead of max: the index of the best next move is not its value":
                    backup(lambda q: q.argmax(axis=-1)),
                "a wrong sign: the discounted future is added to the reward, not subtracted":
                    backup(lambda q: q.max(axis=-1), -1.0),
                "the future is not discounted by gamma": lambda n, r, d, gamma, iters: ref(n, r, d, 1.0, iters),
                "gamma applied twice (gamma ** 2)": lambda n, r, d, gamma, iters: ref(n, r, d, gamma ** 2, iters),
                "the future is read from the current state (q.max over this state's moves) instead of the next "
                "state (q[next_state], then the max over its moves)":
                    lambda n, r, d, gamma, iters: _current_state_backup(r, d, gamma, iters),
                "only one backup instead of repeating until the table settles": lambda n, r, d, gamma, iters: r}
    return verify("q_iteration", fn, cases, ref, mistakes)


def _current_state_backup(reward, done, gamma, iters):
    q = np.zeros(reward.shape)
    for _ in range(iters):
        q = reward + gamma * q.max(axis=-1)[:, None] * ~done
    return q


