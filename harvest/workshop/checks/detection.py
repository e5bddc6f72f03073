"""Steps 8 and 9's checks: the value at the start, the human moves, the harm test and the item support test."""
import numpy as np

from ...core import detector, dqn, optimal
from ...core.maze import CROP, EMPTY, EXIT, HUMAN, MOVES, NODES, SIZE, dead_ends, from_text, generate, inside
from ...core.rules import MAX_STEPS
from ...core.seeding import rng_for
from .. import tabular_warmup as tabular
from ..deployment import deployment_mazes
from ..hand_mazes import BLOCKING, DEAD_END, HAND, HAND_MADE
from .common import CHECKS, Case, reaches_input, small_net, verify


def _start_states(n=12, seed=4):
    return detector.at_start(detector.starting_mazes(n, seed))


def check_start_value(fn):
    cases = []
    nets = [(f"random network {s} on starting states", small_net(s), _start_states(12, s)) for s in (5, 6)]
    for label, net, x in nets + [("a full-size network on one state", dqn.make_net(seed=7), _start_states(1, 7))]:
        x = x.clone().requires_grad_()   # the dream's input: the gradient of the value must reach it
        cases.append(Case(label, (net, x), watch=x))
    ref = lambda net, x: detector.value(net, x).detach()
    mistakes = {"argmax gives the index of the best move: the value is the largest Q itself (.values)":
                    lambda net, x: net(x).argmax(dim=1).float(),
                "the mean over the moves: the agent takes its best move, so its value is the max":
                    lambda net, x: net(x).mean(dim=1),
                "the max over the batch (dim 0) instead of over the moves (dim 1)":
                    lambda net, x: net(x).max(dim=0).values,
                "the smallest Q (min) instead of the largest": lambda net, x: net(x).min(dim=1).values,
                "all four Q-values: the value is one number per state, the largest": lambda net, x: net(x),
                "Q of one fixed move, not the best of the four": lambda net, x: net(x)[:, 0],
                "the max over every Q-value of the batch (net(x).max()): one value per state, the max over its "
                "four moves (dim=1)": lambda net, x: net(x).max()}
    gradient = reaches_input(ref, "the lens and the dream climb")

    def extra(got, case):
        if isinstance(got, tuple):   # torch.return_types.max is a tuple
            return "net(x).max(dim=1) gives a pair (values, indices): return its .values"
        return gradient(got, case)
    return verify("start_value", fn, cases, ref, mistakes, extra)


def _sorted_mazes(mazes):
    """A stack of mazes in a fixed order, so that two answers in different orders compare equal."""
    mazes = np.asarray(mazes).reshape(-1, SIZE, SIZE).astype(np.int8)
    return mazes[np.lexsort(mazes.reshape(len(mazes), -1).T[::-1])] if len(mazes) else mazes


def ref_human_moves(maze):
    return detector.edits(np.asarray(maze), free=("humans",))


def check_human_moves(fn):
    rng = rng_for(3, CHECKS)
    cases = [Case("the hand-made maze", (HAND.copy(),))]
    cases += [Case(f"generator maze {i}", (m,)) for i, m in enumerate(detector.starting_mazes(4, seed=3))]
    beside = from_text("""
.H#....
Hc#.###
.c#...#
.##.#.#
...H#..
.###H#.
.....HE""")
    cases += [Case("humans beside the start, a crop, the exit and each other", (beside,)),
              Case("a maze without a human", (np.where(HAND == HUMAN, EMPTY, HAND),))]

    def moved(maze, targets=(EMPTY,), steps=MOVES, start_ok=False, keep=False):
        maze, out = np.asarray(maze), []
        for r, c in np.argwhere(maze == HUMAN):
            for dr, dc in steps:
                nr, nc = r + dr, c + dc
                if inside(nr, nc) and maze[nr, nc] in targets and (start_ok or (nr, nc) != (0, 0)):
                    e = maze.copy()
                    e[nr, nc], e[r, c] = HUMAN, HUMAN if keep else EMPTY
                    out.append(e)
        return np.array(out).reshape(-1, SIZE, SIZE)

    diagonals = np.array([(1, 1), (1, -1), (-1, 1), (-1, -1)])
    mistakes = {"a human may step onto the start: the agent stands there": lambda m: moved(m, start_ok=True),
                "a human may land on a crop or the exit: only empty cells take one": lambda m: moved(m, (EMPTY, CROP, EXIT)),
                "the human is copied, not moved: its old cell must become empty": lambda m: moved(m, keep=True),
                "diagonal moves: a human moves up, down, left or right": lambda m: moved(m, steps=np.concatenate([MOVES, diagonals]))}
    order = lambda f: (lambda m: _sorted_mazes(f(m)))
    return verify("human_moves", order(fn), cases, order(ref_human_moves),
                  {k: order(v) for k, v in mistakes.items()})


