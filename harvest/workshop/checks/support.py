"""Step 6's checks: per-cell statistics of a set of mazes, and the learner's own support test."""
import numpy as np

from ...core.families import generate_pocket
from ...core.maze import CROP, EMPTY, EXIT, HUMAN, NODES, POSTS, WALL, generate, in_support
from ...core.seeding import rng_for
from ..deployment import deployment_mazes
from ..hand_mazes import HAND, HAND_MADE
from .common import CHECKS, Case, numpy, verify


def ref_cell_statistics(mazes):
    """(2, 7, 7): per cell, the fraction of the mazes in which it is open, and in which it holds a crop or a human."""
    mazes = np.asarray(mazes)
    return np.stack([(mazes != WALL).mean(axis=0), np.isin(mazes, (CROP, HUMAN)).mean(axis=0)]).astype(float)


def check_cell_statistics(fn):
    rng = rng_for(9, CHECKS)
    cases = [Case("40 generator mazes", (generate(40, rng),)),
             Case("12 deployment mazes", (deployment_mazes(12, rng),)),
             Case("the three hand-made mazes of Step 3", (np.stack(HAND_MADE),)),
             Case("one hand-made maze", (HAND[None].copy(),)),
             Case("300 generator mazes (more than a small integer type can count)", (generate(300, rng),))]
    ref = ref_cell_statistics
    mistakes = {"rows and columns swapped (the row is the first index)": lambda m: ref(m).transpose(0, 2, 1),
                "counts instead of fractions: divide by the number of mazes": lambda m: ref(m) * len(m),
                "only EMPTY cells count as open: a crop, a human or the exit stands on an open cell":
                    lambda m: np.stack([(np.asarray(m) == EMPTY).mean(axis=0), ref(m)[1]]),
                "`maze > 0` makes the exit (-1) a wall: open means `!= WALL`":
                    lambda m: np.stack([(np.asarray(m) > 0).mean(axis=0), ref(m)[1]]),
                "only humans count as items: crops too": lambda m: np.stack([ref(m)[0], (np.asarray(m) == HUMAN).mean(
                    axis=0)]),
                "the exit counts as an item: only crops and humans":
                    lambda m: np.stack([ref(m)[0], np.isin(np.asarray(m), (CROP, HUMAN, EXIT)).mean(axis=0)]),
                "the two maps in the wrong order: open first, items second": lambda m: ref(m)[::-1],
                "the walls' share instead of the open cells'": lambda m: np.stack([1 - ref(m)[0], ref(m)[1]]),
                **{f"the counts overflow a small integer type ({kind.__name__} holds at most {np.iinfo(kind).max}): "
                   "count in int64 or float": (lambda m, kind=kind: np.stack([
                       (np.asarray(m) != WALL).sum(axis=0, dtype=kind),
                       np.isin(np.asarray(m), (CROP, HUMAN)).sum(axis=0, dtype=kind)]) / len(m))
                   for kind in (np.int8, np.uint8)}}

    def shape(got, case):
        return None if numpy(got).shape == (2, 7, 7) else \
            f"return one array of shape (2, 7, 7) (open share, item share), not shape {numpy(got).shape}"
    return verify("cell_statistics", fn, cases, ref, mistakes, shape)


def ref_in_support(maze):
    return bool(in_support(np.asarray(maze)))


