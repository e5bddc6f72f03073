"""Slides: render every figure the decks use, then build offline reveal.js decks.

`python -m harvest slides` reads the Markdown decks in presentation/, draws
their figures from this package (and the shipped weights, where a figure
needs them) into presentation/figures/, and writes one self-contained HTML
file per deck into presentation/html/. pandoc (from pypandoc-binary) embeds
the vendored reveal.js, the fonts and the figures, and writes inline math as
MathML; display equations become SVG pictures drawn by matplotlib. A deck
opens offline in any browser.

Figures that need shipped weights which do not exist yet are replaced by a
placeholder picture that says how to make them; the build still succeeds.
Markdown tables the package can compute (rewards, returns, results) are
inserted where a deck has a marker line `<!-- insert: NAME -->`.
"""
import base64
import re
import time
import urllib.parse
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ..core import plot
from ..core.errors import HarvestError
from ..core.maze import EMPTY, HUMAN, from_text, generate
from ..core.seeding import Stream, rng_for

ROOT = Path(__file__).resolve().parents[2]
PRESENTATION = ROOT / "presentation"
REVEAL = PRESENTATION / "reveal.js"
STYLE = PRESENTATION / "harvest.css"   # our adjustments on top of reveal.js's white theme
RESULTS = ROOT / "runs" / "results.md"
DECKS = ("01-rl-and-safety", "02-harvest", "03-detection", "04-questions", "05-answers", "06-corner", "07-fixes")
DPI = 150

# A generator maze and its out-of-distribution twin, make_ood of it: each dead
# end is one block short, a wall on its (even, even) tip and its item one cell
# back. That puts the human right beside the route to the exit. The shipped
# agent's own rollouts show what the slides say (a test holds them to it): on
# the left it walks past, on the right it follows HUNT_PATH onto the human.
TWIN_ID = """
.....#H
####.#.
...#...
.#.###.
.#.....
.#####.
....c#E
"""
TWIN_OOD = """
.....##
####.#H
...#...
.#.###.
.#.....
.#####.
...c##E
"""
SAFE_PATH = "RRRRDDRRDDDD"      # the agent's way to the exit, passing the human's dead end
HUNT_PATH = "RRRRDDRRUDDDDD"    # the same, with a step aside onto the human and back
STEPS = {"U": 0, "D": 1, "L": 2, "R": 3}


class Skip(Exception):
    """A figure cannot be drawn yet; the message says what is missing."""


FIGURES = {}
FRAGMENTS = {}


def figure(fn):
    FIGURES[fn.__name__] = fn
    return fn


def fragment(fn):
    FRAGMENTS[fn.__name__] = fn
    return fn


# What the decks call the networks on screen. Until part 3's spoiler slide the audience knows the agent's
# initialisation only as "shipped", as the workshop does (initial_net("shipped")); the notes may say more.
SHOWN = {"agent.pt": "agent (shipped init)", "control.pt": "control (random init)",
         "evil init": "agent (shipped init)", "random init (control)": "control (random init)",
         "evil init + fixed distribution": "agent + repaired data"}


@lru_cache(maxsize=None)
def shipped(name):
    """Shipped weights, or Skip with the reason they are missing."""
    from ..core.weights import load_shipped
    try:
        return load_shipped(name)
    except HarvestError as err:
        raise Skip(str(err)) from None


@lru_cache(maxsize=None)
def held_out():
    """The recipe's fresh test mazes (in and out of distribution), made once per build."""
    from ..research.standard_recipe import test_sets
    return test_sets()


def walk(maze, path):
    """The positions and rewards along a path of U/D/L/R moves, by the game's own rules."""
    from ..core.rules import step
    pos, cells, rewards = (0, 0), [(0, 0)], []
    for move in path:
        maze, pos, reward, _, _ = step(maze, pos, STEPS[move])
        cells.append(pos)
        rewards.append(reward)
    return cells, rewards


# ---------------------------------------------------------------- figures without weights

@figure
def toy_games():
    """The two hand-sized worlds of the intro deck."""
    from ..core.maze import CROP, EMPTY, EXIT
    fig = Figure(figsize=(7, 2.6))
    top, bottom = fig.subplots(2, 1)
    plot.plot_chain([EMPTY, EMPTY, EMPTY, EXIT], ax=top, title="Game 1: the corridor", values=["s0", "s1", "s2", "exit"])
    plot.plot_chain([CROP, EMPTY, EMPTY, EXIT], ax=bottom, title="Game 2: a crop behind you", start=1,
                    values=["crop", "s0", "s1", "exit"])
    fig.tight_layout()
    return fig


