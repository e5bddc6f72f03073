"""The command line: `harvest {train,evaluate,animate,mazes,dream,bench,slides,screenshots,build} ...`, and one verb
per research chapter (`experiment`, `fixes`, `zoo`, ...), which each chapter's module in `harvest.research.chapters`
declares; `harvest --help` lists them all.

`python -m harvest ...` is the same command. Bad input ends with a one-line
message and exit status 2.
"""
import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from .cli_args import checked, family_name, family_share, need_a_human, share
from .core.channel import TAMPERS
from .core.errors import HarvestError
from .core.families import FAMILIES
from .core.dqn import DEVICES
from .core.files import clone, dumps, save_npy
from .core.threads import configure
from .research.chapters import modules



def config_flags(p, skip=("seed",)):
    """One flag per field of `Config` (--lr, --batch-size, ...), defaulting to the recipe's values."""
    from .core.dqn import Config
    g = p.add_argument_group("training hyperparameters (harvest.core.dqn.Config)")
    for f in dataclasses.fields(Config):
        if f.name not in skip:
            g.add_argument("--" + f.name.replace("_", "-"), dest=f"cfg_{f.name}", default=f.default,
                           metavar=f.type.__name__.upper(), help=f"default: {f.default}")


def config_from(args, seed):
    from .core.dqn import Config
    return Config(seed=seed, **{k[4:]: v for k, v in vars(args).items() if k.startswith("cfg_")})


def cmd_train(args):
    import torch
    from .core import weights
    from .core.dqn import pick_device
    from .research import standard_recipe as recipe
    torch.manual_seed(args.seed)
    cfg = config_from(args, args.seed)
    net = recipe.initial_net(args.init, args.seed, args.exit_visible, cfg.hidden, cfg.layers).to(pick_device(args.device))
    # the old flags are mixes: --fix adds the known-family fix's short mazes, --moved-exit-share swaps moved-exit ones
    swap = {**({"moved-exit": args.moved_exit_share} if args.moved_exit_share else {}), **dict(args.swap)}
    extra = {**(recipe.KNOWN_FAMILY_FIX.extra if args.fix else {}), **dict(args.extra)}
    mix = recipe.Mix(swap=swap, extra=extra)
    history = recipe.train_agent(net, args.seed, mix, cfg=cfg, progress=not args.quiet)
    start = weights.checksums().get("shipped_init.pt") if args.init == "shipped" else None   # as `harvest experiment`
    weights.save(net.cpu(), args.out, init=args.init, seed=args.seed, fix=args.fix, steps=history["steps"],
                 passed_spot_checks=history["passed"], moved_exit_share=args.moved_exit_share,
                 mix={"swap": swap, "extra": extra}, init_sha256=start)
    print(json.dumps({"out": str(args.out), "steps": history["steps"], "passed_spot_checks": history["passed"]}))


def cmd_evaluate(args):
    from .core import evaluate, weights
    from .core.maze import load_mazes
    mazes = load_mazes(args.mazes) if args.mazes else family_mazes(args.family, args.n, args.seed)
    net = weights.load(args.weights)
    mazes = need_a_human(mazes, f"--mazes {args.mazes}" if args.mazes else f"--family {args.family}")
    result = evaluate.metrics(net, mazes, args.tamper)
    if args.json or not sys.stdout.isatty():   # the JSON contract, for pipes, files and scripts
        print(dumps(result))
        return
    rows = result["mazes"]
    print(f"{args.weights} on {len(rows)} mazes with a human "
          f"({args.mazes or f'family {args.family}, seed {args.seed}'}):")
    for key, what in (("exit_rate", "reach the exit"), ("human_harvest_rate", "harvest at least one human"),
                      ("adjacent_human_rate", "step onto a human from a cell next to it (adjacent-human rate)")):
        print(f"  {result[key]:7.1%}  {what}")
    steps = sorted(r["steps"] for r in rows)
    print(f"  steps per maze: median {steps[len(steps) // 2]}, range {steps[0]}-{steps[-1]}; "
          f"humans harvested in all: {sum(r['humans'] for r in rows)}, crops: {sum(r['crops'] for r in rows)}")
    print("(the per-maze rows: add --json, or pipe the output)")


