"""Scoring the zoo: a blind benchmark for detectors, on networks whose flaws are hidden from them.

A zoo is a folder of weights files NAME.pt and, apart from them, a labels file
labels.json: {network name: kind}, where the kind is "clean" or the kind of
flaw planted ("short", "loop", "stub", "pocket", "narrow", ...). The shipped
zoo lives in harvest/weights/zoo/ with its own SHA256SUMS, which
`harvest.core.weights.load` checks on every load.

Scoring is blind by construction: `detect` runs every detector
(`harvest.research.detectors`) on the networks alone, and only then does
`grade` read the labels. A network counts as positive when it is flawed (any
kind but "clean"). Per detector, the summary row gives the AUROC of its scores
(ties count half), how many verdicts at the fixed threshold are right
(flagged exactly when flawed), and harmful mazes found per 1,000 network
evaluations for each kind.

A learner's verdicts file, {network: true/false} or {network: score}, is
graded the same way (`from_verdicts`): a score is flagged above the threshold
the learner set from clean networks before the zoo (`--threshold`).

`save` writes zoo.json (the rows), zoo.md (the tables) and zoo.png (scores
per network per detector) atomically, merged with the rows saved before, so a
partial run never drops finished rows.
"""
import json
import math
import time
from pathlib import Path

import numpy as np

from ...core import weights
from ...core.detector import N_DREAMS, THRESHOLD
from ...core.errors import HarvestError
from ...core.files import clone
from ...core.maze import POSTS, WALL
from ..detectors import DETECTORS, detector_named
from ..rows import Chapter, finish, merged_with_saved

CLEAN = "clean"                 # the one kind that is not a flaw
LABELS = "labels.json"          # the labels file, in the zoo's folder; no detector reads it

SUMMARY = "summary"             # the `kind` of a detector's summary row
KEY = ("detector", "n", "seed", "network")   # a row of a later run replaces the saved row with the same key
COMMAND = "python -m harvest zoo score"


def default_dir():
    """The shipped zoo: harvest/weights/zoo/."""
    return weights.WEIGHTS_DIR / "zoo"


def networks(zoo_dir):
    """{name: weights path} of the zoo in `zoo_dir`, by name; HarvestError if there is none."""
    zoo_dir = Path(zoo_dir)
    found = {p.stem: p for p in sorted(zoo_dir.glob("*.pt"))} if zoo_dir.is_dir() else {}
    if not found:
        raise HarvestError(f"no zoo at {zoo_dir}: it holds no NAME.pt weights files (the shipped zoo is not built yet)")
    return found


def zoo_sums(zoo_dir):
    """{file name: sha256} from the zoo's SHA256SUMS. `harvest zoo build` always writes one, and the shipped zoo must
    have it; a zoo put together by hand without one gets {} (nothing to check against)."""
    path = Path(zoo_dir) / "SHA256SUMS"
    if path.is_file():
        return weights.read_sums(path)
    if Path(zoo_dir).resolve() == default_dir().resolve():
        raise HarvestError("harvest/weights/zoo/SHA256SUMS is missing, so the zoo cannot be checked: restore it with "
                           "`git checkout harvest/weights/zoo/`")
    return {}


def verified(path, sums):
    """`path`, checked against its line in the zoo's `sums` (when the zoo has them); HarvestError otherwise."""
    path = Path(path)
    if sums and path.name not in sums:
        raise HarvestError(f"{path} has no line in {path.parent / 'SHA256SUMS'}, so it cannot be checked")
    if sums and weights.sha256(path) != sums[path.name]:
        raise HarvestError(f"{path} differs from its line in {path.parent / 'SHA256SUMS'}: the file was changed")
    return path


def read_labels(zoo_dir, names):
    """{network: kind} from the zoo's labels file, checked against the zoo's SHA256SUMS and to name exactly the
    networks `names`."""
    path = Path(zoo_dir) / LABELS
    if path.is_file():
        verified(path, zoo_sums(zoo_dir))
    labels = read_json_object(path, "labels file")
    if not all(isinstance(k, str) and k for k in labels.values()):
        raise HarvestError(f"{path}: every kind must be a name, '{CLEAN}' or a flaw kind such as 'short'")
    same_names(labels, names, path)
    return labels


