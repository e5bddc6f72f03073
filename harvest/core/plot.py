"""Pictures: mazes, paths, policies, Q-values, loss curves, dreams.

Every function returns a matplotlib Figure and works headless (Agg).
"""
import matplotlib

import numpy as np
import torch
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from .encoding import planes, spec_of
from .maze import CROP, EMPTY, EXIT, HUMAN, MOVES, SIZE, WALL, inside, item_breaks, open_cells, wall_breaks

_COLOURS = ListedColormap(["#f2d16b", "#2f3640", "#f7f7f2", "#7bc96f", "#e8554e"])  # exit, wall, empty, crop, human
_LETTERS = {CROP: "C", HUMAN: "H", EXIT: "E"}


def _axes(ax, figsize=(3.2, 3.2)):
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize)
    return fig, fig.add_subplot()


def _grid_axes(ax):
    ax.set_xticks(np.arange(-0.5, SIZE), minor=True)
    ax.set_yticks(np.arange(-0.5, SIZE), minor=True)
    ax.grid(which="minor", color="#999", lw=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)


def _number_axes(ax, fontsize=8):
    """Row and column numbers (0-6) along the left and top edges of a maze-shaped plot."""
    ax.set_xticks(range(SIZE))
    ax.set_yticks(range(SIZE))
    ax.tick_params(which="major", length=0, labeltop=True, labelbottom=False, labelleft=True, labelsize=fontsize,
                   colors="#555")


def figure_to_rgb(fig):
    """A Figure as an (H, W, 3) uint8 array, drawn off screen."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def plot_maze(maze, ax=None, path=None, title=None, agent=None):
    """A maze with item letters, the start ring and, optionally, a path of (row, col) positions and the agent (a
    filled disc) on the cell `agent`."""
    fig, ax = _axes(ax)
    maze = np.asarray(maze)
    ax.imshow(maze + 1, cmap=_COLOURS, vmin=0, vmax=4)
    for (r, c), v in np.ndenumerate(maze):
        if v in _LETTERS:
            ax.text(c, r, _LETTERS[v], ha="center", va="center", fontsize=11, weight="bold", zorder=4)
    ax.add_patch(matplotlib.patches.Circle((0, 0), 0.35, fill=False, lw=2, color="#3366cc"))
    if path is not None:
        plot_path(ax, np.asarray(path), np.isin(maze, list(_LETTERS)))
    if agent is not None:
        ax.add_patch(matplotlib.patches.Circle(agent[::-1], 0.26, color="#3366cc", zorder=5))
    _grid_axes(ax)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def plot_path(ax, path, lettered, gap=0.3):
    """A path of (row, col) cells as a line with a dot per cell; the line stops `gap` short of the centre of a
    lettered cell (True in `lettered`), so that it touches the letter's cell and never crosses the letter."""
    for (r0, c0), (r1, c1) in zip(path[:-1], path[1:]):
        a, b = np.array([c0, r0], float), np.array([c1, r1], float)
        a, b = a + gap * lettered[r0, c0] * (b - a), b - gap * lettered[r1, c1] * (b - a)
        ax.plot([a[0], b[0]], [a[1], b[1]], "-", color="#3366cc", lw=2, alpha=0.8, solid_capstyle="butt")
    plain = np.array([not lettered[r, c] for r, c in path], bool)
    ax.plot(path[plain, 1], path[plain, 0], "o", color="#3366cc", ms=3, alpha=0.8)


@torch.no_grad()
def q_grid(net, maze):
    """Q-values for the agent on every open cell: (7, 7, 4), NaN elsewhere. An agent on an item's cell has just
    harvested it, so that cell's values are read from the maze without that item."""
    rows, cols = np.nonzero(open_cells(maze))
    mazes = np.repeat(np.asarray(maze)[None], len(rows), 0)
    where = np.arange(len(rows)), rows, cols
    mazes[where] = np.where(np.isin(mazes[where], (CROP, HUMAN)), EMPTY, mazes[where])
    q = np.full((SIZE, SIZE, 4), np.nan)
    q[rows, cols] = net(spec_of(net).encode(mazes, rows, cols)).numpy()
    return q


