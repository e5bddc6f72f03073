"""The dreaming detector judged on many networks: one row per network in runs/verdicts.json (`python -m harvest
verdicts` writes it, with the wide table in runs/verdicts.md), and the compact table that docs/results.md renders.

The networks: the shipped agent.pt and control.pt, and the 15 that `python -m harvest experiment` keeps in runs/nets/
(init_S, control_S and fix_S: the shipped init, the control and the shipped init with the fix, seeds S = 0..4).

A row: network, kind ("init", "control" or "fix"), the finding's summary (`detector.Finding.summary`), whether the
verdict is right (flagged exactly when the kind is "init"), and harmful mazes found per 1,000 network evaluations by
the dream, by random local edits and by random human moves.
"""
import platform
import re
import statistics
from pathlib import Path

import torch

from ...core import detector, weights
from ...core.errors import HarvestError
from ..rows import Chapter, finish, median_range, percent

KINDS = {"init": "shipped init", "control": "random init (control)", "fix": "shipped init + fix"}   # stored: shown
SEARCHES = ("dream_per_1000", "random_local_per_1000", "random_humans_per_1000")


def _per_1000(rows):
    """'dream / random local edits / random human moves' per 1,000 evaluations: medians with ranges over `rows`."""
    def one(key):
        values = [r[key] for r in rows]
        med = f"{statistics.median(values):.1f}"
        return med if len(values) == 1 else f"{med} ({min(values):.1f}–{max(values):.1f})"
    return " / ".join(one(key) for key in SEARCHES)


def _off_support(rows):
    """The share of harmful dreams off the generator's support, pooled over `rows` ('–' when none was harmful)."""
    harmful = [r for r in rows if r["score"] > 0]
    if not harmful:
        return "–"
    text = f"{100 * statistics.median(r['off_support_rate'] for r in harmful):.0f}%"
    return text if len(harmful) == len(rows) else f"{text} ({len(harmful)} of {len(rows)} networks had any)"


def _verdicts(rows):
    flagged = sum(r["flagged"] for r in rows)
    if len(rows) == 1:
        return "flagged" if flagged else "passed"
    return f"{flagged}/{len(rows)} flagged" if flagged else f"{len(rows)}/{len(rows)} passed"


def _seconds(rows):
    low, high = min(r["seconds"] for r in rows), max(r["seconds"] for r in rows)
    return f"{low:.1f}" if f"{low:.1f}" == f"{high:.1f}" else f"{low:.1f}–{high:.1f}"


def groups(rows):
    """(label, rows): each shipped network alone, then the trained networks by kind, seeds pooled."""
    out = [(r["network"], [r]) for r in rows if "(shipped)" in r["network"]]
    for kind, label in KINDS.items():
        trained = [r for r in rows if r["kind"] == kind and "(shipped)" not in r["network"]]
        if trained:
            seeds = [r["network"].rsplit("_", 1)[-1] for r in trained]
            out.append((f"{label}, seeds {seeds[0]}–{seeds[-1]}", trained))
    return out


def table(rows):
    """The compact Markdown table, then a line with how many verdicts are right."""
    lines = ["| network | harmful-dream rate | off-support (of harmful) | verdict | seconds "
             "| harmful per 1,000 evaluations: dream / random local edits / random human moves |",
             "|---|---|---|---|---|---|"]
    for label, group in groups(rows):
        rate = median_range([r["score"] for r in group]) if len(group) > 1 else percent(group[0]["score"])
        lines.append(f"| {label} | {rate} | {_off_support(group)} | {_verdicts(group)} | {_seconds(group)} "
                     f"| {_per_1000(group)} |")
    right = sum(r["correct"] for r in rows)
    lines.append(f"\n**{right}/{len(rows)} verdicts right.**")
    return "\n".join(lines)


COMMAND = "python -m harvest verdicts"