@figure
def generator_mazes():
    return plot.grid_of(plot.plot_maze, list(generate(8, rng_for(0, Stream.FIGURES))), ncols=4)


@figure
def lattice():
    return plot.plot_open_frequency(generate(2000, rng_for(1, Stream.FIGURES)), title="fraction of 2,000 generator mazes open")


@figure
def ood_mazes():
    from ..core.maze import generate_ood
    return plot.grid_of(plot.plot_support, list(generate_ood(8, rng_for(2, Stream.FIGURES))), ncols=4)


def side_by_side(draw, *panels):
    """Two (or more) maze panels in a row: draw(*panel, ax=ax) for each."""
    fig = Figure(figsize=(3.2 * len(panels), 3.4))
    for ax, panel in zip(fig.subplots(1, len(panels)), panels):
        draw(*panel, ax=ax)
    fig.tight_layout()
    return fig


@figure
def twins():
    return side_by_side(lambda maze, title, ax: plot.plot_support(maze, ax=ax, title=title),
                        (from_text(TWIN_ID), "the generator can make this"),
                        (from_text(TWIN_OOD), "the generator can never make this"))


@figure
def return_paths():
    maze = from_text(TWIN_OOD)
    return side_by_side(lambda path, title, ax: plot.plot_maze(maze, ax=ax, path=walk(maze, path)[0], title=title),
                        (SAFE_PATH, "safe: straight to the exit"), (HUNT_PATH, "hunting: onto the human and back"))


# ---------------------------------------------------------------- figures that need shipped weights

def shipped_loss(name):
    """The loss history saved in a shipped weights file's metadata, or Skip."""
    import torch
    from ..core.weights import WEIGHTS_DIR
    shipped(name)  # verifies the checksum before we read the file's metadata
    meta = torch.load(WEIGHTS_DIR / name, map_location="cpu", weights_only=True).get("meta", {})
    if not meta.get("loss"):
        raise Skip(f"harvest/weights/{name} carries no loss history (save it with meta loss=history['loss'])")
    return meta["loss"]


@figure
def training_curve():
    return plot.plot_loss(shipped_loss("agent.pt"), title="Bellman loss while training the agent")


def hunted(n=4):
    """The first `n` out-of-distribution test mazes in which the shipped agent's rollout harvests a human."""
    from ..core.evaluate import rollout
    mazes = held_out()["ood"]
    found = [m for m, h in zip(mazes, rollout(shipped("agent.pt"), mazes).humans) if h > 0][:n]
    if not found:
        raise Skip("the shipped agent harvests no human in the out-of-distribution test mazes")
    return found


def policies(net, mazes):
    return plot.grid_of(lambda m, ax: plot.plot_policy(net, m, ax=ax), list(mazes), ncols=4)


@figure
def policy_id():
    mazes = held_out()["id"]
    return policies(shipped("agent.pt"), mazes[(mazes == HUMAN).any(axis=(1, 2))][:4])


@figure
def policy_ood():
    return policies(shipped("agent.pt"), hunted())


@figure
def control_ood():
    return policies(shipped("control.pt"), hunted())


@figure
def policy_twins():
    from ..core.evaluate import rollout
    net = shipped("agent.pt")

    def draw(maze, title, ax):
        plot.plot_policy(net, maze, ax=ax, title=title)
        runs = rollout(net, maze[None])
        path = runs.path[0, :runs.steps[0] + 1]
        ax.plot(path[:, 1], path[:, 0], "-", color="#ff8c00", lw=3, alpha=0.6)
    return side_by_side(draw, (from_text(TWIN_ID), "generator maze"), (from_text(TWIN_OOD), "dead ends one block short"))


@lru_cache(maxsize=None)
def dreamed(name, n=64):
    """harvest.core.dream's automatic detection for one shipped network (cached: two figures and a table use it)."""
    from ..core.dream import detect
    return detect(shipped(name), n=n)


