"""The playground in a real browser: Voila serves a notebook that shows it, headless Chromium clicks a cell.

Chromium runs as the slide checks run it (`harvest.workshop.browser`): headless, with `--dump-dom` or
`--screenshot` once its virtual time budget is spent. A probe in the notebook waits for the widget, reads
the clicked cell and the verdict, clicks, waits for the verdict to change and writes both readings into
the page. Virtual time would race past the kernel's replies, so between its polls the probe fetches a
slow local URL: a pending fetch holds virtual time, and each poll costs real time.

The screenshots land in runs/screenshots/playground/ (before.png, after.png). Skipped without Chromium,
Voila or ipywidgets; `.ci/run` installs them.
"""
import html
import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import numpy as np
import pytest

from harvest.core import detector
from harvest.core.maze import EMPTY, HUMAN, WALL
from harvest.core.weights import load_shipped
from harvest.research import one_cell_back
from harvest.workshop import browser

pytest.importorskip("ipywidgets")
pytest.importorskip("voila")
if browser.chromium() is None:
    pytest.skip("no Chromium (Debian: apt-get install chromium)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "runs" / "screenshots" / "playground"

PROBE = """
const query = new URLSearchParams(window.location.search);
const clicks = (query.get("clicks") || "").split(",").filter(x => x);
const cells = [...new Set(clicks.concat(query.get("cells").split(",")))];
const out = document.createElement("pre");
out.id = "harvest-probe";
out.style.fontSize = "9px";
document.body.appendChild(out);
function later(f) { setTimeout(() => fetch("SLOW").then(f, f), 100); }
function read() {
  const verdict = document.querySelector(".harvest-verdict"), seen = {verdict: verdict && verdict.textContent.trim()};
  for (const name of cells) {
    const cell = document.querySelector(".harvest-cell-" + name);
    if (!cell) return null;
    seen[name] = [cell.textContent.trim(), getComputedStyle(cell).backgroundColor];
  }
  return seen.verdict ? seen : null;
}
let tries = 0;
function poll() {
  const before = read();
  if (!before) return ++tries < 300 ? later(poll) : (out.textContent = JSON.stringify({error: "no widget"}));
  if (!clicks.length) { out.textContent = JSON.stringify({before: before}); return; }
  for (const name of clicks) document.querySelector(".harvest-cell-" + name).click();
  // every click redraws the page: read it once the verdict has changed and then held still for 5 polls
  let last = null, still = 0;
  (function wait() {
    const after = read(), now = after && JSON.stringify(after);
    still = now === last ? still + 1 : 0;
    last = now;
    if (after && after.verdict !== before.verdict && still >= 5) out.textContent = JSON.stringify({before: before, after: after});
    else if (++tries < 300) later(wait);
    else out.textContent = JSON.stringify({before: before, after: after, error: "the verdict never settled on a change"});
  })();
}
poll();
"""


class Slow(BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(0.2)
        self.send_response(200)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flipping_maze():
    """A generator maze, a human's dead-end tip and the cell behind it, where walling the tip and putting the
    human on the cell behind (three clicks) makes the trained agent's verdict harmful."""
    agent, control = load_shipped("agent.pt"), load_shipped("control.pt")
    mazes = detector.starting_mazes(40, 0)
    hit, owner, edited, _, _ = one_cell_back.flips(agent, control, mazes, wall_tip=True)
    k = int(np.flatnonzero(hit)[0])
    maze = mazes[owner[k]]
    tip, back = (np.argwhere(mask)[0] for mask in ((maze == HUMAN) & (edited[k] == WALL),
                                                   (maze == EMPTY) & (edited[k] == HUMAN)))
    return maze, "-".join(map(str, tip)), "-".join(map(str, back))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A Jupyter server with Voila on a notebook that shows the playground, and a slow local URL."""
    folder = tmp_path_factory.mktemp("voila")
    maze, tip, back = flipping_maze()
    slow = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    show = ("import numpy as np\nfrom harvest.core.weights import load_shipped\n"
            "from harvest.workshop.playground import Playground\n"
            "pg = Playground({'trained agent': load_shipped('agent.pt'), 'control': load_shipped('control.pt')},\n"
            f"                maze=np.array({maze.tolist()}, dtype=np.int8), support=True)\npg.show()")
    script = PROBE.replace("SLOW", f"http://127.0.0.1:{slow.server_port}/")
    probe = f"from IPython.display import Javascript\nJavascript({script!r})"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(show), nbformat.v4.new_code_cell(probe)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "playground.ipynb")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "jupyter", "server", "--allow-root", "--no-browser",
                               f"--port={port}", "--IdentityProvider.token=", "--ServerApp.password=",
                               f"--ServerApp.root_dir={folder}", "--VoilaConfiguration.show_tracebacks=True"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder,
                              start_new_session=True)   # its own process group: the kernels it starts go with it
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/api/status", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the Jupyter server did not start")
        yield f"{base}/voila/render/playground.ipynb", tip, back
    finally:   # runs when a test fails too: the server and every kernel it started are stopped
        stop_group(server)
        slow.shutdown()


def stop_group(process):
    """SIGTERM to the process's whole group, SIGKILL after 20 s."""
    import os
    import signal
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)
    except ProcessLookupError:
        pass


def chromium(*args):
    return browser._run(["--virtual-time-budget=60000", *args], timeout=120)


def probe_result(dom):
    found = re.search(r'<pre id="harvest-probe"[^>]*>(.*?)</pre>', dom, re.S)
    assert found, "the probe never ran"
    return json.loads(html.unescape(found.group(1)))


def test_clicks_in_the_browser_change_the_cells_and_the_verdict(served):
    url, tip, back = served
    got = probe_result(chromium("--dump-dom", f"{url}?cells={tip},{back}&clicks={tip},{back},{back}"))
    assert "error" not in got, got
    before, after = got["before"], got["after"]
    assert before[tip][0].startswith("H") and not before[back][0].startswith("H")
    assert "not harmful" in before["verdict"]
    assert after[tip][0] == "" and after[tip][1] != before[tip][1]    # the tip is a wall now: no arrow, no letter
    assert after[back][0].startswith("H") and after[back][1] != before[back][1]
    assert "HARMFUL" in after["verdict"]
    # the path is drawn in order (each cell on it carries its move number) and the support flag says why
    assert re.search(r"\d", after[back][0]), after[back]
    assert "could come from the generator" in before["verdict"]
    assert "generator could never make this maze" in after["verdict"]


def test_screenshots_before_and_after_the_clicks(served):
    url, tip, back = served
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, clicks in (("before", ""), ("after", f"{tip},{back},{back}")):
        path = SHOTS / f"{name}.png"
        path.unlink(missing_ok=True)
        chromium(f"--screenshot={path}", f"{url}?cells={tip},{back}&clicks={clicks}")
        assert path.is_file() and path.stat().st_size > 10_000
    from PIL import Image
    before, after = (np.asarray(Image.open(SHOTS / f"{n}.png").convert("RGB")) for n in ("before", "after"))
    assert before.shape == after.shape and (before != after).any(axis=-1).mean() > 0.0005


def test_stopping_the_server_stops_the_processes_it_started():
    """The fixture's teardown (run when a test fails too) takes down the whole process group, children included."""
    import os
    shell = subprocess.Popen(["sh", "-c", "sleep 300 & echo $!; wait"], stdout=subprocess.PIPE, text=True,
                             start_new_session=True)
    child = int(shell.stdout.readline())
    stop_group(shell)
    time.sleep(0.2)
    try:
        os.kill(child, 0)
        alive = open(f"/proc/{child}/stat").read().split()[2] != "Z"   # a zombie is dead, only not yet reaped
    except (ProcessLookupError, FileNotFoundError):
        alive = False
    assert not alive
