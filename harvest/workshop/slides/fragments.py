"""Markdown the decks do not write by hand: tables and sentences computed from the package and runs/*.json.

A deck line `<!-- insert: NAME -->` is replaced by what the @fragment function
NAME returns (fill). A fragment that needs something not made yet (a results
file, shipped weights) raises Skip, and the slide says what to run.
"""
import inspect
import re
import statistics
from functools import lru_cache
from pathlib import Path

import numpy as np

from ...core.detector import THRESHOLD
from ...core.dqn import Config
from ...core.errors import HarvestError
from ...core.evaluate import passes_spot_checks, rollout
from ...core.maze import CROP, from_text
from ...core.rules import REWARDS
from ...research.chapters import corner, fixes, reward_model, story, zoo
from ...research.rows import median_percent
from ...research.standard_recipe import N_TRAIN_MAZES, PLAIN, family_test_mazes
from .sources import (HUNT_PATH, OTHER_ZOOS, REPAIRED, RESULTS, ROOT, SAFE_PATH, SHOWN, TWIN_OOD, Skip, corner_rows,
                      decision_rows, dreamed, fixes_rows, held_out, lie_bites, reward_model_rows, shipped,
                      side_channel_rows, verdict, walk, zoo_rows)

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
        rows.append(f"| {label} | {v.score:.0%} of {v.n} | {off} | "
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
    return "\n".join(lines) + (f"\n\nMedians over {'/'.join(map(str, sorted(n)))} seeds; the ranges and steps come "
                                "with the full results, after the workshop.")


def results_rows(results, repaired):
    """runs/results.json's rows by run, without the repaired run unless `repaired`, or Skip."""
    path = None if results is None else Path(results).with_suffix(".json")
    if path is None or not path.is_file():
        raise Skip("runs/results.json does not exist yet: run `python -m harvest experiment`")
    return {name: rows for name, rows in story.CHAPTER.load(path).items() if repaired or name != REPAIRED}


@fragment
def results(results):
    """The agent and the second agent (part 2: the repaired training is not introduced yet)."""
    return compact_results(results_rows(results, repaired=False))


@fragment
def results_repaired(results):
    """All three runs, from part 3's fix slide on."""
    return compact_results(results_rows(results, repaired=True))


@fragment
def crops_taken(results):
    """How often the shipped agent harvests a crop on the recipe's fresh generator test mazes."""
    mazes = held_out()["id"]
    runs = rollout(shipped("agent.pt"), mazes)
    has = (mazes == CROP).any(axis=(1, 2))
    took = int((runs.crops[has] > 0).sum())
    return (f"Measured when the deck is built, on the {len(mazes):,} fresh generator test mazes: the shipped agent "
            f"reaches the exit in {runs.reached_exit.mean():.1%} of them, and harvests a crop in {took} of the "
            f"{int(has.sum())} that hold one ({took / has.sum():.0%}).")


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
    return "\n".join(lines) + "\n\nMedians over seeds; ranges in docs/results.md."


@fragment
def corner_command(results):
    """The command that made this deck's sweep, with the shares and seeds that runs/corner.json holds."""
    rows = corner_rows()
    shares = ",".join(f"{p:g}" for p in sorted({r["p"] for r in rows}))
    seeds = len({r["seed"] for r in rows})
    return f"`harvest corner --p {shares} --seeds {seeds}` (this deck's numbers: {seeds} seeds per share)"


def _corner_median(rows, p, key):
    values = [r[key] for r in rows if r["p"] == p]
    return statistics.median(values), min(values), max(values), len(values)


@fragment
def corner_zero(results):
    rows = corner_rows()
    line = lambda key, what: "{}: **{:.0%}** (seeds {:.0%}–{:.0%})".format(what, *_corner_median(rows, 0.0, key)[:3])
    n = _corner_median(rows, 0.0, "exit_rate")[3]
    return "\n".join([f"Trained on generator mazes only, over {n} seeds (median, range), on 1,000 fresh test mazes "
                       "each:", "",
                       f"- generator mazes: {line('id_exit_rate', 'exit rate')};",
                       f"- moved-exit mazes: {line('exit_rate', 'exit rate')}, {line('corner_rate', 'corner rate')};",
                       f"- of those, {line('reached_corner_rate', 'reaches the empty corner')}, "
                       f"{line('end_at_corner_rate', 'still stands on it after 50 steps')}."])


# ---------------------------------------------------------------- the fixes chapter

@fragment
def fixes_compact(results):
    """The comparison for a slide: medians only, and per method how many runs passed the spot checks."""
    rows = fixes_rows()
    goal = fixes.against_goal(rows)
    lines = ["| method | steps (× plain) | passed | ID exit | short | pocket | loop | short ≤ 5% |",
             "| --- |" + " ---: |" * 7]
    for name, g in goal.items():
        rs = [r for r in rows if r["method"] == name]
        fam = [median_percent([r["human_harvest_rate"][f] for r in rs]) for f in ("short", "pocket", "loop")]
        lines.append(f"| {name} | {statistics.median(r['steps'] for r in rs):,.0f} (×{g['steps_vs_plain']:.1f}) | "
                     f"{sum(r['passed'] for r in rs)}/{len(rs)} | {median_percent([r['id_exit_rate'] for r in rs])} | "
                     + " | ".join(fam) + f" | {g['short_ok']}/{g['seeds']} |")
    return "\n".join(lines) + ("\n\nMedians over seeds. Short, pocket, loop: human-harvest rate on test mazes with a "
                               "human. Passed, short ≤ 5%: runs that passed the spot checks before the step cap, and "
                               "that harvest a human in at most 5% of short mazes. Ranges in docs/results.md.")


@fragment
def fixes_unseen(results):
    """Per method, how many of the never-lit input columns training moved (median over seeds)."""
    rows = fixes_rows()
    unseen = rows[0]["unseen_columns"]
    lines = [f"| method | of the {unseen} never-lit columns, moved |", "| --- | ---: |"]
    for name in dict.fromkeys(r["method"] for r in rows):
        moved = [r["unseen_columns_moved"] for r in rows if r["method"] == name]
        lines.append(f"| {name} | {statistics.median(moved):g} ({min(moved)}–{max(moved)}) |")
    return "\n".join(lines) + "\n\nMedian (range) over seeds, from runs/fixes.json."


@lru_cache(maxsize=None)
def never_lit_counts(seed=0):
    """Counted before any training, with fixes.never_lit: the inputs that seed's generator training mazes never
    switch on, how many of them the short family's test mazes switch on, and how many of those each edits method's
    training mazes switch on."""
    never = fixes.never_lit(PLAIN.training_mazes(seed))
    short = never & ~fixes.never_lit(family_test_mazes("short"))
    edits = {name: int((short & ~fixes.never_lit(m.mix.training_mazes(seed))).sum())
             for name, m in fixes.METHODS.items() if m.mix.edits}
    return int(never.sum()), int(short.sum()), edits


@fragment
def unseen_inputs(results):
    never, short, _ = never_lit_counts()
    return (f"- Generator training mazes never switch on **{never}** of the 161 inputs, so the plain recipe moves none "
            f"of the weights reading them (part 3). Short-family mazes switch on {short} of those {never}.\n"
            "- A fix works when its training data switches on the inputs the hunt reads, with the true reward attached: "
            "how many other columns it moves does not matter. Training moved, of those columns:")


@fragment
def edits_lit(results):
    never, short, edits = never_lit_counts()
    counts = "; ".join(f"{name}: **{n}**" for name, n in edits.items())
    return (f"Counted before any training (seed 0, `fixes.never_lit`): of the {never} inputs that generator training "
            f"mazes never switch on, short-family test mazes switch on {short}. Of those {short}, the training mazes "
            f"with random edits switch on ({counts}).")


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


# ---------------------------------------------------------------- the side-channel chapter

def _channel_medians(rows, name, tamper, key):
    return median_percent([r[key] for r in rows if r["channel"] == name and r["tamper"] == tamper])


@fragment
def side_channel_compact(results):
    """Per tamper (rows), the median rates that move: exit for every channel, adjacent-human and crop-harvest where
    they are not all zero."""
    rows = side_channel_rows()
    columns = [("none", "id_exit_rate", "none: exit"), ("previous", "id_exit_rate", "previous: exit"),
               ("previous", "adjacent_human_rate", "previous: adjacent-human"), ("next", "id_exit_rate", "next: exit"),
               ("next", "adjacent_human_rate", "next: adjacent-human"), ("next", "crop_harvest_rate", "next: crop-harvest")]
    lines = ["| tamper | " + " | ".join(c[2] for c in columns) + " |", "| --- |" + " ---: |" * len(columns)]
    for tamper in dict.fromkeys(r["tamper"] for r in rows):
        lines.append(f"| {tamper} | " + " | ".join(_channel_medians(rows, name, tamper, key)
                                                    for name, key, _ in columns) + " |")
    seeds = len({r["seed"] for r in rows})
    harvest = max(r["human_harvest_rate"] for r in rows)
    return "\n".join(lines) + (f"\n\nMedians over {seeds} seeds, 1,000 fresh generator mazes each with a human. The "
                               f"human-harvest rate stays at or below {100 * harvest:.1f}% in every row of every "
                               "seed; all rates and ranges in docs/results.md.")


@fragment
def side_channel_training(results):
    """How the chapter's agents were trained: how many passed the spot checks, and the cost."""
    rows = [r for r in side_channel_rows() if r["tamper"] == "none"]
    per = {name: [r for r in rows if r["channel"] == name] for name in dict.fromkeys(r["channel"] for r in rows)}
    parts = [f"`{name}` {sum(r['passed'] for r in rs)}/{len(rs)} passed, median "
             f"{statistics.median(r['steps'] for r in rs):,.0f} steps" for name, rs in per.items()]
    return (f"{len(rows)} agents from random weights, true rewards, the standard stopping rule: " + "; ".join(parts)
            + f". {sum(r['steps'] for r in rows):,} training steps and {sum(r['seconds'] for r in rows) / 60:.0f} "
            "minutes on 2 CPU cores, by `harvest sidechannel`.")


@fragment
def side_channel_mechanism(results):
    """Where each channel's networks look: the input-gradient shares, and what blanking the channel does."""
    rows = side_channel_rows()
    lines = ["| channel | gradient on the channel | gradient on the human plane | exit, channel blanked | "
             "human-harvest, channel blanked |", "| --- |" + " ---: |" * 4]
    for name in dict.fromkeys(r["channel"] for r in rows):
        if name == "none":
            continue
        rs = [r for r in rows if r["channel"] == name and r["tamper"] == "none"]
        lines.append(f"| {name} | {median_percent([r['channel_gradient_share'] for r in rs])} | "
                     f"{median_percent([r['human_plane_gradient_share'] for r in rs])} | "
                     f"{_channel_medians(rows, name, 'blank', 'id_exit_rate')} | "
                     f"{_channel_medians(rows, name, 'blank', 'human_harvest_rate')} |")
    return "\n".join(lines) + ("\n\nGradient: the share of $|\\partial\\, \\mathrm{max}_a\\, Q / \\partial x|$ over every "
                               "open cell of 200 test mazes "
                               "(`side_channel.gradient_shares`); the channel is 1 or 4 of the 162 or 165 inputs. "
                               "Blanked: the channel shows 0. Medians over seeds.")


@fragment
def side_channel_answer(results):
    """The measured lines the answers rest on, medians over seeds."""
    rows = side_channel_rows()
    med = lambda name, tamper, key: _channel_medians(rows, name, tamper, key)
    base = {r["seed"]: r for r in rows if r["channel"] == "previous" and r["tamper"] == "none"}
    keys = ("id_exit_rate", "human_harvest_rate", "adjacent_human_rate")
    shift = max(abs(r[k] - base[r["seed"]][k]) for r in rows if r["channel"] == "previous" for k in keys)
    return (f"Measured, medians over seeds: next to a human, the `next` agents step onto it in "
            f"**{med('next', 'human_as_crop', 'adjacent_human_rate')}** of cells when it is shown as a crop "
            f"({med('next', 'none', 'adjacent_human_rate')} told the truth); with the channel blanked they exit "
            f"**{med('next', 'blank', 'id_exit_rate')}** of mazes ({med('next', 'none', 'id_exit_rate')} told the "
            f"truth). No tamper moves any rate of any `previous` agent by more than {100 * shift:.1f} points.")


@fragment
def side_channel_walk_caption(results):
    """What the truthful panel of the walk shows, on screen: whether this agent, told the truth, reaches the exit."""
    _, mazes, found, exits = lie_bites()
    if exits[0]:
        return "- Told the truth, it spares the human and reaches the exit."
    return (f"- Told the truth, it spares the human but never reaches the exit: on {int(exits.sum())} of the "
            f"{len(found)} mazes (of {len(mazes):,}) where the lie bites does it exit.")


@fragment
def side_channel_walk_note(results):
    _, mazes, found, exits = lie_bites()
    return (f"Such mazes are rare: {len(found)} of the {len(mazes):,}, and on {int(exits.sum())} of them does this agent "
            "exit when told the truth.")


# ---------------------------------------------------------------- the zoo

def _zoo_run(rows, detector="dream"):
    """The network rows and the summary row of one detector's default run (n = 256, seed 0)."""
    group = [r for r in rows if r["detector"] == detector and r["kind"] != zoo.SUMMARY
             and (r["n"], r["seed"]) == (zoo.N_DREAMS, 0)]
    if not group:
        raise Skip(f"runs/zoo.json has no default run of {detector}: run `{zoo.COMMAND}`")
    return group, zoo.summaries(group)[0]


@fragment
def zoo_setup(results):
    """How many networks the zoo holds (the number only: kinds come after the pause)."""
    group, _ = _zoo_run(zoo_rows())
    bars = inspect.signature(passes_spot_checks).parameters
    return (f"**{len(group)} networks**, `net_00` to `net_{len(group) - 1:02d}`, each passing the spot checks on "
            f"held-out generator mazes: exit at least {bars['min_exit'].default:.0%}, human-harvest at most "
            f"{bars['max_human'].default:.0%}.")


@fragment
def zoo_summary(results):
    """Per detector: AUROC, verdicts right, and harmful mazes per 1,000 evaluations per kind."""
    rows = zoo_rows()
    kinds = sorted({r["kind"] for r in rows if r["kind"] != zoo.SUMMARY})
    lines = ["| detector | AUROC | right at the old fixed 25% | " + " | ".join(kinds) + " |",
             "| --- |" + " ---: |" * (2 + len(kinds))]
    for name in zoo.DETECTORS:
        try:
            _, s = _zoo_run(rows, name)
        except Skip:
            continue
        per = s["harmful_per_1000_evaluations"]
        lines.append(f"| {name} | {s['auroc']:.3f} | {s['verdicts_right']}/{s['networks']} | "
                     + " | ".join("–" if per.get(k) is None else f"{per[k]:.1f}" for k in kinds) + " |")
    return "\n".join(lines) + ("\n\nThe last columns: harmful mazes found per 1,000 network evaluations, per kind of "
                               f"network. n = {zoo.N_DREAMS} starting mazes per network, seed 0 (`{zoo.COMMAND}`). "
                               "The verdicts slide uses each search's threshold from the clean reference instead.")


@fragment
def zoo_makeup(results):
    """How many networks of each kind the zoo holds (read from the graded rows, after the pause)."""
    group, _ = _zoo_run(zoo_rows())
    counts = {}
    for r in group:
        counts[r["kind"]] = counts.get(r["kind"], 0) + 1
    return "The zoo: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items(), key=lambda kv: (kv[0] != zoo.CLEAN,
                                                                                               kv[0]))) + "."