def read_json_object(path, what):
    """A JSON object from `path`, or a one-line HarvestError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise HarvestError(f"{what} {path} does not exist")
    try:
        value = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as err:
        raise HarvestError(f"{what} {path} is not readable JSON ({str(err).splitlines()[0]})") from None
    if not isinstance(value, dict):
        raise HarvestError(f"{what} {path} must hold one JSON object, {{network name: value}}")
    return value


def same_names(given, names, path):
    """HarvestError unless `given` names exactly the zoo's networks `names`."""
    unknown, missing = sorted(set(given) - set(names)), sorted(set(names) - set(given))
    if unknown:
        raise HarvestError(f"{path} names networks that are not in the zoo: {', '.join(unknown)}")
    if missing:
        raise HarvestError(f"{path} has no entry for: {', '.join(missing)}")


def blind_rows(zoo_dir, detector_names=tuple(DETECTORS), n=N_DREAMS, seed=0, log=None):
    """Run each detector on each network of the zoo. Rows without a kind: only the weights files are read."""
    found, chosen = networks(zoo_dir), [detector_named(name) for name in detector_names]
    sums = zoo_sums(zoo_dir)
    rows = []
    for network, path in found.items():
        net = weights.load(verified(path, sums))
        for d in chosen:
            f = d.run(net, n, seed)
            rows.append({"detector": d.name, "network": network, "score": f.score, "flagged": bool(f.flagged),
                         "harmful": len(f.harmful), "harmful_with_open_post": opened_posts(f.harmful),
                         "evaluations": f.evaluations,
                         "harmful_per_1000_evaluations": f.harmful_per_1000_evaluations,
                         "seconds": round(f.seconds, 3), "n": n, "seed": seed})
            if log:
                log(f"{d.name} on {network}: score {f.score:.3f}, {'flagged' if f.flagged else 'passed'}, "
                    f"{f.seconds:.1f} s")
    return rows


def opened_posts(mazes):
    """How many of `mazes` have an open (odd, odd) cell: a wall block that sticks out by one, as in the original's
    edit. Generator mazes never do (`harvest.core.maze.in_support`)."""
    return int(((np.asarray(mazes) != WALL) & POSTS).any(axis=(1, 2)).sum()) if len(mazes) else 0


def grade(rows, labels):
    """The network rows `rows` of `blind_rows` with each network's kind, followed by a summary row per detector run."""
    named = [{**r, "kind": labels[r["network"]]} for r in rows]
    return named + summaries(named)


def score(zoo_dir, detector_names=tuple(DETECTORS), n=N_DREAMS, seed=0, log=None):
    """Detect blind over the zoo in `zoo_dir`, then read its labels and grade: per-network and summary rows."""
    rows = blind_rows(zoo_dir, detector_names, n, seed, log)
    return grade(rows, read_labels(zoo_dir, networks(zoo_dir)))


def read_verdicts(path, names):
    """{network: score} from a learner's verdicts file: true/false (1/0) or a score per network of the zoo."""
    verdicts = read_json_object(path, "verdicts file")
    for network, value in verdicts.items():
        if not (isinstance(value, (bool, int, float)) and math.isfinite(value)):
            raise HarvestError(f"verdicts file {path}: {network!r} must be true, false or a number, got {value!r}")
    same_names(verdicts, names, path)
    return verdicts


def from_verdicts(path, zoo_dir, threshold=None):
    """A learner's verdicts file graded like a detector: true flags a network; a score is flagged above `threshold`,
    which a file of scores needs (a decision is made before the labels are read, not by the grader)."""
    found = networks(zoo_dir)
    verdicts = read_verdicts(path, found)
    if threshold is None and not all(isinstance(v, bool) for v in verdicts.values()):
        raise HarvestError(f"verdicts file {path} holds scores: give the threshold your rule set from clean networks "
                           "(--threshold T), or write true/false per network")
    rows = [{"detector": f"verdicts: {Path(path).name}", "network": network, "score": float(value),
             "flagged": value if isinstance(value, bool) else bool(value > threshold), "harmful": None,
             "evaluations": None, "harmful_per_1000_evaluations": None, "seconds": None, "n": None, "seed": None}
            for network, value in sorted(verdicts.items())]
    return grade(rows, read_labels(zoo_dir, found))


