"""The generated workshop files are up to date, the blanks are named, and the
solutions notebook runs from top to bottom."""
import os
import subprocess
import sys

import pytest

from harvest.core import weights
from harvest.core.errors import HarvestError
from harvest.workshop import build_exercises as build

ROOT = build.ROOT


def test_generated_files_match_a_fresh_build():
    old = [str(p.relative_to(ROOT)) for p in build.stale()]
    assert not old, f"out of date: {old}; run `harvest build` and commit the result"


def _learners_copy(tmp_path):
    """A clone's generated files in `tmp_path`, with exercise 1.2 filled in, as a learner would."""
    for name in ("solutions.py", "exercises.py", "exercises.ipynb", "solutions.ipynb"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    stub = 'raise NotImplementedError("exercise 1.2: create_reward_tensor")'
    text = (tmp_path / "exercises.py").read_text()
    assert stub in text
    (tmp_path / "exercises.py").write_text(text.replace(stub, "return my_answer"))
    return tmp_path / "exercises.py"


def test_a_learners_filled_in_exercises_is_not_stale_and_the_build_refuses_to_overwrite_it(tmp_path, monkeypatch):
    mine = _learners_copy(tmp_path)
    outputs = build.outputs(tmp_path)
    assert build.filled_in(mine, outputs[mine]) == ["1.2"]
    assert build.stale(tmp_path) == []   # so no test tells the learner to run a command that erases their work
    monkeypatch.setattr(build, "ROOT", tmp_path)
    with pytest.raises(HarvestError, match=r"exercise\(s\) 1.2.*--force"):
        build.main([])
    assert "return my_answer" in mine.read_text()
    assert build.main(["--force"]) == 0
    assert mine.read_text() == outputs[mine]


def test_an_exercise_new_to_the_solutions_is_not_a_filled_in_blank(tmp_path):
    """A build after solutions.py gains an exercise: the old exercises.py lacks it, which is not a learner's answer."""
    mine = _learners_copy(tmp_path)
    text = build.outputs(tmp_path)[mine]
    at = text.index("# ### Exercise 1.2:")
    mine.write_text(text[:at])   # a file from before exercise 1.2 existed
    assert build.filled_in(mine, text) == []


def test_a_notebook_with_a_filled_in_blank_counts_as_the_learners():
    path = ROOT / "exercises.ipynb"
    text = build.outputs()[path]
    assert build.filled_in(path, text) == []
    mine = text.replace('raise NotImplementedError(\\"exercise 2.1: bellman_rhs\\")', "return 0")
    assert mine != text
    import tempfile, pathlib
    with tempfile.TemporaryDirectory() as d:
        copy = pathlib.Path(d) / "exercises.ipynb"
        copy.write_text(mine)
        assert build.filled_in(copy, text) == ["2.1"]


def test_blank_out_keeps_indentation_and_names_each_stub_after_its_exercise():
    src = ("# ### Exercise 3.1: f\ndef f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\n\n"
           "# ### Exercise 3.2: g\nclass A:\n    def g(self):\n        ### BEGIN SOLUTION\n        pass\n"
           "        ### END SOLUTION\n")
    out = build.blank_out(src)
    assert '    y = 1\n    raise NotImplementedError("exercise 3.1: f")\n' in out
    assert '        raise NotImplementedError("exercise 3.2: g")\n' in out
    assert "return x + y" not in out and "SOLUTION" not in out


@pytest.mark.parametrize("src", ["# ### Exercise 1.1: x\n### BEGIN SOLUTION\nx\n", "x\n### END SOLUTION\n",
                                 "# ### Exercise 1.1: x\n### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n",
                                 "### BEGIN SOLUTION\nx\n### END SOLUTION\n",
                                 "# ### Exercise 1.1: x\n### BEGIN SOLUTION\n### END SOLUTION\n"
                                 "### BEGIN SOLUTION\n### END SOLUTION\n"])
def test_blank_out_rejects_unbalanced_markers_and_regions_without_their_own_header(src):
    with pytest.raises(ValueError):
        build.blank_out(src)


QUESTIONS = ("# %% [markdown]\n# **Question 2.1.** Why?\n#\n# <details><summary>Answer</summary>\n#\n"
             "# Because of the rule.\n#\n# </details>\n\n# %%\nx = 1\n\n"
             "# %% [markdown]\n# **Question 3.1.** How?\n#\n# <details><summary>Answer</summary>\n#\n"
             "# Like this.\n#\n# </details>\n")


def test_answers_move_to_the_end_keyed_by_question():
    out = build.answers_to_the_end(QUESTIONS)
    head, tail = out.split("# ## Answers")
    assert "<details>" not in out and "Because of the rule" not in head and "Like this" not in head
    assert "x = 1" in head and "**Question 2.1.** Why?" in head and "Question 2.1 is in the Answers section" in head
    assert tail.index("# ### Question 2.1\n#\n# Because of the rule.") < tail.index("# ### Question 3.1\n#\n# Like this.")
    assert out.count("# %% [markdown]") == 3   # the answers are one cell at the end


@pytest.mark.parametrize("src", [QUESTIONS.replace("**Question 3.1.** How?", "How?"),   # an answer with no question
                                 QUESTIONS.replace("3.1", "2.1"),                      # a question number twice
                                 QUESTIONS.replace("# </details>\n\n# %%", "\n# %%"),     # never closed
                                 "# </details>\n"])
def test_answers_without_their_own_numbered_question_are_refused(src):
    with pytest.raises(ValueError):
        build.answers_to_the_end(src)


def test_every_solution_region_is_an_exercise_with_a_header_and_a_check():
    import re
    solutions = (ROOT / "solutions.py").read_text()
    exercises = (ROOT / "exercises.py").read_text()
    numbers = re.findall(r"^# ### Exercise (\d+\.\d+):", solutions, flags=re.M)
    assert len(numbers) == len(set(numbers)) == solutions.count(build.BEGIN) >= 10
    for number in numbers:
        assert f'raise NotImplementedError("exercise {number}: ' in exercises
    assert solutions.count("checks.check_") == len(numbers)


def test_no_answer_is_in_sight_in_exercises_py_before_the_end():
    solutions = (ROOT / "solutions.py").read_text()
    exercises = (ROOT / "exercises.py").read_text()
    head, tail = exercises.split("# ## Answers\n")
    assert "<details>" not in exercises and "<details>" in solutions
    asked = build._QUESTION.findall(solutions)
    assert asked and all(f"# ### Question {q}\n" in tail for q in asked)
    assert "### BEGIN SOLUTION" not in tail and "def " not in tail   # the answers section is text only


def test_running_exercises_stops_at_the_first_blank_with_its_name():
    env = {**os.environ, "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, "exercises.py"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("NotImplementedError: exercise 0.1: q_iteration is still blank"), run.stderr[-2000:]


SHIPPED = {"shipped_init.pt", "control.pt", "repaired.pt", "corner_p0.pt", "corner_p10.pt"}


@pytest.mark.skipif(not SHIPPED <= set(weights.checksums()),
                    reason="shipped weights (harvest/weights/: shipped_init, control, repaired, corner_p0, corner_p10) are missing: "
                           "solutions.ipynb trains from the shipped initialisation and compares with the control")
def test_solutions_notebook_runs_top_to_bottom(tmp_path):
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(ROOT / "solutions.ipynb", as_version=4)
    os.environ.setdefault("MPLBACKEND", "Agg")
    # no per-cell time limit: a slow or busy machine takes longer, and that is not a failure
    NotebookClient(nb, timeout=None, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert text.count(": passed (") == (ROOT / "solutions.py").read_text().count(build.BEGIN)
