"""The guard on `spoilers.py`'s stages: a reduced run whose tensors are committed (tests/data/spoilers_reduced.pt).

A change to any stage's random streams or arithmetic changes them. On the platform that wrote the reference they
must be equal bit for bit; elsewhere close, since a few hundred float32 steps cannot drift far.
"""
import torch
from conftest import ROOT

from harvest.core.dqn import make_net
from harvest.research import reproduction

REFERENCE = torch.load(ROOT / "tests" / "data" / "spoilers_reduced.pt", weights_only=True)
TOLERANCE = dict(rtol=1e-3, atol=1e-4)


def gap(tensors):
    return max(float((tensors[k] - REFERENCE["tensors"][k]).abs().max()) for k in REFERENCE["tensors"])


def test_the_reduced_run_reproduces_the_committed_tensors():
    tensors, buffers = reproduction.reduced()
    assert buffers == REFERENCE["buffers"], "the buffers (mazes, transitions, rewards) changed"
    assert tensors.keys() == REFERENCE["tensors"].keys()
    if reproduction.platform_id() == REFERENCE["platform"]:
        assert reproduction.tensor_hash(tensors) == REFERENCE["hash"], f"tensors differ by up to {gap(tensors):.3g}"
    else:   # another CPU or torch build: the sums come out in other orders
        assert all(torch.allclose(tensors[k], REFERENCE["tensors"][k], **TOLERANCE) for k in tensors), gap(tensors)


def test_the_guard_fails_when_one_stage_seed_changes():
    tensors, buffers = reproduction.reduced(reproduction.reseeded(102))
    assert buffers == REFERENCE["buffers"]   # that seed orders the batches; the mazes stay
    assert reproduction.tensor_hash(tensors) != REFERENCE["hash"]
    assert not all(torch.allclose(tensors[k], REFERENCE["tensors"][k], **TOLERANCE) for k in tensors)
    assert gap(tensors) > 100 * TOLERANCE["atol"]


def test_compare_and_its_one_line(tmp_path):
    from harvest.core import weights
    a, b = make_net(8, 1, seed=0), make_net(8, 1, seed=1)
    weights.save(a, tmp_path / "a.pt")
    assert reproduction.summary(reproduction.compare({"a.pt": a}, tmp_path)).startswith("match: 1 of 1")
    line = reproduction.summary(reproduction.compare({"a.pt": b, "z.pt": a}, tmp_path))
    assert line.startswith("no match: a.pt max |difference|") and "z.pt missing" in line and "\n" not in line
