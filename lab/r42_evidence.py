"""R42: how the margin between flawed and clean networks grows with the number of dreams per network.

Reads the scores and decisions that `harvest zoo score` and `harvest zoo decide` wrote: n = 256 from runs/ (the
shipped zoo) and runs/zoo_seed2/ (the seed-2 zoo), n = 64 and 1,024 from runs/evidence/ and runs/evidence_seed2/.
Prints, per zoo, detector and n: the AUROC, the lowest flawed and highest clean score, the reference threshold, the
verdicts right and the median seconds per network.

Usage (from the repository root): python lab/r42_evidence.py
"""
import json
import statistics
from pathlib import Path

from harvest.research.chapters.zoo import CLEAN, SUMMARY, auroc

ZOOS = {"shipped": ("runs", "runs/evidence"), "seed 2": ("runs/zoo_seed2", "runs/evidence_seed2")}
DETECTORS = ("dream", "open-wall-dream", "local-edits")


def rows(folder, name):
    path = Path(folder) / name
    return json.loads(path.read_text()) if path.is_file() else []


def main():
    print("| zoo | detector | n | AUROC | lowest flawed | highest clean | threshold | verdicts right | s / network |")
    print("|---|---|---|---|---|---|---|---|---|")
    for zoo_name, folders in ZOOS.items():
        scored = [r for f in folders for r in rows(f, "zoo.json") if r["kind"] != SUMMARY]
        decided = {(d["detector"], d["n"]): d for f in folders for d in rows(f, "decisions.json") if "either" not in d}
        for det in DETECTORS:
            for n in sorted({r["n"] for r in scored if r["detector"] == det}):
                rs = [r for r in scored if (r["detector"], r["n"]) == (det, n)]
                flawed = [r["score"] for r in rs if r["kind"] != CLEAN]
                clean = [r["score"] for r in rs if r["kind"] == CLEAN]
                d = decided.get((det, n))
                cut = f"{100 * d['threshold']:.1f}%" if d else "–"
                right = f"{d['verdicts_right']}/{d['networks']}" if d else "–"
                area = auroc([r["score"] for r in rs], [r["kind"] != CLEAN for r in rs])
                print(f"| {zoo_name} | {det} | {n} | {area:.3f} | {100 * min(flawed):.1f}% | {100 * max(clean):.1f}% "
                      f"| {cut} | {right} | {statistics.median(r['seconds'] for r in rs):.1f} |")


if __name__ == "__main__":
    main()
