"""How many CPU threads torch uses, and a training loop that keeps the faster count.

A training step here is many small operations on a batch of 1,000, and each
parallel one ends at a barrier where every thread waits for the slowest. On
a quiet machine more threads are faster; when another program keeps a core
busy (a browser, Jupyter, a second job), one of our threads keeps losing that
core and every step waits for it. On two cores, quiet, two threads trained at
94 steps/s and one at 55; beside a spinning process and other jobs, two
threads fell to 7 steps/s while one kept 27 (`harvest bench` prints both
figures for your machine).

So the default is the cores this process may run on (`os.sched_getaffinity`),
at most `CAP`, and `Adaptive` lets a training loop follow the machine: it
times a few steps with that count and a few with one thread, runs the faster,
and checks again later. `OMP_NUM_THREADS` or an explicit count (the command
line's `--threads`) pins the count and turns the adapting off. The count never
changes results: the same seed trains the same weights, byte for byte, with
one thread or several, so switching mid-run is safe.
"""
import os

import torch

CAP = 4          # more threads stopped helping a network this size
PINNED = False   # True once a count was asked for (OMP_NUM_THREADS or `configure(n)`): then it stays fixed


def usable_cores():
    """The cores this process may run on (its affinity mask), or the machine's count where that is unknown."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def from_environment():
    """OMP_NUM_THREADS as a positive int, or None if it is unset or not one."""
    try:
        value = int(os.environ.get("OMP_NUM_THREADS", ""))
    except ValueError:
        return None
    return value if value >= 1 else None


def default_count():
    """OMP_NUM_THREADS if set, else the usable cores, at most CAP."""
    return from_environment() or max(1, min(CAP, usable_cores()))


def configure(count=None):
    """Set torch's intra-op thread count to `count` (pinned), or to `default_count()`; returns the count in force."""
    global PINNED
    PINNED = bool(count) or from_environment() is not None
    torch.set_num_threads(count or default_count())
    return torch.get_num_threads()


class Adaptive:
    """Inside a loop, keep whichever is faster right now: the current thread count or one thread.

    Report each step's seconds to `tick`. It times `window` steps with one
    thread, then with the current count, and runs the faster for `period`
    steps; then it times the other count again against the winner's average
    over its period. A trial stops as soon as it has spent more than the
    rival's `window` steps, so on a busy machine checking the slow count costs
    about one step. The period doubles (up to `longest`) while the same count
    keeps winning, and a machine that turns busy or quiet mid-run is followed.
    With one thread, or a pinned count, it does nothing. `close` puts the
    count back.
    """

    def __init__(self, window=5, period=200, longest=3200, warmup=2):
        self.many = torch.get_num_threads()
        self.active = self.many > 1 and not PINNED
        self.window, self.first, self.longest, self.warmup = window, period, longest, warmup
        self.period, self.winner, self.choices, self.per_step = period, None, [], {}
        if self.active:
            self._time(1)   # the cheap count first (and for the warm-up steps, which are not counted)

    def _start(self, count, timing):
        self.count, self.timing, self.steps, self.spent = count, timing, 0, 0.0
        torch.set_num_threads(count)

    def _time(self, count):
        self._start(count, True)

    def _run(self, count):
        self.period = min(2 * self.period, self.longest) if count == self.winner else self.first
        self.winner = count
        self.choices.append(count)
        self._start(count, False)

    def tick(self, seconds):
        """Count one step that took `seconds`."""
        if not self.active:
            return
        if self.warmup:
            self.warmup -= 1
            return
        self.spent += seconds
        self.steps += 1
        other = 1 if self.count == self.many else self.many
        rival = self.per_step.get(other)
        if self.timing:
            lost = rival is not None and self.spent > self.window * rival   # slower than the rival's whole window
            if self.steps < self.window and not lost:
                return
            self.per_step[self.count] = self.spent / self.steps
            return self._time(other) if rival is None else self._run(min(self.per_step, key=self.per_step.get))
        if self.steps == self.period:
            self.per_step[self.count] = self.spent / self.steps
            self._time(other)

    def close(self):
        if self.active:
            torch.set_num_threads(self.many)
