"""Nothing a learner sees before a measurement names its answer: the project's rule that the learner finds it.

Three answers are guarded, each with the point where the learner has produced it:

- the generator's rule (the lattice) and the deployment mazes' shape: produced when the learner's own
  `in_support` passes its check in Step 6;
- how the agent's starting weights were made: produced at the end of Step 10, where the text sends the
  learner to spoilers.py;
- the old name of the starting weights, "evil", appears nowhere in the workshop.

Places: exercises.py before each point (its text, its printed strings, its step titles), every step
title and the step table, the docstrings of what exercises.py imports and calls before each point, the
README above its spoiler line, and the decks' on-screen text (speaker notes excluded) before the Spoiler
slide. The last tests put a giveaway back and see these checks fail.
"""
import argparse
import ast
import importlib
import sys
import inspect
import re
import types

import pytest
from conftest import ROOT

LATTICE = ["(even, even)", "(odd, odd)", "even, even", "odd, odd", "two cells at a time", "two at a time",
           "every other cell", "NODES", "POSTS", "::2", "lattice"]
SHAPE = ["one block short", "one cell back", "cut short", "shortened", "short family", "short-family",
         "make_short", "generate_short", "make_ood", "generate_ood", "OFF_SUPPORT"]
INIT = ["evil", "planted", "plant ", "sabotage", "flipped", "sign-flipped", "homicidal", "random init",
        "random start", "shipped init", "loaded"]
RULE = LATTICE + SHAPE   # the answer of Step 6

EXERCISES = ROOT / "exercises.py"


def found(text, terms):
    """The giveaway terms that occur in `text` (case-insensitive), with a little context for the message."""
    hits = []
    for term in terms:
        for m in re.finditer(re.escape(term.lower()), text.lower()):
            hits.append(f"{term!r} in ...{text[max(0, m.start() - 60):m.end() + 40]!r}...")
    return hits


def rule_point(text):
    """Offset in exercises.py where the learner has produced the generator's rule: their support test's check."""
    return text.index("checks.check_in_support(")


def init_point(text):
    """Offset of the markdown cell that sends the learner to spoilers.py (the end of Step 10)."""
    return text.rindex("# %% [markdown]", 0, text.index("Open `spoilers.py` now"))


def titles(text):
    """Every step title and every row of the step table."""
    return [line for line in text.splitlines() if re.match(r"# #+ Step \d+", line) or re.match(r"# \| \d+ \|", line)]


def exercise_leaks(text):
    return (found(text[:rule_point(text)], RULE) + found(text[:init_point(text)], INIT) + found(text, ["evil"])
            + found("\n".join(titles(text)), RULE + INIT))


def _docs_of(obj):
    if isinstance(obj, types.ModuleType) or inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismethod(obj):
        return inspect.getdoc(obj) or ""
    return ""


def imported_docs(text, upto):
    """{name: docstring} of every harvest module and object exercises.py imports before offset `upto`, and of every
    attribute it reads from an imported harvest module (`dream.placements`) before that offset."""
    upto_line = text[:upto].count("\n") + 1
    tree = ast.parse(text)
    modules, docs = {}, {}
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or node.lineno >= upto_line:
            continue
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("harvest"):
            module = importlib.import_module(node.module)
            docs[node.module] = _docs_of(module)
            for alias in node.names:
                obj = getattr(module, alias.name) if hasattr(module, alias.name) else \
                    importlib.import_module(f"{node.module}.{alias.name}")
                docs[f"{node.module}.{alias.name}"] = _docs_of(obj)
                if isinstance(obj, types.ModuleType):
                    modules[alias.asname or alias.name] = obj
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("harvest"):
                    modules[alias.asname or alias.name] = importlib.import_module(alias.name)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                and node.lineno < upto_line):
            obj = getattr(modules[node.value.id], node.attr, None)
            docs[f"{modules[node.value.id].__name__}.{node.attr}"] = _docs_of(obj)
    return docs


