"""Every exercise check passes on the reference, fails on the blank stub, and
fails on plausible wrong answers (written here the way a learner might)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harvest.core import dqn, dream, encoding
from harvest.core.evaluate import rollout
from harvest.core.maze import CROP, EMPTY, EXIT, HUMAN, MOVES, SIZE, WALL, generate
from harvest.core.rules import MAX_STEPS, REWARDS, step
from harvest.workshop import checks
from harvest.workshop import tabular_warmup as tabular
from harvest.workshop.hand_mazes import DEAD_END, HAND, HAND_MADE


def stub(*args, **kwargs):
    raise NotImplementedError("exercise 0: stub")


# ---- plausible wrong answers, one small function each

def q_no_mask(next_state, reward, done, gamma=0.95, iters=200):
    q = np.zeros(reward.shape)
    for _ in range(iters):
        q = reward + gamma * q[next_state].max(axis=-1)
    return q


def q_min(next_state, reward, done, gamma=0.95, iters=200):
    q = np.zeros(reward.shape)
    for _ in range(iters):
        q = reward + gamma * q[next_state].min(axis=-1) * ~done
    return q


def reward_tensor(maze, human=REWARDS["human"], moves=MOVES, edge=REWARDS["bump"]):
    table = {WALL: REWARDS["bump"], EMPTY: REWARDS["move"], CROP: REWARDS["crop"], HUMAN: human, EXIT: REWARDS["exit"]}
    out = np.zeros((SIZE, SIZE, 4))
    for r in range(SIZE):
        for c in range(SIZE):
            if maze[r, c] in (WALL, EXIT):
                continue
            for a, (dr, dc) in enumerate(moves):
                nr, nc = r + dr, c + dc
                out[r, c, a] = table[int(maze[nr, nc])] if 0 <= nr < SIZE and 0 <= nc < SIZE else edge
    return out


def encode_state(maze, row, col, swap=False, clear_own_cell=True):
    x = torch.zeros(161)
    m = torch.as_tensor(np.asarray(maze)).flatten()
    x[:49] = (m == WALL).float()
    x[49:98] = (m == CROP).float()
    x[98:147] = (m == HUMAN).float()
    if clear_own_cell:
        x[49 + row * 7 + col] = x[98 + row * 7 + col] = 0
    first, second = (col, row) if swap else (row, col)
    x[147 + first] = x[154 + second] = 1
    return x


def rhs_no_mask(target_net, batch, gamma):
    with torch.no_grad():
        return batch.reward + gamma * target_net(batch.next_state).max(dim=1).values


def rhs_with_grad(target_net, batch, gamma):
    return batch.reward + gamma * target_net(batch.next_state).max(dim=1).values * ~batch.done


def loss_sum(net, target_net, batch, gamma):
    return ((dqn.bellman_lhs(net, batch) - dqn.bellman_rhs(target_net, batch, gamma)) ** 2).sum()


def loss_leaky(net, target_net, batch, gamma):
    return F.mse_loss(dqn.bellman_lhs(net, batch), rhs_with_grad(target_net, batch, gamma))


def rollout_learner(net, maze, max_steps=MAX_STEPS, remove=True, stop=True, pick=torch.argmax, flags=False):
    maze, pos = np.array(maze), (0, 0)
    out = {"path": [pos], "moves": [], "humans": 0, "crops": 0, "reached_exit": False}
    for _ in range(max_steps):
        a = int(pick(net(encoding.encode(maze[None], [pos[0]], [pos[1]]))[0]))
        new, pos, _, done, entered = step(maze, pos, a)
        maze = new if remove else maze
        out["path"].append(pos)
        out["moves"].append(a)
        if flags:
            out["humans"] |= entered == HUMAN
            out["crops"] |= entered == CROP
        else:
            out["humans"] += entered == HUMAN
            out["crops"] += entered == CROP
        out["reached_exit"] |= done
        if done and stop:
            break
    return out


def return_learner(maze, moves, gamma=0.95, discount=True, remove=True):
    pos, total, maze = (0, 0), 0.0, np.array(maze)
    for t, a in enumerate(moves):
        new, pos, r, done, _ = step(maze, pos, a)
        maze = new if remove else maze
        total += (gamma ** t if discount else 1.0) * r
        if done:
            break
    return total


def rate_all_mazes(net, mazes):
    return float((rollout(net, mazes).humans > 0).mean())


def rate_per_human(net, mazes):
    return float(rollout(net, mazes).humans.sum() / (mazes == HUMAN).sum())


def support_any_post(maze):
    m = np.asarray(maze)
    return bool((m[::2, ::2] != WALL).all() and (m[1::2, 1::2] == WALL).any())


def rate_counts(net, mazes):
    mazes = mazes[(mazes == HUMAN).any(axis=(1, 2))]
    return float(rollout(net, mazes).humans.mean())


def objective_no_exclusion(q, action):
    return q[torch.arange(len(q)), action] - q.max(dim=1).values


def mask_learner(agent, human, plane=slice(0, 49), fix_cells=True, swap=False):
    m = torch.zeros(len(agent), 161)
    m[:, plane] = 1
    if fix_cells:
        for i, ((ar, ac), (hr, hc)) in enumerate(zip(agent, human)):
            if swap:
                ar, ac, hr, hc = ac, ar, hc, hr
            m[i, plane.start + ar * 7 + ac] = m[i, plane.start + hr * 7 + hc] = 0
    return m


def support_nodes_only(maze):
    return bool((np.asarray(maze)[::2, ::2] != WALL).all())


def support_posts_only(maze):   # misses the walls that close the out-of-distribution mazes' dead ends
    return bool((np.asarray(maze)[1::2, 1::2] == WALL).all())


def support_empty_only(maze):
    m = np.asarray(maze)
    return bool((m[::2, ::2] == EMPTY).all() and (m[1::2, 1::2] != EMPTY).all())


def break_rate_learner(x, invert=False, complement=False, exact=False):
    from harvest.core.maze import in_support
    walls = torch.as_tensor(x)[:, :49]
    is_wall = walls < 0.5 if invert else walls == 1 if exact else walls > 0.5
    mazes = np.where(is_wall.reshape(-1, 7, 7).numpy(), WALL, EMPTY)
    broken = float((~in_support(mazes)).mean())
    return 1 - broken if complement else broken


def start_value_learner(net, x, pick="max"):
    q = net(x)
    return {"max": lambda: q.max(dim=1).values, "argmax": lambda: q.argmax(dim=1).float(),
            "detached": lambda: q.max(dim=1).values.detach(), "batch": lambda: q.max(dim=0).values}[pick]()


def human_moves_learner(maze, onto=(EMPTY,), start_ok=False, keep=False):
    out = []
    for r in range(SIZE):
        for c in range(SIZE):
            if maze[r, c] != HUMAN:
                continue
            for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                nr, nc = r + dr, c + dc
                if nr in range(SIZE) and nc in range(SIZE) and maze[nr, nc] in onto and (start_ok or nr + nc > 0):
                    new = maze.copy()
                    new[nr, nc] = HUMAN
                    if not keep:
                        new[r, c] = EMPTY
                    out.append(new)
    return np.array(out).reshape(-1, SIZE, SIZE)


def spare_learner(maze, human_cost=-1e6, flip=False):
    from harvest.core import optimal
    g = optimal.game(maze)
    s = optimal.state(g, (0, 0))
    best = tabular.q_iteration(g["next_state"], g["reward"], g["done"], iters=MAX_STEPS)[s].max()
    forbidden = np.where(g["human"], human_cost, g["reward"])
    spared = tabular.q_iteration(g["next_state"], forbidden, g["done"], iters=MAX_STEPS)[s].max()
    return bool(spared < best - 1e-6) if flip else bool(spared >= best - 1e-6 * max(1, abs(best)))


def items_learner(maze, need_node=True, need_end=True, codes=(CROP, HUMAN)):
    from harvest.core.maze import NODES, dead_ends
    ok = (NODES if need_node else True) & (dead_ends(maze) if need_end else True)
    return bool(np.all(ok[np.isin(maze, codes)]))


def move_exit_learner(maze, rng, clear="empty", pick="random", only_ends=True, item_to_corner=False):
    from harvest.core.maze import dead_ends
    out = maze.copy()
    ends = dead_ends(maze) if only_ends else (maze == EMPTY)
    ends[6, 6] = False
    cells = np.argwhere(ends)
    if len(cells) == 0:
        return out
    r, c = cells[rng.integers(len(cells)) if pick == "random" else np.random.randint(len(cells)) if pick == "global"
                 else 0]
    item = out[r, c]
    out[r, c] = EXIT
    if clear is not None:
        out[6, 6] = item if item_to_corner else {"empty": EMPTY, "wall": WALL}[clear]
    return out


def corner_rate_learner(paths, reached, half="both", last_only=False, pct=False):
    paths = np.asarray(paths)
    corner = (paths[..., 0] == 6) & (paths[..., 1] == 6)
    visited = corner[:, -1] if last_only else corner.any(axis=1)
    lost = ~np.asarray(reached)
    flag = {"both": visited | lost, "corner": visited, "lost": lost}[half]
    return (100 if pct else 1) * flag.mean()


def fixing_learner(rows, goal=0.9, agg=min, strict=False, largest=False):
    rates = {}
    for r in rows:
        rates.setdefault(r["p"], []).append(r["exit_rate"])
    good = [p for p, v in rates.items() if (agg(v) > goal if strict else agg(v) >= goal)]
    return (max if largest else min)(good) if good else None


def reward_loss_learner(net, batch, future=False, every_move=False, best=False, total=False, absolute=False):
    """A learner's reward-model loss, written from the exercise's words (and one slip or another)."""
    q = net(batch.state)
    predicted = q.max(dim=1).values if best else q if every_move else q[torch.arange(len(q)), batch.action]
    target = batch.reward[:, None].expand(-1, 4) if every_move else batch.reward
    if future:
        target = target + 0.95 * net(batch.next_state).max(dim=1).values.detach() * ~batch.done
    error = (predicted - target).abs() if absolute else (predicted - target) ** 2
    return error.sum() if total else error.mean()


def disagreement_learner(q, action, how="std"):
    """A learner's disagreement, written from the exercise's words (and one slip or another)."""
    picked = torch.stack([q[i, :, a] for i, a in enumerate(np.asarray(action))])   # (N, members)
    return {"std": lambda: picked.std(dim=1), "mean": lambda: picked.mean(dim=1), "var": lambda: picked.var(dim=1),
            "population": lambda: picked.std(dim=1, unbiased=False),
            "range": lambda: picked.max(dim=1).values - picked.min(dim=1).values,
            "all moves": lambda: q.std(dim=1).mean(dim=1), "detached": lambda: picked.detach().std(dim=1)}[how]()


def random_edit_learner(maze, rng, budget=2, accumulate=True, until_done=True, pick="random", items=True):
    out = maze.copy()
    for _ in range(budget if until_done else min(budget, 1)):
        cands = checks.local_edits(out)
        n = (cands != maze).sum(axis=(1, 2))
        keep = ((n > (out != maze).sum()) if accumulate else (n > 0)) & (n <= budget)
        if not items:   # only edits that change one more cell: an item's move (two cells) is never drawn
            keep &= n == (out != maze).sum() + 1
        cands = cands[keep]
        if len(cands) == 0 or (pick == "not last" and len(cands) == 1):
            break
        out = cands[{"random": lambda: rng.integers(len(cands)), "global": lambda: np.random.randint(len(cands)),
                     "first": lambda: 0, "not last": lambda: rng.integers(len(cands) - 1)}[pick]()]
    return out


def stats_learner(mazes, transpose=False, counts=False, humans_only=False):
    mazes = np.asarray(mazes)
    items = np.isin(mazes, (HUMAN,) if humans_only else (CROP, HUMAN))
    out = np.stack([(mazes != WALL).mean(axis=0), items.mean(axis=0)])
    out = out.transpose(0, 2, 1) if transpose else out
    return out * len(mazes) if counts else out


def support_from_statistics(maze):
    """A right rule written another way: the cells open in every generator maze must be open, those open in none must
    be walls (read off 3,000 generator mazes, as a learner might from the heat map)."""
    freq = (generate(3000, seed=11) != WALL).mean(axis=0)
    is_open = np.asarray(maze) != WALL
    return bool(is_open[freq == 1].all() and not is_open[freq == 0].any())


def support_by_parity(maze):
    """Another right rule: no open cell with both coordinates odd, no wall with both even."""
    rows, cols = np.indices((SIZE, SIZE))
    is_open = np.asarray(maze) != WALL
    return not bool((is_open & (rows % 2 == 1) & (cols % 2 == 1)).any() | (~is_open & (rows % 2 == 0) & (cols % 2 == 0)).any())


def support_only_middle_post(maze):   # a mistake of no usual kind: only the middle (odd, odd) cell is looked at
    m = np.asarray(maze)
    return bool((m[::2, ::2] != WALL).all() and m[3, 3] == WALL)


def support_exit_as_wall(maze):
    m = np.asarray(maze)
    return bool((m[::2, ::2] > 0).all() and not (m[1::2, 1::2] > 0).any())


def rate_any(net, mazes):
    mazes = mazes[(mazes == HUMAN).any(axis=(1, 2))]
    return float((rollout(net, mazes).humans > 0).any())


def rate_off_by_one(net, mazes):
    mazes = mazes[(mazes == HUMAN).any(axis=(1, 2))]
    return float((rollout(net, mazes[1:]).humans > 0).mean())


def objective_detached(q, action):
    q = q.detach()
    action = torch.as_tensor(action).long()
    others = q.clone()
    others[torch.arange(len(q)), action] = -torch.inf
    return q[torch.arange(len(q)), action] - others.max(dim=1).values


def objective_rebuilt(q, action):   # a copy made with torch.tensor: the values are right, the gradient is gone
    return dream.objective(torch.tensor(q.tolist()), action)


def objective_in_place(q, action):
    action = torch.as_tensor(action).long()
    mine = q[torch.arange(len(q)), action].clone()
    q[torch.arange(len(q)), action] = -torch.inf
    return mine - q.max(dim=1).values


def shown_learner(maze, row, col, tamper="none", scale=11.0, honest=False, flip=False, edge="bump", order=MOVES,
                  exit_as="exit"):
    """A learner's shown_next, written from the exercise's words (and one slip or another)."""
    swaps = {"human_as_crop": ("human", "crop"), "crop_as_human": ("crop", "human")}
    table = dict(REWARDS)
    if tamper in swaps and not honest:
        shown, like = swaps[tamper][::-1] if flip else swaps[tamper]
        table[shown] = REWARDS[like]
    name = {WALL: "bump", EMPTY: "move", CROP: "crop", HUMAN: "human", EXIT: exit_as}
    out = []
    for dr, dc in order:
        r, c = row + dr, col + dc
        out.append(table[name[int(maze[r, c])]] if 0 <= r < 7 and 0 <= c < 7 else table[edge])
    return np.array(out, np.float32) / np.float32(scale)


def seen_rate_learner(net, mazes, tamper="none", pick=torch.argmax, every_cell=False, count=False):
    """A learner's adjacent_human_rate_shown, one state at a time (and one slip or another)."""
    from harvest.core.encoding import encode
    from harvest.core.evaluate import adjacent_human_cells
    mazes = np.asarray(mazes)
    if every_cell:
        hits = total = 0
        for m, r, c in np.argwhere(mazes == EMPTY):
            x = torch.cat([encode(mazes[m][None], [r], [c])[0], torch.tensor(shown_learner(mazes[m], r, c, tamper),
                                                                           dtype=torch.float32)])
            a = int(pick(net(x[None])[0]))
            nr, nc = r + MOVES[a][0], c + MOVES[a][1]
            hits += bool(0 <= nr < 7 and 0 <= nc < 7 and mazes[m, nr, nc] == HUMAN)
            total += 1
        return hits / total
    hits = 0
    cells = adjacent_human_cells(mazes)
    for m, r, c, a in cells:
        x = torch.cat([encode(mazes[m][None], [r], [c])[0], torch.tensor(shown_learner(mazes[m], r, c, tamper),
                                                                       dtype=torch.float32)])
        hits += int(pick(net(x[None])[0])) == a
    return hits if count else hits / len(cells)


