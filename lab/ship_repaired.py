"""Ship the repaired agent that Step 11 of the workshop loads: the evil initialisation trained with the standard
recipe with the known-family fix (`train_agent(net, 0, KNOWN_FAMILY_FIX)`), training seed 0.

    python lab/ship_repaired.py          # about 13,500 steps: 3 minutes at 75 training steps/s

It is the same run as `python -m harvest train --init shipped --fix --seed 0` and as the seed-0 row of
"evil init + fixed distribution" in `python -m harvest experiment`. The file lands in harvest/weights/repaired.pt,
with its SHA-256 in SHA256SUMS. The workshop trains only a short demonstration of the repair itself, so that it
fits a slow laptop.
"""
import time

from harvest.core import weights
from harvest.research.standard_recipe import KNOWN_FAMILY_FIX, initial_net, train_agent

net, t = initial_net("shipped"), time.time()
history = train_agent(net, seed=0, mix=KNOWN_FAMILY_FIX)
print(f"{history['steps']} steps in {time.time() - t:.0f} s, passed the spot checks: {history['passed']}")
path = weights.ship(net, "repaired.pt", init="evil", fix=True, seed=0, steps=history["steps"],
                    passed_spot_checks=history["passed"])
print(f"shipped {path} (sha256 {weights.sha256(path)[:12]}...)")
