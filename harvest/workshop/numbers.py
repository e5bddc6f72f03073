"""The numbers that README.md and docs/*.md quote, rendered from the committed results in runs/*.json.

A page marks each rendered region with two HTML comments (invisible on GitHub):

    <!-- harvest:table fixes -->                     the research command's table of runs/fixes.json
    ...
    <!-- /harvest -->

    <!-- harvest:median results run="shipped init" ood_human -->...<!-- /harvest -->           '69.1%'
    <!-- harvest:range fixes method=plain human_harvest_rate.short -->...<!-- /harvest -->  '69.6% (66.5%–71.0%)'
    <!-- harvest:range results run="shipped init" steps count -->...<!-- /harvest -->          '3,000 (2,500–3,500)'
    <!-- harvest:include independent_inits.md -->...<!-- /harvest -->  a table a command wrote into runs/

`median` and `range` select rows of runs/FILE.json: `run=NAME` picks a run of a
{run: [rows]} file, any other `field=value` keeps the rows with that value,
and the last word is the (dotted) key; `count` prints counts, not percentages.
`harvest build` rewrites every region; `harvest build --check` fails when a
region differs from what the results say now.
"""
import json
import re
import shlex
import statistics
from pathlib import Path

from ..core.errors import HarvestError
from ..core.files import write_text
from ..research.chapters import corner, fixes, reward_model, side_channel, story, verdicts, zoo
from ..research.rows import median_range, percent

TABLES = {"results": story.table, "corner": corner.table, "fixes": fixes.table, "verdicts": verdicts.table,
          "side_channel": side_channel.markdown, "zoo": zoo.table, "reward_model": reward_model.table}
REGION = r"<!-- harvest:(\w+)((?: [^>]*?)?) -->(.*?)<!-- /harvest -->"


def pages(root):
    """The pages whose regions are rendered: README.md and docs/*.md."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def _rows(runs, name):
    path = Path(runs) / f"{name}.json"
    if not path.is_file():
        raise HarvestError(f"{path} does not exist (a page quotes it)")
    if name == story.CHAPTER.name:
        return story.CHAPTER.load(path)   # the main story's runs, under their current names
    return json.loads(path.read_text())


def _value(row, key):
    for part in key.split("."):
        row = row[part]
    return row


def _matches(row, field, wanted):
    value = row.get(field)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value) == wanted
    return value == float(wanted)


def _selected(runs, words):
    """The values of the last word's key over the rows the `field=value` words pick."""
    name, *filters, key = words
    rows = _rows(runs, name)
    for f in filters:
        field, _, wanted = f.partition("=")
        if field == "run":
            rows = rows[wanted]
        else:
            rows = [r for r in rows if _matches(r, field, wanted)]
    if not rows:
        raise HarvestError(f"no rows of runs/{name}.json match {' '.join(filters)}")
    return [_value(r, key) for r in rows]


def render_region(kind, args, runs):
    """The text that replaces one region's body."""
    words = shlex.split(args)
    count = words[-1:] == ["count"]
    words = words[:-1] if count else words
    if kind == "table":
        return "\n" + TABLES[words[0]](_rows(runs, words[0])).strip() + "\n"
    if kind == "include":
        return "\n" + (Path(runs) / words[0]).read_text().strip() + "\n"
    if kind == "median":
        med = statistics.median(_selected(runs, words))
        return f"{med:,.0f}" if count else percent(med)
    if kind == "range":
        return median_range(_selected(runs, words), not count)
    raise HarvestError(f"unknown region kind harvest:{kind} (known: table, include, median, range)")


def render(text, runs):
    """`text` with every region's body rendered from the results in `runs`."""

    def one(match):
        kind, args = match.group(1), match.group(2).strip()
        try:
            body = render_region(kind, args, runs)
        except (KeyError, IndexError, ValueError) as err:
            raise HarvestError(f"cannot render <!-- harvest:{kind} {args} -->: {err!r}") from None
        return f"<!-- harvest:{kind}{' ' if args else ''}{args} -->{body}<!-- /harvest -->"
    return re.sub(REGION, one, text, flags=re.S)


def outputs(root, runs=None):
    """{page: its text rendered now} for every page that has a region."""
    runs = Path(runs) if runs is not None else root / "runs"
    return {p: render(p.read_text(), runs) for p in pages(root) if p.is_file()}


def stale(root, runs=None):
    """Pages whose rendered numbers differ from what the results in `runs` say now."""
    return [p for p, text in outputs(root, runs).items() if p.read_text() != text]


def write(root, runs=None):
    """Rewrite (atomically) every page whose numbers are out of date; return those pages."""
    changed = {p: text for p, text in outputs(root, runs).items() if p.read_text() != text}
    for p, text in changed.items():
        write_text(p, text)
    return list(changed)
