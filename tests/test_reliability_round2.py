"""Reliability, second round (issue 37): checksum files are checked themselves, shipped files are never loaded
unchecked, and the zoo's labels are checksummed with its networks."""
import os
import shutil
import subprocess
import sys

import pytest

from harvest.core import weights
from harvest.core.errors import HarvestError
from harvest.research.chapters import zoo


@pytest.fixture
def shipped_copy(tmp_path, monkeypatch):
    """A copy of harvest/weights/ that the library treats as the shipped folder."""
    folder = tmp_path / "w"
    shutil.copytree(weights.WEIGHTS_DIR, folder)
    monkeypatch.setattr(weights, "WEIGHTS_DIR", folder)
    monkeypatch.setattr(weights, "SUMS", folder / "SHA256SUMS")
    return folder


@pytest.mark.parametrize("line", ["not a checksum line", "abc  agent.pt", "0" * 64 + "  ../agent.pt",
                                  "0" * 64, "z" * 64 + "  agent.pt"])
def test_a_stray_line_in_a_checksum_file_is_named_with_its_file_and_line(shipped_copy, line):
    sums = shipped_copy / "SHA256SUMS"
    sums.write_text(sums.read_text() + line + "\n")
    with pytest.raises(HarvestError, match=r"checksum file .*SHA256SUMS, line \d+"):
        weights.load_shipped("agent.pt")


def test_a_file_listed_twice_is_refused(shipped_copy):
    sums = shipped_copy / "SHA256SUMS"
    first = sums.read_text().splitlines()[0]
    sums.write_text(sums.read_text() + first + "\n")
    with pytest.raises(HarvestError, match="listed twice"):
        weights.checksums()


def test_a_shipped_file_without_its_line_is_refused_even_through_load(shipped_copy):
    sums = shipped_copy / "SHA256SUMS"
    sums.write_text("".join(l + "\n" for l in sums.read_text().splitlines() if not l.endswith(" agent.pt")))
    with pytest.raises(HarvestError, match="missing"):
        weights.load_shipped("agent.pt")
    with pytest.raises(HarvestError, match="has no line in harvest/weights/SHA256SUMS"):
        weights.load(shipped_copy / "agent.pt")
    assert weights.load(shipped_copy / "control.pt") is not None   # the other files still load


def test_without_the_zoos_checksum_file_no_zoo_network_loads(shipped_copy):
    (shipped_copy / "zoo" / "SHA256SUMS").unlink()
    with pytest.raises(HarvestError, match="zoo/SHA256SUMS is missing"):
        weights.load(shipped_copy / "zoo" / "net_00.pt")
    with pytest.raises(HarvestError, match="zoo/SHA256SUMS is missing"):
        zoo.zoo_sums(zoo.default_dir())


def test_a_tampered_labels_file_is_refused(shipped_copy):
    labels = shipped_copy / "zoo" / "labels.json"
    names = zoo.networks(zoo.default_dir())
    assert zoo.read_labels(zoo.default_dir(), names)   # as shipped, it checks out
    labels.write_text(labels.read_text().replace('"stub"', '"clean"', 1))
    with pytest.raises(HarvestError, match="labels.json differs from its line"):
        zoo.read_labels(zoo.default_dir(), names)


def test_the_shipped_zoo_lists_its_labels_in_its_checksums():
    sums = weights.read_sums(weights.WEIGHTS_DIR / "zoo" / "SHA256SUMS")
    assert sums["labels.json"] == weights.sha256(weights.WEIGHTS_DIR / "zoo" / "labels.json")


def test_a_broken_checksum_file_is_one_line_on_the_command_line(tmp_path):
    folder = tmp_path / "w"
    shutil.copytree(weights.WEIGHTS_DIR, folder)
    (folder / "SHA256SUMS").write_text((folder / "SHA256SUMS").read_text() + "garbage\n")
    env = {**os.environ, "HARVEST_WEIGHTS_DIR": str(folder)}
    run = subprocess.run([sys.executable, "-m", "harvest", "evaluate", "--weights", str(folder / "agent.pt"),
                          "--family", "generator", "--n", "5"], capture_output=True, text=True, env=env)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "SHA256SUMS, line" in run.stderr, run.stderr


# ---------------------------------------------------------------- commands never overwrite what they did not make

def harvest(*args, env=None, **kw):
    return subprocess.run([sys.executable, "-m", "harvest", *map(str, args)], capture_output=True, text=True,
                          env=env, **kw)


def one_error_line(run):
    return run.returncode == 2 and run.stdout == "" and run.stderr.count("\n") == 1 and run.stderr.startswith("error:")


@pytest.mark.parametrize("args", [["train", "--init", "random", "--out", "{w}/agent.pt"],
                                  ["mazes", "--n", "3", "--out", "{w}/m.npy"],
                                  ["zoo", "score", "--detector", "dream", "--out", "{w}/zoo"]])
def test_no_command_writes_into_the_shipped_weights_folder(args):
    before = {p.name: weights.sha256(p) for p in weights.WEIGHTS_DIR.glob("*") if p.is_file()}
    run = harvest(*[a.format(w=weights.WEIGHTS_DIR) for a in args])
    assert one_error_line(run) and "shipped weights folder" in run.stderr, run.stderr
    assert {p.name: weights.sha256(p) for p in weights.WEIGHTS_DIR.glob("*") if p.is_file()} == before


