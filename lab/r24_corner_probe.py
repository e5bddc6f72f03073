"""R24 probe: is a p = 0 corner agent lost because of the exit it can see?

    python lab/r24_corner_probe.py [runs/corner_nets]

For each p = 0 agent of the corner sweep, roll out on 1,000 moved-exit test
mazes twice: as it is, and with its exit plane overwritten to read as in
training (1 on the corner, 0 elsewhere). If the second run reaches the corner
almost always, the corner goal is intact and the runs that get lost are
pushed off their route by the never-trained weights of the moved exit's input.
"""
import sys
from pathlib import Path

import torch

from harvest.core import weights
from harvest.core.encoding import EXITS
from harvest.core.evaluate import rollout
from harvest.core.maze import CORNER, SIZE
from harvest.research.standard_recipe import moved_exit_test_mazes


class ExitInCorner(torch.nn.Module):
    """The same network, shown the exit plane it always saw in training."""
    exit_visible = True

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        x = x.clone()
        x[:, EXITS] = 0.0
        x[:, EXITS.start + CORNER[0] * SIZE + CORNER[1]] = 1.0
        return self.net(x)


def main():
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/corner_nets")
    mazes = moved_exit_test_mazes(1000)
    for path in sorted(folder.glob("p0_seed*.pt")):
        net = weights.load(path)
        for label, policy in (("as trained", net), ("exit plane as in training", ExitInCorner(net))):
            runs = rollout(policy, mazes)
            reached = (runs.path == CORNER).all(axis=-1).any(axis=1)
            print(f"{path.stem}, {label}: reaches the corner {reached.mean():.1%}, exits {runs.reached_exit.mean():.1%}")


if __name__ == "__main__":
    main()
