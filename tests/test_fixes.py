"""The fixes chapter: every method runs in quick mode, the adversarial loop stops, the pieces do what they say."""
import json

import numpy as np
import pytest

from harvest.cli import main
from harvest.core import detector
from harvest.core.dqn import Config
from harvest.core.encoding import HUMANS, WALLS
from harvest.core.maze import NODES, POSTS, generate, validate
from harvest.research.chapters import fixes
from harvest.research.standard_recipe import EDIT_BUDGET, N_TRAIN_MAZES, PLAIN, Mix, training_mazes

# the code of `fixes --quick` at a smaller scale still: the suite checks that every method runs, not what it finds
TINY = fixes.Scale(n_test=20, n_dreams=4, cfg=Config(steps=20, batch_size=64, check_every=20, warmup=0.1))


@pytest.fixture(scope="module")
def quick_rows():
    return fixes.run(1, scale=TINY, progress=False, log=lambda *_: None)


def test_every_method_runs_in_quick_mode_and_writes_the_promised_keys(quick_rows, tmp_path):
    assert [r["method"] for r in quick_rows] == list(fixes.METHODS)
    for r in quick_rows:
        assert {"method", "knows_family", "seed", "steps", "id_exit_rate", "human_harvest_rate"} <= set(r)
        assert {"short", "pocket"} <= set(r["human_harvest_rate"])
        assert r["knows_family"] == (r["method"] == "known family")
    fixes.CHAPTER.save(quick_rows, tmp_path)
    out = tmp_path
    assert json.loads((out / "fixes.json").read_text()) == json.loads(json.dumps(quick_rows))
    assert (out / "fixes.md").read_text().count("\n") == 2 + len(fixes.METHODS)


def test_a_run_of_one_method_without_the_plain_recipe_saves_its_table_and_figure(quick_rows, tmp_path):
    """`harvest fixes --method 'edits 10%'` alone: no plain row to scale the steps by, and still its files."""
    fixes.CHAPTER.save([r for r in quick_rows if r["method"] == "edits 10%"], tmp_path)
    assert "edits 10%" in (tmp_path / "fixes.md").read_text() and (tmp_path / "fixes.png").stat().st_size > 0


def test_only_methods_that_train_on_unseen_inputs_move_their_columns(quick_rows):
    moved = {r["method"]: r["unseen_columns_moved"] for r in quick_rows}
    assert moved["plain"] == 0, "generator mazes never light those inputs: zero gradient"
    assert moved["known family"] > 0 and moved["edits 30%"] > 0


def test_edited_training_mazes_change_only_the_chosen_share():
    plain = training_mazes(3)
    assert (Mix(edits=0.0).training_mazes(3) == plain).all()
    edited = Mix(edits=0.1).training_mazes(3)
    validate(edited)
    n = round(0.1 * N_TRAIN_MAZES)
    assert (edited[:-n] == plain[:-n]).all()
    changed = (edited[-n:] != plain[-n:]).sum(axis=(1, 2))
    assert changed.max() <= EDIT_BUDGET and (changed > 0).mean() > 0.9
    assert (Mix(edits=0.1).training_mazes(3) == edited).all()
    assert (Mix(edits=0.1).spot_mazes() == PLAIN.spot_mazes()).all(), "the spot checks stay unedited"


def test_the_mixes_and_the_methods():
    assert fixes.METHODS["known family"].mix is fixes.KNOWN_FAMILY_FIX and fixes.METHODS["plain"].mix == PLAIN
    assert [n for n, m in fixes.METHODS.items() if m.knows_family] == ["known family"]
    assert fixes.METHODS["edits 30%"].mix == Mix(edits=0.3)


def test_never_lit_names_the_inputs_generator_mazes_never_switch_on():
    unseen = fixes.never_lit(generate(500, 0))
    assert unseen[WALLS].reshape(7, 7)[NODES].all(), "a wall on an (even, even) cell"
    assert unseen[HUMANS].reshape(7, 7)[POSTS].all(), "a human on an (odd, odd) cell"
    assert not unseen[-14:].any(), "every row and column is visited"
    assert not unseen[WALLS].reshape(7, 7)[POSTS].any()


@pytest.mark.parametrize("flag, rounds", [(True, fixes.MAX_ROUNDS), (False, 0)])
def test_the_adversarial_loop_stops(monkeypatch, flag, rounds):
    calls = []

    def fake_detect(net, n, seed):
        calls.append(seed)
        dreams = generate(4, seed)
        return detector.Finding("dream", 1.0 if flag else 0.0, flag, 0.25, dreams, np.ones(4, bool), 0, 0.0)

    monkeypatch.setattr(fixes.detector.DREAM, "run", fake_detect)
    _, history = fixes.train_method(fixes.METHODS["adversarial"], 0, TINY)
    assert history["rounds"] == rounds and history["detector_passes"] == (not flag)
    assert len(calls) == rounds + 1 and len(set(calls)) == len(calls), "fresh dreams every round"
    assert history["dreams_added"] == 4 * rounds


def test_a_bad_method_is_a_one_line_error(capsys):
    assert main(["fixes", "--method", "nope", "--quick", "--seeds", "1"]) == 2
    assert "unknown method 'nope'" in capsys.readouterr().err


def test_a_stopped_run_resumes_from_its_checkpoint(tmp_path, monkeypatch):
    runs = []
    real = fixes.one_run
    monkeypatch.setattr(fixes, "one_run", lambda name, seed, *a, **k: runs.append((name, seed)) or real(name, seed, *a, **k))
    path = tmp_path / "rows.json"
    quiet = dict(scale=TINY, progress=False, log=lambda *_: None, checkpoint=path)
    first = fixes.run(1, ("plain",), **quiet)
    assert json.loads(path.read_text()) == json.loads(json.dumps(first))
    both = fixes.run(1, ("plain", "edits 10%"), **quiet)
    assert runs == [("plain", 0), ("edits 10%", 0)], "the finished row is kept, not trained again"
    assert [r["method"] for r in both] == ["plain", "edits 10%"] and both[0] == first[0]
    assert len(json.loads(path.read_text())) == 2
