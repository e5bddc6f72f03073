"""Shared bits for the research scripts: evaluation rows and timing."""
import time

from harvest.evaluate import metrics


def row(net, sets):
    """One line of metrics for each named maze set."""
    out = []
    for name, mazes in sets.items():
        m = metrics(net, mazes)
        out.append(f"{name}: exit {m['exit_rate']:.3f} hum {m['human_harvest_rate']:.3f} "
                   f"adj {m['adjacent_human_rate']:.3f}")
    return " | ".join(out)


class Logger:
    def __init__(self, sets, every=5000):
        self.sets, self.t = sets, time.time()

    def __call__(self, net, step):
        print(f"{step:6d} {time.time() - self.t:5.0f}s | {row(net, self.sets)}", flush=True)
        return False