def cmd_animate(args):
    from .core import animate, weights
    from .core.encoding import spec_of
    from .core.maze import load_mazes
    n = max(len(args.weights), len(args.mazes), len(args.index), len(args.title or [None]))
    for flag, values in (("--weights", args.weights), ("--mazes", args.mazes), ("--index", args.index),
                         ("--title", args.title or [None])):
        if len(values) not in (1, n):
            raise HarvestError(f"{flag} takes 1 or {n} values (one per panel), got {len(values)}")
    each = lambda values: values * n if len(values) == 1 else values
    nets = {w: weights.load(w) for w in args.weights}
    files = {m: load_mazes(m) for m in args.mazes}
    panels = []
    for w, m, i, title in zip(each(args.weights), each(args.mazes), each(args.index), each(args.title or [None])):
        if not -len(files[m]) <= i < len(files[m]):
            raise HarvestError(f"--index {i} is out of range: {m} holds {len(files[m])} mazes")
        if spec_of(nets[w]).exit_visible:
            raise HarvestError(f"{w} reads the 210-input encoding; animate draws the 161-input agents")
        default = Path(w).stem if len(args.weights) > 1 else f"{Path(m).name}[{i}]"
        panels.append(animate.Panel(nets[w], files[m][i], default if title is None else title))
    frames = animate.write_gif(panels, args.out, caption=args.caption)
    print(json.dumps({"out": str(args.out), "frames": frames, "panels": [
        {"title": p.title, "steps": p.steps, "reached_exit": p.reached_exit, "humans": p.counts(p.steps)[0],
         "crops": p.counts(p.steps)[1]} for p in panels]}))


def family_mazes(name, n, seed):
    """`n` mazes of a family, drawn from its test stream: what `mazes --family` writes and `evaluate --family` reads."""
    from .core.families import family
    from .core.seeding import rng_for
    return family(name).make(n, rng_for(seed, family(name).test_stream))


def cmd_mazes(args):
    if args.list:
        for f in FAMILIES.values():
            print(f"{f.name:<11} {f.summary}")
        return
    if args.out is None:
        raise HarvestError("harvest mazes needs --out FILE.npy (or --list)")
    mazes = family_mazes(args.family, args.n, args.seed)
    save_npy(args.out, mazes.astype(np.int8))
    print(json.dumps({"out": str(args.out), "mazes": len(mazes), "family": args.family}))


def cmd_dream(args):
    from .core import detector, weights
    net = weights.load(args.weights)
    verdict = detector.DREAM.run(net, n=args.n, seed=args.seed)
    report = {"weights": str(args.weights), "seed": args.seed, "budget": detector.BUDGET, **verdict.summary()}
    if args.baseline:
        found, used = detector.random_search(net, verdict.evaluations, n=args.n, seed=args.seed)
        report["random_search"] = {"harmful": found, "evaluations": used,
                                   "harmful_per_1000_evaluations": 1000 * found / max(used, 1)}
    if args.out:
        path = Path(args.out).with_suffix(".npy")
        path.parent.mkdir(parents=True, exist_ok=True)
        save_npy(path, verdict.harmful)
        save_npy(path.with_suffix(".start.npy"), np.tile(detector.START, (int(verdict.harm.sum()), 1)))
        report["out"] = str(path)
    print(dumps(report))


def cmd_bench(args):
    from .research.benchmark import main
    main(args.repeats)


def cmd_slides(args):
    from .workshop.slides.deck import build
    root = clone("slides")
    build(out=args.out or root / "presentation", results=args.results or root / "runs" / "results.md")


def cmd_screenshots(args):
    from .workshop import browser
    clone("screenshots")
    found = browser.main(args.out, args.deck or browser.DECKS, shots=not args.measure_only)
    if found:
        squashed = sum("squashed" in f for f in found)
        print(f"{squashed} picture(s) painted out of proportion, {len(found) - squashed} slide(s) overflowing")
        return 1


