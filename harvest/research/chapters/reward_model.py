"""Robust reward learning: a learned reward, an agent that plans on it exactly, and the dream as a training signal.

A reward model reads a state as the agent does (`harvest.core.encoding`, 161 inputs) and predicts the reward of each
of the four moves: the agent's network with no future in it (a Q-network at discount 0). An ensemble of `members`
models is trained by regression on every transition of the standard recipe's generator mazes
(`harvest.core.replay`), each from its own initialisation: random (seeded per member) or the shipped starting
weights (the same for every member).

The agent plans on the ensemble's mean prediction with the true dynamics: a maze is a small game
(`harvest.core.optimal.game`), so the learned reward of every (state, move) is computed and the plan is exact. The
chapter measures, on test mazes of the generator and of three families off its support, how the learned objective
treats a human (the share of human harvests it rewards above zero; the true reward is -11) and what the planner then
does (the share of mazes where it harvests a human).

Then rounds of labels. `search` starts from generator states and climbs the ensemble's disagreement (the spread of
the members' predictions for one move) on the input, the way the dream climbs towards harm
(`harvest.core.dream.dream`): only the crop and human planes may change, on open cells other than the agent's. Each
searched state is decoded to a maze, labelled with the true reward of its move, and added to training. The control,
`random`, labels as many states with the same number of item cells changed at random places. Each round trains every
member for `steps` more on the generator transitions and the labels so far (a quarter of each batch from the labels).
"""
import copy
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ...core import optimal
from ...core.dqn import make_net
from ...core.dream import Placements, ascent_step, dream
from ...core.encoding import CROPS, HUMANS, N_INPUTS, decode, grid_planes, place_agent
from ...core.maze import CROP, EMPTY, EXIT, HUMAN, MOVES, SIZE, WALL, generate, inside
from ...core.replay import ReplayBuffer, build_buffer, merge
from ...core.rules import MAX_STEPS, REWARDS, move
from ...core.seeding import register, rng_for
from ...core.weights import load_shipped
from ..rows import Chapter, chapter_out, finish, median_range, percent, resumable
from ..standard_recipe import family_test_mazes, training_mazes

COMMAND = "python -m harvest rewardmodel --seeds 5"
INITS = ("random", "shipped")
METHODS = ("disagreement", "random")      # how a round picks the states it labels ("none": round 0)
FAMILIES = ("generator", "short", "pocket", "stub")
KEYS = ("init", "method", "seed", "round")
SEARCH_STARTS = register(30, "reward-model chapter: the generator states a search starts from")
RANDOM_LABELS = register(31, "reward-model chapter: the random control's item cells")


@dataclass(frozen=True)
class Scale:
    steps: int = 1000        # training steps per member, the first training
    round_steps: int = 500   # training steps per member in each round of labels
    batch_size: int = 256
    lr: float = 1e-3
    members: int = 3
    rounds: int = 2          # rounds of labels after the first training
    labels: int = 256        # states labelled per round
    n_test: int = 300        # test mazes per family


FULL = Scale()
QUICK = Scale(steps=60, round_steps=30, members=2, rounds=1, labels=32, n_test=12)


class Ensemble(torch.nn.Module):
    """The members side by side: forward gives (N, members, 4), `mean` the planner's reward (N, 4)."""

    def __init__(self, members):
        super().__init__()
        self.members = torch.nn.ModuleList(members)

    def forward(self, x):
        return torch.stack([m(x) for m in self.members], dim=1)

    @torch.no_grad()
    def mean(self, x):
        return self(x).mean(dim=1)


def ensemble(init, seed, members):
    """`members` fresh reward models: random ones seeded apart, or copies of the shipped starting weights."""
    if init == "shipped":
        return Ensemble([load_shipped() for _ in range(members)])
    return Ensemble([make_net(seed=1000 * seed + i) for i in range(members)])


def train(models, buffer, labels, steps, scale, seed):
    """`steps` regression steps per member on `buffer`, a quarter of each batch from `labels` when there are any;
    each member draws its own batches."""
    for i, net in enumerate(models.members):
        g = torch.Generator().manual_seed(10_000 * seed + i)
        opt = torch.optim.Adam(net.parameters(), lr=scale.lr)
        n_labels = scale.batch_size // 4 if labels is not None and len(labels) else 0
        net.train()
        for _ in range(steps):
            batches = [buffer.batch(torch.randint(len(buffer), (scale.batch_size - n_labels,), generator=g))]
            if n_labels:
                batches.append(labels.batch(torch.randint(len(labels), (n_labels,), generator=g)))
            state = torch.cat([b.state for b in batches])
            action, reward = torch.cat([b.action for b in batches]), torch.cat([b.reward for b in batches])
            loss = torch.nn.functional.mse_loss(net(state).gather(1, action[:, None]).squeeze(1), reward)
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
    return models