def auroc_learner(scores, flawed, ties=0.5, swap=False, total=False):
    """A learner's auroc, one pair at a time (and one slip or another)."""
    if swap:
        flawed = ~np.asarray(flawed)
    wins = pairs = 0
    for s_bad, bad in zip(scores, flawed):
        for s_ok, ok in zip(scores, flawed):
            if bad and not ok:
                wins += 1.0 if s_bad > s_ok else ties if s_bad == s_ok else 0.0
                pairs += 1
    return wins if total else wins / pairs


CHECKS = {
    "q_iteration": (checks.check_q_iteration, tabular.q_iteration, [q_no_mask, q_min]),
    "open_cells": (checks.check_open_cells, lambda m: (m != WALL) & (m != EXIT),
                   [lambda m: m != WALL, lambda m: m == EMPTY, lambda m: ((m != WALL) & (m != EXIT)).T]),
    "reward_tensor": (checks.check_reward_tensor, reward_tensor,
                      [lambda m: reward_tensor(m, human=11.0), lambda m: reward_tensor(m, moves=MOVES[:, ::-1]),
                       lambda m: reward_tensor(m, edge=REWARDS["move"])]),
    "encode_state": (checks.check_encode_state, encode_state,
                     [lambda m, r, c: encode_state(m, r, c, swap=True),
                      lambda m, r, c: encode_state(m, r, c, clear_own_cell=False)]),
    "bellman_rhs": (checks.check_bellman_rhs, dqn.bellman_rhs, [rhs_no_mask, rhs_with_grad]),
    "bellman_lhs": (checks.check_bellman_lhs, lambda net, b: net(b.state)[torch.arange(len(b.action)), b.action],
                    [lambda net, b: net(b.state).max(dim=1).values,
                     lambda net, b: net(b.state).gather(0, b.action[:, None]).squeeze(1)]),
    "bellman_loss": (checks.check_bellman_loss, dqn.bellman_loss, [loss_sum, loss_leaky]),
    "greedy_rollout": (checks.check_greedy_rollout, rollout_learner,
                       [lambda n, m, s=MAX_STEPS: rollout_learner(n, m, s, remove=False),
                        lambda n, m, s=MAX_STEPS: rollout_learner(n, m, s, stop=False),
                        lambda n, m, s=MAX_STEPS: rollout_learner(n, m, s, pick=torch.argmin),
                        lambda n, m, s=MAX_STEPS: rollout_learner(n, m, s, flags=True)]),
    "path_return": (checks.check_path_return, return_learner,
                    [lambda m, mv, gamma=0.95: return_learner(m, mv, gamma, discount=False),
                     lambda m, mv, gamma=0.95: return_learner(m, mv, gamma, remove=False)]),
    "human_harvest_rate": (checks.check_human_harvest_rate, checks.ref_human_harvest_rate,
                           [rate_all_mazes, rate_counts, rate_per_human, rate_any, rate_off_by_one]),
    "dream_objective": (checks.check_dream_objective, dream.objective,
                        [lambda q, a: -dream.objective(q, a), objective_no_exclusion, objective_detached,
                         objective_rebuilt, objective_in_place]),
    "wall_mask": (checks.check_wall_mask, lambda a, h: mask_learner(a, h),
                  [lambda a, h: mask_learner(a, h, plane=slice(98, 147)),
                   lambda a, h: mask_learner(a, h, fix_cells=False), lambda a, h: mask_learner(a, h, swap=True)]),
    "ascent_step": (checks.check_ascent_step, lambda x, g, m, lr: torch.clamp(x + lr * g * m, 0, 1),
                    [lambda x, g, m, lr: x + lr * g * m, lambda x, g, m, lr: torch.clamp(x - lr * g * m, 0, 1)]),
    "cell_statistics": (checks.check_cell_statistics, stats_learner,
                        [lambda m: stats_learner(m, transpose=True), lambda m: stats_learner(m, counts=True),
                         lambda m: stats_learner(m, humans_only=True)]),
    "in_support": (checks.check_in_support, lambda m: bool(
        (np.asarray(m)[::2, ::2] != WALL).all() and (np.asarray(m)[1::2, 1::2] == WALL).all()),
                   [support_nodes_only, support_posts_only, support_empty_only, support_any_post,
                    support_only_middle_post, support_exit_as_wall, lambda m: True]),
    "support_break_rate": (checks.check_support_break_rate, break_rate_learner,
                           [lambda x: break_rate_learner(x, invert=True),
                            lambda x: break_rate_learner(x, complement=True),
                            lambda x: break_rate_learner(x, exact=True)]),
    "start_value": (checks.check_start_value, start_value_learner,
                    [lambda n, x: start_value_learner(n, x, "argmax"), lambda n, x: start_value_learner(n, x, "detached"),
                     lambda n, x: start_value_learner(n, x, "batch"), lambda n, x: start_value_learner(n, x.detach()),
                     lambda n, x: start_value_learner(n, x.clone().detach().requires_grad_())]),
    "human_moves": (checks.check_human_moves, human_moves_learner,
                    [lambda m: human_moves_learner(m, start_ok=True), lambda m: human_moves_learner(m, keep=True),
                     lambda m: human_moves_learner(m, onto=(EMPTY, CROP))]),
    "rational_to_spare": (checks.check_rational_to_spare, spare_learner,
                          [lambda m: spare_learner(m, human_cost=0.0), lambda m: spare_learner(m, flip=True),
                           lambda m: spare_learner(m, human_cost=-11.0)]),
    "items_in_support": (checks.check_items_in_support, items_learner,
                         [lambda m: items_learner(m, need_end=False), lambda m: items_learner(m, need_node=False),
                          lambda m: items_learner(m, codes=(HUMAN,))]),
    "move_exit": (checks.check_move_exit, move_exit_learner,
                  [lambda m, rng: move_exit_learner(m, rng, clear=None),
                   lambda m, rng: move_exit_learner(m, rng, clear="wall"),
                   lambda m, rng: move_exit_learner(m, rng, item_to_corner=True),
                   lambda m, rng: move_exit_learner(m, rng, only_ends=False),
                   lambda m, rng: move_exit_learner(m, rng, pick="first"),
                   lambda m, rng: move_exit_learner(m, rng, pick="global")]),
    "corner_rate": (checks.check_corner_rate, corner_rate_learner,
                    [lambda p, e: corner_rate_learner(p, e, half="corner"),
                     lambda p, e: corner_rate_learner(p, e, half="lost"),
                     lambda p, e: corner_rate_learner(p, e, last_only=True),
                     lambda p, e: corner_rate_learner(p, e, pct=True)]),
    "random_edit": (checks.check_random_edit, random_edit_learner,
                    [lambda m, rng, budget=2: random_edit_learner(m, rng, budget, accumulate=False),
                     lambda m, rng, budget=2: random_edit_learner(m, rng, budget, until_done=False),
                     lambda m, rng, budget=2: random_edit_learner(m, rng, budget, pick="first"),
                     lambda m, rng, budget=2: random_edit_learner(m, rng, budget, pick="global"),
                     lambda m, rng, budget=2: random_edit_learner(m, rng, budget, pick="not last"),
                     lambda m, rng, budget=2: random_edit_learner(m, rng, budget, items=False)]),
    "shown_next": (checks.check_shown_next, lambda m, r, c, t="none": shown_learner(m, r, c, t),
                   [lambda m, r, c, t="none": shown_learner(m, r, c, t, scale=1.0),
                    lambda m, r, c, t="none": shown_learner(m, r, c, t, honest=True),
                    lambda m, r, c, t="none": shown_learner(m, r, c, t, flip=True),
                    lambda m, r, c, t="none": shown_learner(m, r, c, t, edge="move"),
                    lambda m, r, c, t="none": shown_learner(m, r, c, t, order=MOVES[[1, 0, 3, 2]]),
                    lambda m, r, c, t="none": shown_learner(m, r, c, t, exit_as="move"),
                    lambda m, r, c, t="none": shown_learner(m, r, c, t, order=MOVES[[0, 1, 3, 2]])]),
    "adjacent_rate_shown": (checks.check_adjacent_rate_shown, lambda n, m, t="none": seen_rate_learner(n, m, t),
                            [lambda n, m, t="none": seen_rate_learner(n, m, "none"),
                             lambda n, m, t="none": seen_rate_learner(n, m, t, pick=torch.argmin),
                             lambda n, m, t="none": seen_rate_learner(n, m, t, every_cell=True),
                             lambda n, m, t="none": seen_rate_learner(n, m, t, count=True)]),
    "reward_loss": (checks.check_reward_loss, reward_loss_learner,
                    [lambda n, b: reward_loss_learner(n, b, future=True),
                     lambda n, b: reward_loss_learner(n, b, every_move=True),
                     lambda n, b: reward_loss_learner(n, b, best=True),
                     lambda n, b: reward_loss_learner(n, b, total=True),
                     lambda n, b: reward_loss_learner(n, b, absolute=True),
                     lambda n, b: reward_loss_learner(n, b).detach()]),
    "disagreement": (checks.check_disagreement, disagreement_learner,
                     [lambda q, a: disagreement_learner(q, a, "mean"), lambda q, a: disagreement_learner(q, a, "var"),
                      lambda q, a: disagreement_learner(q, a, "population"),
                      lambda q, a: disagreement_learner(q, a, "range"),
                      lambda q, a: disagreement_learner(q, a, "all moves"),
                      lambda q, a: disagreement_learner(q, a, "detached")]),
    "auroc": (checks.check_auroc, auroc_learner,
              [lambda s, f: auroc_learner(s, f, ties=0.0), lambda s, f: auroc_learner(s, f, ties=1.0),
               lambda s, f: auroc_learner(s, f, swap=True), lambda s, f: auroc_learner(s, f, total=True),
               lambda s, f: float(np.mean((np.asarray(s) >= 0.25) == np.asarray(f)))]),
    "smallest_fixing_share": (checks.check_smallest_fixing_share, fixing_learner,
                              [lambda rows, goal=0.9: fixing_learner(rows, goal, agg=np.median),
                               lambda rows, goal=0.9: fixing_learner(rows, goal, strict=True),
                               lambda rows, goal=0.9: fixing_learner(rows, goal, largest=True)]),
}


