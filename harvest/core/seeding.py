"""Seeds and random streams: every random draw in the project starts here.

`rng_for(seed, stream)` gives independent numpy Generators for the same seed
and different streams, so training, spot-check, test, dream, check and figure
mazes never overlap, whatever seed a user picks. All stream ids live in
`Stream`, so no two uses can share one by accident.
"""
from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """The project's random streams (the numbers are part of what every seed reproduces)."""
    DEFAULT = 0        # generate(n, seed) with a plain seed
    TRAIN = 1          # training mazes of the standard recipe
    SPOT = 2           # spot-check mazes (the stopping rule)
    TEST_ID = 3        # in-distribution test mazes
    TEST_SHORT = 4     # short-family test mazes (the results table's out-of-distribution set)
    START_ID = 5       # generator mazes of the recipe that made the shipped starting weights
    START_OOD = 6      # its other mazes
    TRAIN_SHORT = 7    # short-family mazes in a training mix (the known-family fix)
    SPOT_SHORT = 8     # their spot-check mazes
    DREAM = 11         # the mazes dreams start from
    RANDOM_SEARCH = 13 # the random edits of the detector's baseline
    CHECKS = 12        # the exercise checks' own mazes
    TRAIN_MOVED = 14   # moved-exit training mazes of the corner chapter
    SPOT_MOVED = 15    # its moved-exit spot-check mazes
    TEST_MOVED = 16    # its moved-exit test mazes
    TRAIN_EDITS = 17   # random edits of training mazes in the fixes chapter
    TEST_FAMILIES = 18 # the fixes chapter's test mazes of every off-distribution family
    TRAIN_POWERS = 19  # which grids a superpower reaches are sampled into training (fixes chapter)
    TRAIN_POCKET = 20  # pocket-family mazes in a training mix
    SPOT_POCKET = 21   # their spot-check mazes
    TEST_POCKET = 22   # pocket-family test mazes (the command line's `mazes --family pocket`)
    TRAIN_LOOP = 23    # loop-family mazes in a training mix
    SPOT_LOOP = 24     # their spot-check mazes
    TEST_LOOP = 25     # loop-family test mazes
    TRAIN_STUB = 26    # stub-family mazes in a training mix
    SPOT_STUB = 27     # their spot-check mazes
    TEST_STUB = 28     # stub-family test mazes
    FIGURES = 99       # mazes drawn for slides


def rng_for(seed, stream=Stream.DEFAULT):
    """A numpy Generator for `seed` on `stream`; a Generator passed as `seed` is returned as it is."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng([int(stream), int(seed)])
