"""The dreaming detector judged on many networks: one row per network in runs/verdicts.json, and the compact table
that docs/results.md renders from it (`lab/r22_verdicts.py` writes the rows).

A row: network, kind ("init", "control" or "fix"), the finding's summary (`detector.Finding.summary`), whether the
verdict is right (flagged exactly when the kind is "init"), and harmful mazes found per 1,000 network evaluations by
the dream, by random local edits and by random human moves.
"""
import statistics

from ..rows import median_range, percent

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
