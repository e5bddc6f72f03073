"""The package itself: its layout rule, its command line generated from Config, its console script."""
import ast
import dataclasses
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

from harvest.cli import config_from, parser
from harvest.core.dqn import Config


def imported_modules(path):
    """Absolute names of every module a file imports (relative imports resolved inside harvest)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            yield ".".join(p for p in (base, node.module) if p)


def test_core_never_imports_workshop_or_research_code():
    core = sorted((ROOT / "harvest" / "core").glob("*.py"))
    assert len(core) >= 10
    for path in core:
        for name in imported_modules(path):
            assert not name.startswith(("harvest.workshop", "harvest.research", "harvest.cli")), \
                f"{path.name} imports {name}"


def test_the_import_scanner_sees_relative_imports():
    names = set(imported_modules(ROOT / "harvest" / "workshop" / "checks" / "common.py"))
    assert {"harvest.core.maze", "harvest.workshop.hand_mazes"} <= names


def test_every_config_field_is_a_train_flag_with_the_recipes_default():
    args = parser().parse_args(["train", "--init", "random", "--out", "w.pt"])
    assert config_from(args, seed=3) == Config(seed=3)
    fields = [f for f in dataclasses.fields(Config) if f.name != "seed"]
    argv = ["train", "--init", "random", "--out", "w.pt"]
    for f in fields:
        argv += ["--" + f.name.replace("_", "-"), str(f.type(f.default) * 2)]
    cfg = config_from(parser().parse_args(argv), seed=1)
    assert all(getattr(cfg, f.name) == f.default * 2 for f in fields)


@pytest.mark.parametrize("argv", [["experiment", "--jobs", "0"], ["train", "--init", "random", "--out", "w",
                                                                  "--device", "tpu"]])
def test_bad_flags_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as err:
        parser().parse_args(argv)
    assert err.value.code == 2


def test_the_console_script_is_installed_and_is_python_m_harvest():
    exe = shutil.which("harvest")
    assert exe, "`pip install -e .` installs a `harvest` command"
    a = subprocess.run([exe, "--help"], capture_output=True, text=True)
    b = subprocess.run([sys.executable, "-m", "harvest", "--help"], capture_output=True, text=True)
    assert a.returncode == b.returncode == 0 and a.stdout == b.stdout and "experiment" in a.stdout


def test_build_check_reports_the_generated_files_up_to_date():
    run = subprocess.run([sys.executable, "-m", "harvest", "build", "--check"], cwd=ROOT, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stdout + run.stderr
