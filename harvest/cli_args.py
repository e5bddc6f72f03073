"""The command line's checks on what a user types, in one place.

Each check is an argparse type: it turns the text into a value or raises
`argparse.ArgumentTypeError`, which the parser prints as one line naming the
flag (`error: harvest mazes: argument --n: expected a whole number of at least
1, got 0`), with exit status 2. `checked(parser)` gives every verb's flags
their checks by name (`CHECKS`, `OUTPUTS`, the `Config` fields), so the
rules live here and not in each `add_argument` line, and adds `--threads`
to every verb. Files are checked further where they are read
(`harvest.core.maze.load_mazes`, `harvest.core.weights.load`).
"""
import argparse
import dataclasses
import math
from pathlib import Path

import numpy as np

from .core.dqn import Config, pick_device
from .core.errors import HarvestError
from .core.maze import HUMAN, load_mazes
from .core.weights import MAX_HIDDEN, MAX_LAYERS, WEIGHTS_DIR, load
from .research.detectors import DETECTORS


def integer(low=None, high=None):
    """A whole number in [low, high] (either end open when None)."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected a whole number {span(low, high)}, got {value}")
        return value
    parse.__name__ = "int"
    return parse


def number(low=None, high=None, low_open=False, high_open=False):
    """A finite number in the range given; `low_open`/`high_open` leave that end out."""
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        below = low is not None and (value <= low if low_open else value < low)
        above = high is not None and (value >= high if high_open else value > high)
        if not math.isfinite(value) or below or above:
            raise argparse.ArgumentTypeError(f"expected a finite number {span(low, high, low_open, high_open)}, "
                                             f"got {text}")
        return value
    parse.__name__ = "float"
    return parse


def span(low, high, low_open=False, high_open=False):
    """Words for a range: 'of at least 1', 'in (0, 1]', ..."""
    if high is None:
        return f"above {low}" if low_open else f"of at least {low}"
    if low is None:
        return f"below {high}" if high_open else f"of at most {high}"
    return f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"


def not_shipped(path, text):
    """A check that `path` is not in the shipped weights folder, which only `spoilers.py --ship`, the
    lab's ship scripts and `harvest zoo build` (without --out) rewrite, each with the checksums."""
    try:
        inside = path.resolve().is_relative_to(WEIGHTS_DIR.resolve())
    except OSError:
        inside = False
    if inside:
        raise argparse.ArgumentTypeError(f"{text!r} is in the shipped weights folder {WEIGHTS_DIR}: commands never "
                                         "write there (its files are checked against SHA256SUMS); choose another path")


def out_file(*suffixes):
    """A path to write one file to: not a folder, in a folder that exists, ending in one of `suffixes` if given
    (so the file written has exactly the name given)."""
    def parse(text):
        path = Path(text)
        if suffixes and path.suffix not in suffixes:
            raise argparse.ArgumentTypeError(f"expected a file name ending in {' or '.join(suffixes)}, got {text!r}")
        if path.is_dir():
            raise argparse.ArgumentTypeError(f"{text!r} is a folder; expected a file name")
        if not path.parent.is_dir():
            raise argparse.ArgumentTypeError(f"the folder {str(path.parent)!r} does not exist")
        not_shipped(path, text)
        return path
    parse.__name__ = "path"
    return parse


def out_dir(text):
    """A folder to write into (made if missing): it must not be a file."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a file; expected a folder")
    not_shipped(path, text)
    return path


def device(text):
    """A device name that this machine has (auto, cpu, cuda, mps)."""
    try:
        pick_device(text)
    except HarvestError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def in_file(text):
    """A file that exists."""
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text!r}")
    return path


def in_dir(text):
    """A folder that exists."""
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"no such folder: {text!r}")
    return path


def detector_name(text):
    """A registered detector's name (`harvest.research.detectors.DETECTORS`)."""
    if text not in DETECTORS:
        raise argparse.ArgumentTypeError(f"unknown detector {text!r}: use {', '.join(DETECTORS)}")
    return text


