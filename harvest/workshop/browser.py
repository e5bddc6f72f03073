"""Look at the built decks the way an audience does: in headless Chromium.

`python -m harvest screenshots` writes one 1280x720 PNG per slide, and
measures every picture on every slide (figures and equations): the size the
browser paints it at against its natural size. A picture painted out of
proportion is squashed, and a slide whose content reaches below the window
overflows; the command says which.
"""
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..core.errors import HarvestError
from .slides.deck import DECKS, PRESENTATION

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,720"]
SQUASH_TOLERANCE = 0.02   # drawn aspect ratio within 2% of the natural one (rounding to whole pixels)

# Runs inside the deck once every picture has loaded: visit every slide and measure each picture's box, its
# natural size and its CSS object-fit. The answer is written into the page, where --dump-dom shows it.
MEASURE = """
<script>
window.addEventListener("load", () => {
  const seen = [], overflow = {};
  Reveal.getSlides().forEach((slide, i) => {
    Reveal.slide(i);
    for (const img of slide.querySelectorAll("img")) {
      const box = img.getBoundingClientRect();
      seen.push({slide: i, equation: img.classList.contains("equation"), alt: img.alt,
                 notes: img.closest("aside.notes") !== null,
                 natural: [img.naturalWidth, img.naturalHeight], drawn: [box.width, box.height],
                 fit: getComputedStyle(img).objectFit});
    }
    // how far the slide's lowest visible box reaches below the window, in CSS pixels of the page
    const bottom = Math.max(0, ...[...slide.querySelectorAll("*")].map(e => e.getBoundingClientRect())
                                     .filter(b => b.width && b.height).map(b => b.bottom));
    if (bottom > window.innerHeight + 1) overflow[i] = bottom - window.innerHeight;
  });
  const out = document.createElement("pre");
  out.id = "harvest-measure";
  out.textContent = JSON.stringify({pictures: seen, overflow: overflow});
  document.body.appendChild(out);
});
</script>
"""


def chromium():
    """The path of a Chromium (or Chrome) executable, or None."""
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def _run(args, timeout=120):
    exe = chromium()
    if exe is None:
        raise HarvestError("no Chromium found: install it (Debian: apt-get install chromium) and try again")
    done = subprocess.run([exe, *FLAGS, *args], capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise HarvestError(f"chromium failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout


def measure(html):
    """What the deck `html` shows at 1280x720: {"pictures": every picture with its slide index, natural size, box
    ("drawn") and painted ("shown") size in CSS pixels, whether it sits in the (hidden) speaker notes, and whether it
    is squashed; "overflow": {slide index: how
    many pixels its content reaches below the window}, for the slides whose content does not fit}."""
    page = Path(html).read_text()
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.html"
        end = page.rindex("</body>")   # the last one: embedded scripts may spell the tag too
        eager = re.sub(r"<img([^>]*?) data-src=", r"<img\1 src=", page[:end])   # reveal.js would load lazily
        probe.write_text(eager + MEASURE + page[end:])
        dom = _run(["--virtual-time-budget=60000", "--dump-dom", probe.as_uri()])
    found = re.search(r'<pre id="harvest-measure">(.*?)</pre>', dom, re.S)
    if found is None:
        raise HarvestError(f"the measuring script did not finish in {html}")
    seen = json.loads(found.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
                      .replace("&amp;", "&"))
    for p in seen["pictures"]:
        p["shown"] = shown_size(p["natural"], p["drawn"], p["fit"])
        (nw, nh), (sw, sh) = p["natural"], p["shown"]
        p["squashed"] = not p["notes"] and (not (nw and nh and sw and sh) or
                                            abs((sw / sh) / (nw / nh) - 1) > SQUASH_TOLERANCE)   # notes are hidden
    return {"pictures": seen["pictures"], "overflow": {int(k): round(v, 1) for k, v in seen["overflow"].items()}}


def shown_size(natural, box, fit):
    """The size the picture itself is painted at inside its box: CSS object-fit `contain` (and `scale-down`)
    scale it to fit whole, keeping its proportions; `fill` (the default) stretches it to the box."""
    (nw, nh), (bw, bh) = natural, box
    if fit in ("contain", "scale-down") and nw and nh:
        scale = min(bw / nw, bh / nh, 1.0 if fit == "scale-down" else float("inf"))
        return [nw * scale, nh * scale]
    return [bw, bh]


def screenshot(html, slide, path):
    """A 1280x720 PNG of one slide (0 is the title slide)."""
    _run(["--virtual-time-budget=5000", f"--screenshot={path}", f"{Path(html).resolve().as_uri()}#/{slide}"])
    return path


def main(out, decks=DECKS, html_dir=PRESENTATION / "html", shots=True, log=print):
    """Measure every picture and slide of every deck and, with `shots`, write out/DECK/NN.png; return the squashed
    pictures and the slides whose content reaches below the window (as {"deck", "slide", "overflow"})."""
    from tqdm.auto import tqdm
    out, found = Path(out), []
    unknown = sorted(set(decks) - set(DECKS))
    if unknown:
        raise HarvestError(f"unknown deck {unknown[0]!r} (decks: {', '.join(DECKS)})")
    for name in decks:
        html = Path(html_dir) / f"{name}.html"
        if not html.is_file():
            raise HarvestError(f"{html} does not exist: run `python -m harvest slides` first")
        seen = measure(html)
        bad = [p for p in seen["pictures"] if p["squashed"]]
        found += [dict(p, deck=name) for p in bad]
        found += [{"deck": name, "slide": i, "overflow": px} for i, px in seen["overflow"].items()]
        n_slides = len(re.findall(r"<section\b", html.read_text()))
        log(f"{name}: {n_slides} slides, {len(seen['pictures'])} pictures, {len(bad)} squashed, "
            f"{len(seen['overflow'])} overflowing")
        for p in bad:
            log(f"  slide {p['slide']}: natural {p['natural']}, painted {[round(x) for x in p['shown']]}")
        for i, px in seen["overflow"].items():
            log(f"  slide {i}: its content reaches {px:g} px below the window")
        if shots:
            (out / name).mkdir(parents=True, exist_ok=True)
            for i in tqdm(range(n_slides), desc=name, leave=False):
                screenshot(html, i, out / name / f"{i:02d}.png")
    if shots:
        log(f"screenshots -> {out}/DECK/NN.png (NN is the slide number shown on the slide, minus one)")
    return found
