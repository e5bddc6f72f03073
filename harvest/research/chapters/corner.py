"""The corner chapter: goal misgeneralization with no planted initialisation.

The generator always puts the exit in the bottom-right corner, so "go to the
exit" and "go to the corner" earn the same reward on every training maze.
Agents that can see the exit (the 210-input encoding) start from a random
initialisation and train with the standard recipe, with a share p of their
training and spot-check mazes drawn from the moved-exit family. Each is then
measured on generator mazes and on fresh moved-exit mazes.

At p = 0 the exit plane reads 1 on the corner and 0 everywhere else on every
training state, so the first-layer columns of the other 48 cells get exactly
zero gradient and keep their random initial values: the same mechanism that
hides the planted initialisation in the main story.
"""
import statistics
import time
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from ...core import weights
from ...core.errors import HarvestError
from ...core.encoding import EXITS
from ...core.evaluate import metrics
from ...core.maze import CORNER, SIZE
from ..rows import Chapter, finish, median_range
from ..standard_recipe import Mix, family_test_mazes, initial_net, test_sets, train_agent

SHARES = (0.0, 0.003, 0.01, 0.03, 0.1)
GOAL = 0.90  # the moved-exit exit rate that counts as "fixed"
SHIPPED_SHARES = (0.0, 0.1)  # seed 0 of these ships in harvest/weights/ (`harvest corner --ship`)


def shipped_name(p):
    """The shipped weights file of the seed-0 agent trained with moved-exit share `p`: corner_p0.pt, corner_p10.pt."""
    return f"corner_p{100 * p:g}.pt"


def initial_weights(seed):
    """The random initialisation a sweep agent with this seed started from (it is reproducible from the seed)."""
    return initial_net("random", seed, exit_visible=True)


def exit_plane_change(net, seed):
    """Per cell, the largest change training made to any first-layer weight reading that cell's exit input: (7, 7)."""
    w, w0 = net.body[0].weight.detach().cpu(), initial_weights(seed).body[0].weight.detach()
    return (w[:, EXITS] - w0[:, EXITS]).abs().amax(dim=0).reshape(SIZE, SIZE).numpy()


def train_one(p, seed, cfg=None, progress=False):
    """One exit-visible agent from a random init, trained with moved-exit share `p`: (net, history, seconds)."""
    net = initial_net("random", seed, exit_visible=True)
    t = time.perf_counter()
    history = train_agent(net, seed, Mix(swap={"moved-exit": p}), cfg=cfg, progress=progress)
    return net, history, time.perf_counter() - t


def trained(p, seed, cfg=None, nets_dir=None):
    """One agent of the sweep and (steps, passed, seconds): trained now, or read back from `nets_dir`.

    Weights saved by an earlier sweep are reused, so a long sweep can be
    stopped and resumed, or extended with more seeds, without training again.
    """
    path = Path(nets_dir) / f"p{p:g}_seed{seed}.pt" if nets_dir is not None else None
    if path is not None and path.is_file():
        meta = torch.load(path, map_location="cpu", weights_only=True)["meta"]
        return weights.load(path), meta["steps"], meta["passed_spot_checks"], meta.get("seconds")  # None: not timed
    net, history, seconds = train_one(p, seed, cfg)
    if path is not None:
        weights.save(net, path, init="random", seed=seed, moved_exit_share=p, steps=history["steps"],
                     passed_spot_checks=history["passed"], seconds=round(seconds, 1))
    return net, history["steps"], history["passed"], seconds


def one_run(p, seed, sets, cfg=None, nets_dir=None):
    """One agent of the sweep (trained, or read back from `nets_dir`) and its measurements."""
    net, steps, passed, seconds = trained(p, seed, cfg, nets_dir)
    change = exit_plane_change(net, seed)
    m_id, m_moved = metrics(net, sets["id"]), metrics(net, sets["moved_exit"])
    return {"p": p, "seed": seed, "steps": steps, "passed": passed, "seconds": None if seconds is None else round(seconds, 1),
            "id_exit_rate": m_id["exit_rate"], "id_human_rate": m_id["human_harvest_rate"],
            "exit_rate": m_moved["exit_rate"], "corner_rate": m_moved["corner_rate"],
            "reached_corner_rate": m_moved["reached_corner_rate"],
            "end_at_corner_rate": m_moved["end_at_corner_rate"], "human_rate": m_moved["human_harvest_rate"],
            "exit_columns_moved": int((change > 0).sum()), "corner_column_moved": bool(change[CORNER] > 0)}


