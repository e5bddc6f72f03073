"""R26: is the planted initialisation one lucky artifact? Three more, made independently, each trained three times.

For k in SEEDS: stages 1-3 of spoilers.py with every random choice drawn from k (shipped_init.seeded(k)), saved to
SCRATCH/evil_init_k.pt (the shipped_init.pt it ships is seeded(100) and stays as it is). Then the standard recipe trains
each on training seeds 0-2, and the standard test sets (1,000 mazes each) measure it. Prints one row per network and
writes SCRATCH/rows.json.

Usage: python lab/r26_independent_inits.py SCRATCH [--inits 1 2 3] [--train-seeds 3]
       python lab/r26_independent_inits.py SCRATCH --table runs/independent_inits.md   (the table of SCRATCH/rows.json)
"""
import argparse
import json
import time
from pathlib import Path

from harvest.core import weights
from harvest.core.evaluate import metrics
from harvest.research import shipped_init
from harvest.research.rows import median_range
from harvest.research.standard_recipe import test_sets, train_agent

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("scratch", type=Path)
ap.add_argument("--inits", type=int, nargs="+", default=[1, 2, 3])
ap.add_argument("--train-seeds", type=int, default=3)
ap.add_argument("--table", type=Path, help="write the Markdown table of SCRATCH/rows.json here (and a copy of the rows "
                                           "beside it), and train nothing")
a = ap.parse_args()


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


if a.table:
    rows = json.loads((a.scratch / "rows.json").read_text())
    a.table.write_text(table(rows))
    a.table.with_suffix(".json").write_text(json.dumps(rows, indent=1))
    print(table(rows))
    raise SystemExit
a.scratch.mkdir(parents=True, exist_ok=True)
sets = test_sets(1000)
out = a.scratch / "rows.json"
rows = json.loads(out.read_text()) if out.is_file() else []
done = {(r["init"], r["seed"]) for r in rows}


def measured(net):
    i, o = metrics(net, sets["id"]), metrics(net, sets["ood"])
    return {"id_exit": i["exit_rate"], "id_human": i["human_harvest_rate"], "ood_exit": o["exit_rate"],
            "ood_human": o["human_harvest_rate"], "ood_adjacent": o["adjacent_human_rate"]}


for k in a.inits:
    path = a.scratch / f"evil_init_{k}.pt"
    if not path.is_file():
        t = time.time()
        net = shipped_init.make(shipped_init.seeded(k))
        weights.save(net, path, recipe_seed=k, seconds=round(time.time() - t))
        print(f"init {k}: made in {time.time() - t:.0f} s | as shipped, untrained: {measured(net)}", flush=True)
    for seed in range(a.train_seeds):
        if (k, seed) in done:
            continue
        net, t = weights.load(path), time.time()
        h = train_agent(net, seed, progress=False)
        rows.append({"init": k, "seed": seed, "steps": h["steps"], "passed": h["passed"],
                     "seconds": round(time.time() - t), **measured(net)})
        out.write_text(json.dumps(rows, indent=1))
        print(rows[-1], flush=True)
