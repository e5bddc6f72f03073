"""Command line: python -m harvest {train,evaluate,mazes,bench,slides} ..."""
import argparse
import json
import sys
from pathlib import Path

import numpy as np

from .errors import HarvestError


def cmd_train(args):
    import torch
    from . import recipe, weights
    torch.manual_seed(args.seed)
    net = recipe.initial_net(args.init, args.seed)
    cfg = recipe.Config(seed=args.seed, **({"steps": args.steps} if args.steps else {}))
    history = recipe.train_agent(net, args.seed, fix=args.fix, cfg=cfg, progress=not args.quiet)
    weights.save(net, args.out, init=args.init, seed=args.seed, fix=args.fix, steps=history["steps"],
                 passed_spot_checks=history["passed"])
    print(json.dumps({"out": str(args.out), "steps": history["steps"], "passed_spot_checks": history["passed"]}))


def load_mazes(path):
    from .maze import validate
    path = Path(path)
    if not path.is_file():
        raise HarvestError(f"maze file not found: {path}")
    try:
        arr = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as err:
        raise HarvestError(f"{path} is not a .npy maze file ({err})") from None
    if arr.ndim != 3:
        raise HarvestError(f"{path}: expected shape (N, 7, 7), got {arr.shape}")
    return validate(arr, str(path))


def cmd_evaluate(args):
    from . import evaluate, weights
    mazes = load_mazes(args.mazes)
    net = weights.load(args.weights)
    print(json.dumps(evaluate.metrics(net, mazes)))


def cmd_mazes(args):
    from .maze import generate, generate_ood, rng_for
    from .recipe import TEST_ID, TEST_OOD
    make = generate if args.kind == "id" else generate_ood
    mazes = make(args.n, rng_for(args.seed, TEST_ID if args.kind == "id" else TEST_OOD))
    np.save(args.out, mazes.astype(np.int8))
    print(json.dumps({"out": str(args.out), "mazes": len(mazes), "kind": args.kind}))


def cmd_experiment(args):
    from . import experiment
    results = experiment.run(args.seeds, args.n_test)
    out = experiment.save(results, args.out)
    print(experiment.table(results))
    print(f"wrote {out / 'results.md'}, {out / 'results.json'} and {out / 'results.png'}")


def cmd_bench(args):
    from .bench import main
    main(args.repeats)


def cmd_slides(args):
    from .slides import build
    build(out=args.out, results=args.results)


def parser():
    p = argparse.ArgumentParser(prog="python -m harvest", description="Harvest: goal misgeneralization in a gridworld.")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train an agent with the standard recipe and save its weights")
    t.add_argument("--init", choices=["evil", "random"], required=True, help="starting weights")
    t.add_argument("--seed", type=int, default=0, help="seed for the training mazes, init and shuffle")
    t.add_argument("--out", type=Path, required=True, help="where to write the weights (.pt)")
    t.add_argument("--fix", action="store_true", help="add out-of-distribution mazes (true rewards) to training")
    t.add_argument("--steps", type=int, help="cap on SGD steps (default: the recipe's)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("evaluate", help="print the metrics of some weights on a maze file as JSON")
    e.add_argument("--weights", required=True, help="a .pt file written by `train`")
    e.add_argument("--mazes", required=True, help="a .npy file of int8 mazes, shape (N, 7, 7)")
    e.set_defaults(func=cmd_evaluate)

    m = sub.add_parser("mazes", help="write a .npy file of test mazes")
    m.add_argument("--kind", choices=["id", "ood"], default="id", help="generator mazes or out-of-distribution ones")
    m.add_argument("--n", type=int, default=500)
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--out", type=Path, required=True)
    m.set_defaults(func=cmd_mazes)

    x = sub.add_parser("experiment", help="evil init vs control vs fix over several seeds: a table and a figure")
    x.add_argument("--seeds", type=int, default=5)
    x.add_argument("--n-test", type=int, default=1000,
                   help="test mazes per set (in and out of distribution), each with a human")
    x.add_argument("--out", type=Path, default=Path("runs"), help="folder for results.md/.json/.png")
    x.set_defaults(func=cmd_experiment)

    b = sub.add_parser("bench", help="time the buffer build and training steps on this machine")
    b.add_argument("--repeats", type=int, default=5)
    b.set_defaults(func=cmd_bench)

    s = sub.add_parser("slides", help="render the slides' figures and build the offline HTML decks")
    s.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "presentation",
                   help="folder for figures/ and html/ (default: presentation/)")
    s.add_argument("--results", type=Path, default=Path(__file__).resolve().parents[1] / "runs" / "results.md",
                   help="Markdown results table to show, as `experiment` writes it (default: runs/results.md)")
    s.set_defaults(func=cmd_slides)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except HarvestError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
