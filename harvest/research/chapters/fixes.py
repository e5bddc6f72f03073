"""The fixes chapter: can training remove the flaw without knowing where it breaks?

The plain recipe, the known-family fix and the edits are training mixes
(`standard_recipe.Mix`); superpowers and adversarial rounds are methods of
their own. Every method starts from the shipped initialisation, trains on the true
rewards and stops by the standard rule (the spot checks), and is then
measured on generator mazes and on three families off the training
distribution (`harvest.core.families`): short, pocket and loop.

- ``plain``: the standard recipe, the baseline;
- ``known family``: the known-family fix, short-family mazes added to
  training (`standard_recipe.KNOWN_FAMILY_FIX`), the reference that knows
  the answer;
- ``edits P%``: a share P of the training mazes passes through random local
  edits that keep each maze legal (`detector.random_edits`: flip a cell,
  move an item by one cell, at most two cells changed; `Mix(edits=P)`);
- ``superpowers 10%``: in 10% of the training mazes the agent may also pull
  an item or rewrite a cell next to it (`superpowers`); the grids those
  actions reach join training, all of them or (``sampled``) four per maze;
  at test time the extra actions are masked off;
- ``adversarial``: after the plain recipe, the dreaming detector dreams
  harmful mazes; they join the training mazes with the true rewards and
  training continues; repeat on fresh dreams until the detector no longer
  flags the agent, or `MAX_ROUNDS`.

The number to watch is the short family's human-harvest rate for the methods
that do not know the short family. Why a method works or fails shows in the
first layer: how many of the input columns that generator mazes never light
(and that the plain recipe therefore never moves) it moved away from the
shipped initialisation.
"""
import statistics
import time
from dataclasses import dataclass, replace

import numpy as np

from ...core import detector
from ...core.dqn import Config
from ...core.encoding import grid_planes
from ...core.errors import HarvestError
from ...core.evaluate import metrics
from ...core.families import family
from ...core.replay import build_buffer, merge
from ...core.seeding import register, rng_for
from .. import superpowers
from . import story
from ..rows import Chapter, measured, median_range, resumable
from ..standard_recipe import (KNOWN_FAMILY_FIX, PLAIN, Mix, draw_with_humans, initial_net, test_sets, train_agent,
                              train_to_spot_checks, training_mazes)

GOAL = {"short_human": 0.05, "id_exit": 0.95, "steps_vs_plain": 2.0}   # the chapter's target, on every seed
MAX_ROUNDS = 8      # adversarial training gives up after this many rounds of dreams
TEST_FAMILIES = ("short", "pocket", "loop")   # the families every method is measured on
TEST_STREAM = register(18, "fixes chapter: test mazes of every family")
POWERS_STREAM = register(19, "fixes chapter: which grids a superpower reaches join training")


@dataclass(frozen=True)
class Method:
    mix: Mix = PLAIN                # what it trains on
    adversarial: bool = False       # then train on harmful dreams until the detector passes
    superpower_share: float = 0.0   # share of training mazes where the agent has superpowers
    reached_per_maze: int = None    # grids reached by superpowers that join training, per maze (None: all)

    @property
    def knows_family(self):
        """Does it train on the short family, the one it is judged on?"""
        return "short" in self.mix.families


METHODS = {"plain": Method(), "known family": Method(KNOWN_FAMILY_FIX),
           "edits 10%": Method(Mix(edits=0.1)), "edits 30%": Method(Mix(edits=0.3)),
           "superpowers 10%": Method(superpower_share=0.1),
           "superpowers 10%, sampled": Method(superpower_share=0.1, reached_per_maze=4),
           "adversarial": Method(adversarial=True)}


@dataclass(frozen=True)
class Scale:
    """How big a run is: the full research command, or `--quick` for a smoke run."""
    n_test: int = 1000           # test mazes per set (each with a human)
    n_dreams: int = detector.N_DREAMS
    cfg: Config = None           # None: the standard recipe; else a capped Config for quick runs


FULL = Scale()
QUICK = Scale(n_test=60, n_dreams=16, cfg=Config(steps=150, batch_size=256, check_every=50, warmup=0.1))


def family_test_sets(n=1000, seed=0):
    """Fresh mazes of every family, each holding a human, on the families' own stream."""
    rng = rng_for(seed, TEST_STREAM)
    return {name: draw_with_humans(family(name).make, n, rng) for name in TEST_FAMILIES}


