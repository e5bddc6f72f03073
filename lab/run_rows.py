"""`python -m harvest experiment --seeds 5`, one row at a time, saving runs/results.* after each
row (so a session that runs out of time keeps the finished rows). Same runs, same numbers.

Usage (from the repository root): python lab/run_rows.py [seeds]
"""
import argparse

from harvest.research.chapters import story as experiment

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("seeds", type=int, nargs="?", default=5)
seeds = ap.parse_args().seeds
results = {}
for name, spec in experiment.RUNS.items():
    results.update(experiment.run(seeds, runs={name: spec}))
    experiment.save(results, "runs")
print(experiment.table(results))