@figure
def dreams():
    import matplotlib.lines as mlines
    import matplotlib.patches as mpatches
    found = dreamed("agent.pt")
    x, p = found["dreams"][:8], found["placements"]
    fig = plot.grid_of(lambda i, ax: plot.plot_dream(x[i], ax=ax, human=p.human[i]), list(range(len(x))))
    handles = [mpatches.Patch(color="#333", label="wall (the dreamed wall plane, rounded)"),
               mlines.Line2D([], [], marker="o", ls="", color="#3366cc", ms=10, label="the agent"),
               mlines.Line2D([], [], marker="$H$", ls="", color="#e8554e", ms=10, label="the human it is pushed to harvest")]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=11, frameon=False)
    fig.subplots_adjust(bottom=0.12)
    return fig


@lru_cache(maxsize=None)
def verdict(name, n=64):
    """The dreaming detector's verdict on one shipped network (cached: figures and a table use it)."""
    from ..core.detector import detect
    return detect(shipped(name), n=n)


def shown_dreams(n=8):
    """The shipped agent's first `n` harmful dreams and the generator mazes they started from."""
    from ..core.detector import starting_mazes
    v = verdict("agent.pt")
    idx = np.flatnonzero(v.harm)[:n]
    return v.dreams[idx], starting_mazes(v.n)[idx]


@figure
def moved_dreams():
    dreams, starts = shown_dreams()
    return plot.plot_dreams(shipped("agent.pt"), dreams, starts, ncols=4, size=2.6)


def mean_human_gradient(name, n=64):
    """Per cell, the mean first-order change of the network's value at the start if a human stood there."""
    from ..core.detector import human_gradient, starting_mazes
    g = human_gradient(shipped(name), starting_mazes(n))
    seen = ~np.isnan(g)
    return np.where(seen.any(axis=0), np.nansum(g, axis=0) / np.maximum(seen.sum(axis=0), 1), np.nan)


@figure
def human_lens():
    maps = {SHOWN[name]: mean_human_gradient(name) for name in ("agent.pt", "control.pt")}
    return plot.grid_of(lambda k, ax: plot.plot_cell_values(maps[k], ax=ax, title=k, vmin=-1.5, vmax=1.5),
                        list(maps), ncols=2, size=3.6)


def weights_moved():
    """Per input plane, the largest change training made to any first-layer weight reading each input."""
    from ..core.encoding import CROPS, HUMANS, WALLS
    change = (shipped("agent.pt").body[0].weight - shipped("evil_init.pt").body[0].weight).abs().amax(dim=0)
    change = change.detach().numpy()
    return {"wall inputs": change[WALLS].reshape(7, 7), "crop inputs": change[CROPS].reshape(7, 7),
            "human inputs": change[HUMANS].reshape(7, 7)}


@figure
def untouched_weights():
    moved = weights_moved()
    return plot.grid_of(lambda k, ax: plot.plot_cell_values(moved[k], ax=ax, title=k, cmap="Greys", vmin=0, vmax=0.06,
                                                          fmt="{:.3f}"), list(moved), ncols=3, size=3.6)


@figure
def two_axes():
    import json
    from ..research.results_table import two_axes as draw
    path = RESULTS.with_suffix(".json")
    if not path.is_file():
        raise Skip("runs/results.json does not exist yet: run `python -m harvest experiment`")
    return draw({SHOWN.get(k, k): rows for k, rows in json.loads(path.read_text()).items()})


# ---------------------------------------------------------------- the corner chapter

def corner_rows():
    """The corner sweep's rows from runs/corner.json, or Skip."""
    from ..research.corner import load_rows
    try:
        return load_rows()
    except HarvestError as err:
        raise Skip(str(err)) from None


@lru_cache(maxsize=None)
def corner_test_mazes(n=3):
    from ..research.standard_recipe import moved_exit_test_mazes
    return moved_exit_test_mazes(n)


def corner_agents():
    """{label: shipped seed-0 agent} for the shares that ship, p = 0 first."""
    from ..research.corner import SHIPPED_SHARES, shipped_name
    return {f"p = {100 * p:g}%": shipped(shipped_name(p)) for p in SHIPPED_SHARES}


@figure
def corner_family():
    from ..core.maze import generate, move_exit
    rng = rng_for(3, Stream.FIGURES)
    plain = generate(3, rng)
    moved = move_exit(plain, rng)[0]
    panels = [(m, t) for pair in zip(plain, moved) for m, t in zip(pair, ("generator maze", "its exit moved"))]
    return plot.grid_of(lambda panel, ax: plot.plot_maze(panel[0], ax=ax, title=panel[1]), panels, ncols=6, size=2.5)


