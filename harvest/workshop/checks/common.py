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
from ...core.maze import EXIT, HUMAN, MOVES, WALL, distances, generate, inside
from ...core.replay import build_buffer
from ...core.seeding import register, rng_for
from ..deployment import deployment_mazes
from ..hand_mazes import HAND, HAND_MADE

CHECKS = register(12, "workshop: the exercise checks' own mazes")

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
    if a.dtype.kind == "f":
        a = np.round(a, 3)   # rounded as np.round does (8.5375 -> 8.538), as the workshop's own prints are
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
    True/False, the mistake that gives the failing case's answer and agrees on the most other cases, said with a
    caution; None when no mistake explains them."""
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
    best, score = None, 0
    for why, wrong in mistakes.items():
        if agrees(wrong, cases[failing], got):
            n = sum(agrees(wrong, c, g) for c, g in zip(cases, answers))
            if n > score:
                best, score = why, n
    if best is None:
        return None
    return f"{best}\n(that mistake gives your answer on this case but not on every case: it may be another one)"


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
                          f"expected: {show(want)}\ngot:      {show(got)}\n{first_difference(got, want)}"
                          f"likely mistake: {why or 'none of the usual ones; compare your code with the hint'}")
    print(f"{name}: passed ({len(cases)} cases)")
    return True


def first_difference(got, want):
    """A line naming where `got` first differs from `want` (the index, both values), or the shapes when they differ;
    empty when there is nothing to point at (equal, or not arrays)."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return ""
        for k, v in want.items():
            if k not in got:
                return f"missing key: {k!r}\n"
            if not same(got[k], v):
                inner = first_difference(got[k], v)
                if inner.startswith("first difference: "):
                    return f"first difference: key {k!r}, {inner[len('first difference: '):]}"
                if not inner and "\n" not in show(v) + show(got[k]):
                    return f"first difference: key {k!r}: expected {show(v)}, got {show(got[k])}\n"
                return f"first difference: key {k!r}\n{inner}"
        return ""
    try:
        g, w = numpy(got), numpy(want)
        if w.ndim == 0 or g.dtype == object or w.dtype == object:
            return ""
        if g.shape != w.shape:
            return f"shapes differ: expected {w.shape}, got {g.shape}\n"
        if w.dtype == bool:
            g = g.astype(bool)
            differs = g != w
        else:
            g, w = g.astype(float), w.astype(float)
            differs = ~np.isclose(g, w, atol=ATOL, rtol=ATOL, equal_nan=True)
    except Exception:   # anything that is not array-like
        return ""
    if not differs.any():
        return ""
    at = tuple(int(i) for i in np.argwhere(differs)[0])
    where = at[0] if len(at) == 1 else at
    value = (lambda x: str(bool(x))) if w.dtype == bool else (lambda x: f"{x:.4g}")
    return (f"first difference: at index {where}: expected {value(w[at])}, got {value(g[at])} "
            f"({int(differs.sum())} of {differs.size} entries differ)\n")


def fail(name, label, want, got, why):
    raise CheckFailed(f"{name}: wrong on {label}.\nexpected: {want}\ngot:      {show(got)}\nlikely mistake: {why}")


def gradient_problem(got, source, what):
    """A message when `got` does not carry a gradient back to `source` (the caller's input), else None.
    `what` names who climbs it, verb included ("the dream climbs")."""
    if not isinstance(got, torch.Tensor):
        return f"return a torch tensor, not {type(got).__name__}: {what} its gradient"
    if not got.requires_grad:
        return (f"the result carries no gradient: {what} it, so no torch.no_grad(), .detach(), .item(), "
                f"numpy or torch.tensor(...) on the way")
    (grad,) = torch.autograd.grad(got.sum(), source, retain_graph=True, allow_unused=True)
    if grad is None or not grad.abs().sum() > 0:
        return (f"the gradient does not reach the input you were given: {what} d(result)/d(input), so "
                f"compute from the argument itself, not from a detached copy (.detach(), .clone().detach(), "
                f"torch.tensor(...))")
    return None


def reaches_input(reference, what):
    """An `extra` for verify: once the values are right, the answer's gradient must reach `case.watch`."""
    def extra(got, case):
        if case.watch is None or not same(got, reference(*copies(case.args), **copies(case.kwargs))):
            return None   # no gradient asked of this case, or wrong values: the catalogue of mistakes speaks first
        return gradient_problem(got, case.watch, what)
    return extra


# ---------------------------------------------------------------- test material

def check_mazes(n=6, seed=0):
    """Fixed hand-made mazes, then seeded generator mazes and deployment mazes."""
    rng = rng_for(seed, CHECKS)
    cases = [Case("the hand-made maze", (HAND.copy(),)),
             Case("the first hand-made maze of Step 3", (HAND_MADE[0].copy(),))]
    cases += [Case(f"generator maze {i}", (m,)) for i, m in enumerate(generate(n, rng))]
    cases += [Case(f"deployment maze {i}", (m,)) for i, m in enumerate(deployment_mazes(n // 2, rng))]
    return cases


def check_batch(seed=0, size=64):
    """A seeded batch of real transitions that contains exit moves."""
    buf = build_buffer(generate(10, rng_for(seed, CHECKS)))
    gen = torch.Generator().manual_seed(seed)
    done = torch.nonzero(buf.done).squeeze(1)
    idx = torch.cat([done[torch.randperm(len(done), generator=gen)[:size // 4]],
                     torch.randint(len(buf), (size - size // 4,), generator=gen)])
    return buf.batch(idx)


def small_net(seed, hidden=32, reward_channel="none"):
    return dqn.make_net(hidden, 2, seed=seed, reward_channel=reward_channel)


class Seeker(torch.nn.Module):
    """A scripted 'network' for rollout checks: heads for the nearest human (then for the exit), or with
    `target="exit"` straight for the exit, through whatever stands in the way.

    It reads the maze back from the encoding, so a rollout that forgets to
    remove a harvested human sends it back to that human.
    """

    def __init__(self, target="human"):
        super().__init__()
        self.target = target

    def forward(self, x):   # like the real network: a batch (N, 161) gives (N, 4), one state (161,) gives (4,)
        if x.ndim == 1:
            return self._q(x)
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
            if inside(nr, nc) and maze[nr, nc] != WALL:
                q[a] = -float(dist[nr, nc]) - 0.01 * a   # the small term breaks ties the same way everywhere
        return q

