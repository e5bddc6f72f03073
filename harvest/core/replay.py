"""The replay buffer: every (cell, move) transition of a set of mazes.

For each maze the buffer holds the maze itself and one copy per item with that
item removed, so it contains the states the agent really reaches after a
harvest (standing on, or walking away from, an emptied dead end).

Storage is compact: the distinct grids once, and per transition the index of
its grid, the agent's cell before and after, the move, the reward and the
terminal flag. States are encoded on the fly when a batch is drawn: each grid's
planes are encoded once, and a batch copies them and places the agent.

A reward side-channel (`harvest.core.channel`) is added on the fly too. The
`next` channel is read off the grid and the true reward table. For the
`previous` channel a next state shows its transition's reward; a state shows
the reward of one transition in the buffer that leads into it, drawn once
with a fixed seed (`previous_rewards`), or 0 at the start cell.
"""
from dataclasses import dataclass, field, fields

import numpy as np
import torch

from . import channel
from .encoding import N_CELLS, PLAIN_INPUT, grid_planes, place_agent
from .rules import move
from .maze import CROP, EMPTY, HUMAN, SIZE


@dataclass
class Batch:
    state: torch.Tensor       # (B, 161), or (B, 210) with the exit plane
    action: torch.Tensor      # (B,) long
    reward: torch.Tensor      # (B,) float
    next_state: torch.Tensor  # likewise
    done: torch.Tensor        # (B,) bool

    def to(self, device):
        """The same batch on `device` (no copy when it is already there)."""
        return Batch(*(t.to(device) for t in vars(self).values()))