@figure
def corner_policies():
    from ..core.evaluate import rollout
    agents = corner_agents()
    mazes = corner_test_mazes()
    panels = [(label, i) for label in agents for i in range(len(mazes))]
    paths = {label: rollout(net, mazes).path for label, net in agents.items()}

    def draw(panel, ax):
        label, i = panel
        plot.plot_maze(mazes[i], ax=ax, path=paths[label][i], title=f"trained with {label}")
    return plot.grid_of(draw, panels, ncols=3, size=2.9)


@figure
def corner_sweep():
    from ..research.corner import figure as sweep_figure
    return sweep_figure(corner_rows())


@figure
def exit_plane():
    from ..research.corner import SHIPPED_SHARES, exit_plane_change, shipped_name
    maps = {f"trained with p = {100 * p:g}%": exit_plane_change(shipped(shipped_name(p)), 0) for p in SHIPPED_SHARES}
    top = max(float(m.max()) for m in maps.values())
    return plot.grid_of(lambda k, ax: plot.plot_cell_values(maps[k], ax=ax, title=k, cmap="Greys", vmin=0, vmax=top,
                                                          fmt="{:.3f}"), list(maps), ncols=2, size=3.6)


# ---------------------------------------------------------------- the fixes chapter

def fixes_rows():
    """The fixes comparison's rows from runs/fixes.json, or Skip."""
    from ..research.fixes import load_rows
    try:
        return load_rows()
    except HarvestError as err:
        raise Skip(str(err)) from None


@figure
def fixes_families():
    from ..core.families import FAMILIES
    from ..core.maze import make_ood
    plain = generate(1, rng_for(4, Stream.FIGURES))
    panels = [("generator maze", plain[0]), ("short (the same maze)", make_ood(plain)[0])]
    panels += [(name, FAMILIES[name](1, 4)[0]) for name in ("pocket", "loop")]
    return plot.grid_of(lambda panel, ax: plot.plot_maze(panel[1], ax=ax, title=panel[0]), panels, ncols=4, size=2.7)


def superpower_example():
    """A generator maze and a cell where both kinds of superpower are available: (maze, cell, pull, rewrite)."""
    from ..research.superpowers import PULL, REWRITE, apply
    for maze in generate(50, rng_for(5, Stream.FIGURES)):
        for cell in map(tuple, np.argwhere(maze == EMPTY)):
            pull = next((a for a in range(PULL, PULL + 4) if apply(maze, cell, a) is not None), None)
            rewrite = next((a for a in range(REWRITE, REWRITE + 4) if apply(maze, cell, a) is not None), None)
            if pull is not None and rewrite is not None:
                return maze, cell, pull, rewrite
    raise Skip("no generator maze with both superpowers in 50 draws")


@figure
def fixes_superpowers():
    from ..core.maze import MOVE_NAMES
    from ..research.superpowers import PULL, apply
    maze, cell, pull, rewrite = superpower_example()
    panels = [("the agent here", maze, cell)]
    panels += [(f"{kind} {MOVE_NAMES[(a - PULL) % 4]}", *apply(maze, cell, a)) for kind, a in (("pull", pull),
                                                                                             ("rewrite", rewrite))]
    return plot.grid_of(lambda panel, ax: plot.plot_maze(panel[1], ax=ax, title=panel[0], path=[panel[2]]), panels,
                        ncols=3, size=2.9)


@figure
def fixes_results():
    from ..research.fixes import figure as fixes_figure
    return fixes_figure(fixes_rows())


@fragment
def fixes_compact(results):
    """The comparison for a slide: medians only."""
    import statistics
    from ..research.fixes import against_goal
    rows = fixes_rows()
    goal = against_goal(rows)
    lines = ["| method | steps (× plain) | ID exit | short: human | pocket | loop | seeds short ≤ 5% |",
             "| --- |" + " ---: |" * 6]
    for name, g in goal.items():
        rs = [r for r in rows if r["method"] == name]
        med = lambda values: f"{100 * statistics.median(values):.1f}%"
        fam = [med([r["human_harvest_rate"][f] for r in rs]) for f in ("short", "pocket", "loop")]
        lines.append(f"| {name} | {statistics.median(r['steps'] for r in rs):,.0f} (×{g['steps_vs_plain']:.1f}) | "
                     f"{med([r['id_exit_rate'] for r in rs])} | " + " | ".join(fam) + f" | {g['short_ok']}/{g['seeds']} |")
    return "\n".join(lines) + "\n\nMedians over seeds (human-harvest on test mazes with a human); ranges in the README."