def docstring_leaks(text):
    hits = []
    for terms, upto in ((RULE, rule_point(text)), (INIT, init_point(text))):
        for name, doc in imported_docs(text, upto).items():
            hits += [f"{name}: {h}" for h in found(doc, terms)]
    return hits


def test_exercises_py_names_no_answer_before_the_learner_has_measured_it():
    leaks = exercise_leaks(EXERCISES.read_text())
    assert not leaks, "\n".join(leaks)


def test_solutions_py_has_the_same_step_titles_and_no_old_name():
    text = (ROOT / "solutions.py").read_text()
    leaks = found("\n".join(titles(text)), RULE + INIT) + found(text, ["evil"])
    assert not leaks, "\n".join(leaks)


def test_what_the_workshop_imports_says_nothing_before_the_learner_has_measured_it():
    leaks = docstring_leaks(EXERCISES.read_text())
    assert not leaks, "\n".join(leaks)




def on_screen(deck):
    """A deck's Markdown without its speaker notes, HTML comments and front matter."""
    deck = re.sub(r"^::: ?notes\n.*?^:::\n", "", deck, flags=re.S | re.M)
    deck = re.sub(r"<!--.*?-->", "", deck, flags=re.S)
    return re.sub(r"\A---\n.*?\n---\n", "", deck, flags=re.S)


def before_the_spoiler():
    """The on-screen text of every deck up to the Spoiler slide (decks 01, 02, and 03 up to its spoiler)."""
    decks = sorted((ROOT / "presentation").glob("0*.md"))
    text = ""
    for deck in decks:
        screen = on_screen(deck.read_text())
        spoiler = re.search(r"^# Spoiler", screen, flags=re.M)
        text += screen[:spoiler.start()] if spoiler else screen
        if spoiler:
            return text
    raise AssertionError("no deck has a '# Spoiler' slide")


def test_the_slides_before_the_spoiler_slide_say_nothing_of_the_starting_weights():
    leaks = found(before_the_spoiler(), INIT)
    assert not leaks, "\n".join(leaks)


# The decks are taught interleaved with the workshop: a slide titled "Your turn: Step N" (or "Steps N and M") sends
# the room to the notebook, and a step's answer may be on screen only after that pause (or after the Spoiler slide).
VERDICT = ["prefers the safe path", "reward was right", "reward is right", "reward is sound", "pay off", "pays off",
           "not from the reward", "not to blame", "no path that harvests"]   # Step 4: is the reward to blame?
UNTOUCHED = ["no gradient", "never changes weights", "never change weights", "never-seen input", "never moved",
             "untouched", "starting weights", "initiali"]                    # Step 10: weights no input ever moves
ANSWERS = {4: VERDICT, 6: RULE, 10: UNTOUCHED}


def slides(screen):
    """(title, on-screen text) of each slide of a deck's on-screen Markdown; a '# ' inside a code fence is no title."""
    out, fenced = [], False
    for line in screen.splitlines():
        fenced ^= line.startswith("```")
        if line.startswith("# ") and not fenced:
            out.append([line[2:].strip(), ""])
        elif out:
            out[-1][1] += line + "\n"
    return out


def answers_before_their_pause(decks):
    """Each step's answer on screen before the 'Your turn' slide that sets the step, over `decks` (Markdown texts,
    in teaching order) up to the Spoiler slide."""
    done, hits = set(), []
    for title, text in (s for deck in decks for s in slides(on_screen(deck))):
        if title.startswith("Spoiler"):
            return hits
        hits += [f"step {step} before its pause, slide {title!r}: {h}" for step, terms in ANSWERS.items()
                 if step not in done for h in found(f"{title}\n{text}", terms)]
        if title.startswith("Your turn"):
            done |= {int(n) for n in re.findall(r"\d+", title)}
    raise AssertionError("no deck has a '# Spoiler' slide")


def taught_decks():
    return [p.read_text() for p in sorted((ROOT / "presentation").glob("0[123]-*.md"))]