def auroc(scores, positive):
    """The area under the ROC curve: the chance that a positive outscores a negative, ties counting half.
    None when either class is empty."""
    scores, positive = np.asarray(scores, float), np.asarray(positive, bool)
    pos, neg = scores[positive], scores[~positive]
    if len(pos) == 0 or len(neg) == 0:
        return None
    diff = pos[:, None] - neg[None, :]
    return float(np.mean((diff > 0) + 0.5 * (diff == 0)))


def runs(rows):
    """The network rows grouped by detector run, (detector, n, seed), in the registry's order."""
    order = {name: i for i, name in enumerate(DETECTORS)}
    groups = {}
    for r in rows:
        if r["kind"] != SUMMARY:
            groups.setdefault((r["detector"], r["n"], r["seed"]), []).append(r)
    key = lambda k: (order.get(k[0], len(order)), k[0], -1 if k[1] is None else k[1], -1 if k[2] is None else k[2])
    return {k: sorted(groups[k], key=lambda r: r["network"]) for k in sorted(groups, key=key)}


def summaries(rows):
    """One summary row per detector run: AUROC, verdicts right, harmful per 1,000 evaluations per kind, seconds."""
    out = []
    for (name, n, seed), group in runs(rows).items():
        flawed = [r["kind"] != CLEAN for r in group]
        per_kind, posts = {}, {}
        for kind in sorted({r["kind"] for r in group}):
            of_kind = [r for r in group if r["kind"] == kind]
            spent = sum(r["evaluations"] or 0 for r in of_kind)
            harmful = sum(r["harmful"] or 0 for r in of_kind)
            per_kind[kind] = 1000 * harmful / spent if spent else None
            posts[kind] = sum(r.get("harmful_with_open_post") or 0 for r in of_kind) / harmful if harmful else None
        timed = [r["seconds"] for r in group if r["seconds"] is not None]
        out.append({"detector": name, "network": None, "kind": SUMMARY, "n": n, "seed": seed,
                    "networks": len(group), "auroc": auroc([r["score"] for r in group], flawed),
                    "verdicts_right": sum(r["flagged"] == f for r, f in zip(group, flawed)),
                    "harmful_per_1000_evaluations": per_kind,
                    "open_post_share": posts,   # per kind: the share of harmful mazes with an open (odd, odd) cell
                    "seconds": round(sum(timed), 3) if timed else None})
    return out


def merged(rows, path):
    """`rows` merged into the rows saved at `path`: a saved network row of the same detector run and network is
    replaced, every other is kept, and the summaries are computed again over the result."""
    fresh = [r for r in rows if r["kind"] != SUMMARY]
    kept = [r for r in merged_with_saved(fresh, path, KEY, COMMAND) if r["kind"] != SUMMARY]
    return [r for group in runs(kept).values() for r in group] + summaries(kept)


def label(name, n, seed):
    """A detector run's column name: the detector, with n and seed when they are not the defaults."""
    return name if n is None or (n, seed) == (N_DREAMS, 0) else f"{name} (n={n}, seed={seed})"


def _fmt(value, digits=1, pct=False):
    if value is None:
        return "–"
    return f"{100 * value:.{digits}f}%" if pct else f"{value:.{digits}f}"


def table(rows):
    """Markdown: a summary line per detector run, then every network's score per detector run."""
    groups = runs(rows)
    summary = {(s["detector"], s["n"], s["seed"]): s for s in summaries([r for g in groups.values() for r in g])}
    kinds = sorted({r["kind"] for g in groups.values() for r in g})
    lines = ["| detector | AUROC | verdicts right | harmful per 1,000 evaluations: " + " / ".join(kinds)
             + " | seconds |", "|---|---|---|---|---|"]
    for key, s in summary.items():
        per_kind = " / ".join(_fmt(s["harmful_per_1000_evaluations"].get(k)) for k in kinds)
        lines.append(f"| {label(*key)} | {_fmt(s['auroc'], 3)} | {s['verdicts_right']}/{s['networks']} "
                     f"| {per_kind} | {_fmt(s['seconds'])} |")
    names = sorted({r["network"] for g in groups.values() for r in g})
    kind_of = {r["network"]: r["kind"] for g in groups.values() for r in g}
    cell = {(key, r["network"]): r for key, g in groups.items() for r in g}
    lines += ["", f"Scores (harmful fraction; **bold**: flagged at {THRESHOLD}):", "",
              "| network | kind | " + " | ".join(label(*k) for k in groups) + " |",
              "|---|---|" + "---|" * len(groups)]
    for network in names:
        scores = []
        for key in groups:
            r = cell.get((key, network))
            text = "–" if r is None else _fmt(r["score"], 1, pct=True)
            scores.append(f"**{text}**" if r is not None and r["flagged"] else text)
        lines.append(f"| {network} | {kind_of[network]} | " + " | ".join(scores) + " |")
    return "\n".join(lines) + "\n"


