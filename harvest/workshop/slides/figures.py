"""Every picture the decks show, drawn with matplotlib into presentation/figures/NAME.png (NAME.gif for animations).

A function decorated with @figure returns a matplotlib Figure; its name is the
file's name. One decorated with @animation returns the panels of an animated
rollout (harvest.core.animate), written as a GIF that the deck embeds like any
picture. A figure that needs something not made yet (shipped weights, a
results file) raises Skip, and render() draws a placeholder that says how to
make it.
"""

import textwrap
from functools import wraps

import matplotlib.lines as mlines
import matplotlib.patches as mpatches
import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from ...core import animate, plot
from ...core.detector import human_gradient, starting_mazes
from ...core.encoding import CROPS, HUMANS, WALLS
from ...core.evaluate import rollout
from ...core.families import FAMILIES, generate_short, make_short, move_exit
from ...core.files import dumps, write_text
from ...core import channel
from ...core.maze import CROP, EMPTY, EXIT, HUMAN, MOVE_NAMES, MOVES, from_text, generate, inside
from ...core.seeding import register, rng_for
from ...core.weights import WEIGHTS_DIR
from ...research.chapters import corner, fixes, reward_model, side_channel, story, zoo
from ...research.standard_recipe import family_test_mazes
from ...research.superpowers import PULL, REWRITE, apply
from .sources import (HUNT_PATH, REPAIRED, RESULTS, SAFE_PATH, SHOWN, TWIN_ID, TWIN_OOD, Skip, corner_rows,
                      corner_test_mazes, dreamed, fixes_rows, held_out, lie_bites, reward_model_rows, shipped,
                      side_channel_rows, verdict, decision_rows, walk, zoo_rows)

FIGURE_MAZES = register(99, "slides: mazes drawn for figures")

DPI = 150
GIF_DPI = 120         # the animations: 1.5x the README GIF, so the decks never scale them up
PATH_COLOUR = "#3366cc"   # the agent's ring and path, as plot.plot_maze draws them
FIGURES = {}
ANIMATIONS = {}


# Text enlargement per figure, so that its smallest text is at least 14 px where the deck paints it (the decks show
# most figures at about half their drawn size; the slide checks measure it): drawn text size x this factor. The maze
# pictures have room for it; the charts and value grids still in the checks' STILL_SMALL need a layout of their own.
WRAPPED = {"two_axes": (1.4, 36), "corner_sweep": (1.45, 30), "side_channel_results": (1.4, 90),
           "fixes_results": (1.4, 18), "reward_model_results": (1.5, 24)}   # charts: factor, wrap
LEGIBLE = {"ood_mazes": 1.25, "generator_mazes": 1.4, "twins": 1.15, "return_paths": 1.25, "dreams": 1.3,
           "moved_dreams": 1.5, "corner_family": 1.55, "corner_policies": 1.65, "fixes_superpowers": 1.1,
           "fixes_families": 1.1, "side_channel_view": 1.15, "stub_edit": 1.5, "seeds_picture": 1.3}


