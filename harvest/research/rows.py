"""A research chapter's stored rows, and the one shape every chapter's results take.

A chapter keeps its measurements as rows (JSON objects, one per case and seed) in OUT/NAME.json, its tables in
OUT/NAME.md and its figures in OUT/NAME.png, OUT/NAME_2d.png, ... A `Chapter` value declares the name, the
command that makes the rows, the fields that name a row, and how the rows become tables and figures; `save` then
merges a run's rows into those saved before (under a lock, so two runs into one folder take turns) and writes
every file atomically, so a stopped or partial run never drops finished rows.

The helpers below it format rates the way every table prints them.
"""
import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tqdm.auto import tqdm

from ..core.errors import HarvestError
from ..core.files import dumps, locked, replacing, write_text


def percent(value):
    """A rate as the tables print it: 0.9731 -> '97.3%'."""
    return f"{100 * value:.1f}%"


def median_percent(values):
    """The median of per-seed rates, as a percentage (the slides' compact tables)."""
    return percent(statistics.median(values))


def median_range(values, pct=True):
    """'median (min–max)' of per-seed values, as percentages or as counts."""
    med, lo, hi = statistics.median(values), min(values), max(values)
    fmt = percent if pct else (lambda v: f"{v:,.0f}")
    return f"{fmt(med)} ({fmt(lo)}–{fmt(hi)})"


def read_json(path, command):
    """What a research command saved at `path`; HarvestError naming the file if it is missing (then `command` makes
    it) or not readable JSON (truncated, say)."""
    path = Path(path)
    if not path.is_file():
        raise HarvestError(f"{path} does not exist yet: run `{command}`")
    try:
        return json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as err:
        raise HarvestError(f"{path} is not readable JSON, perhaps truncated ({err}); move it away or restore it "
                           f"(`git checkout -- {path}` for a committed file)") from None


def read_rows(path, command, keys=()):
    """The rows a research command saved at `path` (a json list of objects); HarvestError naming the file
    if it is missing (then `command` makes it), truncated, or not such a list (each row needs `keys`)."""
    rows = read_json(path, command)
    if not (isinstance(rows, list) and all(isinstance(r, dict) and set(keys) <= set(r) for r in rows)):
        raise HarvestError(f"{path} does not hold rows of `{command}` (a JSON list of objects with "
                           f"{', '.join(keys) or 'fields'}); move it away or restore it")
    return rows


def merged_with_saved(rows, path, fields, command):
    """`rows` merged into the rows saved at `path` (if the file exists): a saved row with the same values of
    `fields` (e.g. method and seed) as a row of `rows` is replaced by it, every other saved row is kept, so a
    partial run never drops finished rows. A truncated or foreign file is a HarvestError naming it."""
    if not Path(path).exists():
        return list(rows)
    key = lambda r: tuple(r[f] for f in fields)
    fresh = {key(r) for r in rows}
    return [r for r in read_rows(path, command, fields) if key(r) not in fresh] + list(rows)


def write_outputs(out_dir, name, rows, markdown, figures):
    """NAME.json (the rows), NAME.md (the table) and NAME.png, NAME_2d.png, ... (`figures`, in order) in `out_dir`,
    each written atomically (a temporary file renamed over the old one)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / f"{name}.json", dumps(rows, indent=1))
    write_text(out / f"{name}.md", markdown)
    for suffix, fig in figures.items():
        with replacing(out / f"{name}{suffix}.png") as tmp:
            fig.savefig(tmp, dpi=130, format="png")
    return out


@dataclass(frozen=True)
class Chapter:
    """One chapter's stored results: OUT/NAME.json (rows), OUT/NAME.md (`markdown(rows)`) and one PNG per entry of
    `figures(rows)`, a {suffix: Figure} with the suffixes `pngs` ("" for NAME.png, "_2d" for NAME_2d.png). A row of
    a later run replaces the saved row with the same `key` values; `order` sorts the merged rows; `merge`, where
    given, replaces the plain merge (the zoo recomputes its summary rows); `read`, where given, reads the stored
    rows."""
    name: str
    command: str
    key: tuple
    markdown: Callable
    figures: Callable
    order: Callable = list
    merge: Callable = None
    pngs: tuple = ("",)
    read: Callable = None   # path -> rows, where the stored rows are not a plain list (the main story's runs)

    def path(self, out_dir="runs"):
        """OUT/NAME.json."""
        return Path(out_dir) / f"{self.name}.json"

    def load(self, path=None):
        """The rows saved at `path` (default runs/NAME.json, in the current directory); HarvestError naming the file
        and the command that makes it if there are none."""
        path = self.path() if path is None else path
        return self.read(path) if self.read else read_rows(path, self.command, self.key)

    def merged(self, rows, path):
        """`rows` merged into those saved at `path`, in the chapter's order."""
        if self.merge:
            return self.merge(rows, path)
        return self.order(merged_with_saved(rows, path, self.key, self.command))

    def save(self, rows, out_dir):
        """Merge `rows` into OUT/NAME.json and write NAME.json, NAME.md and the figures there, atomically and under a
        lock (two runs merging into one folder take turns). Returns the merged rows."""
        with locked(self.path(out_dir)):
            rows = self.merged(rows, self.path(out_dir))
            write_outputs(out_dir, self.name, rows, self.markdown(rows), self.figures(rows))
        return rows

    def written(self, out_dir):
        """'wrote OUT/NAME.md, OUT/NAME.json and OUT/NAME.png': the files `save` writes, for a command's last line."""
        out = Path(out_dir)
        files = [out / f"{self.name}.md", out / f"{self.name}.json"] + [out / f"{self.name}{s}.png" for s in self.pngs]
        return "wrote " + ", ".join(map(str, files[:-1])) + f" and {files[-1]}"