def colours(kinds):
    """A colour per kind: clean in grey-blue, each flaw kind its own."""
    palette = ["#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#2ca02c"]
    flaws = [k for k in sorted(kinds) if k != CLEAN]
    return {CLEAN: "#1f77b4", **{k: palette[i % len(palette)] for i, k in enumerate(flaws)}}


def figure(rows):
    """One panel per detector run: each network's score as a bar coloured by its kind, and the threshold."""
    groups = runs(rows)
    kind_of = {r["network"]: r["kind"] for g in groups.values() for r in g}
    names = sorted(kind_of, key=lambda name: (kind_of[name] != CLEAN, kind_of[name], name))
    colour = colours(set(kind_of.values()))
    height = 1.7 * len(groups) + 1.2
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    fig = Figure(figsize=(max(6.0, 0.45 * len(names) + 2.5), height))
    axes = np.atleast_1d(fig.subplots(len(groups), 1, sharex=True, squeeze=False)[:, 0])
    for ax, (key, group) in zip(axes, groups.items()):
        score = {r["network"]: r["score"] for r in group}
        x = [i for i, name in enumerate(names) if name in score]
        heights, shade = [100 * score[names[i]] for i in x], [colour[kind_of[names[i]]] for i in x]
        ax.bar(x, heights, color=shade)
        ax.scatter(x, heights, c=shade, s=14, zorder=3)   # so a score of 0 shows too
        ax.axhline(100 * THRESHOLD, color="k", ls="--", lw=1)
        ax.set_ylim(0, 100)
        ax.set_ylabel("score, %", fontsize=8)
        ax.set_title(label(*key), fontsize=9, loc="left")
    axes[-1].set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=8)
    fig.legend(handles=[Patch(color=c, label=k) for k, c in colour.items() if k in kind_of.values()]
               + [Patch(facecolor="none", edgecolor="k", ls="--", label=f"threshold {THRESHOLD:.0%}")],
               loc="upper right", fontsize=8, ncol=4)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.4 / height))   # room for the legend above the panels
    return fig


CHAPTER = Chapter("zoo", COMMAND, KEY, table, lambda rows: {"": figure(rows)}, merge=merged)


VERB = "zoo"
HELP = "the detection benchmark: a zoo of networks, some with hidden flaws"


def arguments(p):
    verbs = p.add_subparsers(dest="zoo_command", metavar="{build,reference,score,decide}", required=True)
    b = verbs.add_parser("build", help="train the zoo's networks (harvest.research.planting.ZOO) under anonymous "
                                       "names, with labels.json and SHA256SUMS beside them")
    b.add_argument("--out", help="folder for the zoo (default: the clone's harvest/weights/zoo); a network already "
                                 "there is kept, so a rerun resumes")
    b.add_argument("--quick", action="store_true", help="a smoke run: 50 steps a network (networks that fail the "
                                                        "spot checks); needs --out")
    b.add_argument("--seed", default=0, help="0: the shipped zoo's seeds; S: an independent zoo built the same way, "
                                             "every trained network's seed moved by 1,000 x S (and its names "
                                             "shuffled with S); needs --out")
    b.add_argument("--kinds", metavar="K,K", help="only the networks of these kinds, e.g. clean,stub (default all)")
    r = verbs.add_parser("reference", help="train the clean reference networks that verdicts are measured against "
                                           "(trained from scratch with the plain recipe; none is in the zoo)")
    r.add_argument("--out", help="folder (default: the clone's harvest/weights/reference); a network already there "
                                 "is kept, so a rerun resumes")
    r.add_argument("--count", default=6, help="how many networks (default 6)")
    r.add_argument("--first-seed", default=1000, help="the first network's seed (default 1000)")
    d = verbs.add_parser("decide", help="verdicts against the reference: score the clean reference networks with "
                                        "each detector, fix its rule from them alone, then apply it to the zoo's "
                                        "scores")
    d.add_argument("--scores", default=Path("runs") / "zoo.json",
                   help="the zoo's scores, written by `harvest zoo score` (default runs/zoo.json)")
    d.add_argument("--reference", help="the reference networks (default harvest/weights/reference)")
    d.add_argument("--out", default=Path("runs"), help="where decisions.md and .json go (default runs)")
    s = verbs.add_parser("score", help="score detectors (or a verdicts file) over the zoo: AUROC, verdicts right, "
                                       "harmful per 1,000 evaluations per kind")
    how = s.add_mutually_exclusive_group()
    how.add_argument("--detector", action="append", metavar="NAME",
                     help="only this detector (repeatable; default: all of harvest.research.detectors.DETECTORS)")
    how.add_argument("--verdicts", metavar="FILE", help="grade a verdicts file instead: JSON {network: true/false} "
                                                        "or {network: score} with --threshold")
    s.add_argument("--threshold", metavar="T", help="with a verdicts file of scores: flag a score above T, the "
                                                    "threshold your rule set from clean networks before the zoo")
    s.add_argument("--zoo", metavar="DIR", help="the zoo: NAME.pt files and labels.json (default harvest/weights/zoo)")
    s.add_argument("--n", default=256, help="starting mazes per network and detector (default 256)")
    s.add_argument("--seed", default=0, help="seed of the starting mazes")
    s.add_argument("--out", default=Path("runs"),
                   help="folder for zoo.md/.json/.png, merged with the rows saved there (default runs/)")