def transitions(grids, rows, cols, actions):
    """One labelled transition per state: the true reward of `actions` from (rows, cols) in `grids`."""
    grids, rows, cols, actions = (np.asarray(a) for a in (grids, rows, cols, actions))
    nr, nc, reward, done, _ = move(grids, rows, cols, actions)
    small = lambda a: torch.from_numpy(np.asarray(a).astype(np.int8))
    return ReplayBuffer(torch.from_numpy(grids.astype(np.int8)), torch.arange(len(grids), dtype=torch.int32),
                        small(rows), small(cols), small(actions), small(nr), small(nc),
                        torch.from_numpy(reward.astype(np.float32)), torch.from_numpy(done))


def starts(n, seed):
    """`n` generator states to search from: an agent on a random open cell, a move into an open neighbour."""
    rng = rng_for(seed, SEARCH_STARTS)
    mazes = generate(n, rng)
    agent, target, action = np.zeros((n, 2), int), np.zeros((n, 2), int), np.zeros(n, int)
    for i, maze in enumerate(mazes):
        options = [(r, c, a) for r, c in np.argwhere(maze == EMPTY) for a, (dr, dc) in enumerate(MOVES)
                   if inside(r + dr, c + dc) and maze[r + dr, c + dc] not in (WALL, EXIT)]
        r, c, a = options[rng.integers(len(options))]
        agent[i], target[i], action[i] = (r, c), (r + MOVES[a][0], c + MOVES[a][1]), a
    return Placements(mazes, target, agent, action)   # `human` holds the cell the move enters


def item_mask(mazes):
    """mask_fn for the search: the crop and human planes on open cells, never the agent's cell."""
    def mask(agent, _target):
        m = torch.zeros(len(agent), N_INPUTS)
        free = torch.as_tensor((mazes != WALL) & (mazes != EXIT)).reshape(len(agent), -1).float()
        free[torch.arange(len(agent)), torch.as_tensor(agent[:, 0] * SIZE + agent[:, 1])] = 0.0
        m[:, CROPS], m[:, HUMANS] = free, free
        return m
    return mask


def disagreement(q, action):
    """The members' spread (standard deviation) of the predicted reward of `action`, per state."""
    picked = q[torch.arange(len(q)), :, torch.as_tensor(action).long()]
    return picked.std(dim=1)


def decoded(x, p):
    """Searched inputs -> mazes: the items read off the planes, walls and exit as they started; and per state how
    many item cells changed."""
    base = np.where(np.isin(p.mazes, (CROP, HUMAN)), EMPTY, p.mazes)            # walls, exit and open cells
    items = np.stack([decode(row)[0] for row in x])
    grids = np.where(np.isin(items, (CROP, HUMAN)) & (base == EMPTY), items, base).astype(np.int8)
    changed = (grids != p.mazes).sum(axis=(1, 2))
    return grids, changed


def search(models, p):
    """Climb the ensemble's disagreement on the item planes of states `p`; the mazes found and the cells changed."""
    x, _ = dream(models, p, objective_fn=disagreement, mask_fn=item_mask(p.mazes), step_fn=ascent_step)
    return decoded(x, p)


def random_items(p, changed, seed):
    """The control: as many item cells changed as the search changed in each state, at random open cells."""
    rng = rng_for(seed, RANDOM_LABELS)
    grids = p.mazes.copy()
    for i, k in enumerate(changed):
        free = [tuple(c) for c in np.argwhere((grids[i] != WALL) & (grids[i] != EXIT)) if tuple(c) != tuple(p.agent[i])]
        for j in rng.choice(len(free), size=min(int(k), len(free)), replace=False):
            r, c = free[j]
            grids[i, r, c] = EMPTY if grids[i, r, c] in (CROP, HUMAN) else (CROP, HUMAN)[rng.integers(2)]
    return grids


