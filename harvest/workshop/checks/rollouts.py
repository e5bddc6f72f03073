"""Steps 4 and 5's checks: the greedy rollout, the return of a path and the human-harvest rate."""
import numpy as np
import torch

from ...core import dqn, encoding
from ...core.evaluate import metrics, rollout, with_humans
from ...core.maze import CROP, EMPTY, EXIT, HUMAN, from_text, generate
from ...core.rules import MAX_STEPS, step
from ...core.seeding import rng_for
from ..deployment import deployment_mazes
from ..hand_mazes import HAND
from .common import CHECKS, Case, Seeker, check_mazes, small_net, verify


def ref_greedy_rollout(net, maze, max_steps=MAX_STEPS, remove_items=True):
    """One maze's greedy rollout from (0, 0): positions, moves, harvests, whether the exit was reached.

    It agrees with the batched evaluate.rollout (a test checks that).
    """
    maze, pos = np.array(maze), (0, 0)
    path, moves, entered = [pos], [], []
    for _ in range(max_steps):
        a = int(net(encoding.encode(maze[None], [pos[0]], [pos[1]]))[0].argmax())
        new_maze, pos, _, done, cell = step(maze, pos, a)
        maze = new_maze if remove_items else maze
        path.append(pos)
        moves.append(a)
        entered.append(cell)
        if done:
            break
    entered = np.array(entered, int)
    return {"path": path, "moves": moves, "humans": int((entered == HUMAN).sum()),
            "crops": int((entered == CROP).sum()), "reached_exit": bool(len(entered) and entered[-1] == EXIT)}


TWO_ON_THE_WAY = from_text("""
.H.H..E
#######
#######
#######
#######
#######
#######""")

# one human on the way to the exit, one walled off: a policy harvests half the humans in the maze
ONE_OUT_OF_REACH = from_text("""
.H....E
#######
H.....#
.######
......#
#######
#######""")


def _rollout_cases():
    cases = [Case(f"a seeking policy on {c.label}", (Seeker(), c.args[0])) for c in check_mazes(4)[:5]]
    cases += [Case(f"random network {s} on the hand-made maze", (small_net(s), HAND.copy())) for s in range(2)]
    cases.append(Case("a seeking policy with two humans on its way", (Seeker(), TWO_ON_THE_WAY.copy())))
    return cases


def check_greedy_rollout(fn):
    def compare_path(got, case):
        if not isinstance(got, dict) or not {"path", "humans", "crops", "reached_exit"} <= set(got):
            return "return a dict with keys 'path', 'moves', 'humans', 'crops' and 'reached_exit'"
        return None

    def argmin(net, maze, max_steps=MAX_STEPS):
        return ref_greedy_rollout(lambda x: -net(x), maze, max_steps)

    def flagged(net, maze, max_steps=MAX_STEPS):
        out = ref_greedy_rollout(net, maze, max_steps)
        return {**out, "humans": out["humans"] > 0, "crops": out["crops"] > 0}

    def no_start(net, maze, max_steps=MAX_STEPS):
        out = ref_greedy_rollout(net, maze, max_steps)
        return {**out, "path": out["path"][1:]}

    mistakes = {"'path' leaves out the start cell: it begins with (0, 0), then adds the cell after every move, "
                "so it is one longer than 'moves'": no_start,
                "harvested items are not removed from the maze, so the agent sees them again":
                    lambda net, maze, max_steps=MAX_STEPS: ref_greedy_rollout(net, maze, max_steps, False),
                "argmin instead of argmax: the greedy move has the largest Q": argmin,
                "'humans' is True/False: it must count every human harvested (and 'crops' every crop)": flagged}
    with torch.no_grad():
        return verify("greedy_rollout", fn, _rollout_cases(), ref_greedy_rollout, mistakes, compare_path)


# ---------------------------------------------------------------- exercise 4.2: the return of a path

def ref_path_return(maze, moves, gamma=dqn.Config.gamma):
    """Discounted return of a sequence of moves from (0, 0); the exit ends it."""
    maze, pos, total = np.array(maze), (0, 0), 0.0
    for t, a in enumerate(moves):
        maze, pos, reward, done, _ = step(maze, pos, int(a))
        total += gamma ** t * reward
        if done:
            break
    return total


