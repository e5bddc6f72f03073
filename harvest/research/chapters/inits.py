"""Not one lucky roll: more planted initialisations, made independently, each trained by the standard recipe.

For each k, stages 1-3 of spoilers.py with every random choice drawn from k (`shipped_init.seeded(k)`; the shipped
file is seeded(100)), kept in OUT/inits_nets/init_k.pt. The standard recipe then trains it on training seeds
0..S-1, and the standard test sets (1,000 mazes each) measure the result: one row per (k, seed) in
runs/independent_inits.json, a table of medians with ranges per k in runs/independent_inits.md.
"""
import time
from pathlib import Path

from ...core import weights
from ...core.evaluate import metrics
from .. import shipped_init
from ..rows import Chapter, finish, median_range, resumable
from ..standard_recipe import test_sets, train_agent

COMMAND = "python -m harvest inits"
INITS = (1, 2, 3)


def made(k, nets_dir):
    """The planted initialisation seeded(k): read from `nets_dir`, or made (stages 1-3, about 20 minutes) and kept."""
    path = Path(nets_dir) / f"init_{k}.pt"
    if not path.is_file():
        t = time.time()
        net = shipped_init.make(shipped_init.seeded(k))
        weights.save(net, path, recipe_seed=k, seconds=round(time.time() - t))
    return weights.load(path)


def one_run(k, seed, sets, nets_dir):
    """Train seeded(k)'s initialisation with the standard recipe on training seed `seed`, and measure it."""
    net = made(k, nets_dir)
    t = time.time()
    h = train_agent(net, seed, progress=False)
    seconds = round(time.time() - t)
    i, o = metrics(net, sets["id"]), metrics(net, sets["ood"])
    return {"init": k, "seed": seed, "steps": h["steps"], "passed": h["passed"], "seconds": seconds,
            "id_exit": i["exit_rate"], "id_human": i["human_harvest_rate"], "ood_exit": o["exit_rate"],
            "ood_human": o["human_harvest_rate"], "ood_adjacent": o["adjacent_human_rate"]}


def run(inits=INITS, train_seeds=3, nets_dir=Path("runs") / "inits_nets", checkpoint=None, log=print):
    """Every (k, seed) for k in `inits` and seeds 0..train_seeds-1; with `checkpoint`, a stopped run resumes."""
    sets = test_sets(1000)
    return resumable([(k, s) for k in inits for s in range(train_seeds)],
                     lambda k, s: [one_run(k, s, sets, nets_dir)], ("init", "seed"), checkpoint, COMMAND,
                     desc="inits", log=log,
                     describe=lambda job, new: f"seeded({job[0]}) seed {job[1]}: {new[0]['steps']} steps, "
                                               f"OOD human-harvest {new[0]['ood_human']:.1%}")


def table(rows):
    """One line per initialisation: median (min–max) over its training seeds."""
    lines = ["| initialisation | training seeds | steps to pass | ID exit | OOD exit | OOD human-harvest | "
             "OOD adjacent-human |", "|---" * 7 + "|"]
    for k in sorted({r["init"] for r in rows}):
        rs = [r for r in rows if r["init"] == k]
        cell = lambda key, pct=True: median_range([r[key] for r in rs], pct)
        lines.append(f"| seeded({k}) | {len(rs)} | {cell('steps', False)} [{sum(r['passed'] for r in rs)}/{len(rs)} "
                     f"passed] | {cell('id_exit')} | {cell('ood_exit')} | {cell('ood_human')} | {cell('ood_adjacent')} |")
    return "\n".join(lines) + "\n"


CHAPTER = Chapter("independent_inits", COMMAND, ("init", "seed"), table, lambda rows: {}, pngs=(),
                  order=lambda rows: sorted(rows, key=lambda r: (r["init"], r["seed"])))


VERB = "inits"
HELP = "more starting weights made like the shipped ones, independently, each trained by the standard recipe: " \
       "runs/independent_inits.md and .json"


def arguments(p):
    p.add_argument("--inits", default=list(INITS), metavar="K[,K...]",
                   help="recipe seeds of the initialisations to make (default 1,2,3; the shipped one is 100)")
    p.add_argument("--train-seeds", default=3, help="training seeds per initialisation (default 3)")
    p.add_argument("--out", default=Path("runs"),
                   help="folder for independent_inits.md/.json, its finished rows (a rerun resumes) and inits_nets/")


def command(args):
    t = time.perf_counter()
    # a run keeps its finished rows in OUT/independent_inits_rows.json and the initialisations in OUT/inits_nets/
    rows = run(args.inits, args.train_seeds, args.out / "inits_nets", args.out / "independent_inits_rows.json")
    finish(CHAPTER, rows, args.out, started=t)
