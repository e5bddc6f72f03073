"""Benchmark: buffer building and training speed, as medians of repeats."""
import os
import statistics
import time

import torch

from ..core.dqn import Config, make_net, train
from ..core.maze import generate
from ..core.replay import build_buffer
from ..core.seeding import rng_for


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main(repeats=5):
    n_mazes = 1500  # about 504k transitions
    gen_times, buf_times = [], []
    for i in range(repeats):
        dt, mazes = timed(lambda: generate(n_mazes, rng_for(i)))
        gen_times.append(dt)
        dt, buffer = timed(lambda: build_buffer(mazes))
        buf_times.append(dt)
    steps = 200
    rates = []
    for i in range(repeats):
        dt, _ = timed(lambda: train(make_net(seed=i), buffer, Config(steps=steps, seed=i), progress=False))
        rates.append(steps / dt)
    print(f"cores: {os.cpu_count()}, torch threads: {torch.get_num_threads()}, torch {torch.__version__}")
    print(f"maze generation ({n_mazes} mazes): median {statistics.median(gen_times):.3f} s over {repeats}")
    print(f"buffer build ({len(buffer):,} transitions, {buffer.nbytes() / 2**20:.1f} MiB): "
          f"median {statistics.median(buf_times):.3f} s over {repeats}")
    print(f"training (batch {Config.batch_size}, hidden {Config.hidden}x{Config.layers}): "
          f"median {statistics.median(rates):.0f} steps/s over {repeats} runs of {steps}")
