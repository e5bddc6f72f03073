"""What makes a plain-editor run of the workshop work: figures saved as files, and the trained agent cached."""
import importlib.util
import sys

import pytest
import torch
from matplotlib.figure import Figure

from harvest.workshop import agent_cache, figures


def test_a_plain_script_saves_each_figure_in_order_and_prints_its_path(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HARVEST_FIGURES", str(tmp_path / "figs"))
    fig = Figure()
    fig.add_subplot().plot([0, 1], [1, 0])
    first = figures.show_figure(fig, "Step 6: cell statistics")
    second = figures.show_figure(fig, "step 7: dreams")
    assert first.parent == tmp_path / "figs" and first.name.endswith("-step-6-cell-statistics.png")
    assert int(second.name[:2]) == int(first.name[:2]) + 1
    assert first.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"figure saved: {first}" in capsys.readouterr().out


def test_outside_a_jupyter_kernel_nothing_counts_as_a_notebook():
    assert not figures.in_notebook()


LOSS = '''
import torch

def rhs(target_net, batch, gamma):
    return batch.reward + gamma * target_net(batch.next_state).max(dim=1).values * (~batch.done)

def loss(net, target_net, batch, gamma):
    q = net(batch.state).gather(1, batch.action[:, None]).squeeze(1)
    return ((q - rhs(target_net, batch, gamma).detach()) ** 2).mean()
'''


def learners_module(tmp_path, source, name):
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def quick_training(monkeypatch):
    """The standard recipe replaced by a stand-in that nudges one bias and counts how often it trains."""
    calls = []

    def train_agent(net, seed=0, loss_fn=None, progress=True):
        calls.append(seed)
        with torch.no_grad():
            net.body[0].bias.add_(1.0)
        return {"loss": [1.0, 0.5], "steps": 2, "passed": True}
    monkeypatch.setattr(agent_cache.recipe, "train_agent", train_agent)
    return calls


def test_a_rerun_with_the_same_code_loads_the_agent_and_changed_code_retrains(tmp_path, monkeypatch, quick_training):
    monkeypatch.setenv("HARVEST_CACHE", str(tmp_path / "cache"))
    mine = learners_module(tmp_path, LOSS, "learner_a")
    agent, history = agent_cache.trained_agent(mine.loss, seed=0)
    assert quick_training == [0] and not history["cached"]
    again, history = agent_cache.trained_agent(mine.loss, seed=0)
    assert quick_training == [0] and history["cached"] and history["steps"] == 2
    assert all(torch.equal(a, b) for a, b in zip(agent.state_dict().values(), again.state_dict().values()))
    assert history["cache_file"].startswith(str(tmp_path / "cache"))
    # a change in a function the loss calls, or another seed, trains again
    changed = learners_module(tmp_path, LOSS.replace("gamma * target_net", "0.9 * target_net"), "learner_b")
    agent_cache.trained_agent(changed.loss, seed=0)
    agent_cache.trained_agent(mine.loss, seed=1)
    assert quick_training == [0, 0, 1]


def test_a_broken_cache_entry_is_retrained_and_off_means_off(tmp_path, monkeypatch, quick_training):
    monkeypatch.setenv("HARVEST_CACHE", str(tmp_path))
    mine = learners_module(tmp_path, LOSS, "learner_c")
    _, history = agent_cache.trained_agent(mine.loss)
    (tmp_path / history["cache_file"].rsplit("/", 1)[1]).write_bytes(b"not a weights file")
    _, history = agent_cache.trained_agent(mine.loss)
    assert not history["cached"] and quick_training == [0, 0]
    monkeypatch.setenv("HARVEST_CACHE", "off")
    _, history = agent_cache.trained_agent(mine.loss)
    _, history = agent_cache.trained_agent(mine.loss)
    assert quick_training == [0, 0, 0, 0] and history["cache_file"] is None


FIGURE_MAKERS = ("grid_of", "figure", "plot_loss", "plot_policy", "plot_q_values", "plot_maze", "plot_table",
                 "plot_dreams", "plot_cell_values", "plot_dream", "plot_support")


def test_every_figure_in_the_workshop_goes_through_show_figure():
    """A figure left as a bare expression shows in Jupyter only as a cell's last line, and never in a plain script:
    every one must be passed to show_figure."""
    import ast
    from conftest import ROOT
    tree = ast.parse((ROOT / "solutions.py").read_text())
    bare = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            f = node.value.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in FIGURE_MAKERS:
                bare.append(f"line {node.lineno}: {name}(...)")
    shown = sum(1 for node in ast.walk(tree)
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "show_figure")
    assert not bare, "figures not passed to show_figure: " + ", ".join(bare)
    assert shown >= 18