def test_each_answer_is_on_screen_only_after_the_your_turn_slide_that_sets_its_step():
    leaks = answers_before_their_pause(taught_decks())
    assert not leaks, "\n".join(leaks)


def test_the_decks_pause_for_steps_4_6_and_10_and_then_show_their_answers():
    """Not vacuous: each guarded answer is on screen after its pause, and each pause exists."""
    decks = taught_decks()
    titles = [t for deck in decks for t, _ in slides(on_screen(deck))]
    for step, terms in ANSWERS.items():
        pause = next(i for i, t in enumerate(titles) if t.startswith("Your turn") and str(step) in re.findall(r"\d+", t))
        spoiler = titles.index(next(t for t in titles if t.startswith("Spoiler")))
        assert pause < spoiler
        after = [text for deck in decks for t, text in slides(on_screen(deck))]
        assert found("".join(after[pause + 1:spoiler]), terms), f"step {step}'s answer never shown"


# ---------------------------------------------------------------- the checks above can fail

@pytest.mark.parametrize("where, word", [("# ## Step 3. Look at what it learned", "planted"),
                                         ("# ## Step 5. Measure it", "(odd, odd)"),
                                         ("# Pictures are anecdotes.", "each dead end one block short"),
                                         ("# ## Step 13. Bonus chapter: the corner proxy", "no sabotage"),
                                         ("# | 13 | bonus chapter: the corner proxy", "no planted weights"),
                                         ("# ## Step 14.", "evil")])
def test_a_giveaway_put_back_into_exercises_py_is_found(where, word):
    text = EXERCISES.read_text()
    assert where in text
    assert not exercise_leaks(text)
    assert exercise_leaks(text.replace(where, f"{where} {word}", 1))


def test_a_giveaway_put_back_into_a_docstring_the_workshop_reads_is_found(monkeypatch):
    from harvest.workshop import deployment
    text = EXERCISES.read_text()
    assert "deployment_mazes" in text[:rule_point(text)]
    monkeypatch.setattr(deployment.deployment_mazes, "__doc__", "Generator mazes, each item one cell back.")
    assert any("one cell back" in hit for hit in docstring_leaks(text))


def test_a_giveaway_put_into_the_readme_or_before_the_spoiler_slide_is_found():
    readme = (ROOT / "README.md").read_text()
    assert not readme_leaks(readme)
    for words in ("The reward is not to blame.", "the evil init", "every other cell is a wall", "no gradient"):
        assert readme_leaks(readme.replace("## Set up", f"{words}\n\n## Set up")), words
    assert found(on_screen("# A slide\n\nThe planted weights.\n\n::: notes\nfine\n:::\n"), INIT)
    assert not found(on_screen("# A slide\n\nText.\n\n::: notes\nThe planted weights.\n:::\n"), INIT)


@pytest.mark.parametrize("slide, words", [("# The same agent on more such mazes\n", "The reward prefers the safe path."),
                                          ("# The problem with testing\n", "Every (even, even) cell is open."),
                                          ("# The detector, measured\n", "An input that is always 0 gets no gradient."),
                                          ("# The rules\n", "No path that harvests a human can pay off.")])
def test_an_answer_put_back_before_its_pause_is_found(slide, words):
    decks = taught_decks()
    assert not answers_before_their_pause(decks)
    assert sum(slide in d for d in decks) == 1
    assert answers_before_their_pause([d.replace(slide, f"{slide}\n{words}\n", 1) for d in decks])
    notes = f"{slide}\n::: notes\n{words}\n:::\n"   # the speaker notes may say it
    assert not answers_before_their_pause([d.replace(slide, notes, 1) for d in decks])


@pytest.mark.parametrize("pause", ["# Your turn: Steps 4 and 5", "# Your turn: Step 6", "# Your turn: Steps 10 and 11"])
def test_a_pause_taken_away_or_moved_after_its_answer_is_found(pause):
    decks = taught_decks()
    assert sum(pause in d for d in decks) == 1
    assert answers_before_their_pause([d.replace(pause, "# A slide", 1) for d in decks])
    assert answers_before_their_pause([d.replace(pause, "# Your turn: Step 99", 1) for d in decks])