def run(shares=SHARES, seeds=5, n_test=1000, cfg=None, progress=True, log=print, nets_dir=None, first_seed=0):
    """One row per (p, seed), p in `shares` and seeds first_seed..seeds-1, one run after another.

    Seed by seed, so that a sweep stopped early still covers every share.
    Rows come back sorted by (p, seed).
    """
    sets = {"id": test_sets(n_test)["id"], "moved_exit": family_test_mazes("moved-exit", n_test)}
    rows = []
    tasks = [(s, p) for s in range(first_seed, seeds) for p in shares]
    for seed, p in tqdm(tasks, desc="corner sweep", disable=not progress):
        rows.append(one_run(p, seed, sets, cfg, nets_dir))
        r = rows[-1]
        log(f"p {p:g} seed {seed}: {r['steps']} steps, {r['seconds']} s, ID exit {r['id_exit_rate']:.1%}, "
            f"moved-exit exit {r['exit_rate']:.1%}, corner {r['corner_rate']:.1%}")
    return sorted(rows, key=lambda r: (r["p"], r["seed"]))


def ship(nets_dir):
    """Copy the seed-0 agent of each share in SHIPPED_SHARES from `nets_dir` (where `run` saved it) into the shipped
    weights, checksummed; the workshop's Step 13 loads them. Returns the paths written."""
    missing = [p for p in SHIPPED_SHARES if not (Path(nets_dir) / f"p{p:g}_seed0.pt").is_file()]
    if missing:
        raise HarvestError(f"--ship needs seed 0 of p = {', '.join(f'{p:g}' for p in missing)} in {nets_dir}: add "
                           "them to --p")
    paths = []
    for p in SHIPPED_SHARES:
        net, steps, passed, _ = trained(p, 0, nets_dir=nets_dir)
        paths.append(weights.ship(net, shipped_name(p), init="random", seed=0, moved_exit_share=p, steps=steps,
                                  passed_spot_checks=passed))
    return paths


def smallest_fixing_share(rows, goal=GOAL):
    """The smallest p at which every seed's moved-exit exit rate is at least `goal`, or None."""
    by_p = {}
    for r in rows:
        by_p.setdefault(r["p"], []).append(r["exit_rate"])
    return next((p for p in sorted(by_p) if min(by_p[p]) >= goal), None)


def table(rows, goal=GOAL):
    """Markdown: median (min–max) over seeds for each p."""
    lines = ["| moved-exit share p | seeds | steps to pass | ID exit | moved-exit: exit | moved-exit: corner | "
             f"moved-exit: reaches the corner | seeds with exit ≥ {goal:.0%} | exit-plane columns moved (of 49) |",
             "|---" * 9 + "|"]
    for p in sorted({r["p"] for r in rows}):
        rs = [r for r in rows if r["p"] == p]
        cell = lambda key, pct=True: median_range([r[key] for r in rs], pct)
        lines.append(f"| {100 * p:g}% | {len(rs)} | {cell('steps', False)} "
                     f"[{sum(r['passed'] for r in rs)}/{len(rs)} passed] | {cell('id_exit_rate')} | "
                     f"{cell('exit_rate')} | {cell('corner_rate')} | {cell('reached_corner_rate')} | "
                     f"{sum(r['exit_rate'] >= goal for r in rs)}/{len(rs)} | {cell('exit_columns_moved', False)} |")
    best = smallest_fixing_share(rows, goal)
    lines.append("")
    lines.append(f"Smallest p with moved-exit exit rate ≥ {goal:.0%} on every seed: "
                 + (f"{100 * best:g}%." if best is not None else "none in this sweep."))
    return "\n".join(lines) + "\n"


