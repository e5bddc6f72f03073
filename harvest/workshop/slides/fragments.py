"""Markdown the decks do not write by hand: tables and sentences computed from the package and runs/*.json.

A deck line `<!-- insert: NAME -->` is replaced by what the @fragment function
NAME returns (fill). A fragment that needs something not made yet (a results
file, shipped weights) raises Skip, and the slide says what to run.
"""
import json
import re
import statistics
from pathlib import Path

import numpy as np

from ...core.detector import THRESHOLD
from ...core.dqn import Config
from ...core.errors import HarvestError
from ...core.maze import from_text
from ...core.rules import REWARDS
from ...research import corner, fixes
from ...research.results_table import median_percent
from ...research.standard_recipe import N_TRAIN_MAZES
from .sources import (HUNT_PATH, RESULTS, SAFE_PATH, SHOWN, TWIN_OOD, Skip, corner_rows, dreamed, fixes_rows,
                      verdict, walk)

FRAGMENTS = {}


def fragment(fn):
    FRAGMENTS[fn.__name__] = fn
    return fn


# ---------------------------------------------------------------- the game and the detector

@fragment
def rewards(results):
    names = {"bump": "wall or edge bump (the agent stays put)", "move": "step onto an empty cell",
             "crop": "harvest a crop", "human": "harvest a human", "exit": "reach the exit (the episode ends)"}
    rows = [f"| {names[k]} | {v:+g} |" for k, v in REWARDS.items()]
    return "\n".join(["| event | reward |", "| --- | ---: |", *rows])


@fragment
def returns(results):
    gamma = Config().gamma
    maze = from_text(TWIN_OOD)
    lines = ["| path | moves | sum of rewards | return, $\\gamma = %g$ |" % gamma, "| --- | ---: | ---: | ---: |"]
    for label, path in (("safe", SAFE_PATH), ("hunting", HUNT_PATH)):
        r = np.array(walk(maze, path)[1])
        lines.append(f"| {label} | {len(r)} | {r.sum():+.2f} | {(r * gamma ** np.arange(len(r))).sum():+.2f} |")
    return "\n".join(lines)


@fragment
def dream_rates(results):
    rows = ["| network | dreams outside the generator's support |", "| --- | ---: |"]
    for name in ("agent.pt", "control.pt"):
        rows.append(f"| {SHOWN[name]} | {dreamed(name)['break_rate']:.0%} |")
    return "\n".join(rows)


@fragment
def verdicts(results):
    rows = ["| network | harmful dreams | of those, off the generator's support | verdict |", "| --- | ---: | ---: | --- |"]
    for name in ("agent.pt", "control.pt"):
        label, v = SHOWN[name], verdict(name)
        off = "n/a" if np.isnan(v.off_support_rate) else f"{v.off_support_rate:.0%}"
        rows.append(f"| {label} | {v.harmful_dream_rate:.0%} of {v.n} | {off} | "
                    f"{'**flagged**' if v.flagged else 'passes'} (at {THRESHOLD:.0%}) |")
    return "\n".join(rows)


# ---------------------------------------------------------------- the results table

def compact_results(rows_by_run):
    """The results table for a slide: medians only, short names, five columns that fit without wrapping."""
    cols = [("id_exit", "ID exit"), ("id_human", "ID human"), ("ood_exit", "OOD exit"), ("ood_human", "OOD human"),
            ("ood_adjacent", "OOD adjacent-human")]
    lines = ["| run | " + " | ".join(h for _, h in cols) + " |", "| --- |" + " ---: |" * len(cols)]
    for name, rows in rows_by_run.items():
        cells = [median_percent([r[c] for r in rows]) for c, _ in cols]
        lines.append(f"| {SHOWN.get(name, name)} | " + " | ".join(cells) + " |")
    n = {len(rows) for rows in rows_by_run.values()}
    return "\n".join(lines) + f"\n\nMedians over {'/'.join(map(str, sorted(n)))} seeds; ranges and steps in the README."


@fragment
def results(results):
    if results is not None and Path(results).with_suffix(".json").is_file():
        return compact_results(json.loads(Path(results).with_suffix(".json").read_text()))
    if results is not None and Path(results).is_file():
        return Path(results).read_text().strip()
    return ("> **Results pending.** This slide fills itself from `runs/results.md`, which "
            "`python -m harvest experiment` writes. Run it, then `python -m harvest slides`.")


# ---------------------------------------------------------------- the corner chapter

@fragment
def corner_smallest(results):
    rows = corner_rows()
    best = corner.smallest_fixing_share(rows)
    seeds = len({r["seed"] for r in rows})
    shares = ", ".join(f"{100 * p:g}%" for p in sorted({r["p"] for r in rows}))
    if best is None:
        return (f"In Harvest's sweep (p = {shares}; {seeds} seeds each) no share got every seed to exit at least "
                f"{corner.GOAL:.0%} of the moved-exit mazes.")
    return (f"In Harvest's sweep (p = {shares}; {seeds} seeds each) the smallest share at which every seed exits at "
            f"least {corner.GOAL:.0%} of the moved-exit mazes is **p = {100 * best:g}%**, {round(best * N_TRAIN_MAZES)} "
            f"of the {N_TRAIN_MAZES:,} training mazes.")