# Step 15 (the side-channel chapter): whether the agent follows the channel is measured after the learner predicts it.
FOLLOWS = ["follows the channel", "follow the channel", "ignores the channel", "ignore the channel",
           "leans on the channel", "lean on the channel", "follows the signal", "follows the lie", "obeys the channel"]


def side_channel_span(text):
    """Step 15's text up to its measurement cell (the shipped agents are loaded there)."""
    start = text.index("# ## Step 15.")
    return text[start:text.index("load_shipped(\"side_channel_next.pt\")", start)]


def test_step_15_says_nothing_of_the_outcome_before_the_learner_predicts_it():
    leaks = found(side_channel_span(EXERCISES.read_text()), FOLLOWS)
    deck = (ROOT / "presentation" / "08-side-channel.md").read_text()
    screen = on_screen(deck)
    leaks += found(screen[:screen.index("# Your turn: Step 15")], FOLLOWS)
    assert not leaks, "\n".join(leaks)


def test_an_outcome_put_back_before_step_15s_measurement_is_found():
    text = EXERCISES.read_text()
    at = text.index("# ### Exercise 15.2")
    assert found(side_channel_span(text[:at] + "# it follows the channel\n" + text[at:]), FOLLOWS)


# Step 16 (the capstone): nothing names a network's flaw, or the kinds of flaw, before the grader reads the labels.
KINDS = [r"\bshort\b", r"\bpocket", r"\bstub", r"\bloop", r"\bnarrow\b"]


def zoo_span(text):
    """Step 16's text up to the cell where the grader reads the labels."""
    start = text.index("# ## Step 16.")
    return text[start:text.index("zoo.from_verdicts(", start)]


def kind_leaks(text):
    return [f"{p!r} in ...{text[max(0, m.start() - 60):m.end() + 40]!r}..."
            for p in KINDS for m in re.finditer(p, text, re.IGNORECASE)]


def test_step_16_names_no_kind_of_flaw_before_the_grader_reads_the_labels():
    leaks = kind_leaks(zoo_span(EXERCISES.read_text()))
    deck = on_screen((ROOT / "presentation" / "09-zoo.md").read_text())
    leaks += kind_leaks(deck[:deck.index("# Your turn: Step 16")])
    assert not leaks, "\n".join(leaks)


def test_a_kind_put_back_before_step_16s_grading_is_found():
    text = EXERCISES.read_text()
    at = text.index("# ### Exercise 16.1")
    assert kind_leaks(zoo_span(text[:at] + "# some are planted on pocket mazes\n" + text[at:]))


# Step 17 (the reward-model chapter): what the learned reward and its planner do is measured after the prediction.
LEARNED = ["safe because lost", "remove the human", "removes the human", "removes humans", "more humans",
           "harvests more", "overpaid", "exploits", "no better than random", "as well as random", "presence"]


def reward_model_span(text):
    """Step 17's text up to its measurement cell (the chapter's rows are loaded there)."""
    start = text.index("# ## Step 17.")
    return text[start:text.index("reward_model.CHAPTER.load()", start)]


def test_step_17_says_nothing_of_the_outcome_before_the_learner_predicts_it():
    leaks = found(reward_model_span(EXERCISES.read_text()), LEARNED)
    screen = on_screen((ROOT / "presentation" / "10-reward-model.md").read_text())
    leaks += found(screen[:screen.index("# Your turn: Step 17")], LEARNED)
    assert not leaks, "\n".join(leaks)


def test_an_outcome_put_back_before_step_17s_measurement_is_found():
    text = EXERCISES.read_text()
    at = text.index("# ### Exercise 17.2")
    assert found(reward_model_span(text[:at] + "# its planner is safe because lost\n" + text[at:]), LEARNED)


# ---------------------------------------------------------------- the README, the package's name and the library

