"""Build the learners' files from solutions.py: `harvest build` (or `python -m harvest build`).

solutions.py is the one hand-written source. Every region between
`### BEGIN SOLUTION` and `### END SOLUTION` becomes a
`raise NotImplementedError("exercise S.k: <function name>")` at the region's
indentation, where S.k is the number in the `### Exercise S.k:` header above
it (exercise k of Step S). Every folded answer (`<details>` after a
`**Question S.k.**`) moves to an "Answers" section at the end of
exercises.py, so that a plain editor shows no answer before its question is
tried; solutions.py keeps them in place. jupytext turns both scripts into
notebooks. The output depends only on solutions.py, so a test can compare
the committed files with a fresh build. `--check` reports stale files
without writing.
"""
import argparse
import json
import re
import sys

from ..core.errors import HarvestError
from ..core.files import ROOT, write_text

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_DEF = re.compile(r"^\s*def (\w+)\(")
_EXERCISE = re.compile(r"^# ### Exercise (\d+\.\d+):")
_QUESTION = re.compile(r"\*\*Question (\d+\.\d+)\.\*\*")
ANSWER_OPEN, ANSWER_CLOSE = "# <details><summary>Answer</summary>", "# </details>"


def blank_out(source):
    """exercises.py from solutions.py: each solution region replaced by a stub named after its exercise."""
    out, name, number, inside, used = [], None, None, False, set()
    for lineno, line in enumerate(source.splitlines(keepends=True), 1):
        stripped = line.strip()
        if match := _DEF.match(line):
            name = match.group(1)
        if match := _EXERCISE.match(line):
            number = match.group(1)
        if stripped == BEGIN:
            if inside:
                raise ValueError(f"line {lineno}: {BEGIN} inside another solution region")
            if number is None or number in used:
                raise ValueError(f"line {lineno}: a solution region needs its own '### Exercise S.k:' header above it")
            inside = True
            used.add(number)
            indent = line[:len(line) - len(line.lstrip())]
            out.append(f'{indent}raise NotImplementedError("exercise {number}: {name}")\n')
        elif stripped == END:
            if not inside:
                raise ValueError(f"line {lineno}: {END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN} is never closed")
    return "".join(out)


def _trim(lines):
    """Lines without the empty comment lines at either end."""
    while lines and lines[0].strip() == "#":
        lines = lines[1:]
    while lines and lines[-1].strip() == "#":
        lines = lines[:-1]
    return lines


def answers_to_the_end(script):
    """Every folded answer moved to an "Answers" section at the end of the script, under its question's number."""
    out, answers, question, body = [], [], None, None
    for lineno, line in enumerate(script.splitlines(keepends=True), 1):
        if body is not None:
            if line.strip() == ANSWER_CLOSE:
                answers.append((question, _trim(body)))
                out.append(f"# *The answer to Question {question} is in the Answers section at the end of this "
                           f"file.*\n")
                question, body = None, None
            elif line.strip() == ANSWER_OPEN:
                raise ValueError(f"line {lineno}: an answer inside another answer")
            else:
                body.append(line)
            continue
        if match := _QUESTION.search(line):
            question = match.group(1)
        if line.strip() == ANSWER_OPEN:
            if question is None or question in {q for q, _ in answers}:
                raise ValueError(f"line {lineno}: an answer needs its own '**Question S.k.**' above it")
            body = []
        elif line.strip() == ANSWER_CLOSE:
            raise ValueError(f"line {lineno}: {ANSWER_CLOSE} without an answer")
        else:
            out.append(line)
    if body is not None:
        raise ValueError(f"the answer to Question {question} is never closed")
    if not answers:
        return "".join(out)
    tail = ["\n\n# %% [markdown]\n", "# ## Answers\n", "#\n",
            "# One answer per question, by number. Read each after you have tried its question.\n"]
    for q, body in answers:
        tail += ["#\n", f"# ### Question {q}\n", "#\n", *body]
    return "".join(out).rstrip("\n") + "".join(tail)


def exercises_of(solutions):
    """The text of exercises.py for the text of solutions.py."""
    return answers_to_the_end(blank_out(solutions))


def to_notebook(script):
    """The .ipynb text of a py:percent script, without outputs."""
    import jupytext
    nb = jupytext.reads(script, fmt="py:percent")
    for i, cell in enumerate(nb.cells):   # jupytext draws random cell ids; fixed ones keep builds identical
        cell["id"] = f"cell-{i:03d}"
    return jupytext.writes(nb, fmt="ipynb")


def outputs(root=ROOT):
    """{path: text} of every generated file."""
    solutions = (root / "solutions.py").read_text()
    try:
        exercises = exercises_of(solutions)
    except ValueError as err:   # unbalanced markers: one line naming the file and the line
        raise HarvestError(f"{root / 'solutions.py'}: {err}") from None
    return {root / "exercises.py": exercises, root / "exercises.ipynb": to_notebook(exercises),
            root / "solutions.ipynb": to_notebook(solutions)}


_STUB = re.compile(r'raise NotImplementedError\("exercise (\d+\.\d+): \w+"\)')


def _code(text, suffix):
    """The code of a script, or of a notebook's cells (the JSON escapes quotes)."""
    if suffix != ".ipynb":
        return text
    try:
        return "\n".join("".join(cell.get("source", "")) for cell in json.loads(text).get("cells", []))
    except (ValueError, AttributeError):
        return text


def filled_in(path, text):
    """The exercises whose blank the file at `path` no longer has, though `text` (what the build writes) has it:
    a learner's filled-in blanks, in exercises.py or exercises.ipynb. Empty when the file is missing."""
    if not path.is_file():
        return []
    raw = path.read_text()
    ours, theirs = (set(_STUB.findall(_code(x, path.suffix))) for x in (text, raw))
    there = {n for n in ours - theirs if f"Exercise {n}:" in raw}   # an exercise the file does not have yet is new
    return sorted(there, key=lambda s: tuple(map(int, s.split("."))))


def stale(root=ROOT):
    """Generated files that differ from what a build would write now (a learner's filled-in exercises.py is theirs,
    not a stale build: see `filled_in`)."""
    return [p for p, text in outputs(root).items()
            if not p.is_file() or (p.read_text() != text and not filled_in(p, text))]


def main(argv=None):
    args = argparse.ArgumentParser(prog="harvest build", description=__doc__.splitlines()[0])
    args.add_argument("--check", action="store_true", help="only report files that are out of date")
    args.add_argument("--force", action="store_true", help="overwrite an exercises.py whose blanks were filled in")
    opts = args.parse_args(argv)
    if opts.check:
        old = stale(ROOT)
        for p in old:
            print(f"out of date: {p.relative_to(ROOT)} (run harvest build)")
        return 1 if old else 0
    built = outputs(ROOT)
    for path, text in built.items():
        done = filled_in(path, text)
        if done and not opts.force:
            raise HarvestError(f"{path.relative_to(ROOT)} holds your answers to exercise(s) {', '.join(done)}: "
                               "copy it elsewhere first, then `harvest build --force` overwrites it")
    for path, text in built.items():
        write_text(path, text)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