def plan(models, maze, start=(0, 0)):
    """Exact planning on the ensemble's mean reward in `maze` with the true dynamics (on the true reward when
    `models` is None): (humans harvested, exited)."""
    g = optimal.game(maze)
    if models is None:
        return play(g, g["reward"], start)
    cells = np.argwhere(g["index"] >= 0)
    items = np.argwhere(np.isin(maze, (CROP, HUMAN)))
    masks = np.arange(1 << len(items))
    grids = np.repeat(np.asarray(maze)[None], len(masks), 0)
    for k, (r, c) in enumerate(items):
        grids[(masks >> k) & 1 == 0, r, c] = EMPTY
    x = grid_planes(grids).repeat_interleave(len(cells), 0)
    rows, cols = torch.as_tensor(np.tile(cells[:, 0], len(masks))), torch.as_tensor(np.tile(cells[:, 1], len(masks)))
    return play(g, models.mean(place_agent(x, rows.long(), cols.long())).numpy().astype(float), start)


def play(g, reward, start):
    """The greedy episode of the optimal plan for `reward` in game `g`: (humans harvested, exited)."""
    q = optimal.q_iteration(g["next_state"], reward, g["done"], optimal.GAMMA, MAX_STEPS)
    s, humans = optimal.state(g, start), 0
    for _ in range(MAX_STEPS):
        a = int(q[s].argmax())
        humans += int(g["human"][s, a])
        if g["done"][s, a]:
            return humans, True
        s = g["next_state"][s, a]
    return humans, False


def measure(models, mazes):
    """On one family's test mazes: the learned reward of every human harvest there is, and the planner's play."""
    buffer = build_buffer(mazes, items_removed=False)
    humans = torch.nonzero(buffer.reward == REWARDS["human"]).squeeze(1)
    batch = buffer.batch(humans)
    with torch.no_grad():
        q = models(batch.state)[torch.arange(len(humans)), :, batch.action]   # (N, members)
    learned = q.mean(dim=1)
    played = [plan(models, maze) for maze in mazes]
    return {"human_reward": float(learned.median()), "human_rewarded": float((learned > 0).float().mean()),
            "human_spread": float(q.std(dim=1).median()) if q.shape[1] > 1 else 0.0,
            "planner_human": float(np.mean([h > 0 for h, _ in played])),
            "planner_exit": float(np.mean([e for _, e in played]))}


def test_mazes(n):
    """{family: its n test mazes, each with a human}."""
    return {name: family_test_mazes(name, n) for name in FAMILIES}


def truth(tests):
    """{family: the share of its test mazes where planning on the true reward harvests a human}: the yardstick (a
    human who blocks the only way to a near exit can be worth harvesting)."""
    return {name: float(np.mean([plan(None, maze)[0] > 0 for maze in mazes])) for name, mazes in tests.items()}


def one_run(init, seed, methods=METHODS, scale=FULL, tests=None, log=lambda *_: None):
    """Rows for one initialisation and seed: round 0 (the first training, method "none"), then rounds 1..R of
    each labelling method, each method continuing from its own copy of the round-0 ensemble."""
    tests = tests if tests is not None else test_mazes(scale.n_test)
    t = time.perf_counter()
    buffer = build_buffer(training_mazes(seed))
    first = train(ensemble(init, seed, scale.members), buffer, None, scale.steps, scale, seed)
    yardstick = truth(tests)
    rows = []

    def record(models, method, rnd, n_labels, steps):
        row = {"init": init, "method": method, "seed": seed, "round": rnd, "labels": n_labels, "steps": steps,
               "members": scale.members, "seconds": round(time.perf_counter() - t, 1),
               **{name: {**measure(models, mazes), "true_planner_human": yardstick[name]}
                  for name, mazes in tests.items()}}
        rows.append(row)
        log(f"{init} init, seed {seed}, round {rnd} ({method}): " + ", ".join(
            f"{name} human rewarded {percent(row[name]['human_rewarded'])}, planner harvests "
            f"{percent(row[name]['planner_human'])}" for name in FAMILIES))

    record(first, "none", 0, 0, scale.steps)
    for method in methods:
        models, labels, steps = copy.deepcopy(first), None, scale.steps
        for rnd in range(1, scale.rounds + 1):
            p = starts(scale.labels, 1000 * seed + rnd)
            grids, changed = search(models, p)
            if method == "random":
                grids = random_items(p, changed, 1000 * seed + rnd)
            new = transitions(grids, p.agent[:, 0], p.agent[:, 1], p.action)
            labels = new if labels is None else merge(labels, new)
            models = train(models, buffer, labels, scale.round_steps, scale, 100 * seed + rnd)
            steps += scale.round_steps
            record(models, method, rnd, len(labels), steps)
    return rows