@dataclass
class ReplayBuffer:
    grids: torch.Tensor     # (V, 7, 7) int8: the distinct grids
    grid: torch.Tensor      # (T,) int32: the grid of each transition
    row: torch.Tensor       # (T,) int8 and likewise below
    col: torch.Tensor
    action: torch.Tensor
    next_row: torch.Tensor
    next_col: torch.Tensor
    reward: torch.Tensor    # (T,) float32
    done: torch.Tensor      # (T,) bool
    next_grid: torch.Tensor = None   # (T,) int32: the grid after the action where an action edits it (superpowers)
    _planes: dict = field(default_factory=dict, init=False, repr=False, compare=False)   # exit_visible: grid planes
    _previous: torch.Tensor = field(default=None, init=False, repr=False, compare=False)   # see previous_rewards

    def __len__(self):
        return len(self.grid)

    def batch(self, idx, spec=PLAIN_INPUT):
        """Encode the transitions at `idx` into a Batch as a network of InputSpec `spec` reads them."""
        if spec.exit_visible not in self._planes:
            self._planes[spec.exit_visible] = grid_planes(self.grids, spec.exit_visible)
        planes = self._planes[spec.exit_visible]
        g = self.grid[idx].long()
        after = g if self.next_grid is None else self.next_grid[idx].long()
        state = place_agent(planes[g], self.row[idx].long(), self.col[idx].long())
        next_state = place_agent(planes[after], self.next_row[idx].long(), self.next_col[idx].long())
        if spec.reward_channel != "none":
            state = torch.cat([state, self._channel(spec.reward_channel, idx, g, False)], dim=1)
            next_state = torch.cat([next_state, self._channel(spec.reward_channel, idx, after, True)], dim=1)
        return Batch(state, self.action[idx].long(), self.reward[idx], next_state, self.done[idx])

    def _channel(self, reward_channel, idx, g, after):
        """The side-channel's inputs for the states (or, `after`, the next states) of the transitions at `idx`."""
        if reward_channel == "previous":
            if self._previous is None:
                self._previous = previous_rewards(self)
            shown = self.reward[idx] if after else self._previous[idx]
            return channel.values("previous", None, None, None, shown.numpy())
        rows, cols = (self.next_row, self.next_col) if after else (self.row, self.col)
        return channel.values(reward_channel, self.grids[g].numpy(), rows[idx].numpy(), cols[idx].numpy())

    def tensors(self):
        """The stored fields by name (not the cache of encoded grids)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.init and getattr(self, f.name) is not None}

    def nbytes(self):
        return sum(t.numel() * t.element_size() for t in self.tensors().values())


def with_items_removed(mazes):
    """The mazes followed by one copy per item with that item removed."""
    mazes = np.asarray(mazes, np.int8)
    m, cell = np.nonzero(np.isin(mazes, (CROP, HUMAN)).reshape(len(mazes), -1))
    copies = mazes[m].reshape(len(m), -1)
    copies[np.arange(len(m)), cell] = EMPTY
    return np.concatenate([mazes, copies.reshape(-1, SIZE, SIZE)])


def build_buffer(mazes, rewards=None, items_removed=True):
    """Every transition from every empty cell of every grid, for all four moves.

    `rewards` overrides entries of rules.REWARDS, for experiments with other
    reward tables. Fully vectorised: no Python loop over mazes or cells.
    """
    grids = with_items_removed(mazes) if items_removed else np.asarray(mazes, np.int8)
    g, cell = np.nonzero(grids.reshape(len(grids), -1) == EMPTY)
    g, cell = np.repeat(g, 4), np.repeat(cell, 4)
    action = np.tile(np.arange(4), len(g) // 4)
    row, col = cell // SIZE, cell % SIZE
    next_row, next_col, reward, done, _ = move(grids[g], row, col, action, rewards)
    small = lambda a: torch.from_numpy(a.astype(np.int8))
    return ReplayBuffer(torch.from_numpy(grids), torch.from_numpy(g.astype(np.int32)), small(row), small(col),
                        small(action), small(next_row), small(next_col), torch.from_numpy(reward),
                        torch.from_numpy(done))


def previous_rewards(buffer, seed=0):
    """Per transition, a reward the step into its state could have paid: that of one transition of the buffer
    whose next state is this state (drawn with `seed`), and at the start cell 0 as often as each of those.

    A next state is its grid and cell; stepping onto an item leads to the grid with that item removed, when the
    buffer holds it (`with_items_removed`), so harvests count among the steps in.
    """
    grids = buffer.grids.numpy().reshape(len(buffer.grids), -1)
    index = {grid.tobytes(): i for i, grid in reversed(list(enumerate(grids)))}   # the first grid of each content
    g = buffer.grid.numpy().astype(np.int64)
    after = g if buffer.next_grid is None else buffer.next_grid.numpy().astype(np.int64)
    cell = buffer.row.numpy().astype(np.int64) * SIZE + buffer.col.numpy()
    next_cell = buffer.next_row.numpy().astype(np.int64) * SIZE + buffer.next_col.numpy()
    after = after.copy()
    harvest = np.flatnonzero(np.isin(grids[after, next_cell], (CROP, HUMAN)))
    for t in harvest:   # a few thousand: the grid once the item is harvested, if the buffer has it (else none)
        emptied = grids[after[t]].copy()
        emptied[next_cell[t]] = EMPTY
        after[t] = index.get(emptied.tobytes(), -1)
    canonical = np.array([index[grid.tobytes()] for grid in grids])   # identical grids are one state
    state_key = canonical[g] * N_CELLS + cell
    next_key = np.where(after >= 0, canonical[np.maximum(after, 0)] * N_CELLS + next_cell, -1)
    next_key[buffer.done.numpy()] = -1   # the exit ends the episode: no state follows
    order = np.argsort(next_key, kind="stable")
    lo, hi = np.searchsorted(next_key[order], state_key, "left"), np.searchsorted(next_key[order], state_key, "right")
    rng = np.random.default_rng(seed)
    count = hi - lo
    start = cell == 0
    pick = lo + np.floor(rng.random(len(g)) * (count + start)).astype(np.int64)   # count + 1 choices at the start
    reward = buffer.reward.numpy()
    chosen = np.where(pick < hi, reward[order[np.minimum(pick, len(order) - 1)]], 0.0)
    return torch.from_numpy(chosen.astype(np.float32))


def merge(*buffers):
    """One buffer holding the transitions of several."""
    offsets = np.cumsum([0] + [len(b.grids) for b in buffers[:-1]])
    indices = ("grids", "grid", "next_grid")
    rest = {k: torch.cat([getattr(b, k) for b in buffers]) for k in buffers[0].tensors() if k not in indices}
    grid = torch.cat([b.grid + int(o) for b, o in zip(buffers, offsets)])
    next_grid = None
    if any(b.next_grid is not None for b in buffers):
        next_grid = torch.cat([(b.grid if b.next_grid is None else b.next_grid) + int(o) for b, o in zip(buffers, offsets)])
    return ReplayBuffer(grids=torch.cat([b.grids for b in buffers]), grid=grid, next_grid=next_grid, **rest)
