"""Reliability: every bad input is one `error:` line with exit status 2, results are never lost, output is strict
JSON that lines up with its input, and the thread count holds up on a busy machine."""
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from harvest import cli_args
from harvest.cli import main
from harvest.core import files, threads, weights
from harvest.core.dqn import make_net
from harvest.core.errors import HarvestError
from harvest.core.maze import CROP, EMPTY, EXIT, HUMAN, WALL, generate, load_mazes
from harvest.research import rows
from harvest.research.chapters import corner, fixes, inits, story
from harvest.workshop import build_exercises
from harvest.workshop.hand_mazes import HAND
from conftest import ROOT


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Good and bad files for the probes, by name."""
    d = tmp_path_factory.mktemp("inputs")
    w = weights.save(make_net(32, layers=1, seed=0), d / "w.pt")
    np.save(d / "good.npy", np.stack([HAND, HAND]))
    np.save(d / "no_human.npy", np.where(HAND == HUMAN, EMPTY, HAND)[None].astype(np.int8))
    np.save(d / "none.npy", np.zeros((0, 7, 7), np.int8))
    walled = HAND.copy()
    walled[5, 6] = walled[6, 5] = WALL   # the exit at (6, 6) closed off
    np.save(d / "unreachable.npy", walled[None])
    for name, code in (("start_crop", CROP), ("start_exit", EXIT)):
        m = HAND.copy()
        if code == EXIT:
            m[m == EXIT] = EMPTY
        m[0, 0] = code
        np.save(d / f"{name}.npy", m[None])
    np.save(d / "floats.npy", np.stack([HAND, HAND]).astype(np.float32))
    np.save(d / "small.npy", np.ones((2, 5, 5), np.int8))
    np.save(d / "flat.npy", np.ones(49, np.int8))
    coded = HAND.copy()
    coded[1, 0] = 7
    np.save(d / "code7.npy", coded[None])
    np.savez(d / "archive.npz", a=HAND)
    (d / "empty.npy").write_bytes(b"")
    (d / "text.npy").write_text("not numpy\n")
    (d / "text.pt").write_text("a text file named .pt\n")
    (d / "empty.pt").write_bytes(b"")
    torch.save({"state_dict": make_net(64, layers=2).state_dict(), "hidden": 32, "layers": 1}, d / "other_arch.pt")
    torch.save({"weights": [1, 2, 3]}, d / "foreign.pt")
    (d / "folder.pt").mkdir()
    (d / "a_file").write_text("x")
    return {p.name: str(p) for p in d.iterdir()} | {"dir": str(d), "w": str(w)}


def p(inputs, *args):
    """A probe: the command line with {placeholders} filled from `inputs`."""
    return [a.format(**{k.replace(".", "_"): v for k, v in inputs.items()}) for a in args]


TRAIN = ("train", "--init", "random", "--quiet", "--out", "{dir}/t.pt")
PROBES = {  # name: (argv, what the one line must mention)
    # the probes
    "mazes --n 0": (("mazes", "--n", "0", "--out", "{dir}/m.npy"), "--n"),
    "a maze file with no human": (("evaluate", "--weights", "{w}", "--mazes", "{no_human_npy}"), "no maze holds a human"),
    "a (0, 7, 7) maze file": (("evaluate", "--weights", "{w}", "--mazes", "{none_npy}"), "no mazes"),
    "negative --seed": (("mazes", "--seed", "-1", "--out", "{dir}/m.npy"), "--seed"),
    "--out a folder": (("train", "--init", "random", "--out", "{dir}"), "folder"),
    "--out with a missing parent": (("mazes", "--out", "{dir}/nope/m.npy"), "does not exist"),
    "--device cuda without one": (TRAIN + ("--device", "cuda"), "--device"),
    "--check-every 0": (TRAIN + ("--check-every", "0"), "--check-every"),
    "--target-every 0": (TRAIN + ("--target-every", "0"), "--target-every"),
    "--lr nan": (TRAIN + ("--lr", "nan"), "--lr"),
    "--steps 0": (TRAIN + ("--steps", "0"), "--steps"),
    "--batch-size 0": (TRAIN + ("--batch-size", "0"), "--batch-size"),
    "--hidden 0": (TRAIN + ("--hidden", "0"), "--hidden"),
    "an unreachable exit": (("evaluate", "--weights", "{w}", "--mazes", "{unreachable_npy}"), "no open path"),
    "a crop on the start": (("evaluate", "--weights", "{w}", "--mazes", "{start_crop_npy}"), "start cell"),
    "the exit on the start": (("evaluate", "--weights", "{w}", "--mazes", "{start_exit_npy}"), "start cell"),
    "slides --results mistyped": (("slides", "--results", "{dir}/resluts.md"), "--results"),
    "--out x.txt for mazes": (("mazes", "--out", "{dir}/x.txt"), ".npy"),
    # more of our own
    "float cell codes": (("evaluate", "--weights", "{w}", "--mazes", "{floats_npy}"), "dtype"),
    "5x5 mazes": (("evaluate", "--weights", "{w}", "--mazes", "{small_npy}"), "shape"),
    "a flat array": (("evaluate", "--weights", "{w}", "--mazes", "{flat_npy}"), "shape"),
    "an unknown cell code": (("evaluate", "--weights", "{w}", "--mazes", "{code7_npy}"), "unknown cell code 7"),
    "an .npz archive": (("evaluate", "--weights", "{w}", "--mazes", "{archive_npz}"), "not a .npy"),
    "an empty .npy file": (("evaluate", "--weights", "{w}", "--mazes", "{empty_npy}"), "not a .npy"),
    "a text file named .npy": (("evaluate", "--weights", "{w}", "--mazes", "{text_npy}"), "not a .npy"),
    "a missing maze file": (("evaluate", "--weights", "{w}", "--mazes", "{dir}/nope.npy"), "not found"),
    "weights of another architecture": (("evaluate", "--weights", "{other_arch_pt}", "--mazes", "{good_npy}"),
                                        "architecture"),
    "a foreign torch file": (("evaluate", "--weights", "{foreign_pt}", "--mazes", "{good_npy}"), "architecture"),
    "a text file named .pt": (("evaluate", "--weights", "{text_pt}", "--mazes", "{good_npy}"), "--weights"),
    "an empty .pt file": (("evaluate", "--weights", "{empty_pt}", "--mazes", "{good_npy}"), "--weights"),
    "a folder named .pt": (("evaluate", "--weights", "{folder_pt}", "--mazes", "{good_npy}"), "--weights"),
    "a missing weights file": (("dream", "--weights", "{dir}/nope.pt"), "not found"),
    "dream --out without .npy": (("dream", "--weights", "{w}", "--out", "{dir}/d.txt"), ".npy"),
    "dream --n 0": (("dream", "--weights", "{w}", "--n", "0"), "--n"),
    "--n not a number": (("mazes", "--n", "ten", "--out", "{dir}/m.npy"), "whole number"),
    "--gamma 1": (TRAIN + ("--gamma", "1"), "--gamma"),
    "--warmup 2": (TRAIN + ("--warmup", "2"), "--warmup"),
    "--lr inf": (TRAIN + ("--lr", "inf"), "--lr"),
    "--layers -3": (TRAIN + ("--layers", "-3"), "--layers"),
    "--threads 0": (("mazes", "--threads", "0", "--out", "{dir}/m.npy"), "--threads"),
    "--device gpu": (TRAIN + ("--device", "gpu"), "--device"),
    "experiment --jobs 0": (("experiment", "--jobs", "0"), "--jobs"),
    "corner --p 1.5": (("corner", "--p", "1.5"), "--p"),
    "corner --first-seed -1": (("corner", "--first-seed", "-1"), "--first-seed"),
    "corner --out a file": (("corner", "--out", "{a_file}"), "--out"),
    "fixes --method nope": (("fixes", "--method", "nope", "--quick", "--seeds", "1"), "unknown method"),
    "bench --repeats 0": (("bench", "--repeats", "0"), "--repeats"),
}


def run_main(argv, capsys):
    """`harvest ARGV` in this process: (exit status, stderr, stdout)."""
    try:
        code = main(list(argv))
    except SystemExit as stop:
        code = stop.code
    out = capsys.readouterr()
    return code, out.err, out.out


@pytest.mark.parametrize("name", list(PROBES))
def test_each_bad_input_is_one_error_line_with_status_2(name, inputs, capsys):
    argv, mentions = PROBES[name]
    if name == "--device cuda without one" and torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    code, err, _ = run_main(p(inputs, *argv), capsys)
    assert code == 2, err
    lines = err.strip("\n").splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    assert mentions in lines[0], lines[0]


def test_a_probe_in_a_real_process_has_no_traceback(inputs):
    run = subprocess.run([sys.executable, "-m", "harvest", *p(inputs, *PROBES["a (0, 7, 7) maze file"][0])],
                         cwd=ROOT, capture_output=True, text=True, env={**os.environ, "MPLBACKEND": "Agg"})
    assert run.returncode == 2 and run.stderr.startswith("error:") and len(run.stderr.splitlines()) == 1, run.stderr


def test_unbalanced_solution_markers_are_one_line_naming_the_file(tmp_path):
    (tmp_path / "solutions.py").write_text("# ### Exercise 1.1: x\ndef f():\n    ### BEGIN SOLUTION\n    return 1\n")
    with pytest.raises(HarvestError, match="solutions.py: .*never closed") as err:
        build_exercises.outputs(tmp_path)
    assert "\n" not in str(err.value)


# Output that lines up, strictly


def test_evaluate_keeps_every_maze_in_file_order(inputs, tmp_path, capsys):
    mixed = np.stack([np.where(HAND == HUMAN, EMPTY, HAND), HAND]).astype(np.int8)
    np.save(tmp_path / "mixed.npy", mixed)
    code, err, out = run_main(["evaluate", "--weights", inputs["w"], "--mazes", str(tmp_path / "mixed.npy")], capsys)
    assert code == 0, err
    result = json.loads(out, parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}"))
    assert len(result["mazes"]) == 2 and result["mazes"][0]["humans"] == 0


def test_strict_json_writes_null_for_nan_and_infinity():
    text = files.dumps({"a": float("nan"), "b": [1.5, float("inf")], "c": np.float64("nan"), "d": (2, "x")})
    assert json.loads(text) == {"a": None, "b": [1.5, None], "c": None, "d": [2, "x"]}


def test_dream_out_writes_exactly_the_name_given_and_strict_json(inputs, tmp_path, capsys):
    out = tmp_path / "d.npy"
    code, err, text = run_main(["dream", "--weights", inputs["w"], "--n", "2", "--out", str(out)], capsys)
    assert code == 0, err
    report = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}"))
    assert report["out"] == str(out) and out.is_file() and (tmp_path / "d.start.npy").is_file()
    assert not (tmp_path / "d.npy.npy").exists()


def test_mazes_writes_exactly_the_name_given(tmp_path, capsys):
    out = tmp_path / "m.npy"
    code, err, _ = run_main(["mazes", "--n", "3", "--out", str(out)], capsys)
    assert code == 0, err
    assert load_mazes(out).shape == (3, 7, 7) and [q.name for q in tmp_path.iterdir()] == ["m.npy"]


# Results are never lost


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = files.write_text(tmp_path / "rows.json", "old")
    with pytest.raises(RuntimeError):
        with files.replacing(path) as tmp:
            tmp.write_text("half of the new")
            raise RuntimeError("killed mid-write")
    assert path.read_text() == "old" and [q.name for q in tmp_path.iterdir()] == ["rows.json"]


def test_weights_are_written_atomically_and_byte_for_byte_as_torch_save(tmp_path):
    net = make_net(16, layers=1, seed=2)
    weights.save(net, tmp_path / "a" / "w.pt", note="x")
    (tmp_path / "b").mkdir()
    torch.save({"state_dict": net.state_dict(), "hidden": 16, "layers": 1, "meta": {"note": "x"}}, tmp_path / "b" / "w.pt")
    assert (tmp_path / "a" / "w.pt").read_bytes() == (tmp_path / "b" / "w.pt").read_bytes()
    assert [q.name for q in (tmp_path / "a").iterdir()] == ["w.pt"], "no temporary left behind"


@pytest.mark.parametrize("text, says", [('[{"p": 0.0, "seed": 0}, {"p": 0.1', "not readable JSON"),
                                        ('{"p": 0.0}', "does not hold rows"), ('[{"seed": 0}]', "does not hold rows"),
                                        ("", "not readable JSON")])
def test_a_truncated_or_foreign_rows_file_is_named_in_one_line(tmp_path, text, says):
    path = tmp_path / "corner.json"
    path.write_text(text)
    with pytest.raises(HarvestError, match=says) as err:
        corner.CHAPTER.merged([], path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    assert path.read_text() == text, "the file is reported, never replaced"


def test_a_truncated_resume_file_stops_the_fixes_run_with_one_line(tmp_path, capsys):
    (tmp_path / "fixes_rows.json").write_text('[{"method": "plain", "se')
    code, err, _ = run_main(["fixes", "--seeds", "1", "--method", "plain", "--out", str(tmp_path)], capsys)
    assert code == 2 and err.startswith("error:") and "fixes_rows.json" in err and len(err.splitlines()) == 1


def test_merging_replaces_only_the_rows_a_partial_run_re_ran(tmp_path):
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([{"method": m, "seed": s, "v": 0} for m in ("a", "b") for s in (0, 1)]))
    merged = rows.merged_with_saved([{"method": "b", "seed": 1, "v": 1}, {"method": "c", "seed": 0, "v": 1}],
                                    path, ("method", "seed"), "cmd")
    assert sorted((r["method"], r["seed"], r["v"]) for r in merged) == [
        ("a", 0, 0), ("a", 1, 0), ("b", 0, 0), ("b", 1, 1), ("c", 0, 1)]
    assert rows.merged_with_saved(merged, tmp_path / "none.json", ("method", "seed"), "cmd") == merged


def test_a_partial_corner_run_keeps_every_committed_row(tmp_path, capsys):
    committed = json.loads((ROOT / "runs" / "corner.json").read_text())
    (tmp_path / "corner.json").write_text(json.dumps(committed))
    code, err, _ = run_main(["corner", "--p", "0.1", "--seeds", "1", "--first-seed", "1", "--n-test", "10",
                             "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert json.loads((tmp_path / "corner.json").read_text()) == committed


def test_a_partial_fixes_run_replaces_only_its_rows_and_a_smoke_run_writes_nothing(tmp_path, monkeypatch, capsys):
    committed = json.loads((ROOT / "runs" / "fixes.json").read_text())
    rerun = {**committed[0], "steps": 1234}
    monkeypatch.setattr(fixes, "run", lambda *a, **k: [rerun])
    (tmp_path / "fixes.json").write_text(json.dumps(committed))
    code, err, _ = run_main(["fixes", "--seeds", "1", "--method", rerun["method"], "--out", str(tmp_path)], capsys)
    assert code == 0, err
    saved = json.loads((tmp_path / "fixes.json").read_text())
    assert len(saved) == len(committed) and saved[0] == rerun and saved[1:] == committed[1:]
    monkeypatch.chdir(tmp_path / "..")
    before = sorted(os.listdir("."))
    code, err, out = run_main(["fixes", "--quick", "--seeds", "1"], capsys)
    assert code == 0 and "nothing written" in out and sorted(os.listdir(".")) == before


def test_the_results_table_resumes_from_its_saved_networks_and_retrains_those_of_another_init(tmp_path, monkeypatch):
    calls = []

    def quick(net, seed, mix, cfg=None, progress=True):   # a stand-in for the recipe: record the call, train nothing
        calls.append((seed, mix))
        return {"steps": 7, "passed": True, "loss": []}

    monkeypatch.setattr(story, "train_agent", quick)
    nets = tmp_path / "nets"
    first = story.trained("shipped", True, 3, nets_dir=nets)[1]
    assert calls == [(3, story.KNOWN_FAMILY_FIX)] and (nets / "fix_3.pt").is_file()
    again = story.trained("shipped", True, 3, nets_dir=nets)[1]
    assert len(calls) == 1 and again == {**{k: first[k] for k in ("steps", "passed", "seconds")}, "reused": True}
    story.trained("random", False, 3, nets_dir=nets)   # another file: trained
    assert len(calls) == 2 and (nets / "control_3.pt").is_file()
    _, history = fixes.train_method(fixes.METHODS["known family"], 3, nets_dir=nets)   # the fixes chapter shares it
    assert len(calls) == 2 and history["reused"] and history["steps"] == 7
    meta = weights.read_meta(nets / "fix_3.pt")
    net = weights.load(nets / "fix_3.pt")
    weights.save(net, nets / "fix_3.pt", **{**meta, "init_sha256": "0" * 64})   # trained from another shipped init
    story.trained("shipped", True, 3, nets_dir=nets)
    assert len(calls) == 3


def test_verdicts_judge_the_shipped_pair_and_the_kept_networks_and_ship_refuses_a_stale_repair(tmp_path, capsys):
    nets = tmp_path / "nets"
    weights.save(weights.load_shipped("control.pt"), nets / "init_0.pt", init="shipped", seed=0, fix=False, steps=1,
                 passed_spot_checks=True, init_sha256="0" * 64)   # a clean network filed as a shipped-init one
    weights.save(weights.load_shipped("control.pt"), nets / "init_x.pt")   # not a seed: left out
    code, err, _ = run_main(["verdicts", "--n", "64", "--nets", str(nets), "--out", str(tmp_path)], capsys)
    assert code == 0, err
    rows = json.loads((tmp_path / "verdicts.json").read_text())
    assert [r["network"] for r in rows] == ["agent.pt (shipped)", "control.pt (shipped)", "init_0"]
    assert [r["flagged"] for r in rows] == [True, False, False] and [r["correct"] for r in rows] == [True, True, False]
    assert "2/3 verdicts right" in (tmp_path / "verdicts.md").read_text()
    weights.save(weights.load_shipped("control.pt"), nets / "fix_0.pt", init_sha256="0" * 64, steps=1,
                 passed_spot_checks=True)
    with pytest.raises(HarvestError, match="another shipped_init.pt"):
        story.ship(nets)
    with pytest.raises(HarvestError, match="missing"):
        story.ship(tmp_path)


def test_corner_ship_copies_seed_0_of_each_shipped_share_with_the_shipped_metadata(tmp_path, monkeypatch):
    with pytest.raises(HarvestError, match="p = 0, 0.1"):
        corner.ship(tmp_path)
    for p in corner.SHIPPED_SHARES:
        weights.save(make_net(8, 1, seed=0, exit_visible=True), tmp_path / f"p{p:g}_seed0.pt", init="random", seed=0,
                     moved_exit_share=p, steps=123, passed_spot_checks=True, seconds=4.5)
    shipped = []
    monkeypatch.setattr(weights, "ship", lambda net, name, **meta: shipped.append((name, meta)) or name)
    assert corner.ship(tmp_path) == ["corner_p0.pt", "corner_p10.pt"]
    assert shipped[1] == ("corner_p10.pt", {"init": "random", "seed": 0, "moved_exit_share": 0.1, "steps": 123,
                                            "passed_spot_checks": True})   # the keys, in order, of the shipped files
    assert list(shipped[1][1]) == list(weights.read_meta(weights.WEIGHTS_DIR / "corner_p10.pt"))


def test_the_inits_chapter_renders_its_committed_rows_and_resumes_without_making_an_init_twice(tmp_path, monkeypatch):
    committed = json.loads((ROOT / "runs" / "independent_inits.json").read_text())
    assert inits.table(committed) == (ROOT / "runs" / "independent_inits.md").read_text()
    made, trained = [], []
    monkeypatch.setattr(inits.shipped_init, "make", lambda r: made.append(r.seed) or make_net(16, 1, seed=r.seed))
    monkeypatch.setattr(inits, "train_agent", lambda net, seed, progress: trained.append(seed) or
                        {"steps": 10, "passed": True})
    monkeypatch.setattr(inits, "test_sets", lambda n: {"id": generate(8, np.random.default_rng(0)),
                                                       "ood": generate(8, np.random.default_rng(1))})
    rows = inits.run((4,), 2, tmp_path / "nets", tmp_path / "rows.json", log=lambda *_: None)
    assert made == [4] and trained == [0, 1] and [(r["init"], r["seed"]) for r in rows] == [(4, 0), (4, 1)]
    again = inits.run((4,), 3, tmp_path / "nets", tmp_path / "rows.json", log=lambda *_: None)
    assert made == [4] and trained == [0, 1, 2] and again[:2] == rows


# Steady under load


def test_the_default_thread_count_uses_the_usable_cores_and_honours_omp_num_threads(monkeypatch):
    assert 1 <= threads.usable_cores() <= (os.cpu_count() or 1)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    assert threads.default_count() == 2
    monkeypatch.setattr(threads, "usable_cores", lambda: 64)
    assert threads.default_count() == threads.CAP
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert threads.default_count() == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "lots")
    assert threads.default_count() == threads.CAP


def simulate(adaptive, cost, steps):
    """Run `steps` fake steps whose seconds depend on the thread count in force; the time they took."""
    total = 0.0
    for _ in range(steps):
        seconds = cost[torch.get_num_threads()]
        total += seconds
        adaptive.tick(seconds)
    return total


@pytest.mark.parametrize("cost, winner", [({2: 4.0, 1: 1.0}, 1), ({2: 0.6, 1: 1.0}, 2)])
def test_adaptive_keeps_the_faster_count_and_the_checks_cost_little(monkeypatch, cost, winner):
    monkeypatch.setattr(threads, "PINNED", False)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        tuner = threads.Adaptive()
        total = simulate(tuner, cost, 3000)
        assert set(tuner.choices) == {winner} and torch.get_num_threads() == winner
        assert total <= 1.05 * 3000 * cost[winner], "the checks of the other count cost at most 5%"
        assert tuner.period > tuner.first, "a steady winner is checked less and less often"
        tuner.close()
        assert torch.get_num_threads() == 2
        tuner = threads.Adaptive()   # the machine turns busy mid-run: it follows
        simulate(tuner, {2: 0.6, 1: 1.0}, 500)
        simulate(tuner, {2: 4.0, 1: 1.0}, 2000)
        assert tuner.choices[0] == 2 and tuner.choices[-1] == 1
        tuner.close()
    finally:
        torch.set_num_threads(before)


def test_a_pinned_count_is_left_alone(monkeypatch):
    before = torch.get_num_threads()
    monkeypatch.setattr(threads, "PINNED", threads.PINNED)   # put back after the test
    try:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
        assert threads.configure(2) == 2 and threads.PINNED
        tuner = threads.Adaptive()
        simulate(tuner, {2: 4.0, 1: 1.0}, 100)
        assert not tuner.active and torch.get_num_threads() == 2
        threads.configure()
        assert not threads.PINNED
    finally:
        torch.set_num_threads(before)


def test_threads_flag_sets_torch_threads(tmp_path, capsys):
    before = torch.get_num_threads()
    try:
        code, err, _ = run_main(["mazes", "--threads", "1", "--n", "2", "--out", str(tmp_path / "m.npy")], capsys)
        assert code == 0, err
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_every_config_field_and_every_verb_s_output_has_a_check():
    from harvest.cli import parser
    verbs = next(a for a in parser()._actions if a.dest == "command").choices
    for verb, sub in verbs.items():
        for action in sub._actions:
            if action.dest.startswith("cfg_") or action.dest in ("seed", "n", "out", "threads"):
                assert getattr(action.type, "__module__", "") == cli_args.__name__, f"{verb} --{action.dest} has no check"
    assert math.isfinite(cli_args.number(0)("1e-3"))