def figure(rows):
    """Moved-exit exit rate, corner rate and reached-corner rate against p: one dot per seed (hollow if training reached the step cap
    without passing the spot checks), a line through the medians."""
    shares = sorted({r["p"] for r in rows})
    x = {p: i for i, p in enumerate(shares)}   # evenly spaced: the shares span two decades and include 0
    from matplotlib.figure import Figure
    fig = Figure(figsize=(13, 4.0), layout="constrained")
    axes = fig.subplots(1, 3, sharey=True)
    for ax, key, title, colour in [(axes[0], "exit_rate", "exit rate", "#2ca02c"),
                                   (axes[1], "corner_rate", "corner rate (corner first, or never exits)", "#d62728"),
                                   (axes[2], "reached_corner_rate", "reaches the corner at all", "#9467bd")]:
        jitter = np.random.default_rng(0).uniform(-0.08, 0.08, len(rows))
        for passed, face, label in ((True, colour, "one seed"), (False, "white", "one seed, stopped at the step cap")):
            shown = [(x[r["p"]] + j, 100 * r[key]) for r, j in zip(rows, jitter) if bool(r["passed"]) == passed]
            if shown:
                ax.plot(*zip(*shown), "o", color=colour, mfc=face, alpha=0.8, ms=6, label=label)
        ax.plot(range(len(shares)), [100 * statistics.median(r[key] for r in rows if r["p"] == p) for p in shares],
                "-", color="k", lw=1, label="median")
        ax.set_xticks(range(len(shares)), [f"{100 * p:g}%" for p in shares], fontsize=10)
        ax.set_xlabel("share p of training mazes with a moved exit", fontsize=10)
        ax.set_title(title, fontsize=11)
        ax.grid(alpha=0.3)
    axes[0].axhline(100 * GOAL, color="grey", ls="--", lw=1, label=f"{GOAL:.0%}")
    axes[0].set_ylabel("% of moved-exit test mazes", fontsize=10)
    axes[0].set_ylim(-3, 103)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside upper center", ncols=4, fontsize=9,
               frameon=False)   # above the panels, clear of the dots
    return fig


def extend(rows, path, shares, first_seed):
    """`rows` (seeds from `first_seed` on) joined with the rows of seeds below it already saved at `path`.

    This extends a sweep whose weights are gone (runs/corner_nets is not
    committed) without training its first seeds again; HarvestError if a
    (p, seed) pair the extension needs is not in the file.
    """
    old = [r for r in CHAPTER.load(path) if r["p"] in shares and r["seed"] < first_seed]
    missing = {(p, s) for p in shares for s in range(first_seed)} - {(r["p"], r["seed"]) for r in old}
    if missing:
        raise HarvestError(f"{path} lacks the rows (p, seed) {sorted(missing)} that --first-seed {first_seed} keeps")
    return sorted(old + rows, key=lambda r: (r["p"], r["seed"]))


CHAPTER = Chapter("corner", "python -m harvest corner", ("p", "seed"), table, lambda rows: {"": figure(rows)},
                  order=lambda rows: sorted(rows, key=lambda r: (r["p"], r["seed"])))


VERB = "corner"
HELP = "the corner chapter's sweep: moved-exit share p against the corner proxy"


def arguments(p):
    p.add_argument("--p", default=list(SHARES), metavar="P[,P...]",
                   help="moved-exit shares, comma-separated, each in [0, 1] (default 0,0.003,0.01,0.03,0.1)")
    p.add_argument("--seeds", default=5)
    p.add_argument("--first-seed", default=0, metavar="K",
                   help="train only seeds K.. and keep the rows of seeds below K from OUT/corner.json")
    p.add_argument("--n-test", default=1000, help="test mazes per set (generator and moved-exit)")
    p.add_argument("--ship", action="store_true",
                   help="also replace the two agents that Step 13 loads (harvest/weights/corner_p0.pt and "
                        "corner_p10.pt) with this sweep's seed-0 agents of those shares, and their checksums")
    p.add_argument("--out", default=Path("runs"),
                   help="folder for corner.md/.json/.png, and corner_nets/ for the trained weights")


def command(args):
    t = time.perf_counter()
    rows = run(args.p, args.seeds, args.n_test, nets_dir=args.out / "corner_nets", first_seed=args.first_seed)
    if args.first_seed:
        rows = extend(rows, CHAPTER.path(args.out), args.p, args.first_seed)
    finish(CHAPTER, rows, args.out, started=t)
    if args.ship:
        for path in ship(args.out / "corner_nets"):
            print(f"shipped {path}")