def ref_rational_to_spare(maze):
    return bool(optimal.rational_to_spare(np.asarray(maze)))


def check_rational_to_spare(fn):
    rng = rng_for(4, CHECKS)
    crowded = from_text("""
...c...
##.##H#
cH...HE
##.#.#.
##H#...
#######
#######""")
    cases = [Case("a human in a dead end", (DEAD_END.copy(),)),
             Case("a human on the only way to an exit three cells away", (BLOCKING.copy(),)),
             Case("a human on the short way to the exit, a longer way free", (crowded,))]
    cases += [Case(f"generator maze {i}", (m,)) for i, m in enumerate(generate(3, rng))]
    cases += [Case(f"deployment maze {i}", (m,)) for i, m in enumerate(deployment_mazes(2, rng))]

    def spared_value(maze, human_reward):
        g = optimal.game(maze, {"human": human_reward})
        return tabular.q_iteration(g["next_state"], g["reward"], g["done"], iters=MAX_STEPS)[optimal.state(g, (0, 0))].max()

    mistakes = {"the answer is always True, so `spared` equals `best` whatever the maze: either the plan that spares "
                "the humans does not forbid them (their reward left at -11, or set to 0; forbid entering a human with "
                "-1e6), or the rewards were changed in place (g['reward'][...] = ...) before `best` was computed, so "
                "`best` forbids them too (build a new array with np.where)":
                    lambda m: bool(spared_value(m, 0.0) >= optimal.optimal_value(m) - 1e-6),
                "the answer is inverted: True when the best plan harvests a human":
                    lambda m: not ref_rational_to_spare(m),
                "`>` instead of `>=`: when sparing the humans costs nothing, both plans are worth the same, and "
                "that counts as rational to spare": lambda m: False}
    return verify("rational_to_spare", fn, cases, ref_rational_to_spare, mistakes)


def ref_items_in_support(maze):
    return bool(detector.items_in_support(np.asarray(maze)[None])[0])


def check_items_in_support(fn):
    rng = rng_for(5, CHECKS)
    cases = [Case(f"generator maze {i}", (m,)) for i, m in enumerate(generate(4, rng))]
    cases += [Case(f"deployment maze {i}", (m,)) for i, m in enumerate(deployment_mazes(3, rng))]
    cases += [Case("the hand-made maze", (HAND.copy(),)),
              Case("the first hand-made maze of Step 3", (HAND_MADE[0].copy(),))]
    corridor = HAND.copy()
    corridor[2, 6], corridor[2, 2] = EMPTY, HUMAN     # onto an (even, even) cell that is no dead end
    crop_off = HAND.copy()
    crop_off[6, 0], crop_off[6, 1] = EMPTY, CROP      # a crop one cell out of its dead end
    cases += [Case("a human on an (even, even) corridor cell", (corridor,)),
              Case("a crop off its dead end, the humans in place", (crop_off,)),
              Case("a maze without items", (np.where(np.isin(HAND, (CROP, HUMAN)), EMPTY, HAND),))]

    items = lambda m, codes=(CROP, HUMAN): np.isin(np.asarray(m), codes)
    mistakes = {"only the (even, even) test: an item must also stand on a dead end":
                    lambda m: bool(NODES[items(m)].all()),
                "only the dead-end test: the dead end must also be an (even, even) cell":
                    lambda m: bool(dead_ends(m)[items(m)].all()),
                "only humans are checked: crops stand on dead ends too":
                    lambda m: bool((dead_ends(m) & NODES)[items(m, (HUMAN,))].all()),
                "any instead of all: every item must pass, not just one":
                    lambda m: bool((dead_ends(m) & NODES)[items(m)].any())}
    return verify("items_in_support", fn, cases, ref_items_in_support, mistakes)


