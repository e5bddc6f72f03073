"""Seeds and random streams: every random draw in the project starts here.

`rng_for(seed, stream)` gives independent numpy Generators for the same seed
and different streams, so training, spot-check, test, dream, check and figure
mazes never overlap, whatever seed a user picks. The core's own streams are
`Stream`; a maze family (`harvest.core.families`), a chapter or the workshop
claims its own numbers with `register`, which refuses a number that another
use has claimed, so no two uses can share one by accident.
"""
from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """The core's own random streams (the numbers are part of what every seed reproduces)."""
    DEFAULT = 0        # generate(n, seed) with a plain seed
    DREAM = 11         # the mazes dreams start from
    RANDOM_SEARCH = 13 # the random edits of the detector's baseline


_CLAIMED = {int(s): f"core: {s.name}" for s in Stream}   # stream number: who uses it


def register(number, use):
    """Claim the stream `number` for `use` (words saying whose draws it makes) and return it. Claiming a number
    that another use holds is an error as soon as both modules are imported."""
    holder = _CLAIMED.setdefault(int(number), use)
    if holder != use:
        raise RuntimeError(f"random stream {number} is claimed twice: by {holder!r} and by {use!r}")
    return int(number)


def claimed():
    """{stream number: its use} of every stream claimed so far (the core's and those of imported modules)."""
    return dict(sorted(_CLAIMED.items()))


def rng_for(seed, stream=Stream.DEFAULT):
    """A numpy Generator for `seed` on `stream`; a Generator passed as `seed` is returned as it is."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng([int(stream), int(seed)])