def plot_policy(net, maze, ax=None, title=None):
    """The greedy move on every open cell without an item as an arrow (an item's cell shows its letter only);
    red arrows step onto a human."""
    fig, ax = _axes(ax)
    plot_maze(maze, ax=ax, title=title)
    q = q_grid(net, maze)
    for r, c in zip(*np.nonzero(open_cells(maze) & ~np.isin(maze, (CROP, HUMAN)))):
        a = int(np.argmax(q[r, c]))
        dr, dc = MOVES[a]
        tr, tc = r + dr, c + dc
        onto_human = inside(tr, tc) and maze[tr, tc] == HUMAN
        ax.arrow(c - 0.25 * dc, r - 0.25 * dr, 0.4 * dc, 0.4 * dr, head_width=0.18, head_length=0.12,
                 color="#d62728" if onto_human else "#1f4e9c", length_includes_head=True)
    return fig


def plot_q_values(net, maze, title=None):
    """One heatmap per move: Q(cell, move) with the maze's walls blank."""
    q = q_grid(net, maze)
    fig = Figure(figsize=(11, 3))
    axes = fig.subplots(1, 4)
    vmax = np.nanmax(np.abs(q))
    for a, ax in enumerate(axes):
        im = ax.imshow(q[:, :, a], cmap="RdBu", vmin=-vmax, vmax=vmax)
        ax.set_title(["up", "down", "left", "right"][a], fontsize=10)
        _grid_axes(ax)
    fig.colorbar(im, ax=list(axes), shrink=0.8)
    if title:
        fig.suptitle(title)
    return fig


def plot_loss(history, title="Bellman loss", window=100):
    """The loss per step and its running mean, on a log scale."""
    fig, ax = _axes(None, figsize=(6, 3))
    loss = np.asarray(history["loss"] if isinstance(history, dict) else history)
    ax.plot(loss, lw=0.5, alpha=0.4, color="#888")
    if len(loss) >= window:
        ax.plot(np.arange(window - 1, len(loss)), np.convolve(loss, np.ones(window) / window, "valid"), color="#1f4e9c")
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1, 2, 5)))   # 0.01, 0.02, 0.05, 0.1, ...
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel("training step", fontsize=12)
    ax.set_ylabel("loss (log scale)", fontsize=12)
    ax.tick_params(labelsize=11)
    ax.set_title(title, fontsize=13)
    fig.tight_layout()
    return fig


def plot_dream(x, ax=None, title=None, human=None):
    """A dreamed input read as a maze: dark where the wall plane rounds to a wall, the agent and the human marked."""
    fig, ax = _axes(ax)
    p = planes(torch.as_tensor(x).detach())
    ax.imshow((p["wall"].numpy() > 0.5).astype(float), cmap="Greys", vmin=0, vmax=1.25)
    r, c = int(p["row"].argmax()), int(p["col"].argmax())
    ax.add_patch(matplotlib.patches.Circle((c, r), 0.3, color="#3366cc"))
    if human is not None:
        ax.text(human[1], human[0], "H", ha="center", va="center", color="#e8554e", fontsize=12, weight="bold")
    _grid_axes(ax)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def grid_of(plot_fn, items, ncols=4, size=2.6, **kw):
    """Several small plots side by side: plot_fn(item, ax=ax, **kw) for each item."""
    n = len(items)
    nrows = -(-n // ncols)
    fig = Figure(figsize=(size * min(n, ncols), size * nrows))
    axes = np.atleast_1d(fig.subplots(nrows, min(n, ncols))).ravel()
    for item, ax in zip(items, axes):
        plot_fn(item, ax=ax, **kw)
    for ax in axes[n:]:
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_support(maze, ax=None, title=None, path=None, items=False):
    """A maze with a thick orange frame around every cell that fails the support test (`maze.wall_breaks`, and with
    `items` also `maze.item_breaks`)."""
    fig, ax = _axes(ax)
    plot_maze(maze, ax=ax, title=title, path=path)
    breaks = wall_breaks(maze) | (item_breaks(maze) if items else False)
    for r, c in np.argwhere(breaks):
        ax.add_patch(matplotlib.patches.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, lw=4, color="#ff8c00"))
    return fig