@fragment
def corner_compact(results):
    """The sweep for a slide: medians only, five columns."""
    rows = corner_rows()
    lines = ["| p | passed | moved-exit: exit | corner rate | reaches the corner |", "| ---: | ---: | ---: | ---: | ---: |"]
    for p in sorted({r["p"] for r in rows}):
        rs = [r for r in rows if r["p"] == p]
        med = lambda k: median_percent([r[k] for r in rs])
        lines.append(f"| {100 * p:g}% | {sum(r['passed'] for r in rs)}/{len(rs)} | {med('exit_rate')} | "
                     f"{med('corner_rate')} | {med('reached_corner_rate')} |")
    return "\n".join(lines) + "\n\nMedians over seeds; ranges in the README."


def _corner_median(rows, p, key):
    values = [r[key] for r in rows if r["p"] == p]
    return statistics.median(values), min(values), max(values), len(values)


@fragment
def corner_zero(results):
    rows = corner_rows()
    line = lambda key, what: "{}: **{:.0%}** (seeds {:.0%}–{:.0%})".format(what, *_corner_median(rows, 0.0, key)[:3])
    n = _corner_median(rows, 0.0, "exit_rate")[3]
    return "\n".join([f"At p = 0, over {n} seeds (median, range), on 1,000 fresh test mazes each:", "",
                       f"- generator mazes: {line('id_exit_rate', 'exit rate')};",
                       f"- moved-exit mazes: {line('exit_rate', 'exit rate')}, {line('corner_rate', 'corner rate')};",
                       f"- of those, {line('reached_corner_rate', 'reaches the empty corner')}, "
                       f"{line('end_at_corner_rate', 'still stands on it after 50 steps')}."])


# ---------------------------------------------------------------- the fixes chapter

@fragment
def fixes_compact(results):
    """The comparison for a slide: medians only."""
    rows = fixes_rows()
    goal = fixes.against_goal(rows)
    lines = ["| method | steps (× plain) | ID exit | short: human | pocket | loop | seeds short ≤ 5% |",
             "| --- |" + " ---: |" * 6]
    for name, g in goal.items():
        rs = [r for r in rows if r["method"] == name]
        fam = [median_percent([r["human_harvest_rate"][f] for r in rs]) for f in ("short", "pocket", "loop")]
        lines.append(f"| {name} | {statistics.median(r['steps'] for r in rs):,.0f} (×{g['steps_vs_plain']:.1f}) | "
                     f"{median_percent([r['id_exit_rate'] for r in rs])} | " + " | ".join(fam)
                     + f" | {g['short_ok']}/{g['seeds']} |")
    return "\n".join(lines) + "\n\nMedians over seeds (human-harvest on test mazes with a human); ranges in the README."


@fragment
def fixes_goal(results):
    goal = fixes.against_goal(fixes_rows())
    met = [name for name, g in goal.items() if g["met"]]
    target = (f"short-family human-harvest ≤ {fixes.GOAL['short_human']:.0%} and ID exit ≥ "
              f"{fixes.GOAL['id_exit']:.0%} on every seed, in at most {fixes.GOAL['steps_vs_plain']:g}× the plain "
              f"recipe's steps")
    if met:
        return f"Target ({target}): met by **{', '.join(met)}**."
    near = [name for name, g in goal.items() if g["short_ok"] == g["id_exit_ok"] == g["seeds"]
            and not g["met"] and name != "known family"]
    ratios = [goal[name]["steps_vs_plain"] for name in near]
    return (f"Target ({target}): **met by no method**."
            + (f" Short-family harm and ID exit are met on every seed by {'; '.join(near)}, at "
               f"×{min(ratios):.1f}–×{max(ratios):.1f} the plain recipe's steps." if near else ""))


# ---------------------------------------------------------------- filling a deck

def fill(text, results=RESULTS):
    """Replace each `<!-- insert: NAME -->` line with the Markdown that FRAGMENTS[NAME] computes."""
    def one(match):
        name = match.group(1)
        if name not in FRAGMENTS:
            raise HarvestError(f"unknown slide fragment {name!r} (known: {', '.join(FRAGMENTS)})")
        try:
            return FRAGMENTS[name](results)
        except Skip as why:
            print(f"  skipped table {name}: {why}")
            return f"> **Pending:** {why}. Then rebuild the slides with `python -m harvest slides`."
    return re.sub(r"^<!-- insert: (\w+) -->$", one, text, flags=re.M)
