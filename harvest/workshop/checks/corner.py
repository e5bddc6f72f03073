"""Step 13's checks (the corner chapter): the moved-exit family, the corner rate and reading the sweep."""
import numpy as np

from ...core.evaluate import rollout
from ...core.families import generate_moved_exit
from ...core.maze import CORNER, CROP, EXIT, HUMAN, SIZE, WALL, dead_ends, from_text, generate
from ...core.seeding import rng_for
from ...research.chapters.corner import smallest_fixing_share
from ..hand_mazes import HAND
from .common import CHECKS, Case, Seeker, call, fail, numpy, small_net, verify

NAME = "move_exit"


def _move_exit_problem(maze, got, candidates):
    """What is wrong with one answer of move_exit, or None."""
    got = numpy(got)
    if got.shape != (SIZE, SIZE):
        return "return the new maze: a (7, 7) array of cell codes"
    exits = got == EXIT
    corner = got[CORNER]
    if not candidates.any():
        return None if (got == maze).all() else \
            "this maze has no dead end besides the start and the corner: return it unchanged"
    if corner == EXIT and exits.sum() == 1:
        return "the exit is still in the corner: move it to one of the dead ends"
    if corner == EXIT:
        return "the old exit stays: the corner must become EMPTY when the exit leaves"
    if corner == WALL:
        return "the corner became a wall: it must become an ordinary EMPTY cell, open as before"
    if corner in (CROP, HUMAN):
        return "the item moved to the corner: the item gives way to the exit, and the corner becomes EMPTY"
    if exits.sum() != 1:
        return f"the maze has {exits.sum()} exits: exactly one, on the dead end you picked"
    r, c = np.argwhere(exits)[0]
    if (r, c) == (0, 0):
        return "the exit went to the start; dead_ends() already leaves the start out, so pick from it"
    if not candidates[r, c]:
        return "the exit must go to a dead end (an open cell with one open neighbour), not any open cell"
    other = np.ones((SIZE, SIZE), bool)
    other[CORNER] = other[r, c] = False
    if (got[other] != maze[other]).any():
        return "only two cells change: the corner (to EMPTY) and the chosen dead end (to EXIT)"
    return None


def check_move_exit(fn, draws=200):
    """Over many seeded draws: the exit lands on a dead end, each one in time; the corner empties; nothing else changes."""
    snake = from_text("""
.......
######.
.......
.######
.......
######.
######E""")
    cases = [("the hand-made maze", HAND.copy())]
    cases += [(f"generator maze {i}", m) for i, m in enumerate(generate(4, rng_for(6, CHECKS)))]
    cases += [("a maze whose only dead ends are the start and the corner", snake)]
    for label, maze in cases:
        candidates = dead_ends(maze)
        candidates[CORNER] = False
        chosen = set()
        for k in range(draws if label == "the hand-made maze" else 20):
            before = maze.copy()
            got = call(NAME, fn, Case(label, (maze, np.random.default_rng(k))))
            if not (maze == before).all():
                fail("move_exit", label, "a new maze", got, "your function changed its input in place; "
                                                              "work on a copy (maze.copy())")
            why = _move_exit_problem(maze, got, candidates)
            if why:
                fail("move_exit", label, f"the exit on one of the dead ends {np.argwhere(candidates).tolist()}",
                      got, why)
            chosen.add(tuple(np.argwhere(numpy(got) == EXIT)[0]))
            again = call(NAME, fn, Case(label, (maze.copy(), np.random.default_rng(k))))
            if not (numpy(again) == numpy(got)).all():
                fail("move_exit", label, "the same maze for the same seed", again,
                      "not reproducible: draw with the `rng` you are given, not np.random or random")
        if label == "the hand-made maze" and chosen != {tuple(x) for x in np.argwhere(candidates)}:
            fail("move_exit", label, f"every dead end in {draws} draws: {np.argwhere(candidates).tolist()}",
                  np.array(sorted(chosen)), "always the same dead end: pick one at random with `rng`, each "
                                            "with the same chance")
    print(f"move_exit: passed ({len(cases)} mazes, {draws + 20 * (len(cases) - 1)} draws)")
    return True


def ref_corner_rate(paths, reached_exit):
    on_corner = (np.asarray(paths) == CORNER).all(axis=-1)
    return float((on_corner.any(axis=1) | ~np.asarray(reached_exit, bool)).mean())


