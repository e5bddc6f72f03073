"""Step 16's check (the capstone): the AUROC that grades a detector's scores over the zoo."""
import numpy as np

from ...core.seeding import rng_for
from ...research.chapters.zoo import THRESHOLD, auroc as ref_auroc
from .common import CHECKS, Case, verify


def _cases():
    rng = rng_for(16, CHECKS)
    fixed = [
        ("a perfect ranking", [0.0, 0.1, 0.3, 0.5], [False, False, True, True]),
        ("a reversed ranking", [0.5, 0.3, 0.1, 0.0], [False, False, True, True]),
        ("every score tied", [0.2, 0.2, 0.2, 0.2, 0.2], [True, False, True, False, False]),
        ("ties across the classes, none flagged", [0.0, 0.0, 0.1, 0.0, 0.1, 0.2], [False, True, True, False, False, True]),
        ("a zoo's kind of scores: many zeros", [0.0, 0.0, 0.004, 0.18, 0.0, 0.008, 0.16, 0.0],
         [False, False, True, True, True, False, True, False]),
    ]
    for k in range(6):   # seeded zoos of 8-24 networks, with ties
        n = int(rng.integers(8, 25))
        flawed = rng.random(n) < 0.5
        flawed[:2] = [True, False]
        scores = np.round(rng.random(n) * flawed * 0.6 + rng.random(n) * 0.2, 1)
        fixed.append((f"a random zoo of {n} networks (seed {k})", scores.tolist(), flawed.tolist()))
    return [Case(label, (np.array(s, float), np.array(f, bool))) for label, s, f in fixed]


def _ties_as(weight):
    def answer(scores, flawed):
        pos, neg = scores[flawed], scores[~flawed]
        diff = pos[:, None] - neg[None, :]
        return float(np.mean((diff > 0) + weight * (diff == 0)))
    return answer


def _accuracy(scores, flawed):
    return float(np.mean((scores >= THRESHOLD) == flawed))


def _sum_not_mean(scores, flawed):
    diff = scores[flawed][:, None] - scores[~flawed][None, :]
    return float(np.sum((diff > 0) + 0.5 * (diff == 0)))


def _means_compared(scores, flawed):
    """A slip: one comparison of the two classes' mean scores (1, 0.5 or 0) instead of every pair's."""
    scores, flawed = np.asarray(scores, float), np.asarray(flawed, bool)
    a, b = scores[flawed].mean(), scores[~flawed].mean()
    return float((a > b) + 0.5 * (a == b))


def check_auroc(fn):
    """The chance that a flawed network outscores a clean one, ties counting half."""
    mistakes = {
        "ties count as a loss: a flawed and a clean network with the same score count half, not 0":
            _ties_as(0.0),
        "ties count as a win: a flawed and a clean network with the same score count half, not 1":
            _ties_as(1.0),
        "the classes are swapped: it is the chance that a flawed network outscores a clean one":
            lambda s, f: ref_auroc(s, ~f),
        "that is the share of right verdicts at the threshold, not the AUROC: compare every flawed network with "
        "every clean one": _accuracy,
        "a sum of pairs, not their mean: divide by (flawed networks) x (clean networks)": _sum_not_mean,
        "the mean scores of the two classes are compared: the AUROC compares every flawed network with every clean "
        "one and averages those pairs": _means_compared,
    }
    return verify("auroc", fn, _cases(), ref_auroc, mistakes)
