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

Then rounds of labels. Each round draws `candidates` generator states (an agent on an open cell, a move into an open
neighbour) and `search` climbs the members' disagreement (the spread of their predictions for that move) on the
input, the way the dream climbs towards harm (`harvest.core.dream.dream`): only the crop and human inputs of the
cell the move enters may change, since that cell decides the move's reward. The `labels` states the members then
disagree on most are labelled with their true reward and join training. The controls: `random` labels as many
candidates with the entered cell made empty, a crop or a human at random, and `none` labels nothing. Each round trains
every member `round_steps` more on the generator transitions and the labels so far (a quarter of each batch from the
labels).
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
from ...core.encoding import CROPS, HUMANS, N_INPUTS, decode, encode, grid_planes, place_agent
from ...core.maze import CROP, EMPTY, EXIT, HUMAN, MOVES, SIZE, WALL, generate, inside
from ...core.replay import ReplayBuffer, build_buffer, merge
from ...core.rules import MAX_STEPS, REWARDS, move
from ...core.seeding import register, rng_for
from ...core.weights import load_shipped
from ..rows import Chapter, measured, median_range, percent, resumable
from ..standard_recipe import family_test_mazes, training_mazes

COMMAND = "python -m harvest rewardmodel --seeds 5"
INITS = ("random", "shipped")
METHODS = ("disagreement", "random", "none")   # how a round picks the states it labels (none: no labels at all)
FAMILIES = ("generator", "short", "pocket", "stub")
KEYS = ("init", "method", "seed", "round")
SEARCH_STARTS = register(30, "reward-model chapter: the generator states a search starts from")
RANDOM_LABELS = register(31, "reward-model chapter: the random control's item cells")


@dataclass(frozen=True)
class Scale:
    steps: int = 2000        # training steps per member, the first training
    round_steps: int = 500   # training steps per member in each round of labels
    batch_size: int = 256
    lr: float = 1e-3
    members: int = 3
    rounds: int = 2          # rounds of labels after the first training
    labels: int = 256        # states labelled per round
    candidates: int = 2048   # states searched per round, of which the `labels` most disputed are labelled
    search_lr: float = 0.05  # the search's step: 30 steps can carry an input across 0.5
    n_test: int = 300        # test mazes per family


FULL = Scale()
QUICK = Scale(steps=60, round_steps=30, members=2, rounds=1, labels=32, candidates=64, n_test=12)


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


def entered_cell(agent, target):
    """mask_fn for the search: the crop and human inputs of the cell each move enters, where its reward is decided."""
    m = torch.zeros(len(agent), N_INPUTS)
    cell = torch.as_tensor(np.asarray(target)[:, 0] * SIZE + np.asarray(target)[:, 1])
    m[torch.arange(len(agent)), CROPS.start + cell] = 1.0
    m[torch.arange(len(agent)), HUMANS.start + cell] = 1.0
    return m


def disagreement(q, action):
    """The members' spread (standard deviation) of the predicted reward of `action`, per state."""
    picked = q[torch.arange(len(q)), :, torch.as_tensor(action).long()]
    return picked.std(dim=1)


def decoded(x, p):
    """Searched inputs -> mazes: the items read off the planes, walls and exit as they started."""
    base = np.where(np.isin(p.mazes, (CROP, HUMAN)), EMPTY, p.mazes)            # walls, exit and open cells
    items = np.stack([decode(row)[0] for row in x])
    return np.where(np.isin(items, (CROP, HUMAN)) & (base == EMPTY), items, base).astype(np.int8)


def search_inputs(models, p, lr):
    """The dream's ascent on the members' disagreement, free on the entered cells of the candidate states `p`."""
    return dream(models, p, lr=lr, objective_fn=disagreement, mask_fn=entered_cell, step_fn=ascent_step)[0]


def search(models, p, keep, lr):
    """Climb the members' disagreement on the entered cells of candidate states `p`, decode, and keep the `keep`
    states they disagree on most: (their mazes, their indices in `p`)."""
    grids = decoded(search_inputs(models, p, lr), p)
    with torch.no_grad():
        spread = disagreement(models(encode(grids, p.agent[:, 0], p.agent[:, 1])), p.action)
    best = torch.argsort(spread, descending=True, stable=True)[:keep].numpy()
    return grids[best], best