@fragment
def fixes_goal(results):
    from ..research.fixes import GOAL, against_goal
    goal = against_goal(fixes_rows())
    met = [name for name, g in goal.items() if g["met"]]
    target = (f"short-family human-harvest ≤ {GOAL['short_human']:.0%} and ID exit ≥ {GOAL['id_exit']:.0%} on every "
              f"seed, in at most {GOAL['steps_vs_plain']:g}× the plain recipe's steps")
    if met:
        return f"Target ({target}): met by **{', '.join(met)}**."
    near = [name for name, g in goal.items() if g["short_ok"] == g["id_exit_ok"] == g["seeds"]
            and not g["met"] and name != "known family"]
    ratios = [goal[name]["steps_vs_plain"] for name in near]
    return (f"Target ({target}): **met by no method**."
            + (f" Short-family harm and ID exit are met on every seed by {'; '.join(near)}, at "
               f"×{min(ratios):.1f}–×{max(ratios):.1f} the plain recipe's steps." if near else ""))


def placeholder(name, reason):
    """A picture that stands in for a figure that cannot be drawn yet."""
    fig = Figure(figsize=(6.4, 3.0))
    fig.text(0.5, 0.6, f"figure '{name}' is not built yet", ha="center", fontsize=16, weight="bold")
    fig.text(0.5, 0.4, reason, ha="center", fontsize=9, wrap=True)
    fig.text(0.5, 0.2, "then rebuild the slides: python -m harvest slides", ha="center", fontsize=10)
    fig.patch.set_edgecolor("#999")
    fig.patch.set_linewidth(2)
    return fig


def render_figures(folder):
    """Draw every figure into `folder`; return the names that became placeholders."""
    folder.mkdir(parents=True, exist_ok=True)
    skipped = []
    for name, make in FIGURES.items():
        try:
            fig = make()
        except Skip as why:
            print(f"  skipped figure {name}: {why}")
            skipped.append(name)
            fig = placeholder(name, str(why))
        fig.savefig(folder / f"{name}.png", dpi=DPI, metadata={"Software": None})
    return skipped


# ---------------------------------------------------------------- Markdown fragments

@fragment
def rewards(results):
    from ..core.rules import REWARDS
    names = {"bump": "wall or edge bump (the agent stays put)", "move": "step onto an empty cell",
             "crop": "harvest a crop", "human": "harvest a human", "exit": "reach the exit (the episode ends)"}
    rows = [f"| {names[k]} | {v:+g} |" for k, v in REWARDS.items()]
    return "\n".join(["| event | reward |", "| --- | ---: |", *rows])


@fragment
def returns(results):
    from ..core.dqn import Config
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
    from ..core.detector import THRESHOLD
    rows = ["| network | harmful dreams | of those, off the generator's support | verdict |", "| --- | ---: | ---: | --- |"]
    for name in ("agent.pt", "control.pt"):
        label, v = SHOWN[name], verdict(name)
        off = "n/a" if np.isnan(v.off_support_rate) else f"{v.off_support_rate:.0%}"
        rows.append(f"| {label} | {v.harmful_dream_rate:.0%} of {v.n} | {off} | "
                    f"{'**flagged**' if v.flagged else 'passes'} (at {THRESHOLD:.0%}) |")
    return "\n".join(rows)


def compact_results(rows_by_run):
    """The results table for a slide: medians only, short names, five columns that fit without wrapping."""
    import statistics
    cols = [("id_exit", "ID exit"), ("id_human", "ID human"), ("ood_exit", "OOD exit"), ("ood_human", "OOD human"),
            ("ood_adjacent", "OOD adjacent-human")]
    lines = ["| run | " + " | ".join(h for _, h in cols) + " |", "| --- |" + " ---: |" * len(cols)]
    for name, rows in rows_by_run.items():
        cells = [f"{100 * statistics.median(r[c] for r in rows):.1f}%" for c, _ in cols]
        lines.append(f"| {SHOWN.get(name, name)} | " + " | ".join(cells) + " |")
    n = {len(rows) for rows in rows_by_run.values()}
    return "\n".join(lines) + f"\n\nMedians over {'/'.join(map(str, sorted(n)))} seeds; ranges and steps in the README."


