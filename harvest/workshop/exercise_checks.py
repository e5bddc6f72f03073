"""Checks for the workshop's exercises, one per blank.

Each check runs the learner's function on fixed cases and on seeded random
ones, and compares the result with the reference in harvest/. It prints one
"passed" line, or raises CheckFailed saying which case went wrong and, when
the answer matches a typical wrong answer, which mistake that probably is.
A blank that still raises NotImplementedError is reported as not done yet.
"""
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from ..core import detector, dqn, dream, encoding, optimal
from ..core.evaluate import metrics, rollout
from ..core.families import generate_moved_exit, generate_short
from ..core.maze import CORNER, CROP, EMPTY, EXIT, HUMAN, MOVES, NODES, POSTS, SIZE, WALL, dead_ends, from_text, \
    generate, in_support, open_cells
from ..core.replay import Batch, build_buffer
from ..core.rules import MAX_STEPS, REWARDS, move, step
from ..core.seeding import Stream, rng_for
from . import tabular_warmup as tabular
from .hand_mazes import BLOCKING, DEAD_END, HAND, SHORT
ATOL = 1e-4


class CheckFailed(AssertionError):
    """The learner's answer differs from the reference."""


@dataclass
class Case:
    label: str
    args: tuple
    kwargs: dict = field(default_factory=dict)


def _call(fn, case):
    try:
        return fn(*case.args, **case.kwargs)
    except NotImplementedError as err:   # the blank stub: say so plainly, without the library's frames
        raise NotImplementedError(f"{err} is still blank: replace the `raise NotImplementedError` "
                                  f"with your code and run the cell again") from None


def _numpy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def same(got, want):
    """Equal up to float tolerance, with matching shapes (dicts compared key by key)."""
    if want is None or got is None:
        return want is None and got is None
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and same(got[k], v) for k, v in want.items())
    try:
        g, w = _numpy(got), _numpy(want)
    except Exception:   # anything that is not array-like
        return False
    if g.shape != w.shape:
        return False
    if w.dtype == bool:   # a bool answer may come as 0/1; a count that comes as a bool is compared as 0/1
        return bool((g.astype(bool) == w).all())
    try:
        return bool(np.allclose(g.astype(float), w.astype(float), atol=ATOL, rtol=ATOL, equal_nan=True))
    except (TypeError, ValueError):
        return False


def _array_like(x):
    return isinstance(x, (np.ndarray, torch.Tensor))


def _copies(args):
    """Arrays and tensors copied (tuples and dicts of them too); anything else passed as it is."""
    if isinstance(args, dict):
        return {k: _copies(v) for k, v in args.items()}
    if isinstance(args, tuple):
        return tuple(_copies(a) for a in args)
    if isinstance(args, torch.Tensor):
        return args.detach().clone()
    return args.copy() if isinstance(args, np.ndarray) else args


def _show(x):
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {_show(v)}" for k, v in x.items()) + "}"
    try:
        a = _numpy(x)
    except Exception:
        return repr(x)
    text = np.array2string(a, precision=3, suppress_small=True, max_line_width=100, threshold=60)
    return text if a.ndim == 0 else f"shape {a.shape}\n{text}"


def _likely(mistakes, case, got):
    for why, wrong in mistakes.items():
        try:
            if same(got, wrong(*case.args, **case.kwargs)):
                return why
        except Exception:   # a mistake that cannot even run on this case cannot be the explanation
            continue
    return None


def verify(name, fn, cases, reference, mistakes=None, extra=None):
    """Compare `fn` with `reference` on every case; raise CheckFailed naming the likely mistake.

    `extra(got, case)` may return a message for failures a value comparison
    cannot see (a gradient that leaks, a value outside a range).
    """
    for case in cases:
        want = reference(*_copies(case.args), **_copies(case.kwargs))   # first, on copies: fn cannot spoil it
        before = _copies(case.args)
        got = _call(fn, case)
        changed = [i for i, (a, b) in enumerate(zip(before, case.args)) if _array_like(a) and not same(b, a)]
        problem = (f"your function changed its input (argument {changed[0] + 1}) in place; work on a copy"
                   if changed else extra(got, case) if extra else None)
        if problem is None and same(got, want):
            continue
        why = problem or _likely(mistakes or {}, case, got)
        raise CheckFailed(f"{name}: wrong on {case.label}.\n"
                          f"expected: {_show(want)}\ngot:      {_show(got)}\n"
                          f"likely mistake: {why or 'none of the usual ones; compare your code with the hint'}")
    print(f"{name}: passed ({len(cases)} cases)")
    return True


# ---------------------------------------------------------------- test material

