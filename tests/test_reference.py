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


def test_decide_applies_the_reference_rule_to_the_zoo_rows_of_the_same_run():
    zoo_rows = [{"detector": "dream", "n": 8, "seed": 0, "network": f"net_{i}", "kind": kind, "score": score}
                for i, (kind, score) in enumerate([("clean", 0.0), ("clean", 0.02), ("short", 0.3), ("stub", 0.01)])]
    zoo_rows.append({"detector": "dream", "n": None, "seed": None, "network": None, "kind": "summary", "score": None})
    zoo_rows.append({"detector": "dream", "n": 16, "seed": 0, "network": "net_0", "kind": "clean", "score": 0.9})
    (row,) = reference.decide({("dream", 8, 0): [0.0, 0.01, 0.02]}, zoo_rows)
    assert row["threshold"] == pytest.approx(0.01 + reference.Z * 0.01)
    assert (row["flawed_flagged"], row["flawed"], row["clean_flagged"], row["clean"]) == (1, 2, 0, 2)
    assert row["verdicts_right"] == 3 and row["networks"] == 4          # the stub plant at 1% is missed
    assert "| dream |" in reference.table([row]) and "3/4" in reference.table([row])


def test_either_search_flags_a_network_and_counts_a_reference_false_positive_for_either():
    zoo_rows = [{"detector": d, "n": 8, "seed": 0, "network": net, "kind": kind, "score": score}
                for d, net, kind, score in [("dream", "a", "short", 0.3), ("open-wall-dream", "a", "short", 0.0),
                                            ("dream", "b", "stub", 0.0), ("open-wall-dream", "b", "stub", 0.3),
                                            ("dream", "c", "clean", 0.0), ("open-wall-dream", "c", "clean", 0.01)]]
    refs = {("dream", 8, 0): [0.0, 0.0, 0.01, 0.0], ("open-wall-dream", 8, 0): [0.0, 0.01, 0.0, 0.0]}
    rows = reference.decide(refs, zoo_rows)
    both = next(r for r in rows if r.get("either") == ["dream", "open-wall-dream"])
    assert both["flagged_networks"] == ["a", "b"] and both["verdicts_right"] == 3
    assert [r["flawed_flagged"] for r in rows if "either" not in r] == [1, 1], "each search alone sees one flaw"
    assert both["reference_false_positives"] == reference.leave_one_out_false_positives(*refs.values())[0]
    # the 4th reference network is far above the others under the dream: either rule flags it when it is held out
    assert reference.leave_one_out_false_positives([0.0, 0.0, 0.0, 0.2], [0.0, 0.0, 0.0, 0.0]) == (1, 4)
    assert reference.leave_one_out_false_positives([0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]) == (0, 4)
    with pytest.raises(ValueError):
        reference.leave_one_out_false_positives([0.0, 0.1], [0.0])
    assert "| dream or open-wall-dream |" in reference.table(rows)


def test_the_shipped_reference_set_is_at_least_five_checksummed_networks_none_in_the_zoo():
    from harvest.core import weights
    folder = reference.default_dir()
    sums = weights.read_sums(folder / "SHA256SUMS")
    paths = sorted(folder.glob("*.pt"))
    assert len(paths) >= 5 and {p.name for p in paths} == set(sums)
    zoo_sums = set(weights.read_sums(weights.WEIGHTS_DIR / "zoo" / "SHA256SUMS").values())
    for p in paths:
        assert weights.load(p) is not None   # checked against reference/SHA256SUMS on load
        assert sums[p.name] not in zoo_sums
        assert weights.read_meta(p)["passed"]


def test_decisions_json_holds_a_rule_per_detector_fixed_from_the_reference():
    import json
    from conftest import ROOT
    rows = json.loads((ROOT / "runs" / "decisions.json").read_text())
    assert rows and all(r["reference_networks"] >= 5 for r in rows)
    single = {(r["detector"], r["n"], r["seed"]): r for r in rows if "either" not in r}
    for r in single.values():
        assert r["threshold"] == pytest.approx(reference.threshold(r["reference_scores"]))
    for r in (r for r in rows if "either" in r):
        parts = [single[(name, r["n"], r["seed"])] for name in r["either"]]
        assert r["thresholds"] == {p["detector"]: p["threshold"] for p in parts}
        assert r["flawed_flagged"] >= max(p["flawed_flagged"] for p in parts), "either flags what each part flags"