def legible(fig, factor, wrap=None):
    """`fig` with every text's font size multiplied by `factor`, tick labels included (as tick parameters, so that
    ticks made at drawing time get them too). With `wrap`, axis labels and the figure's title are wrapped at that
    many characters (a y label keeping its own line breaks) and the layout is made again, so the larger text still
    fits."""
    ticks = set()
    for ax in fig.axes:
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            labels = [t for tick in axis.get_major_ticks() + axis.get_minor_ticks() for t in (tick.label1, tick.label2)]
            ticks.update(map(id, labels))
            if labels:
                ax.tick_params(axis=name, which="both", labelsize=labels[0].get_fontsize() * factor)
    for t in fig.findobj(Text):
        if id(t) not in ticks:
            t.set_fontsize(t.get_fontsize() * factor)
    if wrap:
        labels = [label for ax in fig.axes for label in (ax.xaxis.label, ax.title)]
        for t in labels + ([fig._suptitle] if fig._suptitle else []):
            t.set_text(textwrap.fill(t.get_text().replace("\n", " "), wrap))
        for ax in fig.axes:   # a y label runs along a short side: its own line breaks stay, each line wrapped
            ax.yaxis.label.set_text("\n".join(textwrap.fill(line, wrap) for line in ax.yaxis.label.get_text().split("\n")))
        for old in list(fig.legends):   # a figure legend goes above the panels, where the layout leaves it room
            texts = old.get_texts()
            fig.legend(old.legend_handles, [t.get_text() for t in texts], loc="outside upper center", ncols=min(old._ncols, 4),
                       frameon=False, fontsize=texts[0].get_fontsize() if texts else None)
            old.remove()
        fig.set_layout_engine("constrained", w_pad=0.15)   # apart enough that neighbours' end ticks do not touch
    elif not fig.legends:   # room for the larger titles (a figure legend would be laid over)
        fig.tight_layout()
    return fig


def figure(fn):
    factor, wrap = WRAPPED.get(fn.__name__, (LEGIBLE.get(fn.__name__), None))
    FIGURES[fn.__name__] = fn if factor is None else wraps(fn)(lambda: legible(fn(), factor, wrap))
    return fn


def animation(fn):
    ANIMATIONS[fn.__name__] = fn
    return fn


# ---------------------------------------------------------------- figures without weights

@figure
def toy_games():
    """The two hand-sized worlds of the intro deck."""
    fig = Figure(figsize=(7, 2.6))
    top, bottom = fig.subplots(2, 1)
    plot.plot_chain([EMPTY, EMPTY, EMPTY, EXIT], ax=top, title="Game 1: the corridor", values=["s0", "s1", "s2", "exit"])
    plot.plot_chain([CROP, EMPTY, EMPTY, EXIT], ax=bottom, title="Game 2: a crop behind you", start=1,
                    values=["crop", "s0", "s1", "exit"])
    fig.tight_layout()
    return fig


@figure
def generator_mazes():
    return plot.grid_of(plot.plot_maze, list(generate(8, rng_for(0, FIGURE_MAZES))), ncols=4)


@figure
def lattice():
    fig = Figure(figsize=(4.2, 4.4))
    ax = fig.add_subplot()
    plot.plot_open_frequency(generate(2000, rng_for(1, FIGURE_MAZES)), ax=ax,
                             title="share of 2,000 generator mazes\nin which each cell is open")
    for text in ax.texts:
        text.set_fontsize(11)
    ax.tick_params(labelsize=11)   # the row and column numbers
    ax.title.set_fontsize(13)
    fig.tight_layout()
    return fig


@figure
def ood_mazes():
    return plot.grid_of(plot.plot_support, list(generate_short(8, rng_for(2, FIGURE_MAZES))), ncols=4)


def side_by_side(draw, *panels):
    """Two (or more) maze panels in a row: draw(*panel, ax=ax) for each."""
    fig = Figure(figsize=(3.2 * len(panels), 3.4))
    for ax, panel in zip(fig.subplots(1, len(panels)), panels):
        draw(*panel, ax=ax)
    fig.tight_layout()
    return fig


# Part 2 shows the two twins without saying what the generator can or cannot make: the audience spots the
# difference itself, and part 3 measures it.
TWIN_TITLES = ("from the generator", "from deployment")


@figure
def twins():
    return side_by_side(lambda maze, title, ax: plot.plot_maze(maze, ax=ax, title=title),
                        *zip(map(from_text, (TWIN_ID, TWIN_OOD)), TWIN_TITLES))


@figure
def return_paths():
    maze = from_text(TWIN_OOD)
    return side_by_side(lambda path, title, ax: plot.plot_maze(maze, ax=ax, path=walk(maze, path)[0], title=title),
                        (SAFE_PATH, "safe: straight to the exit"), (HUNT_PATH, "hunting: onto the human and back"))