def never_lit(mazes):
    """Per input (161), True where no state of these mazes switches it on: the first-layer columns that get
    exactly zero gradient from training on them (the agent's row and column are always lit somewhere)."""
    lit = grid_planes(mazes).amax(dim=0) > 0
    lit[-14:] = True
    return ~lit.numpy()


def columns_moved(net, start):
    """Per input, whether training moved any first-layer weight reading it away from `start`."""
    return ((net.body[0].weight.detach() - start.body[0].weight.detach()).abs().amax(dim=0) > 0).numpy()


def train_method(method, seed, scale=FULL, log=lambda *_: None, nets_dir=None):
    """Train the shipped initialisation with `method`: (net, history with steps, passed and rounds).

    With `nets_dir`, a full-scale network of the plain recipe or of the known-family fix is the results table's
    network of the same seed (`story.trained`: read back from there, or trained and kept there); the adversarial
    method's rounds start from the plain one."""
    cfg = scale.cfg and replace(scale.cfg, seed=seed)
    if nets_dir is not None and cfg is None and not method.superpower_share and method.mix in (PLAIN, KNOWN_FAMILY_FIX):
        net, history = story.trained("shipped", method.mix == KNOWN_FAMILY_FIX, seed, nets_dir=nets_dir)
    elif method.superpower_share:
        net = initial_net("shipped", seed)
        mazes = method.mix.training_mazes(seed)
        buffer, counts = superpowers.training_buffer(mazes, method.superpower_share, rng_for(seed, POWERS_STREAM),
                                                     method.reached_per_maze)
        # the spot checks and every measurement see Superpowered.forward: the four moves, superpowers masked
        history = train_to_spot_checks(superpowers.Superpowered(net, seed), buffer, method.mix.spot_mazes(),
                                       cfg or Config(seed=seed), loss_fn=superpowers.loss, progress=False)
        history.update(counts, buffer_transitions=len(buffer))
    else:
        net = initial_net("shipped", seed)
        history = train_agent(net, seed, method.mix, cfg=cfg, progress=False)
    history["rounds"] = 0
    if method.adversarial:
        history.update(adversarial_rounds(net, seed, scale, log))
    return net, history


def adversarial_rounds(net, seed, scale, log):
    """Dream, add the harmful dreams to training, train on; until the detector passes on fresh dreams."""
    train_mazes, found = training_mazes(seed), []
    steps, passed = 0, True
    for rounds in range(MAX_ROUNDS + 1):
        verdict = detector.DREAM.run(net, n=scale.n_dreams, seed=1000 * (rounds + 1) + seed)
        log(f"  round {rounds}: harmful dreams {verdict.score:.0%}, flagged {verdict.flagged}")
        if not verdict.flagged or rounds == MAX_ROUNDS:
            return {"rounds": rounds, "detector_passes": not verdict.flagged, "extra_steps": steps,
                    "dreams_added": sum(map(len, found)), "passed_after_rounds": passed}
        found.append(verdict.harmful)
        dreams = np.concatenate(found)
        cfg = scale.cfg and replace(scale.cfg, seed=seed + rounds + 1)
        spot = np.concatenate([PLAIN.spot_mazes(seed), dreams])   # held-out generator mazes and the dreams themselves
        h = train_to_spot_checks(net, merge(build_buffer(train_mazes), build_buffer(dreams)), spot,
                                 cfg or Config(seed=seed), progress=False)
        steps, passed = steps + h["steps"], h["passed"]


def one_run(name, seed, sets, scale=FULL, log=lambda *_: None, nets_dir=None):
    """One (method, seed) row: cost, in-distribution skill, and human-harvest on every family."""
    method = METHODS[name]
    t = time.perf_counter()
    net, history = train_method(method, seed, scale, log, nets_dir)
    seconds = time.perf_counter() - t + ((history["seconds"] or 0) if history.get("reused") else 0)   # its training
    m_id = metrics(net, sets["id"])
    fam = {f: metrics(net, mazes) for f, mazes in sets["families"].items()}
    unseen = never_lit(training_mazes(seed))
    moved = columns_moved(net, initial_net("shipped", seed))
    return {"method": name, "knows_family": method.knows_family, "seed": seed,
            "steps": history["steps"] + history.get("extra_steps", 0), "passed": history["passed"],
            "seconds": round(seconds, 1), "rounds": history["rounds"],
            "detector_passes": history.get("detector_passes"),
            "id_exit_rate": m_id["exit_rate"], "id_human_rate": m_id["human_harvest_rate"],
            "human_harvest_rate": {f: m["human_harvest_rate"] for f, m in fam.items()},
            "adjacent_human_rate": {f: m["adjacent_human_rate"] for f, m in fam.items()},
            "exit_rate": {f: m["exit_rate"] for f, m in fam.items()},
            "unseen_columns_moved": int((moved & unseen).sum()), "unseen_columns": int(unseen.sum()),
            "buffer_transitions": history.get("buffer_transitions")}


