"""The package itself: its layout rule, its command line generated from Config, its console script."""
import ast
import dataclasses
import json
import os
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


def test_every_chapter_is_one_module_and_one_registry_line_and_the_cli_serves_each():
    """A chapter module declares its verb, flags and command; `harvest --help` lists it with no line in cli.py."""
    from harvest import cli
    from harvest.research import chapters
    files = {p.stem for p in (ROOT / "harvest" / "research" / "chapters").glob("*.py")} - {"__init__"}
    assert set(chapters.MODULES) == files
    verbs = parser()._subparsers._group_actions[0].choices
    cli_source = (ROOT / "harvest" / "cli.py").read_text()
    for module in chapters.modules():
        assert {"VERB", "HELP", "CHAPTER", "arguments", "command"} <= set(vars(module)), module.__name__
        assert verbs[module.VERB].get_default("func") is module.command
        assert f'"{module.VERB}"' not in cli_source, f"cli.py names the chapter verb {module.VERB!r}"
    assert cli.main.__module__ == "harvest.cli"


def test_every_config_field_is_a_train_flag_with_the_recipes_default():
    args = parser().parse_args(["train", "--init", "random", "--out", "w.pt"])
    assert config_from(args, seed=3) == Config(seed=3)
    fields = [f for f in dataclasses.fields(Config) if f.name != "seed"]
    argv = ["train", "--init", "random", "--out", "w.pt"]
    new = {f.name: f.default * 2 if f.type is int else f.default / 2 for f in fields}   # gamma stays below 1
    for f in fields:
        argv += ["--" + f.name.replace("_", "-"), str(new[f.name])]
    cfg = config_from(parser().parse_args(argv), seed=1)
    assert all(getattr(cfg, name) == value for name, value in new.items())


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


def test_a_changed_shipped_file_is_refused_by_every_command(tmp_path):
    """evaluate reads a file in harvest/weights/ by path: it too is checked against SHA256SUMS."""
    folder = tmp_path / "weights"
    shutil.copytree(ROOT / "harvest" / "weights", folder)
    blob = bytearray((folder / "agent.pt").read_bytes())
    blob[len(blob) // 2] ^= 0x01
    (folder / "agent.pt").write_bytes(bytes(blob))
    mazes = tmp_path / "m.npy"
    subprocess.run([sys.executable, "-m", "harvest", "mazes", "--n", "3", "--out", str(mazes)], check=True,
                   capture_output=True)
    env = {**os.environ, "HARVEST_WEIGHTS_DIR": str(folder)}
    run = subprocess.run([sys.executable, "-m", "harvest", "evaluate", "--weights", str(folder / "agent.pt"),
                          "--mazes", str(mazes)], capture_output=True, text=True, env=env)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "git checkout harvest/weights/agent.pt" in run.stderr


def installed_copy(target):
    """What a non-editable install puts in site-packages, copied into `target`: the packages that
    `[tool.setuptools.packages.find]` includes (their .py files) and the `package-data` globs of pyproject.toml.
    Built without pip, so the test needs neither `wheel` nor a network (a fresh venv has no `wheel`)."""
    import fnmatch
    import tomllib
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    include = tool["packages"]["find"]["include"]
    data = tool["package-data"]
    copied = []
    for path in sorted((ROOT / "harvest").rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(ROOT)
        package = ".".join(rel.parent.parts)
        if not any(fnmatch.fnmatch(package, pattern) for pattern in include):
            continue
        top = rel.parts[0]
        shipped = path.suffix == ".py" or any(fnmatch.fnmatch(str(rel.relative_to(top)), g) for g in data.get(top, []))
        if shipped:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / rel)
            copied.append(rel)
    return copied


def test_a_plain_install_works_from_another_directory(tmp_path):
    """A non-editable install's files, used from elsewhere: the env, evaluate and dream, and no clone."""
    site = tmp_path / "site-packages"
    copied = installed_copy(site)
    assert any(p.name == "agent.pt" for p in copied) and any(p.name == "labels.json" for p in copied)
    python = sys.executable
    env = {**{k: v for k, v in os.environ.items() if k != "HARVEST_WEIGHTS_DIR"}, "PYTHONPATH": str(site)}
    work = tmp_path / "elsewhere"
    work.mkdir()
    run = lambda *args: subprocess.run([python, *args], cwd=work, capture_output=True, text=True, env=env)
    where = run("-c", "import harvest, gymnasium; env = gymnasium.make('Harvest-v0'); env.reset(seed=0); "
                      "print(harvest.__file__)")
    assert where.returncode == 0, where.stderr
    assert where.stdout.startswith(str(site)), where.stdout
    agent = site / "harvest" / "weights" / "agent.pt"
    assert run("-m", "harvest", "mazes", "--n", "20", "--out", "m.npy").returncode == 0
    evaluated = run("-m", "harvest", "evaluate", "--weights", str(agent), "--mazes", "m.npy")
    assert evaluated.returncode == 0, evaluated.stderr
    assert len(json.loads(evaluated.stdout)["mazes"]) == 20
    dreamed = run("-m", "harvest", "dream", "--weights", str(agent), "--n", "8")
    assert dreamed.returncode == 0, dreamed.stderr
    assert "score" in json.loads(dreamed.stdout)
    built = run("-m", "harvest", "build", "--check")
    assert built.returncode == 2 and "clone" in built.stderr and built.stderr.count("\n") == 1
