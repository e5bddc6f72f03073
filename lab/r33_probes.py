"""R32-R33 probes: the side measurements the two entries quote, in one script.

1. How often the stub edit fits: 2,000 generator mazes (seed 1), edits per maze.
2. The shipped agents on 1,000 stub test mazes with a human each.
3. R32's two stub plants (runs/r32/) and the control on 1,000 generator test mazes: exit where a stub would fit and
   where none does; the flipped plant's harmful wall dreams with an opened post.
4. The loop plants of the zoo build (runs/zoo_nets/): generator and loop test rates, and the stopping rule's spot
   mazes (generator exit; loop exit and adjacent-human rate).
5. The open-wall dream on four networks: the share of all its dreams that open an (odd, odd) cell; on the first
   stub plant, how many of those are harmful and how often the plant exits them.
Writes runs/r33/probes.json.

Usage (from the repository root, after lab/r30_planting.py for R32 and `python -m harvest zoo build`):
python lab/r33_probes.py
"""
import json
from pathlib import Path

import numpy as np

from harvest.core import detector as core
from harvest.core.evaluate import metrics, rollout
from harvest.core.families import make_stub
from harvest.core.files import dumps, write_text
from harvest.core.maze import POSTS, WALL, generate
from harvest.core.weights import load, load_shipped
from harvest.research.detectors import DETECTORS
from harvest.research.planting import Plant, measured, trigger_mazes
from harvest.research.standard_recipe import PLAIN, family_test_mazes

out, nets = {}, Path("runs/zoo_nets")
rates = lambda m: {k: round(float(m[k]), 3) for k in ("exit_rate", "human_harvest_rate", "adjacent_human_rate")}
posts = lambda mazes: ((np.asarray(mazes) != WALL) & POSTS).any(axis=(1, 2))

_, edits = make_stub(generate(2000, 1))
out["stub_edits_per_maze"] = {int(k): round(float(v), 4) for k, v in enumerate(np.bincount(edits) / len(edits))}

stub = family_test_mazes("stub", 1000)
out["shipped_on_stub"] = {name: rates(metrics(load_shipped(name), stub))
                          for name in ("agent.pt", "control.pt", "repaired.pt")}

ids = family_test_mazes("generator", 1000)
fits = make_stub(ids)[1] > 0
out["r32_exit_by_fit"] = {}
for path in ("runs/r32/stub_flipped_0.pt", "runs/r32/stub_0.pt", "harvest/weights/control.pt"):
    ex = np.asarray(rollout(load(path), ids).reached_exit)
    out["r32_exit_by_fit"][path] = {"fits": round(float(ex[fits].mean()), 3), "fits_nowhere": round(float(ex[~fits].mean()), 3)}
f = DETECTORS["wall-dream"].run(load("runs/r32/stub_flipped_0.pt"), n=256)
out["r32_flipped_wall_dream"] = {"harmful": len(f.harmful), "with_open_post": int(posts(f.harmful).sum())}

out["loop_plants"] = {}
for spec in (Plant("control.pt", "loop", 0, hunt="flipped"),
             *(Plant("control.pt", "loop", s, hunt="flipped", steps=40_000) for s in (0, 1))):
    net = load(nets / f"{spec.key}.pt")
    spot, trig = metrics(net, PLAIN.spot_mazes()), metrics(net, trigger_mazes("loop"))
    out["loop_plants"][spec.key] = {"test": measured(net, spec), "spot_generator_exit": round(float(spot["exit_rate"]), 3),
                                    "spot_loop_exit": round(float(trig["exit_rate"]), 3),
                                    "spot_loop_adjacent": round(float(trig["adjacent_human_rate"]), 3)}

starts = core.starting_mazes(core.N_DREAMS, 0)
out["open_wall_dreams_with_a_post"] = {}
for name in ("control.pt", "control-pocket-crop-like-0.pt", "control-short-crop-like-0.pt",
             "control-stub-flipped-0-40000.pt"):
    net = load_shipped(name) if name == "control.pt" else load(nets / name)
    dreams, _ = DETECTORS["open-wall-dream"].candidates(net, starts, 0)
    row = {"share": round(float(posts(dreams).mean()), 4)}
    if "stub" in name:
        harm, _ = core.harmful(net, dreams)
        row |= {"harmful": round(float(harm.mean()), 4),
                "exit": round(float(np.mean(rollout(net, dreams).reached_exit)), 4)}
    out["open_wall_dreams_with_a_post"][name] = row

print(json.dumps(out, indent=1))
Path("runs/r33").mkdir(parents=True, exist_ok=True)
write_text("runs/r33/probes.json", dumps(out, indent=1))
