#!/usr/bin/env bash
# Issue 39: after `python spoilers.py --ship` replaces shipped_init.pt, agent.pt and control.pt, every number made
# from those files is measured again, in this order (EXPERIMENTS.md R35 and R38 list what depends on them). The
# corner, side-channel and reference networks do not depend on the three files and are left alone.
# Each step resumes or is skipped when its output is already there; run it on a quiet machine (several hours).
# Usage (from the repository root): bash lab/after_ship.sh
set -euo pipefail
# networks trained from the old files would be reused by the resuming steps: start without them (a resumed run of
# this script sets AFTER_SHIP_RESUME=1 to keep what it trained itself)
if [ -z "${AFTER_SHIP_RESUME:-}" ]; then
  for d in runs/nets runs/zoo_nets runs/zoo_seed2_nets_trained runs/zoo_seed3_nets_trained; do
    if [ -e "$d" ]; then echo "move $d away first: it may hold networks trained from the old files" >&2; exit 2; fi
  done
fi
python -m harvest experiment --seeds 5 --ship   # runs/results.*, its 15 networks in runs/nets/ (resumes), and
                                                # harvest/weights/repaired.pt: its seed-0 repair
python -m harvest verdicts                      # runs/verdicts.*: the dream's verdicts on those networks
python -m harvest fixes --seeds 5               # runs/fixes.*: the fixes chapter (its plain and known-family rows reuse runs/nets/)
python -m harvest zoo build                     # harvest/weights/zoo/: plants and fixes fine-tuned from control.pt
python -m harvest zoo score                     # runs/zoo.*
python -m harvest zoo decide                    # runs/decisions.*
# the second and third zoos (R39, R44): their plants are fine-tuned from control.pt too; their weights stay out of git
for seed in 2 3; do
  python -m harvest zoo build --seed $seed --kinds clean,short,pocket,stub --out runs/zoo_seed${seed}_nets
  mkdir -p runs/zoo_seed$seed
  cp runs/zoo_seed${seed}_nets/labels.json runs/zoo_seed${seed}_nets/SHA256SUMS runs/zoo_seed$seed/
done
python -m harvest zoo score --zoo runs/zoo_seed2_nets --out runs/zoo_seed2
python -m harvest zoo score --zoo runs/zoo_seed3_nets --detector dream --detector local-edits-adjacent --out runs/zoo_seed3
for seed in 2 3; do python -m harvest zoo decide --scores runs/zoo_seed$seed/zoo.json --out runs/zoo_seed$seed; done
# R42's evidence: the same searches at n = 64 and 1,024 on the shipped and seed-2 zoos
for n in 64 1024; do
  python -m harvest zoo score --detector dream --detector open-wall-dream --detector local-edits --n $n --out runs/evidence
  python -m harvest zoo score --zoo runs/zoo_seed2_nets --detector dream --detector open-wall-dream --detector local-edits --n $n --out runs/evidence_seed2
done
for d in runs/evidence runs/evidence_seed2; do python -m harvest zoo decide --scores $d/zoo.json --out $d; done
python -m harvest rewardmodel --seeds 5         # runs/reward_model.*: its shipped-init ensembles start from
                                                # shipped_init.pt
python -m harvest slides                        # the decks' figures and numbers
python -m harvest build                         # notebooks and docs, numbers rendered from runs/*.json