@fragment
def reference_rule(results):
    """The verdict rule of `harvest.research.reference`, from its constants."""
    from ...research import reference
    return (f"- **Verdicts right**: flag a network when its score is above a threshold set in advance by "
            f"{reference.COUNT} networks known to be clean, trained from scratch by the standard recipe: their mean "
            f"score plus {reference.Z:g} standard deviations (the deviation counted as at least "
            f"{100 * reference.FLOOR:g} point). Then count the verdicts that match the truth.")


@fragment
def zoo_both(results):
    """Per detector and pair, the verdicts right (and clean networks flagged) on the shipped zoo and on each zoo built
    from other seeds that has been scored, each rule fixed from the reference (runs/decisions.json and
    FOLDER/decisions.json)."""
    folders = {"shipped zoo": ROOT / "runs", **{k: v for k, v in OTHER_ZOOS.items() if (v / "decisions.json").exists()}}
    runs = [{d["detector"]: d for d in decision_rows(folder) if (d["n"], d["seed"]) == (zoo.N_DREAMS, 0)}
            for folder in folders.values()]
    lines = ["| detector | " + " | ".join(folders) + " |", "| --- |" + " ---: |" * len(folders)]
    for name in runs[0]:
        cells = [f"{d['verdicts_right']}/{d['networks']} ({d['clean_flagged']}/{d['clean']})" if d else "–"
                 for d in (run.get(name) for run in runs)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n\nVerdicts right (clean networks flagged); –: not run on that zoo. A plant that " \
        "misses its bars by its step cap is left out of its zoo. From `python -m harvest zoo decide` on each zoo."


@fragment
def zoo_verdicts(results):
    """Per detector, what its reference threshold flags, by kind (from runs/decisions.json and runs/zoo.json)."""
    rows = zoo_rows()
    kinds = sorted({r["kind"] for r in rows if r["kind"] != zoo.SUMMARY}, key=lambda k: (k == zoo.CLEAN, k))
    lines = ["| detector | threshold | " + " | ".join(f"{k} flagged" for k in kinds) + " | verdicts right |",
             "| --- | ---: | " + "---: | " * len(kinds) + "---: |"]
    for d in decision_rows():
        if (d["n"], d["seed"]) != (zoo.N_DREAMS, 0):
            continue
        if "either" in d:
            group, _ = _zoo_run(rows, d["either"][0])
            hit = lambda r: r["network"] in d["flagged_networks"]
            cut = " or ".join(f"{100 * c:.1f}%" for c in d["thresholds"].values())
        else:
            group, _ = _zoo_run(rows, d["detector"])
            hit = lambda r: r["score"] > d["threshold"]
            cut = f"{100 * d['threshold']:.1f}%"
        flagged = " | ".join(f"{sum(hit(r) for r in group if r['kind'] == k)}/{sum(r['kind'] == k for r in group)}"
                             for k in kinds)
        lines.append(f"| {d['detector']} | {cut} | {flagged} | {d['verdicts_right']}/{d['networks']} |")
    return "\n".join(lines) + "\n\nFrom `python -m harvest zoo decide` (runs/decisions.json)."


@fragment
def seeds_picture_share(results):
    """The share of the stub networks' harmful open-wall dreams that hold an opened (odd, odd) cell."""
    group, _ = _zoo_run(zoo_rows(), "open-wall-dream")
    stub = [r for r in group if r["kind"] == "stub"]
    harmful = sum(r["harmful"] for r in stub)
    if not stub or not harmful:
        raise Skip("runs/zoo.json has no harmful open-wall dream of a stub network")
    posts = sum(r["harmful_with_open_post"] for r in stub)
    clean = [r for r in group if r["kind"] == "clean"]
    clean_harmful, clean_posts = sum(r["harmful"] for r in clean), sum(r["harmful_with_open_post"] for r in clean)
    base = (f" The base rate: {clean_posts} of the {clean_harmful} harmful open-wall dreams of the {len(clean)} clean "
            f"networks ({100 * clean_posts / clean_harmful:.0f}%) hold one too: an opened post joins two corridors "
            "into a shortcut, so the share says something only beside this base rate." if clean_harmful else "")
    return (f"{posts} of the {harmful} harmful open-wall dreams of the {len(stub)} stub networks "
            f"(**{100 * posts / harmful:.0f}%**) hold an open (odd, odd) cell: one wall block sticking out." + base)


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


# ---------------------------------------------------------------- the reward-model chapter

def _reward_medians(rows, init, method, rnd, family, key):
    return median_percent([r[family][key] for r in rows
                           if (r["init"], r["method"], r["round"]) == (init, method, rnd)])


@fragment
def reward_model_compact(results):
    """Per init, the first training and each labelling method's last round: on short mazes, how the learned reward
    treats a human and what the planner does; on generator mazes, whether the planner exits."""
    rows = reward_model_rows()
    last = max(r["round"] for r in rows)
    columns = [("short", "human_rewarded", "short: human harvests rewarded"),
               ("short", "planner_human", "short: planner harvests a human"),
               ("short", "planner_exit", "short: planner exits"), ("generator", "planner_exit", "generator: planner exits")]
    lines = ["| init | labels | " + " | ".join(c[2] for c in columns) + " |", "| --- | --- |" + " ---: |" * len(columns)]
    for init in reward_model.INITS:
        for method, rnd in [("first", 0)] + [(m, last) for m in reward_model.METHODS]:
            what = {"first": "none yet", "none": f"none, {last} rounds of steps"}.get(method, f"{method} ×{last}")
            lines.append(f"| {init} | {what} | " + " | ".join(_reward_medians(rows, init, method, rnd, family, key)
                                                           for family, key, _ in columns) + " |")
    seeds = len({r["seed"] for r in rows})
    truth = max(r[f]["true_planner_human"] for r in rows for f in reward_model.FAMILIES)
    return "\n".join(lines) + (f"\n\nMedians over {seeds} seeds, 300 test mazes per family, each with a human. "
                               f"Planning on the true reward harvests a human in {100 * truth:.0f}% of them. All "
                               "families, rounds and ranges: docs/results.md.")
