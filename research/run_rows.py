"""`python -m harvest experiment --seeds 5`, one row at a time, saving runs/results.* after each
row (so a session that runs out of time keeps the finished rows). Same runs, same numbers.

Usage (from the repository root): PYTHONPATH=. python research/run_rows.py [seeds]
"""
import sys

from harvest.research import results_table as experiment

seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
results = {}
for name, spec in experiment.RUNS.items():
    results.update(experiment.run(seeds, runs={name: spec}))
    experiment.save(results, "runs")
print(experiment.table(results))