# ---------------------------------------------------------------- figures that need shipped weights

def shipped_loss(name):
    """The loss history saved in a shipped weights file's metadata, or Skip."""
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


@animation
def twins_walk():
    """The shipped agent's greedy rollouts on the two twins, side by side, one frame per move."""
    net = shipped("agent.pt")
    return [animate.Panel(net, from_text(text), title) for text, title in zip((TWIN_ID, TWIN_OOD), TWIN_TITLES)]


@figure
def policy_twins():
    net = shipped("agent.pt")

    def draw(maze, title, ax):
        plot.plot_policy(net, maze, ax=ax, title=title)
        runs = rollout(net, maze[None])
        path = runs.path[0, :runs.steps[0] + 1]
        # blue, as every path in the decks; orange only ever frames cells the generator cannot make
        ax.plot(path[:, 1], path[:, 0], "-", color=PATH_COLOUR, lw=6, alpha=0.3, zorder=0.5, solid_capstyle="round")
    fig = side_by_side(draw, *zip(map(from_text, (TWIN_ID, TWIN_OOD)), TWIN_TITLES))
    def arrow(colour, label):
        return mlines.Line2D([], [], marker=r"$\rightarrow$", ls="", color=colour, ms=14, label=label)
    handles = [arrow("#1f4e9c", "greedy move"), arrow("#d62728", "a move onto a human"),
               mlines.Line2D([], [], color=PATH_COLOUR, lw=6, alpha=0.3, label="the agent's path")]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=10, frameon=False)
    fig.subplots_adjust(bottom=0.12, top=0.92)
    return fig


@figure
def dreams():
    found = dreamed("agent.pt")
    x, p = found["dreams"][:8], found["placements"]
    fig = plot.grid_of(lambda i, ax: plot.plot_dream(x[i], ax=ax, human=p.human[i]), list(range(len(x))))
    handles = [mpatches.Patch(color="#333", label="wall (the dreamed wall plane, rounded)"),
               mlines.Line2D([], [], marker="o", ls="", color="#3366cc", ms=10, label="the agent"),
               mlines.Line2D([], [], marker="$H$", ls="", color="#e8554e", ms=10, label="the human it is pushed to harvest")]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=11, frameon=False)
    fig.subplots_adjust(bottom=0.12)
    return fig


def shown_dreams(n=8):
    """The shipped agent's first `n` harmful dreams and the generator mazes they started from."""
    v = verdict("agent.pt")
    idx = np.flatnonzero(v.harm)[:n]
    return v.candidates[idx], starting_mazes(v.n)[idx]


@figure
def moved_dreams():
    dreams, starts = shown_dreams()
    return plot.plot_dreams(shipped("agent.pt"), dreams, starts, ncols=4, size=2.6)


def mean_human_gradient(name, n=64):
    """Per cell, the mean first-order change of the network's value at the start if a human stood there."""
    g = human_gradient(shipped(name), starting_mazes(n))
    seen = ~np.isnan(g)
    return np.where(seen.any(axis=0), np.nansum(g, axis=0) / np.maximum(seen.sum(axis=0), 1), np.nan)


@figure
def human_lens():
    maps = {SHOWN[name]: mean_human_gradient(name) for name in ("agent.pt", "control.pt")}
    return value_grids(maps, ncols=2, size=3.6, text=12, ticks=12, vmin=-1.5, vmax=1.5, fmt="{:.1f}")


def weights_moved():
    """Per input plane, the largest change training made to any first-layer weight reading each input."""
    change = (shipped("agent.pt").body[0].weight - shipped("shipped_init.pt").body[0].weight).abs().amax(dim=0)
    change = change.detach().numpy()
    return {"wall inputs": change[WALLS].reshape(7, 7), "crop inputs": change[CROPS].reshape(7, 7),
            "human inputs": change[HUMANS].reshape(7, 7)}