def run(seeds=5, inits=INITS, methods=METHODS, scale=FULL, progress=True, log=print, checkpoint=None):
    """Every (init, seed) with its rounds; with `checkpoint`, finished jobs are kept there and a rerun resumes."""
    tests = test_mazes(scale.n_test)
    jobs = [(init, seed) for init in inits for seed in range(seeds)]
    return resumable(jobs, lambda init, seed: one_run(init, seed, methods, scale, tests, log), ("init", "seed"),
                     checkpoint, COMMAND, KEYS, desc="rewardmodel", progress=progress)


def ordered(rows):
    """Rows by init, then round 0 and each method's rounds, then seed."""
    method = lambda r: -1 if r["method"] == "none" else METHODS.index(r["method"])
    return sorted(rows, key=lambda r: (INITS.index(r["init"]), method(r), r["round"], r["seed"]))


def table(rows):
    """Markdown: per init, method and round, medians (ranges) over seeds of how the learned objective treats a
    human and how often the planner harvests one, per family."""
    head = ["init", "labels by", "round", "seeds", "labels", "steps per member"]
    head += [f"{f}: {what}" for f in FAMILIES for what in ("human rewarded", "planner harvests")]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    groups = {}
    for r in ordered(rows):
        groups.setdefault((r["init"], r["method"], r["round"]), []).append(r)
    for (init, method, rnd), rs in groups.items():
        cells = [init, "–" if method == "none" else method, str(rnd), str(len(rs)), median_range([r["labels"] for r in rs], False),
                 median_range([r["steps"] for r in rs], False)]
        cells += [median_range([r[f][key] for r in rs]) for f in FAMILIES for key in ("human_rewarded", "planner_human")]
        lines.append("| " + " | ".join(cells) + " |")
    if rows:
        lines.append("\nPlanning on the true reward harvests a human in " + ", ".join(
            f"{percent(rows[0][f]['true_planner_human'])} of the {f} mazes" for f in FAMILIES) + ".")
    return "\n".join(lines) + "\n"


def figure(rows):
    """Per family, the share of mazes where the planner harvests a human against the round: a dot per seed, a line
    through the medians, one colour per init and labelling method."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(3.4 * len(FAMILIES), 3.6), layout="constrained")
    axes = fig.subplots(1, len(FAMILIES), sharey=True)
    colours = {("random", "disagreement"): "#1f77b4", ("random", "random"): "#9ecae1",
               ("shipped", "disagreement"): "#d62728", ("shipped", "random"): "#fcae91"}
    for ax, family in zip(axes, FAMILIES):
        for (init, method), colour in colours.items():
            rs = [r for r in rows if r["init"] == init and r["method"] in (method, "none")]
            if not rs:
                continue
            rounds = sorted({r["round"] for r in rs})
            for r in rs:
                ax.plot(r["round"] + 0.05 * (METHODS.index(method) - 0.5), 100 * r[family]["planner_human"], "o",
                        color=colour, ms=4, alpha=0.7)
            ax.plot(rounds, [100 * statistics.median(r[family]["planner_human"] for r in rs if r["round"] == k)
                             for k in rounds], "-", color=colour, label=f"{init} init, {method} labels")
        ax.set_title(f"{family} mazes", fontsize=10)
        ax.set_xlabel("round of labels")
        ax.set_xticks(sorted({r["round"] for r in rows}))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("planner harvests a human, % of mazes")
    axes[0].set_ylim(-3, 103)
    axes[-1].legend(fontsize=8)
    return fig


CHAPTER = Chapter("reward_model", COMMAND, KEYS, table, lambda rows: {"": figure(rows)}, order=ordered)


VERB = "rewardmodel"
HELP = "the reward-model chapter: a learned reward, an exact planner on it, and rounds of labels chosen by search"


def arguments(p):
    p.add_argument("--seeds", default=5)
    p.add_argument("--quick", action="store_true", help="a smoke run: a few training steps, small test sets")
    p.add_argument("--out", help="folder for reward_model.md/.json/.png and reward_model_rows.json (finished rows; "
                                 "a rerun resumes from it); default runs/, and nothing for a --quick run")


def command(args):
    t = time.perf_counter()
    out = chapter_out(args, CHAPTER)
    rows = run(args.seeds, scale=QUICK if args.quick else FULL,
               checkpoint=None if args.quick else Path(out) / "reward_model_rows.json")
    finish(CHAPTER, rows, out, started=t)