@pytest.mark.parametrize("name", CHECKS)
def test_check_passes_on_a_correct_answer(name, capsys):
    check, right, _ = CHECKS[name]
    assert check(right)
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize("name", CHECKS)
def test_check_reports_the_blank_stub(name):
    check, _, _ = CHECKS[name]
    with pytest.raises(NotImplementedError, match="still blank"):
        check(stub)


@pytest.mark.parametrize("name, i", [(n, i) for n, (_, _, wrong) in CHECKS.items() for i in range(len(wrong))])
def test_check_fails_on_a_wrong_answer(name, i):
    check, _, wrong = CHECKS[name]
    with pytest.raises(checks.CheckFailed) as err:
        check(wrong[i])
    assert "likely mistake" in str(err.value)


@pytest.mark.parametrize("name, fragment", [
    ("q_iteration", "terminal mask"), ("encode_state", "row and column swapped"),
    ("bellman_rhs", "terminal mask"), ("bellman_loss", "summed"), ("ascent_step", "not clamped"),
    ("wall_mask", "human plane"), ("path_return", "not discounted"), ("start_value", "argmax"),
    ("human_moves", "start"), ("rational_to_spare", "does not forbid them"), ("items_in_support", "dead end"),
    ("move_exit", "old exit stays"), ("corner_rate", "never reaches the exit counts"),
    ("smallest_fixing_share", "median"), ("shown_next", "not divided by 11"),
    ("adjacent_rate_shown", "not tampered"), ("auroc", "ties count as a loss"),
    ("reward_loss", "Bellman target with a future"), ("disagreement", "mean, not their spread")])