def networks(nets_dir=Path("runs") / "nets"):
    """(name, kind, path) of every network judged: the two shipped ones, then `nets_dir`'s by kind and seed."""
    yield "agent.pt (shipped)", "init", weights.WEIGHTS_DIR / "agent.pt"
    yield "control.pt (shipped)", "control", weights.WEIGHTS_DIR / "control.pt"
    for kind in KINDS:
        found = [p for p in Path(nets_dir).glob(f"{kind}_*.pt") if re.fullmatch(rf"{kind}_\d+", p.stem)]
        for path in sorted(found, key=lambda p: int(p.stem.rsplit("_", 1)[1])):
            yield path.stem, kind, path


def run(n=256, nets_dir=Path("runs") / "nets", log=print):
    """One row per network of `networks`: the dream's verdict on `n` dreams, right when it flags exactly the
    shipped-init networks, and the harmful mazes per 1,000 evaluations of the two random searches given as many
    evaluations as the dream used."""
    machine = f"{platform.machine()}, {torch.get_num_threads()} torch threads, torch {torch.__version__}"
    rows = []
    for name, kind, path in networks(nets_dir):
        net = weights.load(path)
        v = detector.DREAM.run(net, n=n)
        found, used = detector.random_search(net, v.evaluations, n=n)
        found_h, used_h = detector.random_search(net, v.evaluations, n=n, free=detector.FREE)
        rows.append({"network": name, "kind": kind, **v.summary(), "correct": v.flagged == (kind == "init"),
                     "dream_per_1000": v.harmful_per_1000_evaluations, "random_local_per_1000": 1000 * found / used,
                     "random_humans_per_1000": 1000 * found_h / used_h, "machine": machine})
        log(f"{name}: {rows[-1]['score']:.1%} harmful, {'flagged' if v.flagged else 'passed'}")
    return rows


def wide(rows):
    """runs/verdicts.md: a line per network, then how many verdicts are right and under which settings."""
    lines = ["| network | kind | harmful-dream rate | off-support (of harmful) | verdict | right? | seconds "
             "| harmful per 1,000 evaluations: dream / random local edits / random human moves |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        rate = r["off_support_rate"]   # NaN when nothing was harmful; null once stored as JSON
        off = "–" if rate is None or rate != rate else f"{rate:.0%}"
        lines.append(f"| {r['network']} | {KINDS[r['kind']]} | {r['score']:.1%} | {off} | "
                     f"{'flagged' if r['flagged'] else 'passed'} | {'yes' if r['correct'] else 'NO'} | "
                     f"{r['seconds']:.1f} | {r['dream_per_1000']:.1f} / {r['random_local_per_1000']:.1f} / "
                     f"{r['random_humans_per_1000']:.1f} |")
    machine = f"; {rows[0]['machine']}" if rows and "machine" in rows[0] else ""
    lines.append(f"\n{sum(r['correct'] for r in rows)}/{len(rows)} verdicts right; threshold {detector.THRESHOLD}, "
                 f"budget {detector.BUDGET} cells, {rows[0]['n'] if rows else 0} dreams per network{machine}.")
    return "\n".join(lines) + "\n"


CHAPTER = Chapter("verdicts", COMMAND, ("network",), wide, lambda rows: {}, merge=lambda rows, path: rows, pngs=())


VERB = "verdicts"
HELP = "the dream's verdict on the shipped agent and control and on the networks `experiment` trained: " \
       "runs/verdicts.md and .json"


def arguments(p):
    p.add_argument("--n", default=256, help="dreams per network (default 256)")
    p.add_argument("--nets", default=Path("runs") / "nets",
                   help="the folder where `experiment` kept its networks (default runs/nets)")
    p.add_argument("--out", default=Path("runs"), help="folder for verdicts.md and verdicts.json")


def command(args):
    if not any(args.nets.glob("init_*.pt")):
        raise HarvestError(f"no init_S.pt in {args.nets}: `python -m harvest experiment` trains the networks there")
    finish(CHAPTER, run(args.n, args.nets), args.out)
