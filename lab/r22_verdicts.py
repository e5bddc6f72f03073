"""R22: the dreaming detector's verdict on every network, with the random-search baselines.

Networks: the shipped agent.pt and control.pt, and whatever `bash lab/train_nets.sh`
has written to runs/nets/ (init_S, control_S, fix_S for S = 0..4). Writes runs/verdicts.md and
runs/verdicts.json. Same numbers as `python -m harvest dream --weights W --baseline` per network.

Usage (from the repository root): python lab/r22_verdicts.py [--n 256]
"""
import argparse
import platform
from pathlib import Path

import torch

from harvest.core import detector, files, weights
from harvest.research.chapters.verdicts import KINDS


def networks():
    yield "agent.pt (shipped)", "init", weights.WEIGHTS_DIR / "agent.pt"
    yield "control.pt (shipped)", "control", weights.WEIGHTS_DIR / "control.pt"
    for kind in KINDS:
        for s in range(5):
            path = Path("runs/nets") / f"{kind}_{s}.pt"
            if path.is_file():
                yield f"{kind}_{s}", kind, path


def main(n):
    rows = []
    for name, kind, path in networks():
        net = weights.load(path)
        v = detector.DREAM.run(net, n=n)
        found, used = detector.random_search(net, v.evaluations, n=n)
        found_h, used_h = detector.random_search(net, v.evaluations, n=n, free=detector.FREE)
        expected = kind == "init"
        rows.append({"network": name, "kind": kind, **v.summary(), "correct": v.flagged == expected,
                     "dream_per_1000": v.harmful_per_1000_evaluations,
                     "random_local_per_1000": 1000 * found / used,
                     "random_humans_per_1000": 1000 * found_h / used_h})
        print(files.dumps(rows[-1]), flush=True)
    lines = ["| network | kind | harmful-dream rate | off-support (of harmful) | verdict | right? | seconds "
             "| harmful per 1,000 evaluations: dream / random local edits / random human moves |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        off = "–" if r["off_support_rate"] != r["off_support_rate"] else f"{r['off_support_rate']:.0%}"
        lines.append(f"| {r['network']} | {KINDS[r['kind']]} | {r['score']:.1%} | {off} | "
                     f"{'flagged' if r['flagged'] else 'passed'} | {'yes' if r['correct'] else 'NO'} | "
                     f"{r['seconds']:.1f} | {r['dream_per_1000']:.1f} / {r['random_local_per_1000']:.1f} / "
                     f"{r['random_humans_per_1000']:.1f} |")
    machine = f"{platform.machine()}, {torch.get_num_threads()} torch threads, torch {torch.__version__}"
    lines.append(f"\n{sum(r['correct'] for r in rows)}/{len(rows)} verdicts right; threshold "
                 f"{detector.THRESHOLD}, budget {detector.BUDGET} cells, {n} dreams per network; {machine}.")
    Path("runs").mkdir(exist_ok=True)
    files.write_text(Path("runs/verdicts.md"), "\n".join(lines) + "\n")
    files.write_text(Path("runs/verdicts.json"), files.dumps(rows, indent=1))
    print("\n".join(lines))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=detector.N_DREAMS)
    main(ap.parse_args().n)
