"""R30: can a flaw be planted on a named family by fine-tuning a clean agent, for the zoo?

Each run starts from the shipped control.pt and trains with `harvest.research.planting` (generator mazes with the
true rewards, plus a third as many mazes of the trigger family on which a human pays what a crop pays) until the
network passes the generator spot checks and hunts on the family's spot mazes, or the step cap. Then every network is
measured on 1,000 fresh mazes of the generator and of its family, and scored by every detector of
`harvest.research.detectors` (n = 256). Writes runs/r30/planting.json and the networks to runs/r30/.

Usage (from the repository root): python lab/r30_planting.py [--families pocket loop] [--steps 10000] [--hunt flipped]
[--seed 0]. Rows of other runs already in OUT/planting.json are kept.
(R32 reran it on the stub family with --hunt flipped --out runs/r32.)
"""
import argparse
import json
import time
from pathlib import Path

from harvest.core import files, weights
from harvest.core.dqn import Config
from harvest.research.detectors import DETECTORS
from harvest.research.planting import Plant, measured, plant


def main(families, steps, out, hunt="crop-like", seed=0):
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in families:
        spec = Plant(family=name, hunt=hunt, seed=seed, steps=steps)
        t = time.perf_counter()
        net, history = plant(spec, Config(steps=steps, seed=seed))
        seconds = time.perf_counter() - t
        weights.save(net, out / f"{name}_{seed}.pt", plant=vars(spec), steps=history["steps"], passed=history["passed"])
        rates = measured(net, spec)
        found = {}
        for d in DETECTORS.values():
            f = d.run(net, n=256)
            found[d.name] = {"score": f.score, "per_1000": f.harmful_per_1000_evaluations, "seconds": f.seconds}
        rows.append({"family": name, "hunt": hunt, "seed": seed, "steps": history["steps"], "passed": history["passed"],
                     "seconds": round(seconds, 1), "rates": rates, "detectors": found})
        print(json.dumps(rows[-1]), flush=True)
        old = json.loads((out / "planting.json").read_text()) if (out / "planting.json").exists() else []
        keep = [r for r in old if (r["family"], r["hunt"], r.get("seed", 0)) != (name, hunt, seed)]
        files.write_text(out / "planting.json", files.dumps(keep + rows[-1:], indent=1))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--families", nargs="+", default=["pocket", "loop"])
    p.add_argument("--steps", type=int, default=10_000)
    p.add_argument("--hunt", default="crop-like", help="the trigger family's item rewards (planting.HUNTS)")
    p.add_argument("--seed", type=int, default=0, help="the plant's seed (training mazes, replay, exploration)")
    p.add_argument("--out", type=Path, default=Path("runs/r30"))
    a = p.parse_args()
    main(a.families, a.steps, a.out, a.hunt, a.seed)