def random_contents(p, keep, seed):
    """The control: `keep` of the candidates at random, the cell each move enters made empty, a crop or a human at
    random: (their mazes, their indices in `p`)."""
    rng = rng_for(seed, RANDOM_LABELS)
    pick = rng.choice(len(p), size=keep, replace=False)
    grids = p.mazes[pick].copy()
    grids[np.arange(keep), p.human[pick, 0], p.human[pick, 1]] = rng.choice([EMPTY, CROP, HUMAN], size=keep)
    return grids, pick


def labelled(models, method, p, keep, lr, seed):
    """The states a round labels with their true reward: chosen by `method` among the candidates `p`."""
    grids, pick = search(models, p, keep, lr) if method == "disagreement" else random_contents(p, keep, seed)
    return transitions(grids, p.agent[pick, 0], p.agent[pick, 1], p.action[pick])


def state_grids(maze, g):
    """The grid of every state of game `g` (`optimal.game(maze)`), in its state order: (states, 7, 7), and the agent's
    cell of each, (states, 2)."""
    cells = np.argwhere(g["index"] >= 0)
    items = np.argwhere(np.isin(maze, (CROP, HUMAN)))
    masks = np.arange(1 << len(items))
    grids = np.repeat(np.asarray(maze)[None], len(masks), 0)
    for k, (r, c) in enumerate(items):
        grids[(masks >> k) & 1 == 0, r, c] = EMPTY
    return np.repeat(grids, len(cells), 0), np.tile(cells, (len(masks), 1))


def learned_rewards(models, maze, g):
    """The ensemble's mean predicted reward of every (state, move) of game `g`: (states, 4)."""
    grids, agent = state_grids(maze, g)
    x = grid_planes(grids)
    return models.mean(place_agent(x, torch.as_tensor(agent[:, 0]).long(), torch.as_tensor(agent[:, 1]).long()))


def plan(models, maze, start=(0, 0)):
    """Exact planning on the ensemble's mean reward in `maze` with the true dynamics (on the true reward when
    `models` is None): (humans harvested, exited)."""
    g = optimal.game(maze)
    reward = g["reward"] if models is None else learned_rewards(models, maze, g).numpy().astype(float)
    return play(g, reward, start)


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
    """Rows for one initialisation and seed: round 0 (the first training, method "first"), then rounds 1..R of
    each labelling method, each method continuing from its own copy of the round-0 ensemble."""
    tests = tests if tests is not None else test_mazes(scale.n_test)
    t = time.perf_counter()
    buffer = build_buffer(training_mazes(seed))
    first = train(ensemble(init, seed, scale.members), buffer, None, scale.steps, scale, seed)
    yardstick = truth(tests)
    rows = []

    lit = np.isin(training_mazes(seed), (CROP, HUMAN)).any(axis=0)   # cells where some training maze holds an item

    def record(models, method, rnd, labels, steps, new=None):
        row = {"init": init, "method": method, "seed": seed, "round": rnd, "labels": len(labels) if labels else 0,
               "steps": steps, "members": scale.members, "seconds": round(time.perf_counter() - t, 1),
               **label_shares(new, lit),
               **{name: {**measure(models, mazes), "true_planner_human": yardstick[name]}
                  for name, mazes in tests.items()}}
        rows.append(row)
        log(f"{init} init, seed {seed}, round {rnd} ({method}): " + ", ".join(
            f"{name} human rewarded {percent(row[name]['human_rewarded'])}, planner harvests "
            f"{percent(row[name]['planner_human'])}" for name in FAMILIES))

    record(first, "first", 0, None, scale.steps)
    for method in methods:
        models, labels, steps = copy.deepcopy(first), None, scale.steps
        for rnd in range(1, scale.rounds + 1):
            new = None
            if method != "none":
                p = starts(scale.candidates, 1000 * seed + rnd)
                new = labelled(models, method, p, scale.labels, scale.search_lr, 1000 * seed + rnd)
                labels = new if labels is None else merge(labels, new)
            models = train(models, buffer, labels, scale.round_steps, scale, 100 * seed + rnd)
            steps += scale.round_steps
            record(models, method, rnd, labels, steps, new)
    return rows


def label_shares(new, lit):
    """What a round's labels hold: the share whose move enters an item, and an item on a cell where no training maze
    holds one (`lit` is False there); None for a round without labels."""
    if new is None:
        return {"label_items": None, "label_items_unlit": None}
    entered = new.grids[new.grid.long(), new.next_row.long(), new.next_col.long()].numpy()
    item = np.isin(entered, (CROP, HUMAN))
    unlit = item & ~lit[new.next_row.numpy(), new.next_col.numpy()]
    return {"label_items": float(item.mean()), "label_items_unlit": float(unlit.mean())}


