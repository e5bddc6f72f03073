"""Ship the corner chapter's two agents: seed 0 at each of `corner.SHIPPED_SHARES` (p = 0 and a fixing share).

    python lab/ship_corner.py                         # trains both (about 5 minutes each on 2 cores)
    python lab/ship_corner.py --from runs/corner_nets

With --from, an agent that `python -m harvest corner` already trained (the
same code path, `corner.trained`, with the same seed) is read from that
folder instead of being trained again. Either way the files land in
harvest/weights/ (corner_p0.pt, corner_p10.pt) with their SHA-256 in SHA256SUMS.
"""
import argparse
from pathlib import Path

from harvest.core import weights
from harvest.research.chapters import corner


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="source", type=Path, help="a corner_nets/ folder written by `harvest corner`")
    args = ap.parse_args()
    for p in corner.SHIPPED_SHARES:
        net, steps, passed, seconds = corner.trained(p, 0, nets_dir=args.source)
        print(f"p = {p:g}: {steps} steps, passed the spot checks: {passed}")
        meta = {"init": "random", "seed": 0, "moved_exit_share": p, "steps": steps, "passed_spot_checks": passed}
        path = weights.ship(net, corner.shipped_name(p), **meta)
        print(f"shipped {path} (sha256 {weights.sha256(path)[:12]}...)")


if __name__ == "__main__":
    main()