def check_in_support(fn):
    """Any rule that tells the generator's walls from others passes: the check compares verdicts, not code.

    Every case is either a real generator maze (in, whatever stands on it) or
    breaks what every generator maze shares; no case is a maze the generator
    could not make for a subtler reason (a loop, say), so a stricter rule that
    is still right passes as well.
    """
    rng = rng_for(2, CHECKS)
    cases = [Case(f"generator maze {i}", (m,)) for i, m in enumerate(generate(8, rng))]
    cases += [Case(f"deployment maze {i}", (m,)) for i, m in enumerate(deployment_mazes(6, rng))]
    cases += [Case("the hand-made maze", (HAND.copy(),))]
    cases += [Case(f"hand-made maze {i + 1} of Step 3", (m.copy(),)) for i, m in enumerate(HAND_MADE)]
    edited = []
    for (r, c), code in (((2, 4), WALL), ((6, 2), WALL), ((0, 6), WALL), ((3, 3), EMPTY), ((1, 5), EMPTY),
                         ((5, 1), EMPTY)):
        maze = generate(1, rng)[0]
        maze[r, c] = code
        edited.append(Case(f"a generator maze with cell ({r}, {c}) {'walled' if code == WALL else 'opened'}", (maze,)))
    swapped = generate(1, rng)[0]   # as many walls as every generator maze has, one of them in the wrong place
    corridor = next((r, c) for r, c in np.argwhere(swapped == EMPTY) if (r + c) % 2 == 1)
    swapped[tuple(corridor)], swapped[3, 3] = WALL, EMPTY
    edited.append(Case(f"a generator maze with cell (3, 3) opened and corridor cell {tuple(map(int, corridor))} walled "
                       "(the same number of walls)", (swapped,)))
    posts = generate(1, rng)[0]
    posts[POSTS] = HUMAN   # items stand on open cells
    moved = generate(1, rng)[0]   # the same walls, its items moved to the first empty cells
    items = np.argwhere(np.isin(moved, (CROP, HUMAN)))
    targets = np.argwhere(moved == EMPTY)[1:len(items) + 1]   # [0] is the start
    moved[tuple(targets.T)], moved[tuple(items[:len(targets)].T)] = moved[tuple(items[:len(targets)].T)], EMPTY
    cases += edited + [
              Case("a generator maze with humans on cells (1, 1), (1, 3), ... (5, 5)", (posts,)),
              Case("a generator maze whose items moved to other open cells (its walls unchanged)", (moved,))]
    cases += [Case("an edited generator maze", (generate_pocket(1, rng)[0],))]
    bare = generate(1, rng)[0]   # the same walls, no items, the exit on an open cell off the (even, even) grid
    bare[np.isin(bare, (CROP, HUMAN, EXIT))] = EMPTY
    bare[tuple(np.argwhere((bare != WALL) & ~NODES)[-1])] = EXIT
    inverse = np.where(POSTS, EMPTY, WALL).astype(bare.dtype)   # the generator's pattern turned inside out
    cases += [Case("a generator maze without items, its exit moved to an open cell between two (even, even) cells",
                   (bare,)),
              Case("a grid whose (odd, odd) cells alone are open", (inverse,))]

    is_open = lambda m: np.asarray(m) != WALL
    mistakes = {"one (odd, odd) wall is not enough: every (odd, odd) cell must be a wall (all, not any)":
                    lambda m: bool(is_open(m)[NODES].all() and ~is_open(m)[POSTS].all()),
                "only the (even, even) cells are checked: every (odd, odd) cell must also be a wall":
                    lambda m: bool(is_open(m)[NODES].all()),
                "only the (odd, odd) cells are checked: every (even, even) cell must also be open":
                    lambda m: bool(~is_open(m)[POSTS].any()),
                "items or the exit are treated as walls (`maze == EMPTY` or `maze > 0`, and the exit is -1): a "
                "crop, a human or the exit stands on an open cell, so open means `maze != WALL`":
                    lambda m: bool((np.asarray(m) > 0)[NODES].all() and not (np.asarray(m) > 0)[POSTS].any()),
                "the parities are swapped: (even, even) cells are open, (odd, odd) cells are walls":
                    lambda m: bool(~is_open(m)[NODES].any() & is_open(m)[POSTS].all()),
                "the walls are counted, not placed: a maze with as many walls as the generator's can still have "
                "one where the generator never leaves one; say which cells must be open and which must be walls":
                    lambda m: int(is_open(m).sum()) == int(is_open(HAND).sum()),
                "always True: the rule must reject the mazes the generator cannot make": lambda m: True,
                "always False, the generator's own mazes too: every generator maze must pass; check the slices "
                "((even, even) is m[::2, ::2], (odd, odd) is m[1::2, 1::2]) and that open means `maze != WALL`":
                    lambda m: False}
    return verify("in_support", fn, cases, ref_in_support, mistakes)