def value_grids(maps, ncols, size, text=14, ticks=12, **kw):
    """`plot.plot_cell_values` for each {title: (7, 7) array} of `maps`, side by side, with the cell values and titles
    at `text` points and the row and column numbers at `ticks`, for a room to read."""
    fig = plot.grid_of(lambda k, ax: plot.plot_cell_values(maps[k], ax=ax, title=k, **kw), list(maps), ncols=ncols,
                       size=size)
    for ax in fig.axes:
        for t in ax.texts:
            t.set_fontsize(text)
        ax.title.set_fontsize(text)
        ax.tick_params(labelsize=ticks)
    fig.tight_layout()
    return fig


def at_least_one(values, scale):
    """`values` x `scale`, where a value that is not exactly 0 shows at least 1: "0" always means "never moved"."""
    return np.where(values > 0, np.maximum(scale * values, 1), 0)


@figure
def untouched_weights():
    # in thousandths, so that two digits fit a cell at a size the room can read
    moved = {k: at_least_one(v, 1000) for k, v in weights_moved().items()}
    return value_grids(moved, ncols=3, size=3.2, cmap="Greys", vmin=0, vmax=60, fmt="{:.0f}")


@figure
def two_axes():
    path = RESULTS.with_suffix(".json")
    if not path.is_file():
        raise Skip("runs/results.json does not exist yet: run `python -m harvest experiment`")
    # part 2 shows it, before the repaired training is introduced (part 3's fix slide)
    return story.two_axes({SHOWN.get(k, k): rows for k, rows in story.CHAPTER.load(path).items() if k != REPAIRED})


# ---------------------------------------------------------------- the corner chapter

def corner_agents():
    """{label: shipped seed-0 agent} for the shares that ship, p = 0 first."""
    return {f"p = {100 * p:g}%": shipped(corner.shipped_name(p)) for p in corner.SHIPPED_SHARES}


@figure
def corner_family():
    rng = rng_for(3, FIGURE_MAZES)
    plain = generate(3, rng)
    moved = move_exit(plain, rng)[0]
    panels = [(m, t) for pair in zip(plain, moved) for m, t in zip(pair, ("generator maze", "its exit moved"))]
    return plot.grid_of(lambda panel, ax: plot.plot_maze(panel[0], ax=ax, title=panel[1]), panels, ncols=6, size=2.5)


@figure
def corner_policies():
    agents = dict(list(corner_agents().items())[:1])   # p = 0 only: the deck shows it before the sweep is asked for
    mazes = corner_test_mazes()
    panels = [(label, i) for label in agents for i in range(len(mazes))]
    paths = {label: rollout(net, mazes).path for label, net in agents.items()}

    def draw(panel, ax):
        label, i = panel
        plot.plot_maze(mazes[i], ax=ax, path=paths[label][i], title=f"test maze {i + 1}")
    return plot.grid_of(draw, panels, ncols=3, size=2.9)


@figure
def corner_sweep():
    return corner.figure(corner_rows())


@figure
def exit_plane():
    # in hundredths, so that two digits fit a cell at a size the room can read
    maps = {f"trained with p = {100 * p:g}%": at_least_one(corner.exit_plane_change(shipped(corner.shipped_name(p)), 0),
                                                           100) for p in corner.SHIPPED_SHARES}
    top = max(float(m.max()) for m in maps.values())
    return value_grids(maps, ncols=2, size=3.6, ticks=14, cmap="Greys", vmin=0, vmax=top, fmt="{:.0f}")


# ---------------------------------------------------------------- the fixes chapter

@figure
def fixes_families():
    plain = generate(1, rng_for(4, FIGURE_MAZES))
    panels = [("generator maze", plain[0]), ("short (the same maze)", make_short(plain)[0])]
    panels += [(name, FAMILIES[name].make(1, 4)[0]) for name in ("pocket", "loop")]
    return plot.grid_of(lambda panel, ax: plot.plot_maze(panel[1], ax=ax, title=panel[0]), panels, ncols=4, size=2.7)