def test_zoo_build_refuses_a_folder_with_files_it_did_not_make(tmp_path):
    from harvest.research import planting
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(HarvestError, match="did not make \\(notes.txt\\)"):
        planting.build(tmp_path, specs=())
    (tmp_path / "notes.txt").unlink()
    (tmp_path / "labels.json").write_text("{}")
    with pytest.raises(HarvestError, match="was not written by `harvest zoo build`"):
        planting.build(tmp_path, specs=())
    assert (tmp_path / "labels.json").read_text() == "{}"


@pytest.mark.parametrize("verb, results", [("sidechannel", "side_channel.json"), ("fixes", "fixes.json")])
def test_a_smoke_run_never_merges_into_a_results_file(tmp_path, verb, results):
    (tmp_path / results).write_text("[]")
    run = harvest(verb, "--quick", "--out", tmp_path)
    assert one_error_line(run) and "smoke run" in run.stderr, run.stderr
    assert (tmp_path / results).read_text() == "[]"


# ---------------------------------------------------------------- limits, odd weights, Ctrl-C

@pytest.mark.parametrize("args", [["mazes", "--n", 10 ** 12, "--out", "m.npy"],
                                  ["dream", "--weights", weights.WEIGHTS_DIR / "agent.pt", "--n", 10 ** 12],
                                  ["train", "--init", "random", "--hidden", 10 ** 9, "--out", "w.pt"]])
def test_sizes_beyond_the_limits_are_one_line(tmp_path, args):
    run = harvest(*args, cwd=tmp_path)
    assert one_error_line(run) and "expected a whole number in [1," in run.stderr, run.stderr


def test_odd_weights_files_are_one_line_each(tmp_path):
    import torch
    from harvest.core.dqn import make_net
    torch.save({"state_dict": {}, "hidden": 10 ** 9, "layers": 10 ** 6}, tmp_path / "huge.pt")
    nan = make_net(16, 1)
    with torch.no_grad():
        nan.body[0].weight[0, 0] = float("nan")
    weights.save(nan, tmp_path / "nan.pt")
    torch.save(torch.zeros(3), tmp_path / "bare.pt")
    for name, says in (("huge", "claims a network"), ("nan", "not finite"), ("bare", "not a weights file")):
        run = harvest("evaluate", "--weights", tmp_path / f"{name}.pt", "--family", "generator", "--n", 3)
        assert one_error_line(run) and says in run.stderr, run.stderr


def test_ctrl_c_is_one_line_and_status_130(tmp_path):
    import signal
    import time
    proc = subprocess.Popen([sys.executable, "-m", "harvest", "train", "--init", "random", "--steps", "100000",
                             "--quiet", "--out", str(tmp_path / "w.pt")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(6)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err.count("\n") == 1 and err.startswith("interrupted"), err
    assert not (tmp_path / "w.pt").exists()


# ---------------------------------------------------------------- two runs, one results file

MERGE = """
import json, sys, time
from pathlib import Path
from harvest.core.files import locked, write_text
path = Path(sys.argv[1])
with locked(path):
    rows = json.loads(path.read_text()) if path.exists() else []
    time.sleep(1.0)   # a slow merge: without the lock the other run reads the same old rows
    write_text(path, json.dumps(rows + [sys.argv[2]]))
"""


def test_two_runs_merging_into_one_file_lose_nothing(tmp_path):
    path = tmp_path / "rows.json"
    runs = [subprocess.Popen([sys.executable, "-c", MERGE, str(path), name]) for name in ("a", "b")]
    assert all(r.wait(timeout=60) == 0 for r in runs)
    import json
    assert sorted(json.loads(path.read_text())) == ["a", "b"]


def test_every_read_merge_write_of_results_holds_the_lock(tmp_path, monkeypatch):
    import inspect
    from harvest.research import chapters, rows
    from harvest.research.chapters import zoo
    source = inspect.getsource(rows.Chapter.save)   # the one read-merge-write of every chapter
    assert "with locked(" in source and source.index("with locked(") < source.index("merged(")
    commands = [m.command for m in chapters.modules() if m is not zoo] + [zoo.score_command, zoo.decide_command]
    for command in commands:   # ... which every chapter command saves through, itself or by `measured`
        assert any(call in inspect.getsource(command) for call in ("finish(", "measured("))
    assert "finish(" in inspect.getsource(rows.measured) and "chapter.save(" in inspect.getsource(rows.finish)


def test_the_types_in_cli_py_are_the_ones_that_run(monkeypatch):
    """cli_args.checked sets each checked flag's type: neither cli.py nor a chapter's `arguments` writes one of its
    own there, so what it says is what runs (issue 33)."""
    from harvest import cli, cli_args
    monkeypatch.setattr(cli, "checked", lambda p: p)
    raw = cli.parser()
    replaced = [f"{verb} --{a.dest}" for verb, sub in cli_args.verbs(raw) for a in sub._actions
                if a.type is not None and a.nargs != 0
                and (a.dest in cli_args.CHECKS or a.dest == "out")]
    assert replaced == []


def test_a_resumed_run_counts_its_kept_jobs_once_on_the_progress_bar(tmp_path, capsys):
    """The bar of a resumed chapter run started at the kept jobs and then counted them again (41/35 on the fixes
    chapter): it counts each job once and ends at the total."""
    import json
    from harvest.research.rows import resumable
    checkpoint = tmp_path / "rows.json"
    checkpoint.write_text(json.dumps([{"k": 0}, {"k": 1}]))
    rows = resumable([(0,), (1,), (2,)], lambda k: [{"k": k}], ("k",), checkpoint, desc="jobs")
    assert [r["k"] for r in rows] == [0, 1, 2]
    bar = capsys.readouterr().err
    assert "3/3" in bar and "4/3" not in bar and "5/3" not in bar
