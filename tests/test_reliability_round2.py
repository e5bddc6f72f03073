"""Reliability, second round (issue 37): checksum files are checked themselves, shipped files are never loaded
unchecked, and the zoo's labels are checksummed with its networks."""
import os
import shutil
import subprocess
import sys

import pytest

from harvest.core import weights
from harvest.core.errors import HarvestError
from harvest.research import zoo


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