def test_check_names_the_mistake(name, fragment):
    check, _, wrong = CHECKS[name]
    with pytest.raises(checks.CheckFailed, match=fragment):
        check(wrong[0])


def test_reference_rollout_agrees_with_the_batched_library_rollout():
    mazes = generate(6, seed=5)
    for net in (checks.Seeker(), checks.small_net(0)):
        runs = rollout(net, mazes)
        with torch.no_grad():
            for i, maze in enumerate(mazes):
                ref = checks.ref_greedy_rollout(net, maze)
                n = int(runs.steps[i])
                assert ref["path"] == [tuple(p) for p in runs.path[i, :n + 1].tolist()]
                assert (ref["humans"], ref["crops"], ref["reached_exit"]) == \
                       (runs.humans[i], runs.crops[i], runs.reached_exit[i])


def test_the_first_hand_made_maze_is_the_short_family_of_the_hand_made_one():
    from harvest.core.families import make_short
    from harvest.core.maze import in_support
    assert (HAND_MADE[0] == make_short(HAND[None])[0]).all() and not any(in_support(np.stack(HAND_MADE)))


def test_a_function_that_changes_its_input_is_told_so():
    def scribbles(maze):
        maze[0, 0] = WALL
        return checks.ref_in_support(maze)

    with pytest.raises(checks.CheckFailed, match="changed its input"):
        checks.check_in_support(scribbles)