def superpower_example():
    """A generator maze and a cell where both kinds of superpower are available: (maze, cell, pull, rewrite)."""
    for maze in generate(50, rng_for(5, FIGURE_MAZES)):
        for cell in map(tuple, np.argwhere(maze == EMPTY)):
            pull = next((a for a in range(PULL, PULL + 4) if apply(maze, cell, a) is not None), None)
            rewrite = next((a for a in range(REWRITE, REWRITE + 4) if apply(maze, cell, a) is not None), None)
            if pull is not None and rewrite is not None:
                return maze, cell, pull, rewrite
    raise Skip("no generator maze with both superpowers in 50 draws")


@figure
def fixes_superpowers():
    maze, cell, pull, rewrite = superpower_example()
    panels = [("the agent here", maze, cell)]
    # a pull is named by where the agent and the item go (away from the item's side), a rewrite by the cell it turns
    toward = (pull - PULL) % 4
    panels += [(f"pull: both move {MOVE_NAMES[toward ^ 1]}", *apply(maze, cell, pull)),
               (f"rewrite: the cell {('above', 'below', 'to the left', 'to the right')[(rewrite - PULL) % 4]}",
                *apply(maze, cell, rewrite))]
    return plot.grid_of(lambda panel, ax: plot.plot_maze(panel[1], ax=ax, title=panel[0], agent=panel[2]), panels,
                        ncols=3, size=2.9)


@figure
def fixes_results():
    return fixes.figure(fixes_rows())


# ---------------------------------------------------------------- the side-channel chapter

def channel_view_state():
    """The first fresh generator maze with a crop and a human, and the open cell next to the human."""
    for maze in family_test_mazes("generator", 200):
        for r, c in np.argwhere(maze == EMPTY):
            around = [maze[r + dr, c + dc] for dr, dc in MOVES if inside(r + dr, c + dc)]
            if HUMAN in around and (maze == CROP).any():
                return maze, (int(r), int(c))
    raise Skip("no generator maze among 200 has a crop and a human")


# what a channel shows under each tamper of `channel.TAMPERS`, in words for a panel title
TOLD = {"none": "the truth", "human_as_crop": "a human as a crop", "crop_as_human": "a crop as a human",
        "noise": "noisy values", "random_function": "a random function", "blank": "nothing (0)"}


@figure
def side_channel_view():
    """What the next channel shows on one cell: the truth, and the human_as_crop and random_function lies."""
    maze, (r, c) = channel_view_state()
    panels = [(f"shows {TOLD[name]}", channel.values("next", maze[None], [r], [c], tamper=channel.TAMPERS[name])[0]
               * channel.SCALE) for name in ("none", "human_as_crop", "random_function")]

    def draw(panel, ax):
        title, shown = panel
        plot.plot_maze(maze, ax=ax, title=title, agent=(r, c))
        for (dr, dc), value in zip(MOVES, shown.tolist()):
            # up and down beside the circle's edge, left and right past it: no tag covers the agent or a letter
            ax.text(c + 0.95 * dc, r + 0.45 * dr, f"{value:+.2g}", ha="center", va="center", fontsize=9,
                    weight="bold", color="#7a0000", bbox={"boxstyle": "round,pad=0.1", "fc": "white", "alpha": 0.85})
    return plot.grid_of(draw, panels, ncols=3, size=3.2)


def lied_to():
    """The first fresh generator maze where the shipped next-channel agent spares the humans when told the truth and
    harvests one when a human is shown as a crop, and that agent."""
    net, mazes, found, _ = lie_bites()
    if len(found) == 0:
        raise Skip("no generator maze among 2,000 where the shown lie makes the next-channel agent harvest a human")
    return net, mazes[found[0]]


@animation
def side_channel_walk():
    """The shipped next-channel agent on one maze: told the truth, shown a human as a crop, and blanked."""
    net, maze = lied_to()
    return [animate.Panel(net, maze, f"channel shows {TOLD[t]}", tamper=t) for t in ("none", "human_as_crop", "blank")]


