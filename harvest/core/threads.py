"""How many CPU threads torch uses.

torch's own default is one thread per core. A training step here is many
small operations on a batch of 1,000, and each parallel one ends at a barrier
where every thread waits for the slowest. When another program keeps a core
busy (a browser, Jupyter, a second job), one of our threads keeps losing that
core and the whole step waits for it. On two cores shared with other jobs,
two threads trained at 1.0 steps/s and one thread at 7.8 (`harvest bench`
prints the figure under load for this machine).

So the default leaves room: half the cores this process may run on
(`os.sched_getaffinity`), at least one and at most `CAP`, where more threads
stopped helping a network this size. `OMP_NUM_THREADS`, when set, wins; an
explicit count (the command line's `--threads`) wins over both. The thread
count does not change results: the same seed trains the same weights, byte
for byte, with one thread or several.
"""
import os

import torch

CAP = 4


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
    """OMP_NUM_THREADS if set, else half the usable cores, between 1 and CAP."""
    return from_environment() or max(1, min(CAP, usable_cores() // 2))


def configure(count=None):
    """Set torch's intra-op thread count to `count`, or to `default_count()`; returns the count in force."""
    torch.set_num_threads(count or default_count())
    return torch.get_num_threads()