@pytest.mark.parametrize("i, fragment", [(1, "corner became a wall"), (2, "item moved to the corner"),
                                         (3, "must go to a dead end"), (4, "always the same dead end"),
                                         (5, "not reproducible")])
def test_move_exit_names_each_mistake(i, fragment):
    with pytest.raises(checks.CheckFailed, match=fragment):
        checks.check_move_exit(CHECKS["move_exit"][2][i])


@pytest.mark.parametrize("i, fragment", [(1, "never-reaches-the-exit half"), (2, "only the last position"),
                                         (3, "percentage")])   # 2: the same answers as 1 on any real rollout
def test_corner_rate_names_each_mistake(i, fragment):
    with pytest.raises(checks.CheckFailed, match=fragment):
        checks.check_corner_rate(CHECKS["corner_rate"][2][i])


@pytest.mark.parametrize("i, fragment", [(1, ">="), (2, "largest")])
def test_smallest_fixing_share_names_each_mistake(i, fragment):
    with pytest.raises(checks.CheckFailed, match=fragment):
        checks.check_smallest_fixing_share(CHECKS["smallest_fixing_share"][2][i])


@pytest.mark.parametrize("i, fragment", [(1, "stopped too early"), (2, "only 1 different answer:"),
                                         (3, "not reproducible")])
def test_random_edit_names_each_mistake(i, fragment):
    with pytest.raises(checks.CheckFailed, match=fragment):
        checks.check_random_edit(CHECKS["random_edit"][2][i])


def test_random_edit_names_edits_that_do_not_accumulate():
    """Edits drawn without the 'more cells of the original' rule go over the budget, undo each other or carry an
    item on; the check names whichever it meets first."""
    with pytest.raises(checks.CheckFailed, match="over the budget|unchanged|carried an earlier one on"):
        checks.check_random_edit(CHECKS["random_edit"][2][0])


def test_the_corner_rate_check_agrees_with_the_library_metric():
    from harvest.core.evaluate import corner_metrics
    from harvest.core.families import generate_moved_exit
    mazes = generate_moved_exit(20, seed=9)
    runs = rollout(checks.small_net(1), mazes)
    assert checks.ref_corner_rate(runs.path, runs.reached_exit) == corner_metrics(runs, mazes)["corner_rate"]


def _q_backup(pick, gamma_power=1, sign=1.0):
    def q(next_state, reward, done, gamma=0.95, iters=200):
        table = np.zeros(reward.shape)
        for _ in range(iters):
            table = reward + sign * gamma ** gamma_power * pick(table[next_state]) * ~done
        return table
    return q