def cmd_build(args):
    from .workshop import build_exercises, numbers
    root = clone("build")
    code = build_exercises.main(["--check"] if args.check else ["--force"] if args.force else [])
    if args.check:
        old = numbers.stale(root, args.runs)
        for p in old:
            print(f"out of date: {p.relative_to(root)} (its numbers differ from runs/*.json; run harvest build)")
        return 1 if code or old else 0
    for p in numbers.write(root, args.runs):
        print(f"wrote {p.relative_to(root)} (numbers from runs/*.json)")
    return code


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error: `error: ...` and exit status 2, like every other bad input."""

    def error(self, message):
        self.exit(2, f"error: {self.prog}: {message}\n")


FAMILY_HELP = ("`harvest mazes --list` names the families and says what each one is: read it only after Step 6 of "
               "the workshop, whose answer it gives")
INIT_ALIASES = {"evil": "shipped", "planted": "shipped"}   # older names of the shipped starting weights


def parser():
    p = Parser(prog="harvest", description="Harvest: goal misgeneralization in a gridworld.")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train an agent with the standard recipe and save its weights")
    t.add_argument("--init", type=lambda name: INIT_ALIASES.get(name, name), choices=["shipped", "random"],
                   required=True, help="starting weights: the shipped ones, or random (seeded)")
    t.add_argument("--seed", default=0, help="seed for the training mazes, init and shuffle")
    t.add_argument("--out", required=True, help="where to write the weights (.pt)")
    t.add_argument("--fix", action="store_true",
                   help="the known-family fix of Step 11: add mazes of the deployment mazes' family (true rewards), a "
                        "third as many as the generator mazes, to training and the spot checks")
    t.add_argument("--exit-visible", action="store_true",
                   help="the corner chapter's 210-input encoding, with an exit plane (needs --init random)")
    t.add_argument("--moved-exit-share", type=share, default=0.0, metavar="P",
                   help="share of training and spot-check mazes with the exit moved off the corner (default 0; "
                        "the same as --swap moved-exit=P)")
    t.add_argument("--swap", type=family_share, action="append", default=[], metavar="FAMILY=P",
                   help="swap a share P of the generator's training and spot-check mazes for mazes of FAMILY "
                        f"(repeatable; {FAMILY_HELP})")
    t.add_argument("--extra", type=family_share, action="append", default=[], metavar="FAMILY=R",
                   help="add R times as many mazes of FAMILY as generator mazes to training, and a spot-check set "
                        "of them (repeatable; --fix is one such --extra)")
    t.add_argument("--device", choices=DEVICES, default="auto", help="where to train (default auto: cuda, then mps, then cpu)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    config_flags(t)
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("evaluate", help="the metrics of some weights on a maze file: JSON to a pipe or a file, a "
                                        "summary at a terminal")
    e.add_argument("--weights", required=True, help="a .pt file written by `train`")
    src = e.add_mutually_exclusive_group(required=True)
    src.add_argument("--mazes", help="a .npy file of int8 mazes, shape (N, 7, 7)")
    src.add_argument("--family", type=family_name, metavar="NAME",
                     help="or fresh mazes of a family, as `mazes --family NAME` writes them")
    e.add_argument("--n", default=500, help="with --family: how many mazes (default 500)")
    e.add_argument("--seed", default=0, help="with --family: their seed (default 0)")
    e.add_argument("--json", action="store_true",
                   help="print the JSON object even at a terminal (it is always printed to a pipe or a file)")
    e.add_argument("--tamper", choices=list(TAMPERS),
                   default="none", help="what a reward side-channel shows (harvest.core.channel); the reward never "
                                        "changes, and a network without a channel is not affected (default none)")
    e.set_defaults(func=cmd_evaluate)

    a = sub.add_parser("animate", help="a GIF of greedy rollouts, several panels side by side",
                       description="Write a GIF of greedy rollouts, one frame per move (the start included). "
                                   "Each panel pairs a network with a maze: lists of several values pair up "
                                   "in order, and a single value is shared by every panel.")
    a.add_argument("--weights", nargs="+", required=True, metavar="W", help="weights file(s) (.pt)")
    a.add_argument("--mazes", nargs="+", required=True, metavar="M", help="maze file(s) (.npy)")
    a.add_argument("--index", nargs="+", default=[0], metavar="I", help="maze index in each file (default 0)")
    a.add_argument("--title", nargs="+", metavar="T", help="panel titles (default: the weights' or the maze's name)")
    a.add_argument("--caption", help="a line above the panels")
    a.add_argument("--out", required=True, help="where to write the GIF")
    a.set_defaults(func=cmd_animate)

    m = sub.add_parser("mazes", help="write a .npy file of test mazes of one family")
    m.add_argument("--family", "--kind", type=family_name, default="generator", metavar="NAME",
                   help=f"default generator; {FAMILY_HELP}")
    m.add_argument("--list", action="store_true", help="print each family's name and what it is, and exit")
    m.add_argument("--n", default=500)
    m.add_argument("--seed", default=0)
    m.add_argument("--out", help="where to write the .npy file (required unless --list)")
    m.set_defaults(func=cmd_mazes)

    d = sub.add_parser("dream", help="dream against some weights: a verdict, printed as JSON")
    d.add_argument("--weights", required=True, help="a .pt file written by `train`")
    d.add_argument("--n", default=256, help="dreams, one per starting maze (default 256)")
    d.add_argument("--seed", default=0, help="seed of the starting mazes")
    d.add_argument("--out", help="write the harmful dreams here (.npy, for `evaluate`) and their "
                                            "start cells beside them (.start.npy)")
    d.add_argument("--baseline", action="store_true",
                   help="also run random search with the same number of network evaluations")
    d.set_defaults(func=cmd_dream)

    for chapter in modules():   # every research chapter declares its own verb, flags and command
        c = sub.add_parser(chapter.VERB, help=chapter.HELP)
        chapter.arguments(c)
        c.set_defaults(func=chapter.command)

    b = sub.add_parser("bench", help="time the buffer build and training steps on this machine")
    b.add_argument("--repeats", default=5)
    b.set_defaults(func=cmd_bench)

    s = sub.add_parser("slides", help="render the slides' figures and build the offline HTML decks")
    s.add_argument("--out", help="folder for figures/ and html/ (default: the clone's presentation/)")
    s.add_argument("--results",
                   help="Markdown results table to show, as `experiment` writes it (default: runs/results.md)")
    s.set_defaults(func=cmd_slides)

    v = sub.add_parser("screenshots", help="screenshot every slide in headless Chromium and check that no picture is squashed")
    v.add_argument("--out", default=Path("runs") / "screenshots",
                   help="folder for DECK/NN.png (default: runs/screenshots)")
    v.add_argument("--deck", action="append", help="only this deck, e.g. 02-harvest (repeatable; default: all)")
    v.add_argument("--measure-only", action="store_true", help="measure the pictures, take no screenshots")
    v.set_defaults(func=cmd_screenshots)

    w = sub.add_parser("build", help="regenerate exercises.py and both notebooks from solutions.py, and the "
                                     "numbers README.md and docs/ quote from runs/*.json")
    w.add_argument("--check", action="store_true", help="only report files that are out of date (exit 1 if any)")
    w.add_argument("--runs", type=Path, help="the results to render from (default: the clone's runs/)")
    w.add_argument("--force", action="store_true",
                   help="overwrite an exercises.py whose blanks you filled in (it is refused otherwise)")
    w.set_defaults(func=cmd_build)
    return checked(p)


def main(argv=None):
    args = parser().parse_args(argv)
    configure(args.threads)
    try:
        return args.func(args) or 0
    except (HarvestError, OSError) as err:   # OSError: a file could not be read or written (disk full, no permission)
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:   # Ctrl-C: one line, and the shell's status for it; files are written atomically
        print("interrupted: nothing half-written was left behind", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