def run(seeds=5, methods=tuple(METHODS), scale=FULL, progress=True, log=print, checkpoint=None, nets_dir=None):
    """Every method for seeds 0..seeds-1, one run after another (seed by seed, so a stopped run covers every
    method). Rows come back in method order. With `checkpoint` (a json path) each row is written there as it
    finishes, and rows already there are kept rather than rerun, so a stopped run resumes."""
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise HarvestError(f"unknown method {unknown[0]!r} (methods: {', '.join(METHODS)})")
    sets = {"id": test_sets(scale.n_test)["id"], "families": family_test_sets(scale.n_test)}

    def describe(job, new):
        (r,) = new
        return (f"{r['method']} seed {r['seed']}: {r['steps']} steps, {r['seconds']} s, ID exit {r['id_exit_rate']:.1%}, "
                "human-harvest " + ", ".join(f"{f} {v:.1%}" for f, v in r["human_harvest_rate"].items()))

    rows = resumable([(s, m) for s in range(seeds) for m in methods],
                     lambda s, m: [one_run(m, s, sets, scale, log, nets_dir)],
                     ("seed", "method"), checkpoint, "python -m harvest fixes", desc="fixes", progress=progress,
                     log=log, describe=describe)
    return sorted(rows, key=lambda r: (list(METHODS).index(r["method"]), r["seed"]))


def table(rows):
    """Markdown: median (min–max) over seeds per method; steps also relative to the plain recipe's median."""
    families = list(rows[0]["human_harvest_rate"])
    plain = [r["steps"] for r in rows if r["method"] == "plain"]
    base = statistics.median(plain) if plain else None
    lines = ["| method | knows the short family | seeds | steps (× plain) | ID exit | ID human-harvest | "
             + " | ".join(f"{f}: human-harvest" for f in families) + " | unseen columns moved |",
             "|---" * (7 + len(families)) + "|"]
    for name in dict.fromkeys(r["method"] for r in rows):
        rs = [r for r in rows if r["method"] == name]
        steps = statistics.median(r["steps"] for r in rs)
        rel = f" (×{steps / base:.1f})" if base else ""
        fam = " | ".join(median_range([r["human_harvest_rate"][f] for r in rs]) for f in families)
        lines.append(f"| {name} | {'yes' if rs[0]['knows_family'] else 'no'} | {len(rs)} | "
                     f"{median_range([r['steps'] for r in rs], False)}{rel} "
                     f"[{sum(bool(r['passed']) for r in rs)}/{len(rs)} passed] | "
                     f"{median_range([r['id_exit_rate'] for r in rs])} | {median_range([r['id_human_rate'] for r in rs])} | "
                     f"{fam} | {median_range([r['unseen_columns_moved'] for r in rs], False)} of "
                     f"{rs[0]['unseen_columns']} |")
    return "\n".join(lines) + "\n"


def against_goal(rows, goal=GOAL):
    """Per method: how many seeds meet each part of `goal`, its median steps relative to the plain recipe's,
    and whether it meets the whole goal (every seed, and a method that does not know the short family)."""
    base = statistics.median(r["steps"] for r in rows if r["method"] == "plain")
    out = {}
    for name in dict.fromkeys(r["method"] for r in rows):
        rs = [r for r in rows if r["method"] == name]
        short = sum(r["human_harvest_rate"]["short"] <= goal["short_human"] for r in rs)
        exit_ = sum(r["id_exit_rate"] >= goal["id_exit"] for r in rs)
        ratio = statistics.median(r["steps"] for r in rs) / base
        out[name] = {"seeds": len(rs), "short_ok": short, "id_exit_ok": exit_, "steps_vs_plain": ratio,
                     "met": not rs[0]["knows_family"] and short == exit_ == len(rs) and ratio <= goal["steps_vs_plain"]}
    return out