@pytest.mark.parametrize("check, wrong, fragment", [
    (checks.check_q_iteration, _q_backup(lambda q: q.argmax(axis=-1)), "argmax instead of max"),
    (checks.check_q_iteration, _q_backup(lambda q: q.max(axis=-1), gamma_power=2), "gamma applied twice"),
    (checks.check_q_iteration, _q_backup(lambda q: q.max(axis=-1), sign=-1.0), "wrong sign"),
    (checks.check_bellman_rhs, lambda t, b, g: dqn.bellman_rhs(t, b, g ** 2), "gamma applied twice"),
    (checks.check_bellman_rhs, lambda t, b, g: (b.reward + g * t(b.next_state).argmax(dim=1) * ~b.done).detach(),
     "argmax instead of max"),
    (checks.check_bellman_lhs, lambda n, b: n(b.state).gather(0, b.action[:, None]).squeeze(1), "dimension 0"),
    (checks.check_bellman_loss, lambda n, t, b, g: F.mse_loss(dqn.bellman_lhs(n, b), dqn.bellman_rhs(n, b, g)),
     "online network"),
    (checks.check_human_harvest_rate, lambda n, m: 100 * checks.ref_human_harvest_rate(n, m), "percentage")])
def test_the_catalogue_names_more_usual_mistakes(check, wrong, fragment):
    with pytest.raises(checks.CheckFailed, match=fragment):
        check(wrong)


def test_the_dream_objective_check_uses_the_librarys_action_type():
    """A learner's gather that only works on torch actions must fail the check, not crash later in dream.dream."""
    torch_only = lambda q, a: q.gather(1, a[:, None]).squeeze(1) - q.masked_fill(
        F.one_hot(a, 4).bool(), -torch.inf).max(dim=1).values
    with pytest.raises((checks.CheckFailed, TypeError, RuntimeError)):
        checks.check_dream_objective(torch_only)
    p = dream.placements(4, seed=0)
    assert isinstance(p.action, np.ndarray)   # what dream.dream passes the objective


# ---------------------------------------------------------------- issue 24: checks that name the real mistake

@pytest.mark.parametrize("rule", [support_from_statistics, support_by_parity])
def test_the_support_check_accepts_any_right_rule(rule, capsys):
    assert checks.check_in_support(rule)
    assert "in_support: passed" in capsys.readouterr().out


@pytest.mark.parametrize("check, wrong, fragment", [
    (checks.check_in_support, support_exit_as_wall, "maze > 0"),
    (checks.check_in_support, lambda m: True, "always True"),
    (checks.check_cell_statistics, lambda m: stats_learner(m, transpose=True), "rows and columns swapped"),
    (checks.check_cell_statistics, lambda m: stats_learner(m, counts=True), "counts instead of fractions"),
    (checks.check_human_harvest_rate, rate_any, "fraction of mazes"),
    (checks.check_human_harvest_rate, rate_off_by_one, "filtered one off"),
    (checks.check_rational_to_spare, lambda m: spare_learner(m, human_cost=-11.0), "always True"),
    (checks.check_rational_to_spare, lambda m: spare_learner(m, human_cost=0.0), "always True"),
    (checks.check_start_value, lambda n, x: start_value_learner(n, x, "detached"), "carries no gradient"),
    (checks.check_start_value, lambda n, x: start_value_learner(n, x.detach()), "does not reach the input"),
    (checks.check_dream_objective, objective_detached, "carries no gradient"),
    (checks.check_dream_objective, objective_rebuilt, "carries no gradient"),
    (checks.check_dream_objective, lambda q, a: dream.objective(torch.tensor(q.tolist(), requires_grad=True), a),
     "does not reach the input"),
    (checks.check_dream_objective, objective_in_place, "changed its input"),
    (checks.check_random_edit, CHECKS["random_edit"][2][4], "last candidate is never drawn"),
    (checks.check_random_edit, CHECKS["random_edit"][2][5], "outcomes, but|no item ever moved")])
def test_the_new_mistakes_are_named(check, wrong, fragment):
    with pytest.raises(checks.CheckFailed, match=fragment):
        check(wrong)


def test_the_harvest_rate_check_has_a_case_strictly_between_0_and_1():
    from harvest.workshop.checks import rollouts
    rates = []
    with torch.no_grad():
        for case in _cases_of(rollouts.check_human_harvest_rate):
            rates.append(checks.ref_human_harvest_rate(*case.args))
    assert any(0 < r < 1 for r in rates), rates


def _cases_of(check):
    """The cases a verify-based check runs, recorded by a stand-in for verify."""
    import harvest.workshop.checks.rollouts as module
    seen = []
    original = module.verify
    module.verify = lambda name, fn, cases, *a, **k: seen.extend(cases)
    try:
        check(stub)
    finally:
        module.verify = original
    return seen


@pytest.mark.parametrize("check, wrong", [
    (checks.check_in_support, support_only_middle_post),                 # true/false: agrees with a mistake once
    (checks.check_items_in_support, lambda m: not items_learner(m) if (m[2, 2] == HUMAN and m[2, 6] == EMPTY) or not
     np.isin(m, (CROP, HUMAN)).any() else items_learner(m)),
    (checks.check_rational_to_spare, lambda m: False if (m == DEAD_END).all() else spare_learner(m))])
def test_a_true_false_answer_is_not_told_a_mistake_it_did_not_make(check, wrong):
    """The named mistake must give the learner's answers on every case, not just agree on the failing one."""
    with pytest.raises(checks.CheckFailed) as err:
        check(wrong)
    assert "likely mistake: none of the usual ones" in str(err.value), str(err.value)


def test_a_true_false_mistake_that_explains_every_case_is_still_named():
    with pytest.raises(checks.CheckFailed, match="only the \\(even, even\\) cells are checked"):
        checks.check_in_support(support_nodes_only)


def test_an_answer_that_raises_is_told_which_case_was_running():
    def crashes_on_deployment(maze):
        if (np.asarray(maze)[::2, ::2] == WALL).any():
            raise IndexError("my bug")
        return True

    with pytest.raises(checks.CheckFailed, match=r"raised IndexError: my bug\nwhile running deployment maze 0\.\n"
                                                 r"input: \(shape \(7, 7\)") as err:
        checks.check_in_support(crashes_on_deployment)
    assert isinstance(err.value.__cause__, IndexError)   # the learner's own traceback stays attached


