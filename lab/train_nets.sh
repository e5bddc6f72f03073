#!/usr/bin/env bash
# The 15 networks the detector is judged on (issue 10), trained with the command line:
# shipped init, random init (control) and shipped init + fix, seeds 0-4, into runs/nets/.
# Usage (from the repository root): bash lab/train_nets.sh
set -euo pipefail
mkdir -p runs/nets
for s in 0 1 2 3 4; do
  [ -f runs/nets/init_$s.pt ] || python -m harvest train --init shipped --seed $s --out runs/nets/init_$s.pt --quiet
done
for s in 0 1 2 3 4; do
  [ -f runs/nets/control_$s.pt ] || python -m harvest train --init random --seed $s --out runs/nets/control_$s.pt --quiet
done
for s in 0 1 2 3 4; do
  [ -f runs/nets/fix_$s.pt ] || python -m harvest train --init shipped --fix --seed $s --out runs/nets/fix_$s.pt --quiet
done
