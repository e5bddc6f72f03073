"""Step 14's check (the fixes chapter): random local edits, drawn fairly and accumulated."""
import numpy as np

from ...core import detector
from ...core.maze import CROP, HUMAN, SIZE, from_text
from ..hand_mazes import HAND
from .common import Case, call, fail, numpy

NAME = "random_edit"


def local_edits(maze):
    """Every legal maze one local edit away (a wall flipped, a crop or a human moved one cell): the helper the
    random_edit exercise hands the learner."""
    return detector.edits(np.asarray(maze), free=detector.LOCAL_EDITS)


# nine items, each with four empty neighbours: about half of all local edits move an item
OPEN = from_text("""
.......
.c.H.c.
.......
.H.c.H.
.......
.c.H.c.
......E""")


class Recording:
    """A numpy Generator that records the draws made from it (method, arguments) and otherwise behaves the same."""

    def __init__(self, rng):
        self._rng, self.calls = rng, []

    def __getattr__(self, name):
        method = getattr(self._rng, name)
        if not callable(method):
            return method

        def recorded(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            return method(*args, **kwargs)
        return recorded


def draw_size(name, args, kwargs):
    """How many outcomes a draw chooses among (None when the call does not say: random(), shuffle, ...)."""
    if name == "integers" and args:
        low, high = (0, args[0]) if len(args) == 1 and "high" not in kwargs else (args[0], args[1] if len(args) > 1
                                                                                   else kwargs["high"])
        return int(high) - int(low) + bool(kwargs.get("endpoint", False))
    if name == "choice" and args:
        return int(args[0]) if np.ndim(args[0]) == 0 else len(args[0])
    return None


def _skewed_draw(calls, count):
    """A message when the first draw does not choose among exactly `count` candidates, else None."""
    sizes = [draw_size(*c) for c in calls]
    size = next((s for s in sizes if s is not None), count)
    if size == count:
        return None
    if size == count - 1:
        return (f"the first edit was drawn from {size} outcomes, one fewer than the {count} candidates: "
                f"rng.integers(n) already leaves n out, so with n - 1 the last candidate is never drawn")
    return f"the first edit was drawn from {size} outcomes, but {count} candidates fit: draw from all of them"


def _later_draw_problem(calls, maze, got, budget):
    """A message when a draw after the first does not choose among the candidates that fit at that point (those
    that change more cells of `maze` than the current maze does, within `budget`), else None.

    The current maze is not known, only `got`: every sequence of fitting edits that leads towards `got` is
    followed, and a draw's size must be the candidate count of one of them. Draws that do not say their size,
    and draws among a single candidate (skipping them is fine), are passed over.
    """
    sizes = [s for s in (draw_size(*c) for c in calls) if s is not None and s > 1]
    changed = numpy(got) != maze
    towards = lambda cands: [c for c in cands if not ((c != maze) & ~changed).any()]

    def forced(states):   # a state with exactly one candidate moves on without a draw
        out, todo = [], list(states)
        while todo:
            s = todo.pop()
            out.append(s)
            nxt = detector.next_edits(s, maze, budget, local_edits)
            if len(nxt) == 1:
                todo += towards(nxt)
        return out

    frontier = [maze]
    for i, size in enumerate(sizes):
        options = [(s, detector.next_edits(s, maze, budget, local_edits)) for s in forced(frontier)]
        counts = {len(n) for _, n in options if len(n) > 1}
        if not counts:
            return None   # more draws than edits: not a question of which candidates
        if size not in counts:
            if i == 0:
                return None   # the first draw has its own message
            return (f"edit {i + 1} was drawn from {size} outcomes, but after the earlier edits "
                    f"{' or '.join(map(str, sorted(counts)))} candidates fit: draw each edit only from the candidates "
                    f"that change more cells of the original than the current maze does, within the budget (an edit "
                    f"that undoes an earlier one, or carries its item on, is no candidate), and stop when none is left")
        frontier = [c for _, n in options if len(n) == size for c in towards(n)]
    return None


def _random_edit_problem(maze, got, budget, full=True):
    """What is wrong with one answer of random_edit, or None. A right answer is the end of a sequence of edits,
    each drawn from `detector.next_edits` (more cells of `maze` changed, never more than `budget`), that stopped
    because no edit was left. `full` also follows every edit sequence to see that `got` is reachable (slow)."""
    got = numpy(got)
    if got.shape != (SIZE, SIZE):
        return "return the new maze: a (7, 7) array of cell codes"
    changed = got != maze
    if changed.sum() > budget:
        return (f"{changed.sum()} cells changed, over the budget of {budget}: count each candidate's changes against "
                f"the original maze, not against the last edit")
    if budget and not changed.any():
        return "the maze came back unchanged: a later edit undid an earlier one; keep only candidates that change " \
               "more cells of the original than the current maze does"
    if not detector.legal(got):
        return "not a legal maze: draw every edit from local_edits(current), which lists only playable mazes"
    frontier, reached = [maze], not full
    while frontier and not reached:   # follow the edit sequences whose changed cells all stay changed in `got`
        more = [c for m in frontier for c in detector.next_edits(m, maze, budget, local_edits)]
        reached = any((c == got).all() for c in more)
        frontier = [c for c in more if not (changed < (c != maze)).any()]
    if not reached and changed.any():
        return "not reachable by edits that each change new cells of the original maze: an edit carried an " \
               "earlier one on (an item moved twice) or undid part of it"
    if len(detector.next_edits(got, maze, budget, local_edits)):
        return "stopped too early: keep editing until no candidate fits the budget, not a fixed number of times"
    return None


def check_random_edit(fn, draws=100):
    """Seeded draws on fixed mazes: each answer is a finished sequence of new edits within the budget, the same
    for the same seed; the first draw chooses among all the candidates, the draws vary, and items move too."""
    cases = [("the hand-made maze", HAND.copy(), 2), ("the hand-made maze, with a budget of 1", HAND.copy(), 1),
             ("the hand-made maze, with a budget of 0", HAND.copy(), 0)]
    cases += [(f"generator maze {i}", m, 2) for i, m in enumerate(detector.starting_mazes(3, seed=8))]
    cases += [("an open maze with nine items", OPEN.copy(), 2)]
    total = 0
    for label, maze, budget in cases:
        seen, items_moved = set(), 0
        first = len(detector.next_edits(maze, maze, budget, local_edits))
        n = draws if budget == 1 else 25 if label.startswith("an open maze") else 6
        for k in range(n):
            before, rng = maze.copy(), Recording(np.random.default_rng(k))
            got = call(NAME, fn, Case(f"{label} (rng seed {k})", (maze, rng), {"budget": budget}))
            if not (maze == before).all():
                fail(NAME, label, "a new maze", got, "your function changed its input in place; work on a copy "
                                                      "(maze.copy())")
            why = _random_edit_problem(maze, got, budget, full=k < 2) or (_skewed_draw(rng.calls, first) if k == 0
                                                                           and first else None) or \
                (_later_draw_problem(rng.calls, maze, got, budget) if k < 3 else None)
            if why:
                fail(NAME, label, f"legal edits changing at most {budget} cells", got, why)
            if k < 2:
                again = call(NAME, fn, Case(label, (maze.copy(), np.random.default_rng(k)), {"budget": budget}))
                if not (numpy(again) == numpy(got)).all():
                    fail(NAME, label, "the same maze for the same seed", again,
                         "not reproducible: draw with the `rng` you are given, not np.random or random")
            seen.add(numpy(got).astype(np.int8).tobytes())
            items_moved += bool((np.isin(maze, (CROP, HUMAN)) & (numpy(got) != maze)).any())
        total += n
        if budget == 1 and len(seen) < first / 2:
            fail(NAME, label, f"most of the {first} single edits in {n} draws", np.array([len(seen)]),
                 f"only {len(seen)} different answer{'s' * (len(seen) != 1)}: draw each edit at random with `rng`, "
                 f"every candidate with the same chance")
        if label.startswith("an open maze") and not items_moved:
            fail(NAME, label, f"an item moved in some of {n} draws (about half of the edits move one)",
                 np.array([items_moved]), "no item ever moved: an item's move changes two cells, and it is a "
                                          "candidate as long as it fits the budget")
    print(f"{NAME}: passed ({len(cases)} mazes, {total} draws)")
    return True
