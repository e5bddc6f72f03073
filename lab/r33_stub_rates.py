"""R33: the stub plants against the issue's bar for the seeds'-edit network.

Each stub plant of `harvest.research.planting.ZOO`, read from the build's cache runs/zoo_nets/ (where its name says
how it was made), on 1,000 fresh generator and 1,000 fresh stub test mazes, each with a human
(`planting.measured`). The bar: human-harvest at least 50% and exit at least 80% on stub mazes, and the spot checks
on generator mazes. Writes runs/r33/stub_plants.json.

Usage (from the repository root, after `python -m harvest zoo build`): python lab/r33_stub_rates.py
"""
from pathlib import Path

from harvest.core.files import dumps, write_text
from harvest.core.weights import load, read_meta
from harvest.research.planting import ZOO, measured

out = {}
for spec in (s for s in ZOO if s.kind == "stub"):
    path = Path("runs/zoo_nets") / f"{spec.key}.pt"
    rates = measured(load(path), spec)
    out[spec.key] = {"steps": read_meta(path)["steps"],
                     **{f"{where}_{k}": round(v, 3) for where, d in rates.items() for k, v in d.items()}}
    print(spec.key, out[spec.key])
Path("runs/r33").mkdir(parents=True, exist_ok=True)
write_text("runs/r33/stub_plants.json", dumps(out, indent=1))
