"""Step 2's checks: both sides of Bellman's equation and the loss."""
import torch
import torch.nn.functional as F

from ...core import dqn
from ...core.replay import Batch
from .common import Case, check_batch, small_net, verify


def bellman_cases():
    return [Case(f"seeded batch {s} (gamma {g})", (small_net(2 * s), small_net(2 * s + 1), check_batch(s), g))
            for s, g in ((0, 0.95), (1, 0.5), (2, 0.9))]


def check_bellman_rhs(fn):
    cases = [Case(c.label, c.args[1:]) for c in bellman_cases()]   # (target_net, batch, gamma)

    def unmasked(target, batch, gamma):
        return dqn.bellman_rhs(target, _replace(batch, done=torch.zeros_like(batch.done)), gamma)

    def minimum(target, batch, gamma):
        with torch.no_grad():
            return batch.reward + gamma * target(batch.next_state).min(dim=1).values * ~batch.done

    def current_state(target, batch, gamma):
        return dqn.bellman_rhs(target, _replace(batch, next_state=batch.state), gamma)

    mistakes = {"the terminal mask is missing: after the exit there is no future value": unmasked,
                "min instead of max over the next moves": minimum,
                "the future is read from the current state instead of the next state": current_state,
                "the mean over the next moves instead of the max: the agent will take its best move":
                    lambda t, b, g: (b.reward + g * t(b.next_state).mean(dim=1) * ~b.done).detach(),
                "gamma is not applied to the future": lambda t, b, g: dqn.bellman_rhs(t, b, 1.0),
                "gamma applied twice (gamma ** 2)": lambda t, b, g: dqn.bellman_rhs(t, b, g * g),
                "argmax instead of max: the index of the best next move is not its value":
                    lambda t, b, g: b.reward + g * t(b.next_state).argmax(dim=1).float() * ~b.done,
                "a wrong sign: the discounted future is added to the reward, not subtracted":
                    lambda t, b, g: b.reward - g * t(b.next_state).max(dim=1).values * ~b.done}
    extra = lambda got, case: "the target carries a gradient: compute it under torch.no_grad() (or .detach() " \
                              "it, with no .requires_grad_() after), or the loss will also push the target" \
        if isinstance(got, torch.Tensor) and got.requires_grad else None
    return verify("bellman_rhs", fn, cases, dqn.bellman_rhs, mistakes, extra)


def _replace(batch, **changes):
    return Batch(**{**vars(batch), **changes})


def check_bellman_lhs(fn):
    cases = [Case(c.label, (c.args[0], c.args[2])) for c in bellman_cases()]   # (net, batch)
    mistakes = {"the Q of the best move instead of the move that was taken":
                    lambda net, b: net(b.state).max(dim=1).values,
                "Q of the next state instead of the current one": lambda net, b: dqn.bellman_lhs(
                    net, _replace(b, state=b.next_state)),
                "all four Q-values returned: pick the taken move with gather": lambda net, b: net(b.state),
                "gather along dimension 0 (the batch): the moves are dimension 1":
                    lambda net, b: net(b.state).gather(0, b.action[:, None]).squeeze(1)}
    def extra(got, case):
        if not (isinstance(got, torch.Tensor) and got.requires_grad):
            return ("the result must keep its gradient (no torch.no_grad, .detach() or .item() here): the loss trains "
                    "through it")
        return cut_off(got, case.args[0])
    return verify("bellman_lhs", fn, cases, dqn.bellman_lhs, mistakes, extra)


def cut_off(got, net):
    """A message when `got` needs a gradient but none of it reaches `net`'s weights, else None."""
    grads = torch.autograd.grad(got.sum(), list(net.parameters()), retain_graph=True, allow_unused=True)
    if all(g is None or not g.abs().sum() > 0 for g in grads):
        return ("the result is cut off from the network: no gradient reaches its weights, so nothing would train "
                "(.detach() or torch.no_grad() followed by .requires_grad_() makes a new tensor that remembers "
                "nothing of the network)")
    return None


def check_bellman_loss(fn):
    def leaks(got, case):
        net, target, batch, gamma = case.args
        if not isinstance(got, torch.Tensor) or got.ndim != 0:
            return "return one scalar tensor: the mean over the batch"
        if not got.requires_grad:
            return "the loss has no gradient: keep Q(s, a) attached to the network"
        if cut_off(got, net):
            return "the loss is cut off from the network: " + cut_off(got, net).split(": ", 1)[1]
        target.zero_grad(set_to_none=True)
        got.backward()
        if any(p.grad is not None and p.grad.abs().sum() > 0 for p in target.parameters()):
            return "the gradient reaches the target network: its values must be a fixed target"
        return None

    mistakes = {"summed instead of averaged over the batch":
                    lambda n, t, b, g: F.mse_loss(dqn.bellman_lhs(n, b), dqn.bellman_rhs(t, b, g), reduction="sum"),
                "absolute error instead of squared": lambda n, t, b, g: F.l1_loss(dqn.bellman_lhs(n, b),
                                                                                 dqn.bellman_rhs(t, b, g)),
                "the terminal mask is missing in the target": lambda n, t, b, g: dqn.bellman_loss(
                    n, t, _replace(b, done=torch.zeros_like(b.done)), g),
                "the Q of the best move instead of the taken one": lambda n, t, b, g: F.mse_loss(
                    n(b.state).max(dim=1).values, dqn.bellman_rhs(t, b, g)),
                "a (B, 1) minus a (B,) broadcasts to a (B, B) table of differences: make both sides shape (B,) "
                "(squeeze(1) after gather)": lambda n, t, b, g: ((dqn.bellman_lhs(n, b)[:, None] -
                                                                  dqn.bellman_rhs(t, b, g)) ** 2).mean(),
                "the online network computes the target too: use target_net on the right-hand side":
                    lambda n, t, b, g: F.mse_loss(dqn.bellman_lhs(n, b), dqn.bellman_rhs(n, b, g))}
    return verify("bellman_loss", fn, bellman_cases(), dqn.bellman_loss, mistakes, leaks)


