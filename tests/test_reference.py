"""Verdicts against a reference set of known-clean networks: the rule, and its leave-one-out false positives."""
import pytest

from harvest.research import reference


def test_the_threshold_is_the_reference_mean_plus_z_deviations_with_a_floor():
    assert reference.threshold([0.01, 0.03]) == pytest.approx(0.02 + reference.Z * 0.0141421356, rel=1e-6)
    same = reference.threshold([0.02, 0.02, 0.02])   # no spread: the floor keeps one more harmful dream from flagging
    assert same == pytest.approx(0.02 + reference.Z * reference.FLOOR)
    assert not reference.flagged(0.02 + 1 / 256, [0.02, 0.02, 0.02])
    assert reference.flagged(0.2, [0.0, 0.01, 0.02])


def test_leave_one_out_counts_the_reference_networks_the_others_would_flag():
    assert reference.leave_one_out_false_positives([0.01, 0.012, 0.011, 0.009]) == (0, 4)
    fp, n = reference.leave_one_out_false_positives([0.0, 0.0, 0.0, 0.0, 0.5])
    assert (fp, n) == (1, 5)   # an outlier among the clean ones is a false positive of the rule


def test_one_network_is_no_reference():
    with pytest.raises(ValueError):
        reference.threshold([0.1])