@figure
def side_channel_results():
    return side_channel.figure(side_channel_rows())


# ---------------------------------------------------------------- the reward-model chapter

@figure
def reward_model_results():
    return reward_model.figure(reward_model_rows())


# ---------------------------------------------------------------- the zoo

@figure
def zoo_results():
    """Per detector (a row), every zoo network's score (a dot in its kind's colour, filled when flagged), the clean
    reference networks' scores (grey crosses) and the threshold they set (a black bar)."""
    rows = [r for r in zoo_rows() if r["kind"] != zoo.SUMMARY and (r["n"], r["seed"]) == (zoo.N_DREAMS, 0)]
    decided = {d["detector"]: d for d in decision_rows() if (d["n"], d["seed"]) == (zoo.N_DREAMS, 0)}
    names = [name for name in zoo.DETECTORS if name in decided]
    colour = zoo.colours({r["kind"] for r in rows})
    fig = Figure(figsize=(13, 0.75 * len(names) + 1.6))
    ax = fig.subplots()
    jitter = np.random.default_rng(0).uniform(-0.28, 0.28, len(rows))   # spread: many networks score 0-2%
    for y, name in enumerate(names):
        for r, j in zip(rows, jitter):
            if r["detector"] == name:   # filled when the threshold flags it, hollow when it passes
                flagged = r["score"] > decided[name]["threshold"]
                ax.plot(100 * r["score"], y + j, "o", ms=11, mew=2, alpha=0.85, color=colour[r["kind"]],
                        mfc=colour[r["kind"]] if flagged else "white")
        refs = decided[name]["reference_scores"]
        ax.plot([100 * v for v in refs], [y - 0.42] * len(refs), "x", ms=10, mew=2, color="#777")
        ax.plot([100 * decided[name]["threshold"]] * 2, [y - 0.45, y + 0.45], color="k", lw=3)
    ax.set_yticks(range(len(names)), names, fontsize=17)
    ax.set_ylim(len(names) - 0.5, -0.62)   # room above the first row's crosses
    right = ax.twinx()   # each detector's verdicts at its threshold, beside its row
    right.set_ylim(ax.get_ylim())
    right.set_yticks(range(len(names)), [f"{decided[n]['verdicts_right']}/{decided[n]['networks']} right"
                                         for n in names], fontsize=17)
    ax.set_xscale("symlog", linthresh=10, linscale=2)   # linear up to 10%, where most rows live; compressed above
    ax.set_xticks([0, 2, 4, 6, 8, 10, 20, 50], ["0", "2", "4", "6", "8", "10", "20", "50"])
    ax.set_xlim(-0.5, 55)
    ax.set_xlabel("score: harmful share of the searched mazes, % (linear to 10, compressed above)", fontsize=17)
    ax.tick_params(axis="x", labelsize=16)
    ax.grid(axis="x", alpha=0.3)
    handles = [mlines.Line2D([], [], ls="", marker="o", ms=11, color=c, label=k) for k, c in colour.items()]
    handles += [mlines.Line2D([], [], ls="", marker="x", ms=10, mew=2, color="#777", label="clean reference"),
                mlines.Line2D([], [], color="k", lw=3, label="threshold from the reference"),
                mlines.Line2D([], [], ls="", marker="o", ms=11, mew=2, color="#777", mfc="white",
                              label="hollow: not flagged")]
    fig.legend(handles=handles, loc="upper center", ncol=4, fontsize=16, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 1.0 / (1.05 * len(names) + 2.0)))
    return fig


