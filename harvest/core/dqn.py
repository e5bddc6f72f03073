"""Deep Q-learning on a fixed replay buffer: the network, Bellman's equation,
the loss and the training loop. Hyperparameters live in one dataclass.
"""
import copy
import math
import time
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from . import threads
from .encoding import InputSpec, spec_of
from .errors import HarvestError

threads.configure()   # the default thread count (harvest.core.threads); `train` adapts it to the machine's load


@dataclass
class Config:
    """The standard training recipe (the same for every initialisation)."""
    hidden: int = 256           # width of each hidden layer
    layers: int = 3             # number of hidden layers
    steps: int = 30_000         # most SGD steps (the spot checks usually stop training earlier)
    batch_size: int = 1000
    lr: float = 1e-3            # cosine-decayed to lr_end over `steps`
    lr_end: float = 5e-5
    warmup: float = 0.2         # fraction of `steps` with a linear lr warm-up: fresh Adam moves every weight by ~lr
    weight_decay: float = 0.0   # AdamW's decoupled decay; 0 leaves unused weights untouched
    gamma: float = 0.95
    target_every: int = 100     # hard copy of the online net into the target net
    check_every: int = 500      # how often a stopping rule is consulted
    seed: int = 0               # shuffling order


class QNet(nn.Module):
    """An MLP from the 161-float state (210 with `exit_visible`) to the 4 Q-values (up, down, left, right).

    `reward_channel` ("none", "previous" or "next", `harvest.core.channel`) adds the inputs of that side-channel.
    Both make its `input_spec` (`harvest.core.encoding.InputSpec`), the one value that says what it reads.
    """

    def __init__(self, hidden=256, layers=3, exit_visible=False, reward_channel="none"):
        super().__init__()
        self.hidden, self.layers, self.input_spec = hidden, layers, InputSpec(exit_visible, reward_channel)
        sizes = [self.input_spec.size] + [hidden] * layers
        blocks = [m for a, b in zip(sizes, sizes[1:]) for m in (nn.Linear(a, b), nn.LeakyReLU(0.1))]
        self.body = nn.Sequential(*blocks, nn.Linear(sizes[-1], 4))

    def forward(self, x):
        return self.body(x)


def make_net(hidden=256, layers=3, seed=0, exit_visible=False, reward_channel="none"):
    """A freshly initialised QNet; the seed fixes its weights."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return QNet(hidden, layers, exit_visible, reward_channel)


DEVICES = ["auto", "cpu", "cuda", "mps"]   # the names pick_device takes


def pick_device(name="auto"):
    """A torch device by name; "auto" picks cuda, then mps, then cpu."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name not in ("cpu", "cuda", "mps"):
        raise HarvestError(f"unknown device {name!r}: use auto, cpu, cuda or mps")
    found = {"cpu": True, "cuda": torch.cuda.is_available(),
             "mps": getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()}
    if not found[name]:
        raise HarvestError(f"device {name!r} is not available on this machine: use --device auto or cpu")
    return torch.device(name)


def device_of(net):
    """The device of a network's weights (cpu for a network with none, such as a scripted policy)."""
    first = next(iter(net.parameters()), None) if isinstance(net, nn.Module) else None
    return first.device if first is not None else torch.device("cpu")


def frozen_copy(net):
    """A copy of `net` for Bellman targets: same weights, no gradients."""
    return copy.deepcopy(net).requires_grad_(False)


def sgd_step(opt, loss):
    """One optimiser step on `loss`; returns its value as a float."""
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


def bellman_rhs(target_net, batch, gamma):
    """r + gamma * max_a' Q_target(s', a'), with no future after the exit."""
    with torch.no_grad():
        future = target_net(batch.next_state).max(dim=1).values
    return batch.reward + gamma * future * (~batch.done)


def bellman_lhs(net, batch):
    """Q(s, a) for the move that was taken."""
    return net(batch.state).gather(1, batch.action[:, None]).squeeze(1)


def bellman_loss(net, target_net, batch, gamma):
    """Mean squared Bellman error."""
    return F.mse_loss(bellman_lhs(net, batch), bellman_rhs(target_net, batch, gamma))


def cosine_lr(cfg, step):
    cosine = cfg.lr_end + 0.5 * (cfg.lr - cfg.lr_end) * (1 + math.cos(math.pi * min(step / cfg.steps, 1.0)))
    warm = cfg.warmup * cfg.steps
    return cosine * min(1.0, (step + 1) / warm) if warm else cosine


def train(net, buffer, cfg=Config(), loss_fn=bellman_loss, stop=None, progress=True):
    """Train `net` in place on `buffer`, on the device `net` is on; return the history.

    `stop(net, step)` is called every `cfg.check_every` steps; returning True
    ends training. `loss_fn(net, target_net, batch, gamma)` lets learners
    plug in their own loss. History: the loss of every step, and the step at
    which training stopped.
    """
    target = frozen_copy(net)
    device = device_of(net)
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    gen = torch.Generator().manual_seed(cfg.seed)
    order, cursor = torch.randperm(len(buffer), generator=gen), 0
    losses = []
    bar = tqdm(range(1, cfg.steps + 1), desc="training", disable=not progress, mininterval=1.0)
    tuner = threads.Adaptive()   # the faster of the default thread count and one thread, as the machine goes
    try:
        for step in bar:
            started = time.perf_counter()
            if cursor + cfg.batch_size > len(order):   # a fresh seeded shuffle each epoch
                order, cursor = torch.randperm(len(buffer), generator=gen), 0
            batch = buffer.batch(order[cursor:cursor + cfg.batch_size], spec_of(net)).to(device)
            cursor += cfg.batch_size
            for group in opt.param_groups:
                group["lr"] = cosine_lr(cfg, step)
            losses.append(sgd_step(opt, loss_fn(net, target, batch, cfg.gamma)))
            if step % cfg.target_every == 0:
                target.load_state_dict(net.state_dict())
            tuner.tick(time.perf_counter() - started)
            if step % 100 == 0:
                bar.set_postfix(loss=f"{sum(losses[-100:]) / 100:.3f}")
            if stop is not None and step % cfg.check_every == 0 and stop(net, step):
                break
    finally:
        tuner.close()
        bar.close()
    return {"loss": losses, "steps": len(losses), "config": asdict(cfg)}