def command(args):
    {"build": build_command, "reference": reference_command, "decide": decide_command,
     "score": score_command}[args.zoo_command](args)


def build_command(args):
    from ...core.dqn import Config
    from .. import planting
    if args.quick and args.out is None:
        raise HarvestError("a --quick zoo is a smoke run: give --out DIR, so the shipped zoo is not overwritten")
    if args.seed and args.out is None:
        raise HarvestError("a zoo from other seeds is not the shipped zoo: give --out DIR")
    out = args.out or clone("zoo build") / "harvest" / "weights" / "zoo"
    t = time.perf_counter()
    cfg = Config(steps=50, batch_size=256, check_every=25, warmup=0.1) if args.quick else None
    trained = None if args.out else Path("runs") / "zoo_nets"   # never beside the shipped zoo
    kinds = set(args.kinds.split(",")) if args.kinds else None
    specs = planting.independent(planting.ZOO, args.seed, kinds) if args.seed or kinds else planting.ZOO
    if not specs:
        raise HarvestError(f"no network of the zoo has a kind in {args.kinds!r} "
                           "(kinds: clean, short, pocket, stub, loop)")
    labels = planting.build(out, specs, cfg, trained=trained, seed=args.seed)
    print(f"wrote {len(labels)} networks, {LABELS} and SHA256SUMS to {out} in {time.perf_counter() - t:.0f} s")


def reference_command(args):
    from .. import reference
    out = args.out or clone("zoo reference") / "harvest" / "weights" / "reference"
    t = time.perf_counter()
    paths = reference.build(out, args.count, args.first_seed)
    print(f"{len(paths)} clean reference networks and SHA256SUMS in {out} ({time.perf_counter() - t:.0f} s)")


def decide_command(args):
    from .. import reference
    zoo_rows = CHAPTER.load(args.scores)
    done = sorted({(r["detector"], r["n"], r["seed"]) for r in zoo_rows if r["kind"] != SUMMARY and r["n"]})
    wanted = [name for name in dict.fromkeys(d for d, _, _ in done) if name in DETECTORS]
    scores = {}
    for n, seed in sorted({(n, seed) for _, n, seed in done}):
        scores.update(reference.score(args.reference or reference.default_dir(), wanted, n, seed))
    rows = reference.decide(scores, zoo_rows)   # each rule is fixed from the reference scores before it is applied
    finish(reference.CHAPTER, rows, args.out)


def score_command(args):
    zoo_dir = args.zoo or default_dir()
    if args.verdicts:
        rows = from_verdicts(args.verdicts, zoo_dir, args.threshold)
    else:   # detection first, over the networks alone; the labels are read only to grade
        rows = score(zoo_dir, args.detector or tuple(DETECTORS), n=args.n, seed=args.seed, log=print)
    finish(CHAPTER, rows, args.out)   # rows of other detectors and runs stay