FRONT = ["right reward", "correct reward", "reward is correct", "correct specification", "wrong goal with the"]


def readme_leaks(text):
    """Every answer, anywhere in the README: newcomers read it top to bottom, before Step 0."""
    return found(text, RULE + INIT + VERDICT + UNTOUCHED + FRONT)


def test_the_readme_names_no_answer_anywhere():
    leaks = readme_leaks((ROOT / "README.md").read_text())
    assert not leaks, "\n".join(leaks)


def test_the_title_and_the_package_description_do_not_answer_step_4():
    import tomllib
    description = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["description"]
    import harvest
    title = next(line for line in EXERCISES.read_text().splitlines() if line.startswith("# # "))
    leaks = found("\n".join([description, title, harvest.__doc__.splitlines()[0]]), VERDICT + FRONT + RULE + INIT)
    assert not leaks, "\n".join(leaks)


SPOILER_LINE = re.compile(r"^\s*# -+ spoiler line", re.M)
MODULE = re.compile(r"harvest(?:\.[a-z_]+)+|harvest(?:/[a-z_]+)+\.py")


def named_modules(text, upto):
    """The harvest modules that exercises.py names (imports, hints, prose) before offset `upto`."""
    names = set()
    for m in MODULE.finditer(text[:upto]):
        name = m.group().removesuffix(".py").replace("/", ".")
        while name not in sys.modules:   # `harvest.core.rules.move` names a module and an attribute
            try:
                importlib.import_module(name)
            except ImportError:
                name = name.rpartition(".")[0]
                continue
            break
        names.add(name)
    return sorted(names)


def above_the_spoiler_line(module):
    """A module's source up to its spoiler line (a comment `# ---- spoiler line ...`), or all of it."""
    source = inspect.getsource(importlib.import_module(module))
    line = SPOILER_LINE.search(source)
    return source[:line.start()] if line else source


def library_leaks(text):
    hits = []
    for terms, upto in ((RULE + INIT + ["spoilers"], rule_point(text)), (INIT + ["spoilers"], init_point(text))):
        for module in named_modules(text, upto):
            hits += [f"{module}: {h}" for h in found(above_the_spoiler_line(module), terms)]
    return hits


def test_the_library_modules_the_workshop_points_to_name_no_answer_above_their_spoiler_line():
    leaks = library_leaks(EXERCISES.read_text())
    assert not leaks, "\n".join(leaks)


def test_the_pointed_modules_include_the_ones_a_learner_reads_first():
    text = EXERCISES.read_text()
    early = named_modules(text, rule_point(text))
    assert {"harvest.core.maze", "harvest.core.plot", "harvest.core.dqn", "harvest.core.weights"} <= set(early)
    assert "harvest.core.families" in named_modules(text, init_point(text))


def test_a_giveaway_put_back_into_a_pointed_module_is_found(monkeypatch):
    text = EXERCISES.read_text()
    real = inspect.getsource
    maze = importlib.import_module("harvest.core.maze")
    source = real(maze)
    assert SPOILER_LINE.search(source)
    moved = source.replace("SIZE = 7", "SIZE = 7\n# the (odd, odd) cells are walls", 1)
    monkeypatch.setattr(inspect, "getsource", lambda obj: moved if obj is maze else real(obj))
    assert any("(odd, odd)" in hit for hit in library_leaks(text))


def help_texts():
    """`harvest --help` and every verb's help, as a learner would print them."""
    from harvest import cli
    top = cli.parser()
    texts = [top.format_help()]
    for action in top._subparsers._group_actions:
        for verb in action.choices.values():
            texts.append(verb.format_help())
            texts += [sub.format_help() for a in verb._actions if isinstance(a, argparse._SubParsersAction)
                      for sub in a.choices.values()]
    return texts


def test_no_help_text_names_an_answer():
    leaks = found("\n".join(help_texts()), RULE + INIT + ["spoilers"])
    assert not leaks, "\n".join(leaks)
    assert len(help_texts()) > 10
