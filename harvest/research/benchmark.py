"""Benchmark: buffer building and training speed, as medians of repeats.

Besides steps per second it prints the time of one training step next to a
plain MLP step of the same shape (forward, backward, Adam on a fixed batch):
their ratio is the overhead of deep Q-learning here. Most of it is the
target network's forward pass, which Bellman's target needs: it alone sets
a floor on the ratio (`matmul_floor`, 1.36 for the standard network).

Then it measures again under load, beside a process that keeps one core busy
(as a browser or a second job would): training with the default settings
(the usable cores, and `train` switching to one thread while that is faster,
`harvest.core.threads`) and with one thread pinned, and their ratio, which
should stay near 1 or above.
"""
import contextlib
import os
import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

from ..core.dqn import Config, bellman_rhs, frozen_copy, make_net, train
from ..core.maze import generate
from ..core.replay import build_buffer
from ..core.seeding import rng_for
from ..core.threads import usable_cores

SPIN = "while True: pass"   # the busy neighbour


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def per_call_ms(fn, calls=100, warmup=10):
    """Median milliseconds of `fn()` over `calls` calls, after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    return 1000 * statistics.median(timed(fn)[0] for _ in range(calls))


def plain_mlp_step(seed=0):
    """A function doing one forward, backward and Adam step of the same MLP on a fixed random batch."""
    net, gen = make_net(seed=seed), torch.Generator().manual_seed(seed)
    x, y = torch.rand(Config.batch_size, net.body[0].in_features, generator=gen), torch.randn(Config.batch_size, 4, generator=gen)
    opt = torch.optim.Adam(net.parameters(), lr=1e-5)

    def step():
        opt.zero_grad()
        F.mse_loss(net(x), y).backward()
        opt.step()
    return step


def matmul_floor(net):
    """The training step's matrix-multiply work over the plain step's: (forward + backward + target forward) /
    (forward + backward). The backward pass costs two forwards, less the first layer's input gradient, which
    nobody needs. No implementation of deep Q-learning with a target network gets below this ratio."""
    sizes = [(m.in_features, m.out_features) for m in net.modules() if isinstance(m, torch.nn.Linear)]
    forward = sum(a * b for a, b in sizes)
    backward = 2 * forward - sizes[0][0] * sizes[0][1]
    return (forward + backward + forward) / (forward + backward)


@contextlib.contextmanager
def busy_core():
    """A child process spinning on one core for as long as the block runs."""
    child = subprocess.Popen([sys.executable, "-c", SPIN])
    try:
        time.sleep(0.2)   # let it start spinning
        yield child
    finally:
        child.kill()
        child.wait()


@contextlib.contextmanager
def torch_threads(count):
    """torch's intra-op thread count set to `count` for the block, then put back."""
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def steps_per_second(buffer, repeats, steps=200):
    """Median training steps per second over `repeats` short runs."""
    rates = []
    for i in range(repeats):
        dt, _ = timed(lambda: train(make_net(seed=i), buffer, Config(steps=steps, seed=i), progress=False))
        rates.append(steps / dt)
    return statistics.median(rates)


def under_load(buffer, repeats, steps=200, calls=100):
    """{threads: steps/s} beside a busy core, for the default thread count and for one thread, and the plain
    MLP step's time under the same load (ms, median of `calls`, at the faster of the same two counts)."""
    default = torch.get_num_threads()
    with busy_core():
        rates, plain = {}, {}
        for count in dict.fromkeys([default, 1]):
            with torch_threads(count):
                rates[count] = steps_per_second(buffer, repeats, steps)
                plain[count] = per_call_ms(plain_mlp_step(), calls=calls)
    return rates, min(plain.values())


def main(repeats=5, load=True):
    n_mazes = 1500  # about 504k transitions
    gen_times, buf_times = [], []
    for i in range(repeats):
        dt, mazes = timed(lambda: generate(n_mazes, rng_for(i)))
        gen_times.append(dt)
        dt, buffer = timed(lambda: build_buffer(mazes))
        buf_times.append(dt)
    steps = 200
    rate = steps_per_second(buffer, repeats, steps)
    step_ms = 1000 / rate
    plain_ms = per_call_ms(plain_mlp_step())
    batch = buffer.batch(torch.arange(Config.batch_size))
    target = frozen_copy(make_net())
    target_ms = per_call_ms(lambda: bellman_rhs(target, batch, Config.gamma))
    batch_ms = per_call_ms(lambda: buffer.batch(torch.randint(0, len(buffer), (Config.batch_size,))))
    print(f"cores: {os.cpu_count()} ({usable_cores()} usable), torch threads: {torch.get_num_threads()}, "
          f"torch {torch.__version__}")
    print(f"maze generation ({n_mazes} mazes): median {statistics.median(gen_times):.3f} s over {repeats}")
    print(f"buffer build ({len(buffer):,} transitions, {buffer.nbytes() / 2**20:.1f} MiB): "
          f"median {statistics.median(buf_times):.3f} s over {repeats}")
    print(f"training (batch {Config.batch_size}, hidden {Config.hidden}x{Config.layers}): "
          f"median {rate:.0f} steps/s over {repeats} runs of {steps}")
    print(f"one training step: {step_ms:.1f} ms; a plain MLP step of the same shape (forward, backward, Adam): "
          f"{plain_ms:.1f} ms; ratio {step_ms / plain_ms:.2f} (the matmul floor: {matmul_floor(make_net()):.2f})")
    print(f"  of which, outside the plain step: the target network's forward pass {target_ms:.1f} ms, "
          f"encoding a batch {batch_ms:.1f} ms")
    if not load:
        return
    default = torch.get_num_threads()
    rates, plain_load_ms = under_load(buffer, repeats)
    print(f"under load (a process spinning on one core beside it): {rates[default]:.0f} steps/s with the default "
          f"settings ({default} thread(s), adapting), {rates[1]:.0f} with one thread: ratio "
          f"{rates[default] / rates[1]:.2f} (target: at least 0.9)")
    print(f"  one training step under load: {1000 / rates[default]:.1f} ms; a plain MLP step (its faster thread "
          f"count): {plain_load_ms:.1f} ms; "
          f"ratio {1000 / rates[default] / plain_load_ms:.2f} (target: at most 2)")
