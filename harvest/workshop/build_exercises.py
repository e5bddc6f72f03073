"""Build the learners' files from solutions.py: `harvest build` (or `python -m harvest build`).

solutions.py is the one hand-written source. Every region between
`### BEGIN SOLUTION` and `### END SOLUTION` becomes a
`raise NotImplementedError("exercise N: <function name>")` at the region's
indentation, giving exercises.py; jupytext turns both scripts into
notebooks. The output depends only on solutions.py, so a test can compare
the committed files with a fresh build. `--check` reports stale files
without writing.
"""
import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_DEF = re.compile(r"^\s*def (\w+)\(")


def blank_out(source):
    """exercises.py from solutions.py: each solution region replaced by a named stub."""
    out, name, number, inside = [], None, 0, False
    for lineno, line in enumerate(source.splitlines(keepends=True), 1):
        stripped = line.strip()
        if match := _DEF.match(line):
            name = match.group(1)
        if stripped == BEGIN:
            if inside:
                raise ValueError(f"line {lineno}: {BEGIN} inside another solution region")
            inside, number = True, number + 1
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
    exercises = blank_out(solutions)
    return {root / "exercises.py": exercises, root / "exercises.ipynb": to_notebook(exercises),
            root / "solutions.ipynb": to_notebook(solutions)}


def stale(root=ROOT):
    """Generated files that differ from what a build would write now."""
    return [p for p, text in outputs(root).items() if not p.is_file() or p.read_text() != text]


def main(argv=None):
    args = argparse.ArgumentParser(prog="harvest build", description=__doc__.splitlines()[0])
    args.add_argument("--check", action="store_true", help="only report files that are out of date")
    opts = args.parse_args(argv)
    if opts.check:
        old = stale()
        for p in old:
            print(f"out of date: {p.relative_to(ROOT)} (run harvest build)")
        return 1 if old else 0
    for path, text in outputs().items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