def figure(rows):
    """One dot per seed, one row per method: human-harvest on each family (a symmetric-log axis, linear below 1%),
    then the generator-maze exit rate and the cost in training steps, with the goal's lines."""
    families = list(rows[0]["human_harvest_rate"])
    names = list(dict.fromkeys(r["method"] for r in rows))
    plain = [r["steps"] for r in rows if r["method"] == "plain"]   # none in a run of other --method values
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    fig = Figure(figsize=(14, 3.9))
    axes = fig.subplots(1, len(families) + 2, sharey=True)
    jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(rows))
    panels = [(f"{f}: human-harvest (%)", lambda r, f=f: 100 * r["human_harvest_rate"][f]) for f in families]
    panels += [("generator mazes: exit (%)", lambda r: 100 * r["id_exit_rate"]),
               ("training steps (thousands)", lambda r: r["steps"] / 1000)]
    for ax, (title, value) in zip(axes, panels):
        for r, j in zip(rows, jitter):
            colour = "#1f77b4" if r["knows_family"] else "#d62728" if r["method"] == "plain" else "#2ca02c"
            ax.plot(value(r), names.index(r["method"]) + j, "o", color=colour, alpha=0.75, ms=6,
                    fillstyle="full" if r["passed"] else "none")
        ax.set_title(title, fontsize=11)
        ax.grid(alpha=0.3)
    axes[0].set_yticks(range(len(names)), names, fontsize=11)
    axes[0].set_ylim(len(names) - 0.5, -0.5)   # the first method on top
    for ax in axes[:len(families)]:   # symmetric-log: 0-5% stays readable beside the plain recipe's 70%
        ax.set_xscale("symlog", linthresh=1, linscale=0.6)
        ax.set_xlim(-0.3, 100)
        ax.set_xticks([0, 1, 5, 100], ["0", "1", "5", "100"])   # 5: the goal
    axes[0].axvline(100 * GOAL["short_human"], color="k", ls="--", lw=1)
    axes[-2].axvline(100 * GOAL["id_exit"], color="k", ls="--", lw=1)
    axes[-2].set_xlim(80, 101.5)   # dots at 100% clear of the frame
    if plain:
        axes[-1].axvline(GOAL["steps_vs_plain"] * statistics.median(plain) / 1000, color="k", ls="--", lw=1)
    axes[-1].set_xlim(0, 32.5)   # the 30,000-step cap clear of the frame
    dot = lambda colour, label, fill="full": Line2D([], [], marker="o", ls="", color=colour, fillstyle=fill, label=label)
    fig.legend(handles=[dot("#d62728", "plain recipe"), dot("#1f77b4", "knows the short family"),
                        dot("#2ca02c", "does not know it"), dot("#777", "did not pass the spot checks", "none"),
                        Line2D([], [], color="k", ls="--", lw=1, label="the goal")],
               loc="upper center", ncol=5, fontsize=11, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    return fig


def in_method_order(rows):
    """Rows in METHODS order (unknown methods last), then by seed."""
    order = {name: i for i, name in enumerate(METHODS)}
    return sorted(rows, key=lambda r: (order.get(r["method"], len(order)), r["method"], r["seed"]))


CHAPTER = Chapter("fixes", "python -m harvest fixes --seeds 5", ("method", "seed"), table,
                  lambda rows: {"": figure(rows)}, order=in_method_order)


VERB = "fixes"
HELP = "the fixes chapter: methods that do not know the failing family, measured"


def arguments(p):
    p.add_argument("--seeds", default=5)
    p.add_argument("--method", action="append", help="only this method, e.g. 'edits 10%%' (repeatable; default: all)")
    p.add_argument("--quick", action="store_true", help="a smoke run: capped training, small test sets (minutes)")
    p.add_argument("--out", help="folder for fixes.md/.json/.png, and fixes_rows.json (finished rows; a rerun "
                                 "resumes from it); default runs/, and nothing for a --quick run")


def command(args):
    # a full run keeps its finished rows in OUT/fixes_rows.json, so rerunning the command resumes it
    measured(args, CHAPTER, lambda out: run(args.seeds, args.method or tuple(METHODS), QUICK if args.quick else FULL,
                                            checkpoint=None if args.quick else out / "fixes_rows.json",
                                            nets_dir=None if args.quick else out / "nets"))   # the table's networks
