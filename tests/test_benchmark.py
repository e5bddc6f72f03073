"""The benchmark's pieces (its timings are targets for people, not for the test suite)."""
import math

from torch import nn

from harvest.core.dqn import make_net
from harvest.research.benchmark import matmul_floor, per_call_ms, plain_mlp_step


def test_the_matmul_floor_counts_forward_backward_and_the_target_pass():
    tiny = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    # forward 2*3 + 3*1 = 9; backward: weight grads 9 + input grads of the second layer 3 = 12; target pass 9
    assert math.isclose(matmul_floor(tiny), (9 + 12 + 9) / (9 + 12))
    assert 1.3 < matmul_floor(make_net()) < 1.4


def test_the_plain_step_trains_and_the_timer_reports_milliseconds():
    step = plain_mlp_step(seed=0)
    assert per_call_ms(step, calls=3, warmup=1) > 0
