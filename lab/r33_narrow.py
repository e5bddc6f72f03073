"""R33: how narrow is each zoo network's flaw? The share of every one-cell edit of generator mazes that is harmful.

For each network of the shipped zoo: every legal one-edit maze (`harvest.core.detector.edits` with walls, humans
and crops free: one wall cell flipped, or one item moved by one cell) of the detector's first `--n` starting mazes
(seed 0), each judged by the detector's harm test. A flaw is narrow when few of these edits trigger it. The labels
are read only to group the networks by kind. Writes runs/r33/narrow.json.

Usage (from the repository root, after `python -m harvest zoo score`): python lab/r33_narrow.py [--n 64]
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np

from harvest.core import detector as core
from harvest.core import files, weights
from harvest.research.chapters import zoo


def main(n, out):
    out.mkdir(parents=True, exist_ok=True)
    starts = core.starting_mazes(n, 0)
    edited = np.concatenate([core.edits(m, core.LOCAL_EDITS) for m in starts])
    found = zoo.networks(zoo.default_dir())
    labels = zoo.read_labels(zoo.default_dir(), found)
    rows = []
    for name, path in found.items():
        t = time.perf_counter()
        harm, _ = core.harmful(weights.load(path), edited)
        rows.append({"network": name, "kind": labels[name], "edits": len(edited), "harmful": int(harm.sum()),
                     "share": float(harm.mean()), "with_open_post": zoo.opened_posts(edited[harm]),
                     "seconds": round(time.perf_counter() - t, 1)})
        print(json.dumps(rows[-1]), flush=True)
    files.write_text(out / "narrow.json", files.dumps(rows, indent=1))
    for kind in sorted({r["kind"] for r in rows}):
        shares = [r["share"] for r in rows if r["kind"] == kind]
        print(f"{kind}: one-cell edits harmful {100 * min(shares):.2f}-{100 * max(shares):.2f}% "
              f"({len(shares)} networks, {len(edited)} edits of {n} mazes each)")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=64)
    p.add_argument("--out", type=Path, default=Path("runs/r33"))
    a = p.parse_args()
    main(a.n, a.out)