def run(seeds=5, inits=INITS, methods=METHODS, scale=FULL, progress=True, log=print, checkpoint=None):
    """Every (init, seed) with its rounds; with `checkpoint`, finished jobs are kept there and a rerun resumes."""
    tests = test_mazes(scale.n_test)
    jobs = [(init, seed) for init in inits for seed in range(seeds)]
    return resumable(jobs, lambda init, seed: one_run(init, seed, methods, scale, tests, log), ("init", "seed"),
                     checkpoint, COMMAND, KEYS, desc="rewardmodel", progress=progress)


def ordered(rows):
    """Rows by init, then round 0 and each method's rounds, then seed."""
    method = lambda r: -1 if r["method"] == "first" else METHODS.index(r["method"])
    return sorted(rows, key=lambda r: (INITS.index(r["init"]), method(r), r["round"], r["seed"]))


def table(rows):
    """Markdown: per init, method and round, medians (ranges) over seeds of how the learned objective treats a
    human and how often the planner harvests one, per family."""
    head = ["init", "labels by", "round", "seeds", "labels", "the round's labels: items on unlit cells",
            "steps per member"]
    head += [f"{f}: {what}" for f in FAMILIES for what in ("human rewarded", "planner harvests")]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    groups = {}
    for r in ordered(rows):
        groups.setdefault((r["init"], r["method"], r["round"]), []).append(r)
    for (init, method, rnd), rs in groups.items():
        unlit = [r["label_items_unlit"] for r in rs if r.get("label_items_unlit") is not None]
        cells = [init, "–" if method == "first" else method, str(rnd), str(len(rs)),
                 median_range([r["labels"] for r in rs], False), median_range(unlit) if unlit else "–",
                 median_range([r["steps"] for r in rs], False)]
        cells += [median_range([r[f][key] for r in rs])
                  for f in FAMILIES for key in ("human_rewarded", "planner_human")]
        lines.append("| " + " | ".join(cells) + " |")
    if rows:
        lines.append("\nPlanning on the true reward harvests a human in " + ", ".join(
            f"{percent(rows[0][f]['true_planner_human'])} of the {f} mazes" for f in FAMILIES) + ".")
    return "\n".join(lines) + "\n"


PANELS = (("human_rewarded", "human harvests that the\nlearned reward pays for"),
          ("planner_human", "mazes where the planner\nharvests a human"),
          ("planner_exit", "mazes where the planner\nreaches the exit"))


def figure(rows, family="short"):
    """On `family`'s test mazes, against the round of labels: what the learned reward pays for a human harvest, how
    often the planner harvests a human, and how often it exits. A dot per seed, a line through the medians, one
    colour per init and labelling method."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(13, 4.6), layout="constrained")
    axes = fig.subplots(1, len(PANELS), sharey=True)
    colours = {("random", "disagreement"): "#1f77b4", ("random", "random"): "#9ecae1", ("random", "none"): "#bbbbbb",
               ("shipped", "disagreement"): "#d62728", ("shipped", "random"): "#fcae91", ("shipped", "none"): "#777777"}
    words = {"disagreement": "labels by disagreement", "random": "random labels", "none": "no labels"}
    for ax, (key, title) in zip(axes, PANELS):
        for (init, method), colour in colours.items():
            rs = [r for r in rows if r["init"] == init and r["method"] in (method, "first")]
            if not any(r["method"] == method for r in rs):
                continue
            rounds = sorted({r["round"] for r in rs})
            jitter = 0.04 * (METHODS.index(method) - 1) + (0.015 if init == "shipped" else -0.015)
            ax.plot([r["round"] + jitter for r in rs], [100 * r[family][key] for r in rs], "o", color=colour, ms=4,
                    alpha=0.7)
            ax.plot(rounds, [100 * statistics.median(r[family][key] for r in rs if r["round"] == k) for k in rounds],
                    "-", color=colour, label=f"{init} init, {words[method]}")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("round of labels")
        ax.set_xticks(sorted({r["round"] for r in rows}))
        ax.grid(alpha=0.3)
    axes[0].set_ylim(-3, 103)
    axes[0].set_ylabel(f"% of the {family} mazes' cases")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=3, fontsize=9, frameon=False)
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
    measured(args, CHAPTER, lambda out: run(args.seeds, scale=QUICK if args.quick else FULL,
                                            checkpoint=None if args.quick else Path(out) / "reward_model_rows.json"))