def resumable(jobs, run_one, job_keys, checkpoint=None, command="", row_keys=None, desc="", progress=True,
              log=print, describe=None):
    """Run `run_one(*job)` (a list of rows) for every job of `jobs`, in order: the one way a research chapter resumes.

    A job is a tuple of its rows' `job_keys` values. With `checkpoint` (a json path) the rows of each finished job
    are written there atomically, and jobs whose rows are already there are kept rather than rerun, so a stopped run
    resumes. `row_keys` name a row of the checkpoint (default `job_keys`); `describe(job, rows)`, if given, is
    logged after each job. Returns the rows of `jobs`.
    """
    job_of = lambda r: tuple(r[k] for k in job_keys)
    done = read_rows(checkpoint, command, row_keys or job_keys) if checkpoint and Path(checkpoint).exists() else []
    rows = [r for r in done if job_of(r) in jobs]
    have = {job_of(r) for r in rows}
    todo = [job for job in jobs if job not in have]   # the bar counts the kept jobs as done, and never past the total
    for job in tqdm(todo, desc=desc, disable=not progress, initial=len(jobs) - len(todo), total=len(jobs)):
        new = run_one(*job)
        rows += new
        if describe:
            log(describe(job, new))
        if checkpoint:
            done += new
            Path(checkpoint).parent.mkdir(parents=True, exist_ok=True)
            write_text(Path(checkpoint), dumps(done, indent=1))   # atomically: a kill mid-write leaves the old file
    return rows


# ---------------------------------------------------------------- how a chapter command ends

def smoke_apart(quick, out, results):
    """A smoke run (--quick) never merges its rows into a results file: refuse an --out that already holds one."""
    if quick and out is not None and (Path(out) / results).exists():
        raise HarvestError(f"--quick is a smoke run and would mix its rows into {Path(out) / results}: give --out an "
                           "empty folder")


def chapter_out(args, chapter):
    """Where a chapter command writes: --out, else runs/; for a smoke run (--quick) only a fresh --out, else None."""
    quick = getattr(args, "quick", False)
    out = args.out or (None if quick else Path("runs"))   # a smoke run writes only where it is told to
    smoke_apart(quick, out, chapter.path().name)
    return out


def finish(chapter, rows, out, tables=None, started=None):
    """Merge a chapter run's rows into OUT (rows of other cases and seeds stay) and save its files, then print its
    tables (default: from the merged rows) and what was written; with no OUT (a smoke run) print only."""
    if out is not None:
        rows = chapter.save(rows, out)
    print((tables if tables is not None else chapter.markdown(rows)).rstrip("\n"))
    took = "" if started is None else f" in {time.perf_counter() - started:.0f} s"
    if out is None:
        print(f"a smoke run: nothing written (give --out DIR to keep its files){took}")
    else:
        print(f"{chapter.written(out)}{took}")
    return rows


def measured(args, chapter, rows_of):
    """A chapter command's run, timed: where it writes (`chapter_out`), its rows (`rows_of(out)`; out is None for a
    smoke run that was given no --out), saved and printed (`finish`). Returns OUT."""
    started = time.perf_counter()
    out = chapter_out(args, chapter)
    finish(chapter, rows_of(out), out, started=started)
    return out
