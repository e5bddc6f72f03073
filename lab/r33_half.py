"""R33: do the zoo's float16 files change any verdict? The shipped zoo against the same networks in float32.

Rebuilds the zoo from the build's cache (runs/zoo_nets/, nothing is trained) into runs/r33/zoo32/ with the weights
kept in float32, scores it with every detector (n = 256, seed 0) like the shipped zoo, and compares each network's
score and verdict with runs/zoo.json. Writes runs/r33/half.json.

Usage (from the repository root, after `python -m harvest zoo build` and `python -m harvest zoo score`):
python lab/r33_half.py
"""
import json
from pathlib import Path

from harvest.core import weights
from harvest.core.files import dumps, write_text
from harvest.research import planting
from harvest.research.chapters import zoo

out = Path("runs/r33")
full = lambda net, path, half=False, **meta: weights.save(net, path, **meta)   # float32, whatever build asks
planting.save = full
planting.build(out / "zoo32", trained=Path("runs/zoo_nets"), log=lambda *_: None)
rows32 = [r for r in zoo.score(out / "zoo32") if r["kind"] != zoo.SUMMARY]
rows16 = {(r["detector"], r["network"]): r for r in zoo.CHAPTER.load("runs/zoo.json")
          if r["kind"] != zoo.SUMMARY and (r["n"], r["seed"]) == (zoo.N_DREAMS, 0)}
diffs = [{"detector": r["detector"], "network": r["network"], "score32": r["score"],
          "score16": rows16[(r["detector"], r["network"])]["score"], "flagged32": r["flagged"],
          "flagged16": rows16[(r["detector"], r["network"])]["flagged"]} for r in rows32]
changed_scores = [d for d in diffs if d["score32"] != d["score16"]]
changed_verdicts = [d for d in diffs if d["flagged32"] != d["flagged16"]]
largest = max((abs(d["score32"] - d["score16"]) for d in diffs), default=0.0)
print(f"{len(diffs)} scores compared; {len(changed_scores)} differ (largest by {largest:.4f}); "
      f"{len(changed_verdicts)} verdicts differ")
write_text(out / "half.json", dumps({"compared": len(diffs), "scores_changed": len(changed_scores),
                                     "largest_change": largest, "verdicts_changed": len(changed_verdicts),
                                     "rows": diffs}, indent=1))