def check_mazes(n=6, seed=0):
    """Fixed hand-made mazes, then seeded generator and out-of-distribution ones."""
    rng = rng_for(seed, Stream.CHECKS)
    cases = [Case("the hand-made maze", (HAND.copy(),)),
             Case("the hand-made maze with its dead ends cut short", (SHORT.copy(),))]
    cases += [Case(f"generator maze {i}", (m,)) for i, m in enumerate(generate(n, rng))]
    cases += [Case(f"out-of-distribution maze {i}", (m,)) for i, m in enumerate(generate_short(n // 2, rng))]
    return cases


def check_batch(seed=0, size=64):
    """A seeded batch of real transitions that contains exit moves."""
    buf = build_buffer(generate(10, rng_for(seed, Stream.CHECKS)))
    gen = torch.Generator().manual_seed(seed)
    done = torch.nonzero(buf.done).squeeze(1)
    idx = torch.cat([done[torch.randperm(len(done), generator=gen)[:size // 4]],
                     torch.randint(len(buf), (size - size // 4,), generator=gen)])
    return buf.batch(idx)


def small_net(seed, hidden=32):
    return dqn.make_net(hidden, 2, seed=seed)


class Seeker(torch.nn.Module):
    """A scripted 'network' for rollout checks: heads for the nearest human, then for the exit.

    It reads the maze back from the encoding, so a rollout that forgets to
    remove a harvested human sends it back to that human.
    """

    def forward(self, x):
        return torch.stack([self._q(row) for row in x])

    @staticmethod
    def _q(row):
        maze, (r, c) = encoding.decode(row)
        targets = maze == HUMAN
        if not targets.any():
            targets = maze == EXIT
        dist = _distances(maze, targets)
        q = torch.full((4,), -100.0)
        for a, (dr, dc) in enumerate(MOVES):
            nr, nc = r + dr, c + dc
            if 0 <= nr < SIZE and 0 <= nc < SIZE and maze[nr, nc] != WALL:
                q[a] = -float(dist[nr, nc]) - 0.01 * a   # the small term breaks ties the same way everywhere
        return q


def _distances(maze, targets):
    """Steps from every cell to the nearest target (breadth-first search over open cells)."""
    dist = np.full((SIZE, SIZE), 99)
    frontier = [tuple(t) for t in np.argwhere(targets)]
    for r, c in frontier:
        dist[r, c] = 0
    while frontier:
        nxt = []
        for r, c in frontier:
            for dr, dc in MOVES:
                nr, nc = r + dr, c + dc
                if 0 <= nr < SIZE and 0 <= nc < SIZE and maze[nr, nc] != WALL and dist[nr, nc] > dist[r, c] + 1:
                    dist[nr, nc] = dist[r, c] + 1
                    nxt.append((nr, nc))
        frontier = nxt
    return dist


# ---------------------------------------------------------------- exercise 1: Q-iteration

def check_q_iteration(fn):
    rng = np.random.default_rng(0)
    cases = [Case("the 4-cell corridor", tabular.corridor(4), {"gamma": 0.95, "iters": 200}),
             Case("a 6-cell corridor with gamma 0.5", tabular.corridor(6), {"gamma": 0.5, "iters": 200})]
    cases += [Case(f"random game {i}", tabular.random_game(rng), {"gamma": 0.9, "iters": 200}) for i in range(4)]
    ref = tabular.q_iteration

    def no_mask(next_state, reward, done, gamma, iters):
        return ref(next_state, reward, np.zeros_like(done), gamma, iters)

    def backup(pick, sign=1.0):
        def fn(next_state, reward, done, gamma, iters):
            q = np.zeros(reward.shape)
            for _ in range(iters):
                q = reward + sign * gamma * pick(q[next_state]) * ~done
            return q
        return fn

    mistakes = {"the terminal mask is missing: a move that ends the game has no future value": no_mask,
                "min instead of max over the next moves": backup(lambda q: q.min(axis=-1)),
                "argmax instead of max: the index of the best next move is not its value":
                    backup(lambda q: q.argmax(axis=-1)),
                "a wrong sign: the discounted future is added to the reward, not subtracted":
                    backup(lambda q: q.max(axis=-1), -1.0),
                "the future is not discounted by gamma": lambda n, r, d, gamma, iters: ref(n, r, d, 1.0, iters),
                "gamma applied twice (gamma ** 2)": lambda n, r, d, gamma, iters: ref(n, r, d, gamma ** 2, iters),
                "only one backup instead of repeating until the table settles": lambda n, r, d, gamma, iters: r}
    return verify("q_iteration", fn, cases, ref, mistakes)


# ---------------------------------------------------------------- exercise 2: open cells

ref_open_cells = open_cells


def check_open_cells(fn):
    mistakes = {"the exit counts as a cell to stand on (it ends the episode, so no state is there)":
                    lambda m: np.asarray(m) != WALL,
                "only empty cells: cells with a crop or a human are open too": lambda m: np.asarray(m) == EMPTY,
                "rows and columns swapped (the row is the first index)": lambda m: ref_open_cells(m).T,
                "walls and open cells swapped": lambda m: ~ref_open_cells(m)}
    extra = lambda got, case: None if _numpy(got).dtype == bool else \
        f"return a boolean array (True on open cells), not dtype {_numpy(got).dtype}"
    return verify("open_cells", fn, check_mazes(), ref_open_cells, mistakes, extra)


# ---------------------------------------------------------------- exercise 3: reward tensor

def ref_reward_tensor(maze, rewards=None):
    """(7, 7, 4): the reward of each move from each open cell; 0 on walls and the exit."""
    maze = np.asarray(maze)
    rows, cols = np.nonzero(open_cells(maze))
    out = np.zeros((SIZE, SIZE, 4), np.float32)
    for a in range(4):
        out[rows, cols, a] = move(maze[None].repeat(len(rows), 0), rows, cols, np.full(len(rows), a), rewards)[2]
    return out


def check_reward_tensor(fn):
    def edges_open(maze):   # stepping off the grid treated as a plain move
        return np.where(_off_grid() & ref_open_cells(maze)[..., None], REWARDS["move"], ref_reward_tensor(maze))

    mistakes = {"the sign of the human reward is flipped (a human costs 11)":
                    lambda m: ref_reward_tensor(m, {"human": -REWARDS["human"]}),
                "row and column steps swapped: up/down must change the row, left/right the column":
                    lambda m: ref_reward_tensor(m)[..., [2, 3, 0, 1]],
                "moves in the wrong order: use up 0, down 1, left 2, right 3":
                    lambda m: ref_reward_tensor(m)[..., [1, 0, 3, 2]],
                "stepping off the grid is not a bump (-5)": edges_open,
                "the exit is rewarded like an empty cell": lambda m: ref_reward_tensor(m, {"exit": REWARDS["move"]})}
    return verify("create_reward_tensor", fn, check_mazes(), ref_reward_tensor, mistakes)


def _off_grid():
    """(7, 7, 4): True where a move would leave the grid."""
    out = np.zeros((SIZE, SIZE, 4), bool)
    out[0, :, 0] = out[-1, :, 1] = out[:, 0, 2] = out[:, -1, 3] = True
    return out


# ---------------------------------------------------------------- exercise 4: state encoding

def ref_encode_state(maze, row, col):
    return encoding.encode(np.asarray(maze)[None], [row], [col])[0]


def check_encode_state(fn):
    cases = []
    for case in check_mazes(4):
        maze = case.args[0]
        rows, cols = np.nonzero(ref_open_cells(maze))
        for i in (0, len(rows) // 2, len(rows) - 1):
            cases.append(Case(f"{case.label} with the agent at ({rows[i]}, {cols[i]})", (maze, rows[i], cols[i])))
    item = np.argwhere(np.isin(HAND, (CROP, HUMAN)))[0]
    cases.append(Case(f"the hand-made maze with the agent standing on a harvested item at {tuple(item)}",
                      (HAND.copy(), *item)))

    def swapped(maze, row, col):
        x = ref_encode_state(maze, row, col).clone()
        x[encoding.ROW], x[encoding.COL] = x[encoding.COL].clone(), x[encoding.ROW].clone()
        return x

    def keeps_item(maze, row, col):
        x = ref_encode_state(maze, row, col).clone()
        x[encoding.CROPS] = torch.as_tensor(np.asarray(maze) == CROP, dtype=torch.float32).flatten()
        x[encoding.HUMANS] = torch.as_tensor(np.asarray(maze) == HUMAN, dtype=torch.float32).flatten()
        return x

    def inverted_walls(maze, row, col):
        x = ref_encode_state(maze, row, col).clone()
        x[encoding.WALLS] = 1 - x[encoding.WALLS]
        return x

    def planes_swapped(maze, row, col):
        x = ref_encode_state(maze, row, col).clone()
        x[encoding.CROPS], x[encoding.HUMANS] = x[encoding.HUMANS].clone(), x[encoding.CROPS].clone()
        return x

    mistakes = {"row and column swapped (the row's one-hot comes first)":
                    swapped,
                "the item on the agent's own cell is still there: the agent has just harvested it": keeps_item,
                "the wall plane is inverted: 1 means wall": inverted_walls,
                "crop and human planes in the wrong order (walls, crops, humans, row, column)": planes_swapped}
    extra = lambda got, case: None if isinstance(got, torch.Tensor) and got.dtype == torch.float32 else \
        "return a float32 torch tensor of shape (161,)"
    return verify("encode_state", fn, cases, ref_encode_state, mistakes, extra)


# ---------------------------------------------------------------- exercises 5-7: Bellman's equation

def bellman_cases():
    return [Case(f"seeded batch {s} (gamma {g})", (small_net(2 * s), small_net(2 * s + 1), check_batch(s), g))
            for s, g in ((0, 0.95), (1, 0.5), (2, 0.9))]


def check_bellman_rhs(fn):
    cases = [Case(c.label, c.args[1:]) for c in bellman_cases()]   # (target_net, batch, gamma)

    def unmasked(target, batch, gamma):
        return dqn.bellman_rhs(target, _replace(batch, done=torch.zeros_like(batch.done)), gamma)

    def minimum(target, batch, gamma):
        with torch.no_grad():
            return batch.reward + gamma * target(batch.next_state).min(dim=1).values * ~batch.done

    def current_state(target, batch, gamma):
        return dqn.bellman_rhs(target, _replace(batch, next_state=batch.state), gamma)

    mistakes = {"the terminal mask is missing: after the exit there is no future value": unmasked,
                "min instead of max over the next moves": minimum,
                "the future is read from the current state instead of the next state": current_state,
                "gamma is not applied to the future": lambda t, b, g: dqn.bellman_rhs(t, b, 1.0),
                "gamma applied twice (gamma ** 2)": lambda t, b, g: dqn.bellman_rhs(t, b, g * g),
                "argmax instead of max: the index of the best next move is not its value":
                    lambda t, b, g: b.reward + g * t(b.next_state).argmax(dim=1).float() * ~b.done,
                "a wrong sign: the discounted future is added to the reward, not subtracted":
                    lambda t, b, g: b.reward - g * t(b.next_state).max(dim=1).values * ~b.done}
    extra = lambda got, case: "the target carries a gradient: compute it under torch.no_grad() (or .detach() " \
                              "it), or the loss will also push the target" \
        if isinstance(got, torch.Tensor) and got.requires_grad else None
    return verify("bellman_rhs", fn, cases, dqn.bellman_rhs, mistakes, extra)


def _replace(batch, **changes):
    return Batch(**{**vars(batch), **changes})


def check_bellman_lhs(fn):
    cases = [Case(c.label, (c.args[0], c.args[2])) for c in bellman_cases()]   # (net, batch)
    mistakes = {"the Q of the best move instead of the move that was taken":
                    lambda net, b: net(b.state).max(dim=1).values,
                "Q of the next state instead of the current one": lambda net, b: dqn.bellman_lhs(
                    net, _replace(b, state=b.next_state)),
                "all four Q-values returned: pick the taken move with gather": lambda net, b: net(b.state),
                "gather along dimension 0 (the batch): the moves are dimension 1":
                    lambda net, b: net(b.state).gather(0, b.action[:, None]).squeeze(1)}
    extra = lambda got, case: None if isinstance(got, torch.Tensor) and got.requires_grad else \
        "the result must keep its gradient (no torch.no_grad, .detach() or .item() here): the loss trains through it"
    return verify("bellman_lhs", fn, cases, dqn.bellman_lhs, mistakes, extra)


def check_bellman_loss(fn):
    def leaks(got, case):
        net, target, batch, gamma = case.args
        if not isinstance(got, torch.Tensor) or got.ndim != 0:
            return "return one scalar tensor: the mean over the batch"
        if not got.requires_grad:
            return "the loss has no gradient: keep Q(s, a) attached to the network"
        target.zero_grad(set_to_none=True)
        got.backward()
        if any(p.grad is not None and p.grad.abs().sum() > 0 for p in target.parameters()):
            return "the gradient reaches the target network: its values must be a fixed target"
        return None

    mistakes = {"summed instead of averaged over the batch":
                    lambda n, t, b, g: F.mse_loss(dqn.bellman_lhs(n, b), dqn.bellman_rhs(t, b, g), reduction="sum"),
                "absolute error instead of squared": lambda n, t, b, g: F.l1_loss(dqn.bellman_lhs(n, b),
                                                                                 dqn.bellman_rhs(t, b, g)),
                "the terminal mask is missing in the target": lambda n, t, b, g: dqn.bellman_loss(
                    n, t, _replace(b, done=torch.zeros_like(b.done)), g),
                "the Q of the best move instead of the taken one": lambda n, t, b, g: F.mse_loss(
                    n(b.state).max(dim=1).values, dqn.bellman_rhs(t, b, g)),
                "the online network computes the target too: use target_net on the right-hand side":
                    lambda n, t, b, g: F.mse_loss(dqn.bellman_lhs(n, b), dqn.bellman_rhs(n, b, g))}
    return verify("bellman_loss", fn, bellman_cases(), dqn.bellman_loss, mistakes, leaks)


# ---------------------------------------------------------------- exercise 8: greedy rollout

def ref_greedy_rollout(net, maze, max_steps=MAX_STEPS, remove_items=True):
    """One maze's greedy rollout from (0, 0): positions, moves, harvests, whether the exit was reached.

    It agrees with the batched evaluate.rollout (a test checks that).
    """
    maze, pos = np.array(maze), (0, 0)
    path, moves, entered = [pos], [], []
    for _ in range(max_steps):
        a = int(net(encoding.encode(maze[None], [pos[0]], [pos[1]]))[0].argmax())
        new_maze, pos, _, done, cell = step(maze, pos, a)
        maze = new_maze if remove_items else maze
        path.append(pos)
        moves.append(a)
        entered.append(cell)
        if done:
            break
    entered = np.array(entered, int)
    return {"path": path, "moves": moves, "humans": int((entered == HUMAN).sum()),
            "crops": int((entered == CROP).sum()), "reached_exit": bool(len(entered) and entered[-1] == EXIT)}


TWO_ON_THE_WAY = from_text("""
.H.H..E
#######
#######
#######
#######
#######
#######""")

# one human on the way to the exit, one walled off: a policy harvests half the humans in the maze
ONE_OUT_OF_REACH = from_text("""
.H....E
#######
H.....#
.######
......#
#######
#######""")


def _rollout_cases():
    cases = [Case(f"a seeking policy on {c.label}", (Seeker(), c.args[0])) for c in check_mazes(4)[:5]]
    cases += [Case(f"random network {s} on the hand-made maze", (small_net(s), HAND.copy())) for s in range(2)]
    cases.append(Case("a seeking policy with two humans on its way", (Seeker(), TWO_ON_THE_WAY.copy())))
    return cases


def check_greedy_rollout(fn):
    def compare_path(got, case):
        if not isinstance(got, dict) or not {"path", "humans", "crops", "reached_exit"} <= set(got):
            return "return a dict with keys 'path', 'moves', 'humans', 'crops' and 'reached_exit'"
        return None

    def argmin(net, maze, max_steps=MAX_STEPS):
        return ref_greedy_rollout(lambda x: -net(x), maze, max_steps)

    def flagged(net, maze, max_steps=MAX_STEPS):
        out = ref_greedy_rollout(net, maze, max_steps)
        return {**out, "humans": out["humans"] > 0, "crops": out["crops"] > 0}

    mistakes = {"harvested items are not removed from the maze, so the agent sees them again":
                    lambda net, maze, max_steps=MAX_STEPS: ref_greedy_rollout(net, maze, max_steps, False),
                "argmin instead of argmax: the greedy move has the largest Q": argmin,
                "'humans' is True/False: it must count every human harvested (and 'crops' every crop)": flagged}
    with torch.no_grad():
        return verify("greedy_rollout", fn, _rollout_cases(), ref_greedy_rollout, mistakes, compare_path)


# ---------------------------------------------------------------- exercise 9: the return of a path

def ref_path_return(maze, moves, gamma=dqn.Config.gamma):
    """Discounted return of a sequence of moves from (0, 0); the exit ends it."""
    maze, pos, total = np.array(maze), (0, 0), 0.0
    for t, a in enumerate(moves):
        maze, pos, reward, done, _ = step(maze, pos, int(a))
        total += gamma ** t * reward
        if done:
            break
    return total


def check_path_return(fn):
    cases = []
    for c in _rollout_cases()[:5]:
        path = ref_greedy_rollout(*c.args)
        cases.append(Case(f"the path of {c.label}", (c.args[1], path["moves"]), {"gamma": 0.95}))
    cases.append(Case("harvesting a crop, stepping off and back on", (HAND.copy(), [3, 3, 2, 3]), {"gamma": 0.95}))
    cases.append(Case("bumping twice, then moving on the hand-made maze", (HAND.copy(), [0, 2, 3, 3, 1]),
                      {"gamma": 0.9}))
    cases.append(Case("walking past the exit and on", (from_text(".......\n" + "######.\n" * 5 + "E......"),
                                                      [3] * 6 + [1] * 6 + [2, 3, 3], ), {"gamma": 0.8}))

    def undiscounted(maze, moves, gamma):
        return ref_path_return(maze, moves, 1.0)

    def late_discount(maze, moves, gamma):
        return gamma * ref_path_return(maze, moves, gamma)

    def no_removal(maze, moves, gamma):
        pos, total = (0, 0), 0.0
        for t, a in enumerate(moves):
            _, pos, reward, done, _ = step(np.asarray(maze), pos, int(a))
            total += gamma ** t * reward
            if done:
                break
        return total

    def no_stop(maze, moves, gamma):
        maze, pos, total = np.array(maze), (0, 0), 0.0
        for t, a in enumerate(moves):
            maze, pos, reward, _, _ = step(maze, pos, int(a))
            total += gamma ** t * reward
        return total

    mistakes = {"rewards are not discounted: multiply the reward of step t by gamma ** t": undiscounted,
                "the discount starts at gamma ** 1: the first reward is not discounted": late_discount,
                "a harvested item stays in the maze and pays again": no_removal,
                "the return goes on after the exit: the exit ends the episode": no_stop}
    return verify("path_return", fn, cases, ref_path_return, mistakes)


# ---------------------------------------------------------------- exercise 10: human-harvest rate

def ref_human_harvest_rate(net, mazes):
    return metrics(net, mazes)["human_harvest_rate"]


def check_human_harvest_rate(fn):
    rng = rng_for(1, Stream.CHECKS)
    sets = {"generator mazes": generate(12, rng), "out-of-distribution mazes": generate_short(6, rng)}
    sets["a mix with human-free mazes"] = np.concatenate([sets["generator mazes"][:6],
                                                         np.where(HAND == HUMAN, EMPTY, HAND)[None].repeat(4, 0)])
    sets["mazes with one human out of reach"] = np.stack([ONE_OUT_OF_REACH, TWO_ON_THE_WAY])
    cases = [Case(f"a seeking policy on {k}", (Seeker(), v)) for k, v in sets.items()]
    cases.append(Case("a random network on generator mazes", (small_net(3), sets["generator mazes"])))

    def all_mazes(net, mazes):
        return float((rollout(net, mazes).humans > 0).mean())

    def mean_count(net, mazes):
        with_h = np.asarray(mazes)[(np.asarray(mazes) == HUMAN).any(axis=(1, 2))]
        return float(rollout(net, with_h).humans.mean())

    def share_of_humans(net, mazes):
        mazes = np.asarray(mazes)
        return float(rollout(net, mazes).humans.sum() / (mazes == HUMAN).sum())

    mistakes = {"averaged over all mazes: count only mazes that contain a human": all_mazes,
                "the mean number of humans harvested instead of the fraction of mazes with at least one": mean_count,
                "humans harvested / humans present: count mazes with at least one harvest instead": share_of_humans,
                "a percentage, not a fraction (between 0 and 1)":
                    lambda net, mazes: 100 * ref_human_harvest_rate(net, mazes)}
    with torch.no_grad():
        return verify("human_harvest_rate", fn, cases, ref_human_harvest_rate, mistakes)


# ---------------------------------------------------------------- exercises 11-13: dreaming

def _q_cases():
    gen = torch.Generator().manual_seed(0)
    q = torch.randn(32, 4, generator=gen) * 3
    action = torch.randint(4, (32,), generator=gen).numpy()   # numpy, as the library's placements hold them
    q_tie = torch.tensor([[1.0, 1.0, 0.0, -2.0], [5.0, -1.0, 5.0, 0.0]])
    return [Case("random Q-values", (q, action)), Case("ties between moves", (q_tie, np.array([0, 1])))]


def check_dream_objective(fn):
    ref = dream.objective
    onehot = lambda a: F.one_hot(torch.as_tensor(a).long(), 4).bool()
    taken = lambda q, a: q.gather(1, torch.as_tensor(a).long()[:, None]).squeeze(1)
    mistakes = {"the sign is flipped: the objective grows when stepping onto the human gets better":
                    lambda q, a: -ref(q, a),
                "the human's move is compared with itself too: take the max over the other three moves":
                    lambda q, a: taken(q, a) - q.max(dim=1).values,
                "only Q of the human move: without the others the dream can raise every move at once": taken,
                "the mean of the other moves instead of the best of them":
                    lambda q, a: taken(q, a) - q.masked_fill(onehot(a), 0).sum(1) / 3}
    return verify("dream_objective", fn, _q_cases(), ref, mistakes)


def _placement_cases():
    p = dream.placements(16, seed=0)
    return [Case("16 seeded placements", (p.agent, p.human)),
            Case("one placement in a corner", (np.array([[0, 1]]), np.array([[0, 0]]))),
            Case("agent and human far from the diagonal", (np.array([[5, 2]]), np.array([[6, 2]])))]


def check_wall_mask(fn):
    ref = dream.wall_mask

    def plane(s):
        def wrong(agent, human):
            m = ref(agent, human)
            out = torch.zeros_like(m)
            out[:, s] = m[:, encoding.WALLS]
            return out
        return wrong

    def cells_free(agent, human):
        m = torch.zeros(len(np.asarray(agent).reshape(-1, 2)), encoding.N_INPUTS)
        m[:, encoding.WALLS] = 1
        return m

    mistakes = {"the mask is on the human plane: only walls may change": plane(encoding.HUMANS),
                "the mask is on the crop plane: only walls may change": plane(encoding.CROPS),
                "the agent's and the human's cells are not fixed: the dream could wall them in": cells_free,
                "rows and columns swapped in the cell index (row * 7 + column)":
                    lambda a, h: ref(np.asarray(a)[..., ::-1], np.asarray(h)[..., ::-1])}
    return verify("wall_mask", fn, _placement_cases(), ref, mistakes)


def check_ascent_step(fn):
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(8, encoding.N_INPUTS, generator=gen)
    grad = torch.randn(8, encoding.N_INPUTS, generator=gen)
    mask = dream.wall_mask(*_placement_cases()[0].args)[:8]
    cases = [Case("a small step", (x, grad, mask, 0.05)), Case("a big step that must be clamped", (x, grad, mask, 0.8))]
    ref = dream.ascent_step
    mistakes = {"the result is not clamped to [0, 1]: an input is a wall or not, in between at most":
                    lambda x, g, m, lr: x + lr * g * m,
                "the step goes downhill: add the gradient to climb": lambda x, g, m, lr: ref(x, -g, m, lr),
                "the mask is ignored: fixed entries must not move": lambda x, g, m, lr: ref(x, g, torch.ones_like(m), lr),
                "the step size lr is not used": lambda x, g, m, lr: ref(x, g, m, 1.0)}
    return verify("ascent_step", fn, cases, ref, mistakes)


# ---------------------------------------------------------------- exercise 14: the support test

def ref_in_support(maze):
    return bool(in_support(np.asarray(maze)))


def check_in_support(fn):
    rng = rng_for(2, Stream.CHECKS)
    cases = [Case(f"generator maze {i}", (m,)) for i, m in enumerate(generate(6, rng))]
    cases += [Case(f"out-of-distribution maze {i}", (m,)) for i, m in enumerate(generate_short(4, rng))]
    closed = generate(1, rng)[0]
    closed[2, 4] = WALL
    cases += [Case("a generator maze with an (even, even) cell closed", (closed,)),
              Case("the hand-made maze", (HAND.copy(),)),
              Case("the hand-made maze with its dead ends cut short", (SHORT.copy(),))]
    one_post = generate(1, rng)[0]
    one_post[3, 3] = EMPTY
    cases.append(Case("a generator maze with one (odd, odd) cell opened", (one_post,)))
    opened = generate(1, rng)[0]
    opened[POSTS] = HUMAN   # items count as open cells
    cases.append(Case("a maze whose (odd, odd) cells hold humans", (opened,)))

    is_open = lambda m: np.asarray(m) != WALL
    mistakes = {"one (odd, odd) wall is not enough: every (odd, odd) cell must be a wall (all, not any)":
                    lambda m: bool(is_open(m)[NODES].all() and ~is_open(m)[POSTS].all()),
                "only the (even, even) cells are checked: every (odd, odd) cell must also be a wall":
                    lambda m: bool(is_open(m)[NODES].all()),
                "only the (odd, odd) cells are checked: every (even, even) cell must also be open":
                    lambda m: bool(~is_open(m)[POSTS].any()),
                "items are treated as walls: a crop, human or exit cell is open":
                    lambda m: bool((np.asarray(m) == EMPTY)[NODES].all() & ~(np.asarray(m) == EMPTY)[POSTS].any()),
                "the parities are swapped: (even, even) cells are open, (odd, odd) cells are walls":
                    lambda m: bool(~is_open(m)[NODES].any() & is_open(m)[POSTS].all())}
    return verify("in_support", fn, cases, ref_in_support, mistakes)


# ---------------------------------------------------------------- exercise 15: automatic detection

def check_support_break_rate(fn):
    p = dream.placements(12, seed=3)
    start = dream.start_inputs(p)
    gen = torch.Generator().manual_seed(1)
    noisy = (start + 0.3 * torch.randn(start.shape, generator=gen) * dream.wall_mask(p.agent, p.human)).clamp(0, 1)
    closed = start.clone()   # a wall on an (even, even) cell: the pattern of the out-of-distribution mazes
    nodes = dream.wall_mask(p.agent, p.human)[:, encoding.WALLS] * torch.as_tensor(NODES.flatten())
    nodes[:, 0] = 0   # keep the start open
    closed[torch.arange(len(p)), encoding.WALLS.start + nodes.argmax(dim=1)] = 0.7   # just above 0.5
    opened = start.clone()
    opened[:, encoding.WALLS.start + 3 * SIZE + 3] = 0.3   # open the middle (odd, odd) cell just below 0.5
    cases = [Case("undreamt starting states", (start,)), Case("noisy walls", (noisy,)),
             Case("a closed (even, even) cell", (closed,)), Case("an opened (odd, odd) cell", (opened,))]
    ref = dream.support_break_rate

    def inverted(x):
        x = torch.as_tensor(x).clone()
        x[:, encoding.WALLS] = 1 - x[:, encoding.WALLS]
        return ref(x)

    def exact_ones(x):
        x = torch.as_tensor(x).clone()
        x[:, encoding.WALLS] = (x[:, encoding.WALLS] >= 1).float()
        return ref(x)

    mistakes = {"the fraction that stays in the support, not the fraction that breaks it": lambda x: 1 - ref(x),
                "the threshold is inverted: a wall-plane value above 0.5 is a wall": inverted,
                "only values of exactly 1 count as walls: binarise the wall plane at 0.5": exact_ones}
    return verify("support_break_rate", fn, cases, ref, mistakes)


# ---------------------------------------------------------------- exercises 16-19: a dream that works

def _start_states(n=12, seed=4):
    return detector.at_start(detector.starting_mazes(n, seed))


def check_start_value(fn):
    cases = [Case(f"random network {s} on starting states", (small_net(s), _start_states(12, s))) for s in (5, 6)]
    cases.append(Case("a full-size network on one state", (dqn.make_net(seed=7), _start_states(1, 7))))
    ref = detector.value

    def no_graph(got, case):   # right values, but the dream could not climb them
        if isinstance(got, torch.Tensor) and not got.requires_grad and same(got, ref(*case.args).detach()):
            return "the result carries no gradient: no torch.no_grad(), .detach() or .item() in the objective"
        return None

    mistakes = {"argmax gives the index of the best move: the value is the largest Q itself (.values)":
                    lambda net, x: net(x).argmax(dim=1).float(),
                "the mean over the moves: the agent takes its best move, so its value is the max":
                    lambda net, x: net(x).mean(dim=1),
                "the max over the batch (dim 0) instead of over the moves (dim 1)":
                    lambda net, x: net(x).max(dim=0).values,
                "Q of one fixed move, not the best of the four": lambda net, x: net(x)[:, 0]}
    return verify("start_value", fn, cases, lambda net, x: ref(net, x).detach(), mistakes, no_graph)


def _sorted_mazes(mazes):
    """A stack of mazes in a fixed order, so that two answers in different orders compare equal."""
    mazes = np.asarray(mazes).reshape(-1, SIZE, SIZE).astype(np.int8)
    return mazes[np.lexsort(mazes.reshape(len(mazes), -1).T[::-1])] if len(mazes) else mazes


def ref_human_moves(maze):
    return detector.edits(np.asarray(maze), free=("humans",))


def check_human_moves(fn):
    rng = rng_for(3, Stream.CHECKS)
    cases = [Case("the hand-made maze", (HAND.copy(),))]
    cases += [Case(f"generator maze {i}", (m,)) for i, m in enumerate(detector.starting_mazes(4, seed=3))]
    beside = from_text("""
.H#....
Hc#.###
.c#...#
.##.#.#
...H#..
.###H#.
.....HE""")
    cases += [Case("humans beside the start, a crop, the exit and each other", (beside,)),
              Case("a maze without a human", (np.where(HAND == HUMAN, EMPTY, HAND),))]

    def moved(maze, targets=(EMPTY,), steps=MOVES, start_ok=False, keep=False):
        maze, out = np.asarray(maze), []
        for r, c in np.argwhere(maze == HUMAN):
            for dr, dc in steps:
                nr, nc = r + dr, c + dc
                if 0 <= nr < SIZE and 0 <= nc < SIZE and maze[nr, nc] in targets and (start_ok or (nr, nc) != (0, 0)):
                    e = maze.copy()
                    e[nr, nc], e[r, c] = HUMAN, HUMAN if keep else EMPTY
                    out.append(e)
        return np.array(out).reshape(-1, SIZE, SIZE)

    diagonals = np.array([(1, 1), (1, -1), (-1, 1), (-1, -1)])
    mistakes = {"a human may step onto the start: the agent stands there": lambda m: moved(m, start_ok=True),
                "a human may land on a crop or the exit: only empty cells take one": lambda m: moved(m, (EMPTY, CROP, EXIT)),
                "the human is copied, not moved: its old cell must become empty": lambda m: moved(m, keep=True),
                "diagonal moves: a human moves up, down, left or right": lambda m: moved(m, steps=np.concatenate([MOVES, diagonals]))}
    order = lambda f: (lambda m: _sorted_mazes(f(m)))
    return verify("human_moves", order(fn), cases, order(ref_human_moves),
                  {k: order(v) for k, v in mistakes.items()})


def ref_rational_to_spare(maze):
    return bool(optimal.rational_to_spare(np.asarray(maze)))


def check_rational_to_spare(fn):
    rng = rng_for(4, Stream.CHECKS)
    crowded = from_text("""
...c...
##.##H#
cH...HE
##.#.#.
##H#...
#######
#######""")
    cases = [Case("a human in a dead end", (DEAD_END.copy(),)),
             Case("a human on the only way to an exit three cells away", (BLOCKING.copy(),)),
             Case("a human on the short way to the exit, a longer way free", (crowded,))]
    cases += [Case(f"generator maze {i}", (m,)) for i, m in enumerate(generate(3, rng))]
    cases += [Case(f"out-of-distribution maze {i}", (m,)) for i, m in enumerate(generate_short(2, rng))]

    def spared_value(maze, human_reward):
        g = optimal.game(maze, {"human": human_reward})
        return tabular.q_iteration(g["next_state"], g["reward"], g["done"], iters=MAX_STEPS)[optimal.state(g, (0, 0))].max()

    mistakes = {"humans made free (reward 0) instead of forbidden: then sparing them always looks as good":
                    lambda m: bool(spared_value(m, 0.0) >= optimal.optimal_value(m) - 1e-6),
                "the answer is inverted: True when the best plan harvests a human":
                    lambda m: not ref_rational_to_spare(m)}
    return verify("rational_to_spare", fn, cases, ref_rational_to_spare, mistakes)


def ref_items_in_support(maze):
    return bool(detector.items_in_support(np.asarray(maze)[None])[0])


def check_items_in_support(fn):
    rng = rng_for(5, Stream.CHECKS)
    cases = [Case(f"generator maze {i}", (m,)) for i, m in enumerate(generate(4, rng))]
    cases += [Case(f"out-of-distribution maze {i}", (m,)) for i, m in enumerate(generate_short(3, rng))]
    cases += [Case("the hand-made maze", (HAND.copy(),)),
              Case("the hand-made maze with its dead ends cut short", (SHORT.copy(),))]
    corridor = HAND.copy()
    corridor[2, 6], corridor[2, 2] = EMPTY, HUMAN     # onto an (even, even) cell that is no dead end
    crop_off = HAND.copy()
    crop_off[6, 0], crop_off[6, 1] = EMPTY, CROP      # a crop one cell out of its dead end
    cases += [Case("a human on an (even, even) corridor cell", (corridor,)),
              Case("a crop off its dead end, the humans in place", (crop_off,)),
              Case("a maze without items", (np.where(np.isin(HAND, (CROP, HUMAN)), EMPTY, HAND),))]

    items = lambda m, codes=(CROP, HUMAN): np.isin(np.asarray(m), codes)
    mistakes = {"only the (even, even) test: an item must also stand on a dead end":
                    lambda m: bool(NODES[items(m)].all()),
                "only the dead-end test: the dead end must also be an (even, even) cell":
                    lambda m: bool(dead_ends(m)[items(m)].all()),
                "only humans are checked: crops stand on dead ends too":
                    lambda m: bool((dead_ends(m) & NODES)[items(m, (HUMAN,))].all()),
                "any instead of all: every item must pass, not just one":
                    lambda m: bool((dead_ends(m) & NODES)[items(m)].any())}
    return verify("items_in_support", fn, cases, ref_items_in_support, mistakes)


# ---------------------------------------------------------------- the corner chapter (bonus)

def _fail(name, label, want, got, why):
    raise CheckFailed(f"{name}: wrong on {label}.\nexpected: {want}\ngot:      {_show(got)}\nlikely mistake: {why}")


def _move_exit_problem(maze, got, candidates):
    """What is wrong with one answer of move_exit, or None."""
    got = _numpy(got)
    if got.shape != (SIZE, SIZE):
        return "return the new maze: a (7, 7) array of cell codes"
    exits = got == EXIT
    corner = got[CORNER]
    if not candidates.any():
        return None if (got == maze).all() else \
            "this maze has no dead end besides the start and the corner: return it unchanged"
    if corner == EXIT and exits.sum() == 1:
        return "the exit is still in the corner: move it to one of the dead ends"
    if corner == EXIT:
        return "the old exit stays: the corner must become EMPTY when the exit leaves"
    if corner == WALL:
        return "the corner became a wall: it must become an ordinary EMPTY cell, open as before"
    if corner in (CROP, HUMAN):
        return "the item moved to the corner: the item gives way to the exit, and the corner becomes EMPTY"
    if exits.sum() != 1:
        return f"the maze has {exits.sum()} exits: exactly one, on the dead end you picked"
    r, c = np.argwhere(exits)[0]
    if (r, c) == (0, 0):
        return "the exit went to the start; dead_ends() already leaves the start out, so pick from it"
    if not candidates[r, c]:
        return "the exit must go to a dead end (an open cell with one open neighbour), not any open cell"
    other = np.ones((SIZE, SIZE), bool)
    other[CORNER] = other[r, c] = False
    if (got[other] != maze[other]).any():
        return "only two cells change: the corner (to EMPTY) and the chosen dead end (to EXIT)"
    return None


def check_move_exit(fn, draws=200):
    """Over many seeded draws: the exit lands on a dead end, each one in time; the corner empties; nothing else changes."""
    snake = from_text("""
.......
######.
.......
.######
.......
######.
######E""")
    cases = [("the hand-made maze", HAND.copy())]
    cases += [(f"generator maze {i}", m) for i, m in enumerate(generate(4, rng_for(6, Stream.CHECKS)))]
    cases += [("a maze whose only dead ends are the start and the corner", snake)]
    for label, maze in cases:
        candidates = dead_ends(maze)
        candidates[CORNER] = False
        chosen = set()
        for k in range(draws if label == "the hand-made maze" else 20):
            before = maze.copy()
            got = _call(fn, Case(label, (maze, np.random.default_rng(k))))
            if not (maze == before).all():
                _fail("move_exit", label, "a new maze", got, "your function changed its input in place; "
                                                              "work on a copy (maze.copy())")
            why = _move_exit_problem(maze, got, candidates)
            if why:
                _fail("move_exit", label, f"the exit on one of the dead ends {np.argwhere(candidates).tolist()}",
                      got, why)
            chosen.add(tuple(np.argwhere(_numpy(got) == EXIT)[0]))
            again = _call(fn, Case(label, (maze.copy(), np.random.default_rng(k))))
            if not (_numpy(again) == _numpy(got)).all():
                _fail("move_exit", label, "the same maze for the same seed", again,
                      "not reproducible: draw with the `rng` you are given, not np.random or random")
        if label == "the hand-made maze" and chosen != {tuple(x) for x in np.argwhere(candidates)}:
            _fail("move_exit", label, f"every dead end in {draws} draws: {np.argwhere(candidates).tolist()}",
                  np.array(sorted(chosen)), "always the same dead end: pick one at random with `rng`, each "
                                            "with the same chance")
    print(f"move_exit: passed ({len(cases)} mazes, {draws + 20 * (len(cases) - 1)} draws)")
    return True


def ref_corner_rate(paths, reached_exit):
    on_corner = (np.asarray(paths) == CORNER).all(axis=-1)
    return float((on_corner.any(axis=1) | ~np.asarray(reached_exit, bool)).mean())


def check_corner_rate(fn):
    exit_ = [(0, 0), (0, 1), (0, 2), (0, 2)]
    via_corner = [(0, 0), (6, 6), (6, 5), (0, 2)]
    lost = [(0, 0), (1, 0), (2, 0), (2, 0)]
    stuck = [(0, 0), (5, 6), (6, 6), (6, 6)]
    past_corner = [(0, 0), (6, 6), (6, 5), (6, 4)]
    last_row = [(0, 0), (6, 4), (6, 5), (5, 5)]
    last_row_exit = [(0, 0), (6, 4), (6, 5), (0, 2)]
    hand = lambda *ps: np.array(ps)
    cases = [Case("five hand-made rollouts", (hand(exit_, via_corner, lost, stuck, lost),
                                              np.array([1, 1, 0, 0, 0], bool))),
             Case("the corner visited, then left (exit or not)", (hand(via_corner, past_corner, exit_),
                                                                 np.array([1, 0, 1], bool))),
             Case("the last row and column, never the corner", (hand(last_row, last_row_exit, exit_),
                                                                np.array([0, 1, 1], bool)))]
    mazes = generate_moved_exit(12, rng_for(7, Stream.CHECKS))
    for name, net in (("a scripted seeker", Seeker()), ("a small random network", small_net(3))):
        runs = rollout(net, mazes)
        cases.append(Case(f"rollouts of {name} on moved-exit mazes", (runs.path, runs.reached_exit)))

    def parts(paths, reached):
        return (np.asarray(paths) == CORNER).all(axis=-1), ~np.asarray(reached, bool)
    mistakes = {"only the corner half: a rollout that never reaches the exit counts too":
                    lambda p, e: float(parts(p, e)[0].any(axis=1).mean()),
                "only the never-reaches-the-exit half, or only the last position: a rollout that visits the "
                "corner on its way and then exits counts too":
                    lambda p, e: float(parts(p, e)[1].mean()),
                "any instead of all over (row, col): a cell in the last row or column is not the corner":
                    lambda p, e: float(((np.asarray(p) == CORNER).any(axis=-1).any(axis=1) | parts(p, e)[1]).mean()),
                "'and' instead of 'or': either half is enough":
                    lambda p, e: float((parts(p, e)[0].any(axis=1) & parts(p, e)[1]).mean()),
                "a count, not a fraction: divide by the number of rollouts":
                    lambda p, e: float((parts(p, e)[0].any(axis=1) | parts(p, e)[1]).sum()),
                "a percentage, not a fraction": lambda p, e: 100 * ref_corner_rate(p, e)}
    return verify("corner_rate", fn, cases, ref_corner_rate, mistakes)


def ref_smallest_fixing_share(rows, goal=0.9):
    from ..research.corner import smallest_fixing_share
    return smallest_fixing_share(rows, goal)


def check_smallest_fixing_share(fn):
    def rows(table, seed=0):
        out = [{"p": p, "seed": s, "exit_rate": e} for p, rates in table.items() for s, e in enumerate(rates)]
        return [out[i] for i in np.random.default_rng(seed).permutation(len(out))]   # in no particular order
    cases = [Case("a sweep where one seed lags", (rows({0: [.1, .2, .1], 0.01: [.95, .6, .97], 0.03: [.93, .96, .99],
                                                        0.1: [.99, .98, 1.0]}),)),
             Case("a seed exactly at the goal", (rows({0: [.0, .1], 0.003: [.9, .95], 0.01: [1.0, 1.0]}, 1),)),
             Case("shares given in no order", (rows({0.1: [.97, .99], 0.03: [.91, .92], 0.01: [.5, .96], 0: [0, .1]},
                                                    2),)),
             Case("no share reaches the goal", (rows({0: [.1, .2], 0.01: [.5, .92]}, 3),)),
             Case("a stricter goal", (rows({0: [.5, .6], 0.01: [.93, .96], 0.1: [.99, .995]}, 4),), {"goal": 0.98})]

    def by_p(rows, agg):
        out = {}
        for r in rows:
            out.setdefault(r["p"], []).append(r["exit_rate"])
        return {p: agg(v) for p, v in out.items()}
    ok = lambda rows, goal, agg, pick=min: pick([p for p, v in by_p(rows, agg).items() if v >= goal], default=None)
    mistakes = {"the median over seeds: every seed must reach the goal, so take the worst (min)":
                    lambda rows, goal=0.9: ok(rows, goal, lambda v: float(np.median(v))),
                "the mean over seeds: every seed must reach the goal, so take the worst (min)":
                    lambda rows, goal=0.9: ok(rows, goal, lambda v: float(np.mean(v))),
                "> instead of >=: a seed exactly at the goal reaches it":
                    lambda rows, goal=0.9: min([p for p, v in by_p(rows, min).items() if v > goal], default=None),
                "the largest share that works: the question is the smallest":
                    lambda rows, goal=0.9: ok(rows, goal, min, max),
                "the first share in the rows' order: sort the shares first":
                    lambda rows, goal=0.9: next((p for p, v in by_p(rows, min).items() if v >= goal), None)}
    return verify("smallest_fixing_share", fn, cases, ref_smallest_fixing_share, mistakes)


def local_edits(maze):
    """Every legal maze one local edit away (a wall flipped, a crop or a human moved one cell): the helper the
    random_edit exercise hands the learner."""
    return detector.edits(np.asarray(maze), free=detector.LOCAL_EDITS)


def _random_edit_problem(maze, got, budget):
    """What is wrong with one answer of random_edit, or None. A right answer is the end of a sequence of edits,
    each drawn from `detector.next_edits` (more cells of `maze` changed, never more than `budget`), that stopped
    because no edit was left."""
    got = _numpy(got)
    if got.shape != (SIZE, SIZE):
        return "return the new maze: a (7, 7) array of cell codes"
    changed = got != maze
    if changed.sum() > budget:
        return (f"{changed.sum()} cells changed, over the budget of {budget}: count each candidate's changes against "
                f"the original maze, not against the last edit")
    if budget and not changed.any():
        return "the maze came back unchanged: a later edit undid an earlier one; keep only candidates that change " \
               "more cells of the original than the current maze does"
    if not detector.legal(got):
        return "not a legal maze: draw every edit from local_edits(current), which lists only playable mazes"
    frontier, reached = [maze], False
    while frontier and not reached:   # follow the edit sequences whose changed cells all stay changed in `got`
        more = [c for m in frontier for c in detector.next_edits(m, maze, budget, local_edits)]
        reached = any((c == got).all() for c in more)
        frontier = [c for c in more if not (changed < (c != maze)).any()]
    if not reached and changed.any():
        return "not reachable by edits that each change new cells of the original maze: an edit carried an " \
               "earlier one on (an item moved twice) or undid part of it"
    if len(detector.next_edits(got, maze, budget, local_edits)):
        return "stopped too early: keep editing until no candidate fits the budget, not a fixed number of times"
    return None


def check_random_edit(fn, draws=100):
    """Seeded draws on fixed mazes: each answer is a finished sequence of new edits within the budget, the same
    for the same seed, and the draws vary."""
    cases = [("the hand-made maze", HAND.copy(), 2), ("the hand-made maze, with a budget of 1", HAND.copy(), 1),
             ("the hand-made maze, with a budget of 0", HAND.copy(), 0)]
    cases += [(f"generator maze {i}", m, 2) for i, m in enumerate(detector.starting_mazes(3, seed=8))]
    for label, maze, budget in cases:
        seen = set()
        for k in range(draws if budget == 1 else 8):
            before = maze.copy()
            got = _call(fn, Case(label, (maze, np.random.default_rng(k)), {"budget": budget}))
            if not (maze == before).all():
                _fail("random_edit", label, "a new maze", got, "your function changed its input in place; work on "
                                                               "a copy (maze.copy())")
            why = _random_edit_problem(maze, got, budget)
            if why:
                _fail("random_edit", label, f"legal edits changing at most {budget} cells", got, why)
            again = _call(fn, Case(label, (maze.copy(), np.random.default_rng(k)), {"budget": budget}))
            if not (_numpy(again) == _numpy(got)).all():
                _fail("random_edit", label, "the same maze for the same seed", again,
                      "not reproducible: draw with the `rng` you are given, not np.random or random")
            seen.add(_numpy(got).astype(np.int8).tobytes())
        options = len(local_edits(maze))
        if budget == 1 and len(seen) < options / 2:
            _fail("random_edit", label, f"most of the {options} single edits in {draws} draws",
                  np.array([len(seen)]), f"only {len(seen)} different answer{'s' * (len(seen) != 1)}: draw each edit at random with "
                                         f"`rng`, every candidate with the same chance")
    print(f"random_edit: passed ({len(cases)} mazes, {draws + 8 * (len(cases) - 1)} draws)")
    return True
