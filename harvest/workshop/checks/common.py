"""The machinery every exercise check shares: cases, the comparison with the reference, the messages.

A check runs the learner's function on fixed cases and on seeded random ones
and compares each answer with the reference in harvest/. It prints one
"passed" line, or raises CheckFailed saying which case went wrong and, when
the learner's answers match a typical wrong answer on every case, which
mistake that probably is. A blank that still raises NotImplementedError is
reported as not done yet; an answer that raises says which case it was
running; an answer that runs for longer than `TIMEOUT_S` is stopped.
"""
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch

from ...core import dqn, encoding
from ...core.maze import EXIT, HUMAN, MOVES, SIZE, WALL, generate
from ...core.replay import build_buffer
from ...core.seeding import Stream, rng_for
from ..deployment import deployment_mazes
from ..hand_mazes import HAND, HAND_MADE

ATOL = 1e-4
TIMEOUT_S = 60   # per call of the learner's function: generous, the slowest reference takes about a second


class CheckFailed(AssertionError):
    """The learner's answer differs from the reference."""


class TimedOut(BaseException):   # not an Exception, so that a learner's `except Exception` cannot swallow it
    """The learner's function ran past TIMEOUT_S."""


@dataclass
class Case:
    label: str
    args: tuple
    kwargs: dict = field(default_factory=dict)
    watch: object = None   # a tensor the answer's gradient must reach (the caller's input)


@contextmanager
def time_limit(seconds):
    """Raise TimedOut in the main thread after `seconds` (no limit where SIGALRM is missing, as on Windows)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(signum, frame):
        raise TimedOut

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def call(name, fn, case):
    """The learner's answer on one case; a blank, an exception or a run past the time limit become clear messages."""
    try:
        with time_limit(TIMEOUT_S):
            return fn(*case.args, **case.kwargs)
    except NotImplementedError as err:   # the blank stub: say so plainly, without the library's frames
        if "exercise" in str(err):
            raise NotImplementedError(f"{err} is still blank: replace the `raise NotImplementedError` "
                                      f"with your code and run the cell again") from None
        raise CheckFailed(f"{name}: your function raised NotImplementedError({err}) on {case.label}.\n"
                          f"input: {show_args(case)}") from err
    except TimedOut:
        raise CheckFailed(f"{name}: stopped after {TIMEOUT_S} s on {case.label}: your function seems to loop "
                          f"forever (a while loop whose condition never changes?).\ninput: {show_args(case)}") from None
    except Exception as err:
        raise CheckFailed(f"{name}: your function raised {type(err).__name__}: {err}\n"
                          f"while running {case.label}.\ninput: {show_args(case)}\n"
                          f"(the traceback above shows the line in your code)") from err


def numpy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def same(got, want):
    """Equal up to float tolerance, with matching shapes (dicts compared key by key)."""
    if want is None or got is None:
        return want is None and got is None
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and same(got[k], v) for k, v in want.items())
    try:
        g, w = numpy(got), numpy(want)
    except Exception:   # anything that is not array-like
        return False
    if g.shape != w.shape:
        return False
    if w.dtype == bool:   # a bool answer may come as 0/1; a count that comes as a bool is compared as 0/1
        return bool((g.astype(bool) == w).all())
    try:
        return bool(np.allclose(g.astype(float), w.astype(float), atol=ATOL, rtol=ATOL, equal_nan=True))
    except (TypeError, ValueError):
        return False


def array_like(x):
    return isinstance(x, (np.ndarray, torch.Tensor))


def copies(args):
    """Arrays and tensors copied (tuples and dicts of them too); anything else passed as it is."""
    if isinstance(args, dict):
        return {k: copies(v) for k, v in args.items()}
    if isinstance(args, tuple):
        return tuple(copies(a) for a in args)
    if isinstance(args, torch.Tensor):
        return args.detach().clone()
    return args.copy() if isinstance(args, np.ndarray) else args


def show(x):
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {show(v)}" for k, v in x.items()) + "}"
    if isinstance(x, torch.nn.Module):
        return type(x).__name__
    try:
        a = numpy(x)
    except Exception:
        return repr(x)
    if a.dtype == object:
        return repr(x)[:200]
    text = np.array2string(a, precision=3, suppress_small=True, max_line_width=100, threshold=60)
    return text if a.ndim == 0 else f"shape {a.shape}\n{text}"


def show_args(case):
    parts = [show(a).replace("\n", "\n  ") for a in case.args]
    parts += [f"{k}={show(v)}" for k, v in case.kwargs.items()]
    return "(" + ",\n  ".join(parts) + ")"


def answers_of(name, fn, cases):
    """The learner's answer on every case, on copies of the inputs (None where it raises)."""
    out = []
    for case in cases:
        try:
            out.append(call(name, fn, Case(case.label, copies(case.args), copies(case.kwargs))))
        except (CheckFailed, NotImplementedError):
            out.append(None)
    return out


def likely(mistakes, cases, answers, failing):
    """The mistake that gives the learner's answers on every case; failing that, for answers that are more than
    True/False, the first that gives the failing case's answer; None when no mistake explains them."""
    def agrees(wrong, case, got):
        try:
            return same(got, wrong(*copies(case.args), **copies(case.kwargs)))
        except Exception:   # a mistake that cannot even run on this case cannot be the explanation
            return False

    for why, wrong in mistakes.items():
        if all(agrees(wrong, c, g) for c, g in zip(cases, answers)):
            return why
    got = answers[failing]
    if isinstance(got, (bool, np.bool_)) or (array_like(got) and numpy(got).dtype == bool and numpy(got).ndim == 0):
        return None   # one True/False agrees with half of all mistakes by chance
    for why, wrong in mistakes.items():
        if agrees(wrong, cases[failing], got):
            return why
    return None