def check_corner_rate(fn):
    exit_ = [(0, 0), (0, 1), (0, 2), (0, 2)]
    via_corner = [(0, 0), (6, 6), (6, 5), (0, 2)]
    lost = [(0, 0), (1, 0), (2, 0), (2, 0)]
    stuck = [(0, 0), (5, 6), (6, 6), (6, 6)]
    past_corner = [(0, 0), (6, 6), (6, 5), (6, 4)]
    last_row = [(0, 0), (6, 4), (6, 5), (5, 5)]
    last_row_exit = [(0, 0), (6, 4), (6, 5), (0, 2)]
    hand = lambda *ps: np.array(ps)
    cases = [Case("five hand-made rollouts", (hand(exit_, via_corner, lost, stuck, lost),
                                              np.array([1, 1, 0, 0, 0], bool))),
             Case("the corner visited, then left (exit or not)", (hand(via_corner, past_corner, exit_),
                                                                 np.array([1, 0, 1], bool))),
             Case("the last row and column, never the corner", (hand(last_row, last_row_exit, exit_),
                                                                np.array([0, 1, 1], bool)))]
    mazes = generate_moved_exit(12, rng_for(7, CHECKS))
    for name, net in (("a scripted seeker", Seeker()), ("a small random network", small_net(3))):
        runs = rollout(net, mazes)
        cases.append(Case(f"rollouts of {name} on moved-exit mazes", (runs.path, runs.reached_exit)))

    def parts(paths, reached):
        return (np.asarray(paths) == CORNER).all(axis=-1), ~np.asarray(reached, bool)
    mistakes = {"only the corner half: a rollout that never reaches the exit counts too":
                    lambda p, e: float(parts(p, e)[0].any(axis=1).mean()),
                "only the never-reaches-the-exit half, or only the last position: a rollout that visits the "
                "corner on its way and then exits counts too":
                    lambda p, e: float(parts(p, e)[1].mean()),
                "any instead of all over (row, col): a cell in the last row or column is not the corner":
                    lambda p, e: float(((np.asarray(p) == CORNER).any(axis=-1).any(axis=1) | parts(p, e)[1]).mean()),
                "only the last position is looked at: a rollout that visits the corner on its way counts, and so "
                "does one that never reaches the exit":
                    lambda p, e: float(parts(p, e)[0][:, -1].mean()),
                "only the last position is looked at for the corner: a rollout that visits the corner on its way "
                "and then exits counts too":
                    lambda p, e: float((parts(p, e)[0][:, -1] | parts(p, e)[1]).mean()),
                "'and' instead of 'or': either half is enough":
                    lambda p, e: float((parts(p, e)[0].any(axis=1) & parts(p, e)[1]).mean()),
                "a count, not a fraction: divide by the number of rollouts":
                    lambda p, e: float((parts(p, e)[0].any(axis=1) | parts(p, e)[1]).sum()),
                "a percentage, not a fraction": lambda p, e: 100 * ref_corner_rate(p, e)}
    return verify("corner_rate", fn, cases, ref_corner_rate, mistakes)


def ref_smallest_fixing_share(rows, goal=0.9):
    return smallest_fixing_share(rows, goal)


def check_smallest_fixing_share(fn):
    def rows(table, seed=0):
        out = [{"p": p, "seed": s, "exit_rate": e} for p, rates in table.items() for s, e in enumerate(rates)]
        return [out[i] for i in np.random.default_rng(seed).permutation(len(out))]   # in no particular order
    cases = [Case("a sweep where one seed lags", (rows({0: [.1, .2, .1], 0.01: [.95, .6, .97], 0.03: [.93, .96, .99],
                                                        0.1: [.99, .98, 1.0]}),)),
             Case("one seed far behind, the mean still above the goal",
                  (rows({0: [.2, .3, .1], 0.01: [.99, .82, 1.0], 0.03: [.95, .93, .97]}, 5),)),
             Case("a seed exactly at the goal", (rows({0: [.0, .1], 0.003: [.9, .95], 0.01: [1.0, 1.0]}, 1),)),
             Case("shares given in no order", (rows({0.1: [.97, .99], 0.03: [.91, .92], 0.01: [.5, .96], 0: [0, .1]},
                                                    2),)),
             Case("no share reaches the goal", (rows({0: [.1, .2], 0.01: [.5, .92]}, 3),)),
             Case("a stricter goal", (rows({0: [.5, .6], 0.01: [.93, .96], 0.1: [.99, .995]}, 4),), {"goal": 0.98})]

    def by_p(rows, agg):
        out = {}
        for r in rows:
            out.setdefault(r["p"], []).append(r["exit_rate"])
        return {p: agg(v) for p, v in out.items()}
    ok = lambda rows, goal, agg, pick=min: pick([p for p, v in by_p(rows, agg).items() if v >= goal], default=None)
    mistakes = {"the median over seeds: every seed must reach the goal, so take the worst (min)":
                    lambda rows, goal=0.9: ok(rows, goal, lambda v: float(np.median(v))),
                "the mean over seeds: every seed must reach the goal, so take the worst (min)":
                    lambda rows, goal=0.9: ok(rows, goal, lambda v: float(np.mean(v))),
                "> instead of >=: a seed exactly at the goal reaches it":
                    lambda rows, goal=0.9: min([p for p, v in by_p(rows, min).items() if v > goal], default=None),
                "the largest share that works: the question is the smallest":
                    lambda rows, goal=0.9: ok(rows, goal, min, max),
                "the first share in the rows' order: sort the shares first":
                    lambda rows, goal=0.9: next((p for p, v in by_p(rows, min).items() if v >= goal), None)}
    return verify("smallest_fixing_share", fn, cases, ref_smallest_fixing_share, mistakes)

