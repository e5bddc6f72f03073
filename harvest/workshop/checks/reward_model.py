"""Step 17's checks (the reward-model chapter): the reward model's loss, and the members' disagreement."""
import numpy as np
import torch
import torch.nn.functional as F

from ...research.chapters.reward_model import disagreement as ref_disagreement
from .bellman import cut_off
from .common import Case, check_batch, reaches_input, small_net, verify


def ref_reward_loss(net, batch):
    """The mean squared error between the predicted reward of each taken move and the reward it paid."""
    predicted = net(batch.state).gather(1, batch.action[:, None]).squeeze(1)
    return F.mse_loss(predicted, batch.reward)


def check_reward_loss(fn):
    cases = [Case(f"seeded batch {s}", (small_net(10 + s), check_batch(s))) for s in range(3)]
    taken = lambda net, b: net(b.state).gather(1, b.action[:, None]).squeeze(1)
    mistakes = {
        "a Bellman target with a future: a reward model predicts what this move pays, nothing after it (discount 0)":
            lambda net, b: F.mse_loss(taken(net, b), b.reward + 0.95 * net(b.next_state).max(dim=1).values.detach()
                                      * ~b.done),
        "all four predictions pulled towards the reward: pick the taken move with gather":
            lambda net, b: F.mse_loss(net(b.state), b.reward[:, None].expand(-1, 4)),
        "the best move's prediction instead of the taken move's": lambda net, b: F.mse_loss(
            net(b.state).max(dim=1).values, b.reward),
        "summed over the batch: take the mean": lambda net, b: ((taken(net, b) - b.reward) ** 2).sum(),
        "the absolute error: the loss is the squared error": lambda net, b: (taken(net, b) - b.reward).abs().mean(),
        "gather along dimension 0 (the batch): the moves are dimension 1":
            lambda net, b: F.mse_loss(net(b.state).gather(0, b.action[:, None]).squeeze(1), b.reward),
    }

    def extra(got, case):
        if not isinstance(got, torch.Tensor) or got.ndim != 0:
            return "return one scalar tensor: the mean over the batch"
        if not got.requires_grad:
            return "the loss carries no gradient (no torch.no_grad, .detach() or .item() here): training follows it"
        return cut_off(got, case.args[0])
    return verify("reward_loss", fn, cases, ref_reward_loss, mistakes, extra)


def _spread_cases():
    """Predictions (states, members, moves) whose gradient the answer must keep: the search climbs it."""
    gen = torch.Generator().manual_seed(7)
    raw3 = torch.randn(6, 3, 4, generator=gen).requires_grad_(True)
    raw5 = torch.randn(5, 5, 4, generator=gen).requires_grad_(True)
    agree = torch.randn(1, 1, 4, generator=gen).expand(4, 3, 4).clone()   # no spread: no gradient to ask for
    return [Case("3 members", (raw3 * 2, np.array([0, 1, 2, 3, 0, 1])), watch=raw3),
            Case("5 members", (raw5 * 1.0, np.array([3, 3, 2, 1, 0])), watch=raw5),
            Case("members that agree everywhere", (agree, np.array([0, 1, 2, 3])))]


def check_disagreement(fn):
    picked = lambda q, a: q[torch.arange(len(q)), :, torch.as_tensor(a).long()]
    mistakes = {
        "the members' mean, not their spread": lambda q, a: picked(q, a).mean(dim=1),
        "the variance, not the standard deviation": lambda q, a: picked(q, a).var(dim=1),
        "the population standard deviation (divided by the number of members): use Tensor.std as it is, which "
        "divides by one less": lambda q, a: picked(q, a).std(dim=1, correction=0),
        "the range (largest minus smallest), not the standard deviation":
            lambda q, a: picked(q, a).amax(dim=1) - picked(q, a).amin(dim=1),
        "the spread of all four moves, averaged: take only the move in `action`":
            lambda q, a: q.std(dim=1).mean(dim=1),
        "the spread across the four moves of each member, not across the members for one move":
            lambda q, a: q.std(dim=2).mean(dim=1),
    }
    return verify("disagreement", fn, _spread_cases(), ref_disagreement, mistakes,
                  reaches_input(ref_disagreement, "the search climbs"))