def maze_file(text):
    """A .npy maze file that `load_mazes` accepts (shape, dtype, cell codes, playable mazes)."""
    try:
        load_mazes(text)
    except HarvestError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def weights_file(text):
    """A weights file that `harvest.core.weights.load` accepts (and, in harvest/weights/, whose checksum matches)."""
    try:
        load(text)
    except HarvestError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def share(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"a share must lie in [0, 1], got {text}")
    return value


def family_name(text):
    """A maze family's name (`harvest.core.families`; the older 'id' and 'ood' still work)."""
    from .core.families import family
    try:
        return family(text).name
    except HarvestError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def family_share(text):
    """NAME=SHARE, e.g. pocket=0.1."""
    name, _, value = text.partition("=")
    return family_name(name.strip()), share(value.strip())


def shares(text):
    values = [share(part.strip()) for part in text.split(",")]
    return sorted(set(values))


def seeds_list(text):
    """'1,2,3' -> [1, 2, 3]: distinct seeds, each a whole number from 0."""
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers") from None
    if min(values) < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: seeds are whole numbers from 0")
    return sorted(set(values))


MOST = 1_000_000   # mazes or dreams one command may ask for: more would fill the memory of a laptop
CONFIG = {  # harvest.core.dqn.Config field: its range
    "hidden": integer(1, MAX_HIDDEN), "layers": integer(1, MAX_LAYERS), "steps": integer(1, 10_000_000), "batch_size": integer(1, 100_000),
    "lr": number(0, low_open=True), "lr_end": number(0), "warmup": number(0, 1), "weight_decay": number(0),
    "gamma": number(0, 1, high_open=True), "target_every": integer(1), "check_every": integer(1),
    "seed": integer(0),
}
CHECKS = {  # flag's dest: its check, in every verb that has the flag
    "seed": integer(0), "first_seed": integer(0), "n": integer(1, MOST), "seeds": integer(1, 1000),
    "n_test": integer(1, MOST), "p": shares, "inits": seeds_list, "train_seeds": integer(1, 100), "repeats": integer(1, 1000), "jobs": integer(1, 64), "count": integer(2, 100), "index": integer(), "results": in_file,
    "device": device, "mazes": maze_file, "weights": weights_file,
    "detector": detector_name, "verdicts": in_file, "threshold": number(0, 1), "zoo": in_dir, "scores": in_file, "reference": in_dir, "nets": in_dir,
    **{f"cfg_{name}": check for name, check in CONFIG.items()},
}
OUTPUTS = {  # verb: what its --out must be, where it is a file; every other verb's --out is a folder (out_dir)
    "train": out_file(), "mazes": out_file(".npy"), "dream": out_file(".npy"), "animate": out_file(".gif"),
}
assert set(CONFIG) == {f.name for f in dataclasses.fields(Config)}, "every Config field needs a range here"


def verbs(parser, prefix=""):
    """(name, parser) of every verb that takes flags; a verb of a verb is named like 'zoo score'."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if prefix and not subs:
        yield prefix.strip(), parser
    for action in subs:
        for name, sub in action.choices.items():
            yield from verbs(sub, f"{prefix}{name} ")


def checked(parser):
    """`parser` with the checks above on every verb's flags, and `--threads N` on every verb."""
    for verb, sub in verbs(parser):
        for action in sub._actions:
            if action.dest == "out":
                action.type = OUTPUTS.get(verb, out_dir)
            elif action.dest in CHECKS and action.nargs != 0:   # not the on/off flags
                action.type = CHECKS[action.dest]
        sub.add_argument("--threads", type=integer(1), metavar="N",
                         help="pin torch's CPU threads to N (default: OMP_NUM_THREADS, else the usable cores, at "
                              "most 4, with training switching to one thread while that is faster)")
    return parser


def need_a_human(mazes, source):
    """`mazes` if at least one holds a human (the metrics are computed over those), else HarvestError."""
    if not (np.asarray(mazes) == HUMAN).any():
        raise HarvestError(f"{source}: no maze holds a human; the metrics are computed over mazes with at least one")
    return mazes
