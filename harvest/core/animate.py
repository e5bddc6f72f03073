"""Animated greedy rollouts: a GIF of one or more agents walking their mazes, side by side.

Each panel is one (network, maze) pair. The rollout is `evaluate.rollout`,
drawn with `plot.plot_maze`: the agent is a blue dot with its trail behind
it, and every harvested item leaves a filled square on its emptied cell (red
for a human, green for a crop) that stays to the end.

Frame rule: frame t shows every panel after t moves, so a GIF has
`max(steps) + 1` frames, the start included. A panel whose rollout is
shorter holds its last position. The last frame is shown longer.
"""
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .evaluate import rollout
from .maze import CROP, EMPTY, HUMAN
from .plot import plot_maze

HARVEST_COLOURS = {HUMAN: "#b0103a", CROP: "#2e7d32"}   # the square left on a harvested cell
AGENT_COLOUR = "#3366cc"
PANEL_SIZE = 3.0      # inches per panel
DPI = 80
FRAME_MS = 350
HOLD_MS = 2000        # how long the last frame stays
TEXT_PT = 10.5        # panel titles (a slide paints the GIF at about 0.85x: 14 px at 120 dpi)


class Panel:
    """One rollout, ready to draw: the maze, the path and, per move, what was entered."""

    def __init__(self, net, maze, title="", tamper="none"):
        self.maze = np.asarray(maze, dtype=np.int8).copy()
        runs = rollout(net, self.maze[None], tamper=tamper)   # tamper: what a reward side-channel shows
        self.steps = int(runs.steps[0])
        self.path = runs.path[0, :self.steps + 1]
        self.reached_exit = bool(runs.reached_exit[0])
        self.title = title
        # the cell harvested at move t (1..steps), or None: a move onto an item still there
        self.harvests = []
        left = self.maze.copy()
        for r, c in self.path[1:]:
            code = left[r, c]
            self.harvests.append((int(r), int(c), int(code)) if code in (CROP, HUMAN) else None)
            if code in (CROP, HUMAN):
                left[r, c] = EMPTY

    def harvested(self, t):
        """(row, col, code) of every item harvested in the first t moves."""
        return [h for h in self.harvests[:min(t, self.steps)] if h is not None]

    def grid(self, t):
        """The maze after t moves: harvested items gone."""
        g = self.maze.copy()
        for r, c, _ in self.harvested(t):
            g[r, c] = EMPTY
        return g

    def counts(self, t):
        got = [code for _, _, code in self.harvested(t)]
        return got.count(HUMAN), got.count(CROP)


def frame_count(panels):
    """Frames of the animation: one per move of the longest rollout, plus the start."""
    return max(p.steps for p in panels) + 1


def draw(panel, ax, t):
    """Panel `panel` after t moves on `ax`."""
    ax.clear()
    t = min(t, panel.steps)
    humans, crops = panel.counts(t)
    status = f"move {t}: {humans} human{'s' * (humans != 1)}, {crops} crop{'s' * (crops != 1)}"
    if t == panel.steps:   # the last frame says how the episode ended
        status += ", exit" if panel.reached_exit else ", no exit"
    plot_maze(panel.grid(t), ax=ax, path=panel.path[:t + 1])
    for r, c, code in panel.harvested(t):
        ax.add_patch(matplotlib.patches.Rectangle((c - 0.45, r - 0.45), 0.9, 0.9, color=HARVEST_COLOURS[code]))
        ax.text(c, r, "H" if code == HUMAN else "C", ha="center", va="center", color="white", fontsize=TEXT_PT + 1,
                weight="bold")
    r, c = panel.path[t]
    ax.add_patch(matplotlib.patches.Circle((c, r), 0.28, color=AGENT_COLOUR, zorder=5))
    ax.set_title(f"{panel.title}\n{status}" if panel.title else status, fontsize=TEXT_PT)


def figure(panels, caption=None, dpi=DPI):
    """The animation's Figure on the Agg canvas (headless), laid out once on the first frame, and its axes."""
    fig = Figure(figsize=(PANEL_SIZE * len(panels), PANEL_SIZE + (0.8 if caption else 0.55)), dpi=dpi)   # titles: 2 lines
    FigureCanvasAgg(fig)
    axes = list(np.atleast_1d(fig.subplots(1, len(panels))))
    if caption:
        fig.suptitle(caption, fontsize=TEXT_PT + 1)
    for panel, ax in zip(panels, axes):
        draw(panel, ax, 0)
    fig.tight_layout()   # once, so every frame has the same layout
    return fig, axes


class _HoldLastFrame(PillowWriter):
    """Pillow's GIF writer with a longer last frame."""

    def finish(self):
        durations = [FRAME_MS] * (len(self._frames) - 1) + [HOLD_MS]
        self._frames[0].save(self.outfile, save_all=True, append_images=self._frames[1:], duration=durations,
                             loop=0)


def write_gif(panels, out, caption=None, dpi=DPI):
    """Write the GIF of `panels` (a list of `Panel`) to `out`, atomically; returns the frame count. `dpi` sets its
    pixels per inch (slides shown on a projector want more than the README's GIF)."""
    out = Path(out)
    fig, axes = figure(panels, caption, dpi)
    n = frame_count(panels)

    def update(t):
        for panel, ax in zip(panels, axes):
            draw(panel, ax, t)

    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part.gif")
    FuncAnimation(fig, update, frames=n, repeat=False).save(part, writer=_HoldLastFrame(fps=1000 / FRAME_MS))
    part.replace(out)
    return n


def cell_centre(fig, ax, row, col):
    """The pixel (x, y) of a cell's centre in the saved frames, y from the top (for tests and probes)."""
    fig.canvas.draw()
    x, y = ax.transData.transform((col, row))
    return int(round(x)), int(round(fig.bbox.height - y))
