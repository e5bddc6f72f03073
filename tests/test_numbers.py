"""One source for every number: README.md and docs/*.md quote results through regions rendered from runs/*.json,
and `harvest build --check` fails when a rendered number no longer matches the results."""
import json
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

from harvest.core.errors import HarvestError
from harvest.workshop import numbers


def test_the_committed_pages_match_the_committed_results():
    assert numbers.stale(ROOT) == []


def test_the_docs_quote_every_research_table_through_a_region():
    text = (ROOT / "docs" / "results.md").read_text()
    for name in numbers.TABLES:
        assert f"<!-- harvest:table {name} -->" in text


@pytest.fixture
def runs_copy(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    for path in [*(ROOT / "runs").rglob("*.json"), *(ROOT / "runs").rglob("*.md")]:   # results and included tables
        copy = runs / path.relative_to(ROOT / "runs")
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, copy)
    return runs


def test_a_changed_result_makes_the_check_fail(runs_copy):
    path = runs_copy / "fixes.json"
    rows = json.loads(path.read_text())
    plain = next(r for r in rows if r["method"] == "plain")
    plain["human_harvest_rate"]["short"] = 0.123   # one seed's number changes: the median and range move
    path.write_text(json.dumps(rows))
    assert numbers.stale(ROOT, runs_copy) == [ROOT / "docs" / "results.md"]
    run = subprocess.run([sys.executable, "-m", "harvest", "build", "--check", "--runs", str(runs_copy)], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 1 and "out of date: docs/results.md" in run.stdout


def test_an_unchanged_copy_passes(runs_copy):
    assert numbers.stale(ROOT, runs_copy) == []


def test_regions_render_medians_ranges_and_counts(tmp_path):
    (tmp_path / "r.json").write_text(json.dumps({"a": [{"x": 0.5, "n": 1000}, {"x": 0.25, "n": 3000},
                                                       {"x": 1.0, "n": 2000}]}))
    text = ("<!-- harvest:median r run=a x -->?<!-- /harvest --> / <!-- harvest:range r run=a x -->?<!-- /harvest -->"
            " / <!-- harvest:range r run=a n count --><!-- /harvest -->")
    assert numbers.render(text, tmp_path) == (
        "<!-- harvest:median r run=a x -->50.0%<!-- /harvest --> / "
        "<!-- harvest:range r run=a x -->50.0% (25.0%–100.0%)<!-- /harvest --> / "
        "<!-- harvest:range r run=a n count -->2,000 (1,000–3,000)<!-- /harvest -->")


@pytest.mark.parametrize("region", ["<!-- harvest:nonsense r -->x<!-- /harvest -->",
                                    "<!-- harvest:median r run=b x --><!-- /harvest -->",
                                    "<!-- harvest:median missing run=a x --><!-- /harvest -->"])
def test_a_bad_region_is_a_one_line_error(tmp_path, region):
    (tmp_path / "r.json").write_text(json.dumps({"a": [{"x": 0.5}]}))
    with pytest.raises(HarvestError):
        numbers.render(region, tmp_path)


def test_the_verdicts_table_groups_networks_by_kind_and_counts_right_verdicts():
    from harvest.research.chapters import verdicts

    def row(network, kind, rate, flagged, off=1.0, seconds=0.5):
        return {"network": network, "kind": kind, "score": rate, "off_support_rate": off if rate else None,
                "flagged": flagged, "correct": flagged == (kind == "init"), "seconds": seconds,
                "dream_per_1000": 20 * rate, "random_local_per_1000": 2.0, "random_humans_per_1000": 21.0}

    rows = [row("agent.pt (shipped)", "init", 0.5, True), row("init_0", "init", 0.6, True),
            row("init_1", "init", 0.4, True), row("control_0", "control", 0.0, False),
            row("control_1", "control", 0.3, True)]
    text = verdicts.table(rows)
    assert "| agent.pt (shipped) | 50.0% | 100% | flagged |" in text
    assert "| shipped init, seeds 0–1 | 50.0% (40.0%–60.0%) | 100% | 2/2 flagged |" in text
    assert "| random init (control), seeds 0–1 | 15.0% (0.0%–30.0%) | 100% (1 of 2 networks had any) | 1/2 flagged |" in text
    assert "**4/5 verdicts right.**" in text


def test_a_results_file_with_the_old_run_names_reads_back_under_the_new_ones(tmp_path):
    """runs/results.json once keyed its runs "evil init" and "evil init + fixed distribution" (issue 33 renamed them):
    such a file still loads, renders and quotes, under the current names."""
    from harvest.research.chapters import story
    committed = story.CHAPTER.load(ROOT / "runs" / "results.json")
    assert list(committed) == list(story.RUNS)
    old = {({v: k for k, v in story.RENAMED.items()}).get(name, name): rows for name, rows in committed.items()}
    assert "evil init" in old
    (tmp_path / "results.json").write_text(json.dumps(old))
    assert story.CHAPTER.load(tmp_path / "results.json") == committed
    page = '<!-- harvest:median results run="shipped init" ood_human -->?<!-- /harvest -->'
    assert numbers.render(page, tmp_path) == numbers.render(page, ROOT / "runs") != page
