"""R34: would training the zoo's networks as one batched model be faster on 2 CPU cores?

Times the core of one DQN step for K networks of the standard shape (161 -> 256 x 3 -> 4, batch 1,000): the
online forward and backward pass, a target forward pass on the next states, and an AdamW step. (a) K separate
QNets one after the other, as `harvest zoo build` trains them; (b) one stacked model whose weights are (K, in, out)
tensors, run with torch.bmm (the same arithmetic in one call per layer). Random inputs: only the arithmetic is timed.
The replay sampling and the stopping rule's checks, shared by both, are left out.

Usage (from the repository root, on a quiet machine): python lab/r34_batched.py [--k 1 2 4 8] [--steps 60]
"""
import argparse
import json
import time

import torch

from harvest.core.dqn import Config, make_net
from harvest.core.encoding import N_INPUTS
from harvest.core.threads import configure


class Stacked(torch.nn.Module):
    """K MLPs of the QNet shape as (K, in, out) weights, applied with batched matrix products."""

    def __init__(self, k, hidden=256, layers=3):
        super().__init__()
        sizes = [N_INPUTS] + [hidden] * layers + [4]
        nets = [make_net(hidden, layers, seed=i) for i in range(k)]
        linears = [[m for m in net.body if isinstance(m, torch.nn.Linear)] for net in nets]
        self.w = torch.nn.ParameterList([torch.nn.Parameter(torch.stack([ls[j].weight.T.detach() for ls in linears]))
                                         for j in range(len(sizes) - 1)])
        self.b = torch.nn.ParameterList([torch.nn.Parameter(torch.stack([ls[j].bias.detach() for ls in linears])[:, None])
                                         for j in range(len(sizes) - 1)])

    def forward(self, x):   # x: (K, batch, in)
        for j, (w, b) in enumerate(zip(self.w, self.b)):
            x = torch.baddbmm(b, x, w)
            if j < len(self.w) - 1:
                x = torch.nn.functional.leaky_relu(x, 0.1)
        return x


def step_time(models, batch, steps, stacked):
    opts = [torch.optim.AdamW(m.parameters(), lr=1e-4) for m in models]
    k = models[0].w[0].shape[0] if stacked else len(models)
    shape = (k, batch, N_INPUTS) if stacked else (batch, N_INPUTS)
    x, x2 = torch.rand(shape), torch.rand(shape)

    def one():
        for m, opt in zip(models, opts):
            with torch.no_grad():
                target = m(x2).max(dim=-1).values
            q = m(x)[..., 0]
            loss = ((q - target) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()

    for _ in range(5):
        one()
    t = time.perf_counter()
    for _ in range(steps):
        one()
    return (time.perf_counter() - t) / steps


def main(ks, steps, batch):
    configure()
    rows = []
    for k in ks:
        separate = step_time([make_net(seed=i) for i in range(k)], batch, steps, stacked=False)
        batched = step_time([Stacked(k)], batch, steps, stacked=True)
        rows.append({"k": k, "threads": torch.get_num_threads(), "separate_ms": round(1000 * separate, 2),
                     "batched_ms": round(1000 * batched, 2), "speed_up": round(separate / batched, 2)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--k", type=int, nargs="+", default=[1, 2, 4, 8])
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--batch", type=int, default=Config.batch_size)
    a = p.parse_args()
    main(a.k, a.steps, a.batch)