def verify(name, fn, cases, reference, mistakes=None, extra=None):
    """Compare `fn` with `reference` on every case; raise CheckFailed naming the likely mistake.

    `extra(got, case)` may return a message for failures a value comparison
    cannot see (a gradient that does not reach the input, a wrong type).
    """
    for i, case in enumerate(cases):
        want = reference(*copies(case.args), **copies(case.kwargs))   # first, on copies: fn cannot spoil it
        before = copies(case.args)
        got = call(name, fn, case)
        changed = [k for k, (a, b) in enumerate(zip(before, case.args)) if array_like(a) and not same(b, a)]
        problem = (f"your function changed its input (argument {changed[0] + 1}) in place; work on a copy"
                   if changed else extra(got, case) if extra else None)
        if problem is None and same(got, want):
            continue
        why = problem
        if why is None and mistakes:
            answers = answers_of(name, fn, cases)
            answers[i] = got
            why = likely(mistakes, cases, answers, i)
        raise CheckFailed(f"{name}: wrong on {case.label}.\n"
                          f"expected: {show(want)}\ngot:      {show(got)}\n"
                          f"likely mistake: {why or 'none of the usual ones; compare your code with the hint'}")
    print(f"{name}: passed ({len(cases)} cases)")
    return True


def fail(name, label, want, got, why):
    raise CheckFailed(f"{name}: wrong on {label}.\nexpected: {want}\ngot:      {show(got)}\nlikely mistake: {why}")


def gradient_problem(got, source, what):
    """A message when `got` does not carry a gradient back to `source` (the caller's input), else None."""
    if not isinstance(got, torch.Tensor):
        return f"return a torch tensor, not {type(got).__name__}: {what} climbs its gradient"
    if not got.requires_grad:
        return (f"the result carries no gradient: {what} climbs it, so no torch.no_grad(), .detach(), .item(), "
                f"numpy or torch.tensor(...) on the way")
    (grad,) = torch.autograd.grad(got.sum(), source, retain_graph=True, allow_unused=True)
    if grad is None or not grad.abs().sum() > 0:
        return (f"the gradient does not reach the input you were given: {what} needs d(result)/d(input), so "
                f"compute from the argument itself, not from a detached copy (.detach(), .clone().detach(), "
                f"torch.tensor(...))")
    return None


def reaches_input(reference, what):
    """An `extra` for verify: once the values are right, the answer's gradient must reach `case.watch`."""
    def extra(got, case):
        if not same(got, reference(*copies(case.args), **copies(case.kwargs))):
            return None   # wrong values: the catalogue of mistakes speaks first
        return gradient_problem(got, case.watch, what)
    return extra


# ---------------------------------------------------------------- test material

def check_mazes(n=6, seed=0):
    """Fixed hand-made mazes, then seeded generator mazes and deployment mazes."""
    rng = rng_for(seed, Stream.CHECKS)
    cases = [Case("the hand-made maze", (HAND.copy(),)),
             Case("the first hand-made maze of Step 3", (HAND_MADE[0].copy(),))]
    cases += [Case(f"generator maze {i}", (m,)) for i, m in enumerate(generate(n, rng))]
    cases += [Case(f"deployment maze {i}", (m,)) for i, m in enumerate(deployment_mazes(n // 2, rng))]
    return cases


def check_batch(seed=0, size=64):
    """A seeded batch of real transitions that contains exit moves."""
    buf = build_buffer(generate(10, rng_for(seed, Stream.CHECKS)))
    gen = torch.Generator().manual_seed(seed)
    done = torch.nonzero(buf.done).squeeze(1)
    idx = torch.cat([done[torch.randperm(len(done), generator=gen)[:size // 4]],
                     torch.randint(len(buf), (size - size // 4,), generator=gen)])
    return buf.batch(idx)


def small_net(seed, hidden=32):
    return dqn.make_net(hidden, 2, seed=seed)


class Seeker(torch.nn.Module):
    """A scripted 'network' for rollout checks: heads for the nearest human (then for the exit), or with
    `target="exit"` straight for the exit, through whatever stands in the way.

    It reads the maze back from the encoding, so a rollout that forgets to
    remove a harvested human sends it back to that human.
    """

    def __init__(self, target="human"):
        super().__init__()
        self.target = target

    def forward(self, x):
        return torch.stack([self._q(row) for row in x])

    def _q(self, row):
        maze, (r, c) = encoding.decode(row)
        targets = maze == HUMAN
        if self.target == "exit" or not targets.any():
            targets = maze == EXIT
        dist = distances(maze, targets)
        q = torch.full((4,), -100.0)
        for a, (dr, dc) in enumerate(MOVES):
            nr, nc = r + dr, c + dc
            if 0 <= nr < SIZE and 0 <= nc < SIZE and maze[nr, nc] != WALL:
                q[a] = -float(dist[nr, nc]) - 0.01 * a   # the small term breaks ties the same way everywhere
        return q


def distances(maze, targets):
    """Steps from every cell to the nearest target (breadth-first search over open cells)."""
    dist = np.full((SIZE, SIZE), 99)
    frontier = [tuple(t) for t in np.argwhere(targets)]
    for r, c in frontier:
        dist[r, c] = 0
    while frontier:
        nxt = []
        for r, c in frontier:
            for dr, dc in MOVES:
                nr, nc = r + dr, c + dc
                if 0 <= nr < SIZE and 0 <= nc < SIZE and maze[nr, nc] != WALL and dist[nr, nc] > dist[r, c] + 1:
                    dist[nr, nc] = dist[r, c] + 1
                    nxt.append((nr, nc))
        frontier = nxt
    return dist