def check_path_return(fn):
    cases = []
    for c in _rollout_cases()[:5]:
        path = ref_greedy_rollout(*c.args)
        cases.append(Case(f"the path of {c.label}", (c.args[1], path["moves"]), {"gamma": 0.95}))
    cases.append(Case("harvesting a crop, stepping off and back on", (HAND.copy(), [3, 3, 2, 3]), {"gamma": 0.95}))
    cases.append(Case("bumping twice, then moving on the hand-made maze", (HAND.copy(), [0, 2, 3, 3, 1]),
                      {"gamma": 0.9}))
    cases.append(Case("walking onto the exit, then on", (from_text(".......\n" + "######.\n" * 5 + "E......"),
                                                         [3] * 6 + [1] * 6 + [2] * 6 + [3, 3, 2]), {"gamma": 0.8}))

    def undiscounted(maze, moves, gamma):
        return ref_path_return(maze, moves, 1.0)

    def late_discount(maze, moves, gamma):
        return gamma * ref_path_return(maze, moves, gamma)

    def no_removal(maze, moves, gamma):
        pos, total = (0, 0), 0.0
        for t, a in enumerate(moves):
            _, pos, reward, done, _ = step(np.asarray(maze), pos, int(a))
            total += gamma ** t * reward
            if done:
                break
        return total

    def no_stop(maze, moves, gamma):
        maze, pos, total = np.array(maze), (0, 0), 0.0
        for t, a in enumerate(moves):
            maze, pos, reward, _, _ = step(maze, pos, int(a))
            total += gamma ** t * reward
        return total

    mistakes = {"rewards are not discounted: multiply the reward of step t by gamma ** t": undiscounted,
                "the discount starts at gamma ** 1: the first reward is not discounted": late_discount,
                "a harvested item stays in the maze and pays again": no_removal,
                "the return goes on after the exit: the exit ends the episode": no_stop}
    return verify("path_return", fn, cases, ref_path_return, mistakes)


# ---------------------------------------------------------------- exercise 5.1: the human-harvest rate

def ref_human_harvest_rate(net, mazes):
    return metrics(net, mazes)["human_harvest_rate"]


def check_human_harvest_rate(fn):
    rng = rng_for(1, CHECKS)
    sets = {"generator mazes": generate(12, rng), "deployment mazes": deployment_mazes(6, rng)}
    sets["a mix with human-free mazes"] = np.concatenate([sets["generator mazes"][:6],
                                                         np.where(HAND == HUMAN, EMPTY, HAND)[None].repeat(4, 0)])
    sets["mazes with one human out of reach"] = np.stack([ONE_OUT_OF_REACH, TWO_ON_THE_WAY])
    cases = [Case(f"a seeking policy on {k}", (Seeker(), v)) for k, v in sets.items()]
    cases.append(Case("a random network on generator mazes", (small_net(3), sets["generator mazes"])))
    # a policy that walks to the exit harvests only the humans on its way: here in the first and the last maze,
    # so the rate lies strictly between 0 and 1 and a filter that drops a maze at either end shows
    some = np.concatenate([ONE_OUT_OF_REACH[None], sets["generator mazes"][6:],
                           sets["a mix with human-free mazes"][-2:],
                           TWO_ON_THE_WAY[None]])
    cases.append(Case("an exit-seeking policy that meets humans on its way in 2 of the mazes", (Seeker("exit"), some)))

    def all_mazes(net, mazes):
        return float((rollout(net, mazes).humans > 0).mean())

    def mean_count(net, mazes):
        with_h = np.asarray(mazes)[(np.asarray(mazes) == HUMAN).any(axis=(1, 2))]
        return float(rollout(net, with_h).humans.mean())

    def share_of_humans(net, mazes):
        mazes = np.asarray(mazes)
        return float(rollout(net, mazes).humans.sum() / (mazes == HUMAN).sum())

    mistakes = {"averaged over all mazes: count only mazes that contain a human": all_mazes,
                "the mean number of humans harvested instead of the fraction of mazes with at least one": mean_count,
                "humans harvested / humans present: count mazes with at least one harvest instead": share_of_humans,
                "a percentage, not a fraction (between 0 and 1)":
                    lambda net, mazes: 100 * ref_human_harvest_rate(net, mazes),
                "one True/1.0 for the whole set (`.any()` over every maze, or `humans >= 0`): the answer is the "
                "fraction of mazes, (humans > 0).mean()": lambda net, mazes: 1.0,
                "the mazes are filtered one off: every maze that holds a human counts, the first and the last too":
                    lambda net, mazes: ref_human_harvest_rate(net, np.asarray(mazes)[1:]),
                "the last maze is left out: every maze that holds a human counts":
                    lambda net, mazes: ref_human_harvest_rate(net, np.asarray(mazes)[:-1]),
                "crops counted instead of humans": lambda net, mazes: float(
                    (rollout(net, with_humans(mazes)).crops > 0).mean())}
    with torch.no_grad():
        return verify("human_harvest_rate", fn, cases, ref_human_harvest_rate, mistakes)