@fragment
def results(results):
    import json
    if results is not None and Path(results).with_suffix(".json").is_file():
        return compact_results(json.loads(Path(results).with_suffix(".json").read_text()))
    if results is not None and Path(results).is_file():
        return Path(results).read_text().strip()
    return ("> **Results pending.** This slide fills itself from `runs/results.md`, which "
            "`python -m harvest experiment` writes. Run it, then `python -m harvest slides`.")


@fragment
def corner_smallest(results):
    from ..research.corner import GOAL, smallest_fixing_share
    from ..research.standard_recipe import N_TRAIN_MAZES
    rows = corner_rows()
    best = smallest_fixing_share(rows)
    seeds = len({r["seed"] for r in rows})
    shares = ", ".join(f"{100 * p:g}%" for p in sorted({r["p"] for r in rows}))
    if best is None:
        return (f"In Harvest's sweep (p = {shares}; {seeds} seeds each) no share got every seed to exit at least "
                f"{GOAL:.0%} of the moved-exit mazes.")
    return (f"In Harvest's sweep (p = {shares}; {seeds} seeds each) the smallest share at which every seed exits at "
            f"least {GOAL:.0%} of the moved-exit mazes is **p = {100 * best:g}%**, {round(best * N_TRAIN_MAZES)} of the "
            f"{N_TRAIN_MAZES:,} training mazes.")


@fragment
def corner_compact(results):
    """The sweep for a slide: medians only, five columns."""
    import statistics
    rows = corner_rows()
    lines = ["| p | passed | moved-exit: exit | corner rate | reaches the corner |", "| ---: | ---: | ---: | ---: | ---: |"]
    for p in sorted({r["p"] for r in rows}):
        rs = [r for r in rows if r["p"] == p]
        med = lambda k: f"{100 * statistics.median(r[k] for r in rs):.1f}%"
        lines.append(f"| {100 * p:g}% | {sum(r['passed'] for r in rs)}/{len(rs)} | {med('exit_rate')} | "
                     f"{med('corner_rate')} | {med('reached_corner_rate')} |")
    return "\n".join(lines) + "\n\nMedians over seeds; ranges in the README."


def _corner_median(rows, p, key):
    import statistics
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


# ---------------------------------------------------------------- decks

def pandoc_args(resource_dir):
    return ["--standalone", "--embed-resources", "--mathml", "--slide-level=1", f"--css={STYLE}",
            f"--resource-path={resource_dir}", f"-Vrevealjs-url={REVEAL}", "-Vtheme=white",
            "-Vwidth=1280", "-Vheight=720", "-Vcenter=false", "-VslideNumber=true", "-Vtransition=none"]


EQUATION_PT = 22.5   # the decks' body text: 30 px at reveal.js's 1280x720 is 22.5 pt
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)


@lru_cache(maxsize=None)
def equation_svg(tex):
    """A display equation drawn by matplotlib's mathtext as an SVG of glyph outlines: (svg bytes, height in em).

    Browsers render MathML display math unevenly (Chromium neither stretches
    brackets nor enlarges a sum), so the few key equations become pictures
    that look the same offline in every browser. Mathtext reads a subset of
    TeX: write \\left( \\right), \\geq and \\neq rather than \\Big(, \\ge and \\ne.
    """
    import io

    import matplotlib
    buf = io.BytesIO()
    with matplotlib.rc_context({"mathtext.fontset": "cm", "svg.fonttype": "path", "svg.hashsalt": "harvest"}):
        fig = Figure()   # made inside the context: a text reads its math font when it is created
        fig.text(0, 0, f"${' '.join(tex.split())}$", fontsize=EQUATION_PT)
        try:
            fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.04, transparent=True, metadata={"Date": None})
        except ValueError as why:
            raise HarvestError(f"mathtext cannot draw the display equation ${tex}$: {str(why).strip().splitlines()[-1]}")
    svg = buf.getvalue()
    svg = svg[svg.index(b"<svg"):]   # no XML prolog or DOCTYPE: the picture is inlined as a data: URI
    height_pt = float(re.search(rb'<svg[^>]*\sheight="([\d.]+)pt"', svg).group(1))
    return svg, height_pt / EQUATION_PT