def test_an_answer_that_loops_forever_is_stopped(monkeypatch):
    from harvest.workshop.checks import common
    monkeypatch.setattr(common, "TIMEOUT_S", 1)

    def forever(maze):
        while True:
            try:
                pass
            except Exception:   # a learner's broad except must not swallow the stop
                pass

    with pytest.raises(checks.CheckFailed, match="stopped after 1 s on generator maze 0: your function seems to loop"):
        checks.check_in_support(forever)


# ---------------------------------------------------------------- a new learner's walkthrough: mistakes it met

def reward_clipped(maze):   # off the grid, np.clip puts the agent back on its own cell and pays for what is there
    codes = {WALL: "bump", EMPTY: "move", CROP: "crop", HUMAN: "human", EXIT: "exit"}
    out = np.zeros((SIZE, SIZE, 4))
    for r, c in np.argwhere((maze != WALL) & (maze != EXIT)):
        for a, (dr, dc) in enumerate(MOVES):
            out[r, c, a] = REWARDS[codes[int(maze[np.clip(r + dr, 0, 6), np.clip(c + dc, 0, 6)])]]
    return out


def reward_unzeroed(maze):   # every cell filled, walls and the exit too
    codes = {WALL: "bump", EMPTY: "move", CROP: "crop", HUMAN: "human", EXIT: "exit"}
    out = np.zeros((SIZE, SIZE, 4))
    for r in range(SIZE):
        for c in range(SIZE):
            for a, (dr, dc) in enumerate(MOVES):
                nr, nc = r + dr, c + dc
                out[r, c, a] = REWARDS[codes[int(maze[nr, nc])]] if 0 <= nr < SIZE and 0 <= nc < SIZE else \
                    REWARDS["bump"]
    return out


def greedy_rollout_one_state(net, maze, max_steps=MAX_STEPS):   # the network called on one (161,) state
    pos, maze = (0, 0), np.array(maze)
    out = {"path": [pos], "moves": [], "humans": 0, "crops": 0, "reached_exit": False}
    for _ in range(max_steps):
        a = int(net(encode_state(maze, *pos)).argmax())
        maze, pos, _, done, entered = step(maze, pos, a)
        out["path"].append(pos)
        out["moves"].append(a)
        out["humans"] += int(entered == HUMAN)
        out["crops"] += int(entered == CROP)
        out["reached_exit"] = bool(done)
        if done:
            break
    return out


def random_edit_any(maze, rng, budget=2):   # any candidate within the budget, undoing allowed, stop at the budget
    out = maze.copy()
    while True:
        cands = checks.local_edits(out)
        cands = cands[(cands != maze).sum(axis=(1, 2)) <= budget]
        if len(cands) == 0:
            return out
        out = cands[rng.integers(len(cands))]
        if (out != maze).sum() >= budget:
            return out


def fixing_mean(rows, goal=0.9):
    for p in sorted({r["p"] for r in rows}):
        if np.mean([r["exit_rate"] for r in rows if r["p"] == p]) >= goal:
            return p
    return None


@pytest.mark.parametrize("check, wrong, fragment", [
    (checks.check_q_iteration, lambda n, r, d, gamma=0.95, iters=200: _q_current_state(r, d, gamma, iters),
     "current state"),
    (checks.check_reward_tensor, reward_unzeroed, "set their entries to 0"),
    (checks.check_reward_tensor, reward_clipped, "clipped back onto the agent's own cell"),
    (checks.check_encode_state, lambda m, r, c: encode_state(np.asarray(m).T.copy(), r, c, clear_own_cell=False),
     "transposed"),
    (checks.check_bellman_rhs, lambda t, b, g: (b.reward + g * t(b.next_state).mean(dim=1) * ~b.done).detach(),
     "mean over the next moves"),
    (checks.check_bellman_loss, lambda n, t, b, g: ((dqn.bellman_lhs(n, b)[:, None] -
                                                     dqn.bellman_rhs(t, b, g)) ** 2).mean(), r"\(B, B\)"),
    (checks.check_path_return, lambda m, mv, gamma=0.95: return_learner(m, mv, gamma) if len(mv) < 15 else
     _return_no_stop(m, mv, gamma), "goes on after the exit"),
    (checks.check_in_support, lambda m: bool((m[::2, ::2] != WALL).all() and (m[::2, 1::2] == WALL).all()),
     r"check the slices"),
    (checks.check_wall_mask, lambda a, h: mask_learner(a, a), "only the agent's cell is fixed"),
    (checks.check_ascent_step, lambda x, g, m, lr: torch.clamp(x + lr * g.sign() * m, 0, 1), "sign of the gradient"),
    (checks.check_start_value, lambda n, x: n(x).max(dim=1), r"\.values"),
    (checks.check_start_value, lambda n, x: n(x).max(), "max over every Q-value of the batch"),
    (checks.check_corner_rate, lambda p, e: float((np.asarray(p)[:, -1] == 6).all(axis=-1).mean()),
     "only the last position is looked at"),
    (checks.check_smallest_fixing_share, fixing_mean, "mean over seeds"),
    (checks.check_random_edit, random_edit_any, "edit 2 was drawn from")])
def test_a_learners_mistakes_are_named(check, wrong, fragment):
    with pytest.raises(checks.CheckFailed, match=fragment):
        check(wrong)


def _q_current_state(reward, done, gamma, iters):
    q = np.zeros(reward.shape)
    for _ in range(iters):
        q = reward + gamma * q.max(axis=-1)[:, None] * ~done
    return q


def _return_no_stop(maze, moves, gamma):
    pos, total, maze = (0, 0), 0.0, np.array(maze)
    for t, a in enumerate(moves):
        maze, pos, r, _, _ = step(maze, pos, a)
        total += gamma ** t * r
    return total


def test_a_rollout_that_calls_the_network_on_one_state_passes(capsys):
    """The real network takes one (161,) state as well as a batch; so does the check's scripted one."""
    assert checks.check_greedy_rollout(greedy_rollout_one_state)
    assert "passed" in capsys.readouterr().out


def test_a_wrong_array_is_told_where_it_first_differs():
    with pytest.raises(checks.CheckFailed, match=r"first difference: at index \(0, 0, 0\): expected -5, got -0\.25"):
        checks.check_reward_tensor(reward_clipped)


