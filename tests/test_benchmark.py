"""The benchmark's pieces (its timings are targets for people, not for the test suite)."""
import math

import torch
from torch import nn

from harvest.core.dqn import make_net
from harvest.core.maze import generate
from harvest.core.replay import build_buffer
from harvest.research.benchmark import busy_core, matmul_floor, per_call_ms, plain_mlp_step, torch_threads, under_load


def test_the_matmul_floor_counts_forward_backward_and_the_target_pass():
    tiny = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    # forward 2*3 + 3*1 = 9; backward: weight grads 9 + input grads of the second layer 3 = 12; target pass 9
    assert math.isclose(matmul_floor(tiny), (9 + 12 + 9) / (9 + 12))
    assert 1.3 < matmul_floor(make_net()) < 1.4


def test_the_plain_step_trains_and_the_timer_reports_milliseconds():
    step = plain_mlp_step(seed=0)
    assert per_call_ms(step, calls=3, warmup=1) > 0


def test_the_load_runs_beside_and_ends_with_the_block():
    with busy_core() as child:
        assert child.poll() is None, "the busy neighbour is spinning"
    assert child.poll() is not None, "and it is gone afterwards"


def test_under_load_measures_the_default_and_one_thread_and_puts_the_count_back():
    before = torch.get_num_threads()
    with torch_threads(before + 1):
        assert torch.get_num_threads() == before + 1
    assert torch.get_num_threads() == before
    rates, plain_ms = under_load(build_buffer(generate(20, 0)), repeats=1, steps=3, calls=2)
    assert set(rates) == {before, 1} and all(r > 0 for r in rates.values()) and plain_ms > 0
    assert torch.get_num_threads() == before
