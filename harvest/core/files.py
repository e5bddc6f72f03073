"""Writing output files: atomically, and JSON strictly.

A file is written in a temporary folder next to its destination and then
renamed over it, so a reader (or a run killed mid-write) sees the old file or
the new one, never half of one. JSON goes out strict: a NaN or an infinity
becomes null, which every JSON parser reads.
"""
import contextlib
import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .errors import HarvestError

ROOT = Path(__file__).resolve().parents[2]   # the repository, when the package runs from a clone of it


@contextlib.contextmanager
def replacing(path):
    """Yield a temporary path to write, then rename it to `path`; on failure nothing changes.

    The temporary file has the same name, in a temporary folder beside `path`
    (the same file system, so the rename is atomic), because some writers put
    the name inside the file: torch.save names its archive after it.
    """
    path = Path(path)
    folder = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    try:
        yield folder / path.name
        os.replace(folder / path.name, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_text(path, text):
    """Write `text` to `path` atomically; returns the path."""
    with replacing(path) as tmp:
        tmp.write_text(text)
    return Path(path)


def save_npy(path, array):
    """np.save to exactly `path` (np.save itself would add .npy to another name), atomically."""
    with replacing(path) as tmp:
        with open(tmp, "wb") as f:
            np.save(f, array)
    return Path(path)


def strict(value):
    """`value` with every non-finite float replaced by None, through dicts, lists and tuples."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v) for v in value]
    return value


def dumps(value, **kwargs):
    """Strict JSON text: null where Python's json would write NaN or Infinity."""
    return json.dumps(strict(value), allow_nan=False, **kwargs)


@contextlib.contextmanager
def locked(path):
    """Hold an exclusive lock for `path` while a read-merge-write of it runs, so that two runs merging rows into
    the same results file take turns and neither loses the other's rows. The lock is a hidden file beside `path`;
    where the platform has no `fcntl` (Windows) runs are not serialised."""
    lock = Path(path).with_name(f".{Path(path).name}.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def clone(verb):
    """The repository's root, for the developer commands that rebuild its own files; one line when not in a clone."""
    if not ((ROOT / "solutions.py").is_file() and (ROOT / "presentation").is_dir()):
        raise HarvestError(f"`harvest {verb}` rebuilds files of the repository: run it from a clone "
                           "installed with `pip install -e .`")
    return ROOT