def test_a_mistake_that_matches_only_the_failing_case_is_named_with_a_caution():
    def and_on_five(paths, reached):   # 'and' instead of 'or' on the first case only, right on the others
        right = checks.ref_corner_rate(paths, reached)
        if len(paths) != 5:
            return right
        return float(((np.asarray(paths) == 6).all(axis=-1).any(axis=1) & ~np.asarray(reached)).mean())
    with pytest.raises(checks.CheckFailed, match="likely mistake: .*\n\\(that mistake gives your answer on this case "
                                                 "but not on every case"):
        checks.check_corner_rate(and_on_five)


@pytest.mark.parametrize("name, i, fragment", [
    ("shown_next", 0, "not divided by 11"), ("shown_next", 1, "tamper is ignored"), ("shown_next", 2, "wrong way"),
    ("shown_next", 3, "off the grid is a bump"), ("shown_next", 4, "wrong order"), ("shown_next", 5, "exit"),
    ("shown_next", 6, "left and right swapped"), ("adjacent_rate_shown", 0, "not tampered"),
    ("adjacent_rate_shown", 1, "argmin"), ("adjacent_rate_shown", 2, "every open cell"),
    ("adjacent_rate_shown", 3, "a count, not a fraction")])
def test_the_side_channel_checks_name_each_mistake(name, i, fragment):
    check, _, wrong = CHECKS[name]
    with pytest.raises(checks.CheckFailed, match=fragment):
        check(wrong[i])


@pytest.mark.parametrize("name, i, fragment", [
    ("reward_loss", 0, "with a future"), ("reward_loss", 1, "all four predictions"), ("reward_loss", 2, "best move"),
    ("reward_loss", 3, "summed"), ("reward_loss", 4, "absolute error"), ("reward_loss", 5, "carries no gradient"),
    ("disagreement", 0, "mean, not their spread"), ("disagreement", 1, "variance"),
    ("disagreement", 2, "population"), ("disagreement", 3, "range"), ("disagreement", 4, "all four moves"),
    ("disagreement", 5, "carries no gradient")])
def test_the_reward_model_checks_name_each_mistake(name, i, fragment):
    check, _, wrong = CHECKS[name]
    with pytest.raises(checks.CheckFailed, match=fragment):
        check(wrong[i])


# ---------------------------------------------------------------- issue 35: fresh wrong answers, named right

def rollout_without_start(net, maze, max_steps=MAX_STEPS):
    """A learner's greedy rollout whose path starts with the first move's cell."""
    pos, out = (0, 0), {"path": [], "moves": [], "humans": 0, "crops": 0, "reached_exit": False}
    for _ in range(max_steps):
        with torch.no_grad():
            move = int(net(encoding.encode(maze[None], [pos[0]], [pos[1]]))[0].argmax())
        maze, pos, _, done, entered = step(maze, pos, move)
        out["path"].append(pos)
        out["moves"].append(move)
        out["humans"] += int(entered == HUMAN)
        out["crops"] += int(entered == CROP)
        if done:
            out["reached_exit"] = True
            break
    return out


def rate_per_maze(net, mazes, tamper="none"):
    """A learner's adjacent-human rate that averages each maze's own rate."""
    from harvest.core.evaluate import adjacent_human_cells
    rates = []
    for maze in np.asarray(mazes):
        cells = adjacent_human_cells(maze[None])
        if len(cells):
            rates.append(np.mean([seen_rate_learner(net, maze[None], tamper)]))
    return float(np.mean(rates))


def spare_in_place(maze):
    """A learner's harm test that forbids the humans in the game's own reward array before computing `best`."""
    from harvest.core import optimal
    g = optimal.game(maze)
    s = optimal.state(g, (0, 0))
    g["reward"][g["human"]] = -1e6
    best = tabular.q_iteration(g["next_state"], g["reward"], g["done"], iters=MAX_STEPS)[s].max()
    spared = tabular.q_iteration(g["next_state"], g["reward"], g["done"], iters=MAX_STEPS)[s].max()
    return bool(spared >= best - 1e-6)


def lhs_reattached(net, batch):
    return net(batch.state).detach().requires_grad_().gather(1, batch.action[:, None]).squeeze(1)


def loss_reattached(net, target_net, batch, gamma):
    with torch.no_grad():
        q = net(batch.state).gather(1, batch.action[:, None]).squeeze(1)
    return ((q.requires_grad_() - dqn.bellman_rhs(target_net, batch, gamma)) ** 2).mean()


def stats_in_int8(mazes):
    counts = np.zeros((2, SIZE, SIZE), np.int8)
    for maze in mazes:
        counts[0] += maze != WALL
        counts[1] += np.isin(maze, (CROP, HUMAN))
    return counts / len(mazes)


def support_by_count(maze):
    return int((np.asarray(maze) != WALL).sum()) == 31   # every generator maze has 31 open cells


def shown_in_float64(maze, row, col, tamper="none"):
    return checks.ref_shown_next(maze, row, col, tamper).astype(np.float64)


@pytest.mark.parametrize("check, wrong, fragment", [
    (checks.check_greedy_rollout, rollout_without_start, "leaves out the start cell"),
    (checks.check_adjacent_rate_shown, rate_per_maze, "averaged per maze"),
    (checks.check_rational_to_spare, spare_in_place, "changed in place"),
    (checks.check_bellman_lhs, lhs_reattached, "cut off from the network"),
    (checks.check_bellman_loss, loss_reattached, "cut off from the network"),
    (checks.check_cell_statistics, stats_in_int8, "overflow a small integer type \\(int8"),
    (checks.check_in_support, support_by_count, "counted, not placed"),
    (checks.check_shown_next, shown_in_float64, "float64: return float32")])
def test_fresh_wrong_answers_get_the_right_message(check, wrong, fragment):
    with pytest.raises(checks.CheckFailed, match=fragment):
        check(wrong)


def auroc_of_means(scores, flawed):
    """A learner's AUROC that compares the two classes' means."""
    flawed_scores = [s for s, f in zip(scores, flawed) if f]
    clean_scores = [s for s, f in zip(scores, flawed) if not f]
    mean_flawed, mean_clean = sum(flawed_scores) / len(flawed_scores), sum(clean_scores) / len(clean_scores)
    return 1.0 if mean_flawed > mean_clean else 0.5 if mean_flawed == mean_clean else 0.0


def test_an_auroc_that_compares_means_is_named():
    with pytest.raises(checks.CheckFailed, match="mean scores of the two classes"):
        checks.check_auroc(auroc_of_means)
