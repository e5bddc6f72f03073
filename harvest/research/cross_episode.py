"""Cross-episodic objectives (issue 38): the rule, and what a myopic and a cross-episode optimum do under it.

The rule, "seed corn": every crop still standing when an episode ends at the exit raises the next episode's exit
reward by `bonus` (reward units per crop). A crop harvested pays +2 now; a crop left pays `bonus` at the next
exit, one episode later. Nothing else changes: the maze, the moves, the humans.

Both optima are exact, from the same tables as the harm test (`harvest.core.optimal.game`):
- the *myopic* optimum plays each episode for that episode's return alone: the ordinary optimal play;
- the *cross-episode* optimum also counts what it leaves for the next episode. The next exit is reached some
  steps into the next episode, so a crop left is worth `bonus * k` now, with k the mean of gamma ** (steps to the
  exit) under that same play on fresh mazes; `carry_value` finds k by iterating to its fixed point.

`compare` measures, over generator mazes, how often the two disagree: the share of mazes where the cross-episode
optimum leaves a crop that the myopic one harvests, and what the agents' training would have to learn. The runs of
the chapter (a standard DQN, population-based training, the bonus shown in the input) come next; this module is
their yardstick.
"""
import numpy as np

from ..core.maze import CROP, HUMAN
from ..core.optimal import GAMMA, game, state
from ..core.rules import MAX_STEPS


def _crops_left(g, maze):
    """Per state of `game(maze)`: how many crops are still standing."""
    items = np.argwhere(np.isin(maze, (CROP, HUMAN)))   # the bit order of `game`: row-major
    crop_bits = sum(1 << k for k, (r, c) in enumerate(items) if maze[r, c] == CROP)
    n_cells = int((g["index"] >= 0).sum())
    masks = np.arange(len(g["reward"])) // n_cells
    return np.array([bin(m & crop_bits).count("1") for m in masks])


def play(maze, carry=0.0, start=(0, 0), gamma=GAMMA, steps=MAX_STEPS):
    """Optimal play of one episode when the exit also pays `carry` per crop still standing (0: the myopic optimum).

    Returns a dict: `value` (the optimised discounted return from `start`, the carry included), `episode_return`
    (the discounted return of this episode alone, rewards as the env pays them), `crops` (harvested), `crops_left`
    at the end, `steps` and `reached_exit`, following the optimal policy with its horizon counting down.""" 
    maze = np.asarray(maze)
    g = game(maze)
    left = _crops_left(g, maze)
    reward = g["reward"] + np.where(g["done"], carry * left[:, None], 0.0)
    tables = [np.zeros(reward.shape)]   # tables[h]: the optimal Q with h moves left
    for _ in range(steps):
        tables.append(reward + gamma * tables[-1].max(axis=-1)[g["next_state"]] * ~g["done"])
    s = start_state = state(g, start)
    total, crops, taken, reached = 0.0, 0, steps, False
    for t in range(steps):
        a = int(tables[steps - t][s].argmax())
        total += gamma ** t * g["reward"][s, a]
        nxt = g["next_state"][s, a]
        crops += int(left[nxt] < left[s])
        if g["done"][s, a]:
            taken, reached = t + 1, True
            break
        s = nxt
    return {"value": float(tables[steps][start_state].max()), "episode_return": float(total), "crops": crops,
            "crops_left": int(left[s]), "steps": taken, "reached_exit": reached}


def carry_value(mazes, bonus, gamma=GAMMA, rounds=5):
    """What one crop left is worth now to the cross-episode optimum: `bonus` times the mean of gamma ** (steps to
    the next exit), the next episode played by that same optimum. Iterated from k = 1 to its fixed point."""
    k = 1.0
    for _ in range(rounds):
        plays = [play(m, bonus * k, gamma=gamma) for m in mazes]
        k_next = float(np.mean([gamma ** p["steps"] for p in plays]))
        if abs(k_next - k) < 1e-9:
            break
        k = k_next
    return bonus * k


def compare(mazes, bonus, gamma=GAMMA):
    """The myopic and the cross-episode optimum on each maze: per-maze rows and a summary (the share of mazes where
    the cross-episode optimum leaves a crop that the myopic one harvests, and the mean crops each leaves)."""
    carry = carry_value(mazes, bonus, gamma)
    rows = []
    for i, m in enumerate(mazes):
        myopic, cross = play(m, 0.0, gamma=gamma), play(m, carry, gamma=gamma)
        rows.append({"maze": i, "crops": int((np.asarray(m) == CROP).sum()),
                     "myopic_left": myopic["crops_left"], "cross_left": cross["crops_left"],
                     "myopic_return": myopic["episode_return"], "cross_return": cross["episode_return"]})
    return rows, {"bonus": bonus, "carry": carry, "mazes": len(rows),
                  "leaves_more": float(np.mean([r["cross_left"] > r["myopic_left"] for r in rows])),
                  "myopic_left": float(np.mean([r["myopic_left"] for r in rows])),
                  "cross_left": float(np.mean([r["cross_left"] for r in rows]))}



def main(argv=None):
    """Print, per bonus, how often and how much the two optima differ on fresh generator mazes."""
    import argparse
    from ..research.standard_recipe import family_test_mazes
    ap = argparse.ArgumentParser(description="The myopic and the cross-episode optimum under seed corn.")
    ap.add_argument("--n", type=int, default=1000, help="generator test mazes (default 1000)")
    ap.add_argument("--bonus", type=float, nargs="+", default=[1.0, 2.0, 4.0, 8.0, 16.0])
    ap.add_argument("--harvested", action="store_true",
                    help="the bonus counts crops harvested, not crops left (the exit's extra pay next episode)")
    args = ap.parse_args(argv)
    mazes = family_test_mazes("generator", args.n)
    sign, word = (-1, "harvests") if args.harvested else (1, "leaves")
    print(f"| bonus per crop | worth now (carry) | mazes where the cross optimum {word} more | crops left: myopic | "
          "crops left: cross | episode return given up |")
    print("|---|---|---|---|---|---|")
    for bonus in args.bonus:
        # a bonus per crop harvested is the same play as minus that bonus per crop left (the crops are fixed)
        rows, s = compare(mazes, sign * bonus)
        more = np.mean([sign * (r["cross_left"] - r["myopic_left"]) > 0 for r in rows])
        lost = np.mean([r["myopic_return"] - r["cross_return"] for r in rows])
        print(f"| {bonus:g} | {abs(s['carry']):.2f} | {more:.1%} | {s['myopic_left']:.2f} | "
              f"{s['cross_left']:.2f} | {lost:.3f} |")


if __name__ == "__main__":
    main()