@figure
def stub_edit():
    """Three generator mazes and their copies with the original's stub edit, the changed cells framed."""
    from ...core.families import make_stub
    base = generate(40, rng_for(6, FIGURE_MAZES))
    edited, count = make_stub(base)
    pairs = [(m, e) for m, e, k in zip(base, edited, count) if k == 1][:3]

    def draw(item, ax):
        maze, title, changed = item
        plot.plot_maze(maze, ax=ax, title=title)
        for r, c in changed:
            ax.add_patch(mpatches.Rectangle((c - 0.45, r - 0.45), 0.9, 0.9, fill=False, lw=2, color="#d62728"))
    items = []
    for m, e in pairs:
        changed = [tuple(x) for x in np.argwhere(m != e)]
        items += [(m, "generator maze", changed), (e, "after the stub edit", changed)]
    return plot.grid_of(draw, items, ncols=6, size=2.4)


def seeds_picture_dreams(n=8):
    """The first stub network of the shipped zoo, its open-wall dreams that are harmful, and where they started."""
    from ...core import detector as core
    from ...core.weights import load
    from ...research.detectors import DETECTORS
    found = zoo.networks(zoo.default_dir())
    stubs = sorted(name for name, kind in zoo.read_labels(zoo.default_dir(), found).items() if kind == "stub")
    if not stubs:
        raise Skip("the shipped zoo has no stub network: run `python -m harvest zoo build`")
    net = load(found[stubs[0]])
    starts = core.starting_mazes(core.N_DREAMS, 0)
    dreams, _ = DETECTORS["open-wall-dream"].candidates(net, starts, 0)
    harm, _ = core.harmful(net, dreams)
    return stubs[0], net, dreams[harm][:n], starts[harm][:n]


@figure
def seeds_picture():
    """The seeds' picture: a stub network's harmful open-wall dreams, their off-support cells framed."""
    _, net, dreams, starts = seeds_picture_dreams()
    return plot.plot_dreams(net, dreams, starts, ncols=4, size=2.4)


# ---------------------------------------------------------------- drawing them all

def placeholder(name, reason):
    """A picture that stands in for a figure that cannot be drawn yet."""
    fig = Figure(figsize=(6.4, 3.0))
    fig.text(0.5, 0.6, f"figure '{name}' is not built yet", ha="center", fontsize=16, weight="bold")
    fig.text(0.5, 0.4, reason, ha="center", fontsize=9, wrap=True)
    fig.text(0.5, 0.2, "then rebuild the slides: python -m harvest slides", ha="center", fontsize=10)
    fig.patch.set_edgecolor("#999")
    fig.patch.set_linewidth(2)
    return fig


TEXT_PX = "text_px.json"   # in the figures folder: {figure: its smallest text, in the PNG's own pixels}


def smallest_text_px(fig, dpi=DPI):
    """The height in pixels of the smallest visible text of a drawn figure, at `dpi` (font size in points x dpi / 72)."""
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return round(min(sizes) * dpi / 72, 1) if sizes else None


def render(folder):
    """Draw every figure and animation into `folder`, and the smallest text of each into TEXT_PX (the slide checks
    scale it by the size the browser paints the picture at); return the names that became placeholders."""
    folder.mkdir(parents=True, exist_ok=True)
    skipped, text_px = [], {}
    for name, make in {**FIGURES, **ANIMATIONS}.items():
        suffix = "gif" if name in ANIMATIONS else "png"
        try:
            made = make()
        except Skip as why:
            print(f"  skipped figure {name}: {why}")
            skipped.append(name)
            made = placeholder(name, str(why))
        if isinstance(made, Figure):
            FigureCanvasAgg(made)   # a GIF placeholder needs a canvas that can write it
            made.savefig(folder / f"{name}.{suffix}", dpi=DPI, metadata={"Software": None} if suffix == "png" else None)
            text_px[name] = smallest_text_px(made)
        else:
            animate.write_gif(made, folder / f"{name}.{suffix}", dpi=GIF_DPI)   # never scaled up
            text_px[name] = smallest_text_px(animate.figure(made, dpi=GIF_DPI)[0], GIF_DPI)
    write_text(folder / TEXT_PX, dumps(text_px, indent=1))
    return skipped