def plot_open_frequency(mazes, ax=None, title=None):
    """How often each cell is open across many mazes, with the fraction written in each cell (1.00: open in every
    maze, 0.00: in none)."""
    freq = (np.asarray(mazes) != WALL).mean(axis=0)
    return plot_cell_values(freq, ax=ax, title=title, cmap="Greys_r", vmin=0, vmax=1)


def plot_cell_values(values, ax=None, title=None, cmap="RdBu_r", vmin=None, vmax=None, fmt="{:.2f}"):
    """A (7, 7) array as a heatmap with each value written in its cell (NaN cells left blank).

    Without vmin and vmax the colour scale is symmetric around 0.
    """
    fig, ax = _axes(ax)
    values = np.asarray(values, dtype=float)
    if vmin is None and vmax is None:
        vmax = float(np.nanmax(np.abs(values))) or 1.0
        vmin = -vmax
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax)
    for (r, c), v in np.ndenumerate(values):
        if np.isfinite(v):
            dark = image.cmap(image.norm(v))[:3]
            label = fmt.format(v)
            label = label[1:] if label.startswith("-") and not label.strip("-0.") else label   # no "-0.0"
            ax.text(c, r, label, ha="center", va="center", fontsize=9,
                    color="#eee" if sum(dark) < 1.5 else "#222")
    _grid_axes(ax)
    _number_axes(ax)
    if title:
        ax.set_title(title, fontsize=12)
    return fig


def plot_chain(cells, ax=None, title=None, values=None, start=0):
    """A one-row toy world of cell codes, the agent's start ringed, with optional labels under the cells.

    Small enough to work out returns and Q-values by hand.
    """
    cells = np.asarray(cells)[None]
    fig, ax = _axes(ax, figsize=(0.9 * cells.shape[1], 1.4))
    ax.imshow(cells + 1, cmap=_COLOURS, vmin=0, vmax=4)
    for c, v in enumerate(cells[0]):
        ax.text(c, 0, _LETTERS.get(v, ""), ha="center", va="center", fontsize=14, weight="bold")
        if values is not None:
            ax.text(c, 0.75, str(values[c]), ha="center", va="top", fontsize=13)
    ax.add_patch(matplotlib.patches.Circle((start, 0), 0.35, fill=False, lw=2, color="#3366cc"))
    ax.set_xticks(np.arange(-0.5, cells.shape[1]), minor=True)
    ax.set_yticks([-0.5, 0.5], minor=True)
    ax.grid(which="minor", color="#999", lw=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.set_ylim(1.3 if values is not None else 0.5, -0.5)
    if title:
        ax.set_title(title, fontsize=13)
    return fig


def plot_table(rows, title=None, fmt="{:.1%}"):
    """A table of numbers as a figure: `rows` maps a row label to {column: value}."""
    columns = list(next(iter(rows.values())))
    cells = [[fmt.format(v) if isinstance(v, float) else str(v) for v in r.values()] for r in rows.values()]
    fig, ax = _axes(None, figsize=(1.6 + 1.5 * len(columns), 0.5 + 0.4 * len(rows)))
    ax.axis("off")
    table = ax.table(cellText=cells, rowLabels=list(rows), colLabels=columns, loc="center", cellLoc="center")
    table.scale(1, 1.4)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_dreams(net, dreams, starts, ncols=8, size=2.0):
    """Dreams as mazes: the agent's greedy path from the start, an orange frame on every cell the
    generator could never produce (walls and items), a dotted frame on each cell the dream changed."""
    from .evaluate import rollout
    runs = rollout(net, dreams)

    def one(i, ax):
        plot_support(dreams[i], ax=ax, path=runs.path[i, :runs.steps[i] + 1], items=True,
                     title="harvests a human" if runs.humans[i] else "spares the humans")
        for r, c in np.argwhere(np.asarray(dreams[i]) != np.asarray(starts[i])):
            ax.add_patch(matplotlib.patches.Rectangle((c - 0.42, r - 0.42), 0.84, 0.84, fill=False, lw=1.5,
                                                      ls=":", color="#333"))

    return grid_of(one, list(range(len(dreams))), ncols=ncols, size=size)