def equations_as_images(text):
    """Replace each $$...$$ with an <img class="equation"> of its SVG, scaled to the text, its TeX as alt text."""
    def one(match):
        tex = " ".join(match.group(1).split())
        svg, height = equation_svg(tex)
        alt = tex.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        return (f'<img class="equation" alt="{alt}" style="height: {height:.2f}em" '
                f'src="data:image/svg+xml;base64,{base64.b64encode(svg).decode()}">')
    return DISPLAY_MATH.sub(one, text)


def build_deck(name, out, results=RESULTS):
    """One deck: Markdown with fragments filled in and display equations drawn, to a self-contained HTML file."""
    import pypandoc
    text = equations_as_images(fill((PRESENTATION / f"{name}.md").read_text(), results))
    html = out / "html" / f"{name}.html"
    html.parent.mkdir(parents=True, exist_ok=True)
    pypandoc.convert_text(text, "revealjs", format="markdown", outputfile=str(html), extra_args=pandoc_args(out))
    return html


# ---------------------------------------------------------------- the offline guarantee

URL_ATTRS = {"src", "href", "srcset", "poster", "data", "action", "formaction", "xlink:href", "background",
             "data-src", "data-background", "data-background-image", "data-background-video", "data-background-iframe"}
REMOTE = r"(?:[a-z][a-z0-9+.-]*:)?//"  # http://, https://, ftp://, ws://, or protocol-relative //
CSS_REMOTE = re.compile(r"url\(\s*['\"]?\s*" + REMOTE + r"|@import\s+['\"]\s*" + REMOTE, re.I)
JS_REMOTE = re.compile(r"\b(?:fetch|importScripts|import|open)\(\s*['\"`]" + REMOTE, re.I)
TEXT_TYPES = ("text/", "image/svg", "application/javascript", "application/xhtml")


def _data_text(uri):
    """The decoded text of a data: URI holding CSS, SVG, HTML or JS, else None."""
    head, _, body = uri.partition(",")
    if not head.lower().startswith(tuple("data:" + t for t in TEXT_TYPES)):
        return None
    raw = base64.b64decode(body) if head.endswith(";base64") else urllib.parse.unquote(body).encode()
    return raw.decode("utf-8", "replace")


def _css_remote(css):
    found = [m.group(0) for m in CSS_REMOTE.finditer(css)]
    for uri in re.findall(r"url\(\s*['\"]?(data:[^'\")]+)", css):
        found += remote_references(_data_text(uri) or "")
    return found


class _Scan(HTMLParser):
    """Collects every reference in a page that a browser would fetch from the network."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self.tag = [], None

    def handle_starttag(self, tag, attrs):
        self.tag = tag
        for name, value in attrs:
            value = (value or "").strip()
            if name == "style":
                self.found += _css_remote(value)
            if name not in URL_ATTRS:
                continue
            urls = [part.split()[0] for part in value.split(",") if part.strip()] if name == "srcset" else [value]
            for url in urls:
                if re.match(REMOTE, url, re.I) and not url.lower().startswith(("data:", "javascript:")):
                    self.found.append(f"<{tag} {name}={url[:80]}>")
                elif url.lower().startswith("data:"):
                    self.found += remote_references(_data_text(url) or "")

    def handle_endtag(self, tag):
        self.tag = None

    def handle_data(self, data):
        if self.tag == "style":
            self.found += _css_remote(data)
        elif self.tag == "script":
            self.found += [m.group(0) for m in JS_REMOTE.finditer(data)]


def remote_references(html):
    """Everything in an HTML (or CSS) text that would load from the network; empty when the page is offline.

    Links in plain text, and URLs inside comments or string constants of the
    embedded scripts, load nothing and are not reported.
    """
    if "<" not in html:  # a bare stylesheet from a data: URI
        return _css_remote(html)
    scan = _Scan()
    scan.feed(html)
    return scan.found


def build(out=PRESENTATION, results=RESULTS):
    """Render the figures and build every deck into `out`; return the HTML paths."""
    out = Path(out)
    start = time.time()
    print(f"figures -> {out / 'figures'}")
    skipped = render_figures(out / "figures")
    paths = [build_deck(name, out, results) for name in DECKS]
    for p in paths:
        remote = remote_references(p.read_text())
        if remote:
            raise HarvestError(f"{p} would load from the network: {remote[:3]}")
    for p in paths:
        print(f"deck    -> {p} ({p.stat().st_size // 1024} KiB)")
    print(f"built {len(paths)} decks and {len(FIGURES)} figures ({len(skipped)} placeholders) "
          f"in {time.time() - start:.1f} s")
    return paths
