"""The deck build: Markdown decks in presentation/ to one self-contained, offline reveal.js HTML file each.

`python -m harvest slides` draws every figure (figures.py) into
presentation/figures/, fills each deck's `<!-- insert: NAME -->` lines
(fragments.py), and has pandoc (from pypandoc-binary) write presentation/html/:
it embeds the vendored reveal.js, the fonts and the figures. All maths, display
and inline, becomes SVG pictures drawn by matplotlib's mathtext, so that it
looks the same in every browser, with or without a maths font.
Every page is then checked for anything a browser would fetch from the
network, so a deck opens offline in any browser.
"""
import base64
import io
import re
import time
import urllib.parse
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import pypandoc
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.mathtext import MathTextParser

from ...core.errors import HarvestError
from . import figures
from .fragments import fill
from .sources import RESULTS, ROOT

PRESENTATION = ROOT / "presentation"
REVEAL = PRESENTATION / "reveal.js"
STYLE = PRESENTATION / "harvest.css"   # our adjustments on top of reveal.js's white theme
DECKS = ("01-rl-and-safety", "02-harvest", "03-detection", "04-questions", "05-answers", "06-corner", "07-fixes",
         "08-side-channel", "09-zoo", "10-reward-model")


# ---------------------------------------------------------------- decks

def pandoc_args(resource_dir):
    return ["--standalone", "--embed-resources", "--slide-level=1", f"--css={STYLE}",
            f"--resource-path={resource_dir}", f"-Vrevealjs-url={REVEAL}", "-Vtheme=white",
            "-Vwidth=1280", "-Vheight=720", "-Vcenter=false", "-VslideNumber=true", "-Vtransition=none"]


EQUATION_PT = 22.5   # the decks' body text: 30 px at reveal.js's 1280x720 is 22.5 pt
MATH_STYLE = {"mathtext.fontset": "cm", "svg.fonttype": "path", "svg.hashsalt": "harvest"}
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
# pandoc's rule for inline maths: no space inside either dollar, and no digit right after the closing one
INLINE_MATH = re.compile(r"(?<![$\\])\$(?![$\s])([^$\n]+?)(?<![\s\\])\$(?![$\d])")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)   # code blocks and spans: their dollars are not maths
INLINE_PAD_PT = 1.0
UNARY = re.compile(r"(^|[,(]\s*(?:\\ )?\s*)([-+])")   # a sign at the start, or after a comma or an opening bracket


@lru_cache(maxsize=None)
def equation_svg(tex):
    """A display equation drawn by matplotlib's mathtext as an SVG of glyph outlines: (svg bytes, height in em).

    Browsers render MathML display math unevenly (Chromium neither stretches
    brackets nor enlarges a sum), so the few key equations become pictures
    that look the same offline in every browser. Mathtext reads a subset of
    TeX: write \\left( \\right), \\geq and \\neq rather than \\Big(, \\ge and \\ne.
    """
    buf = io.BytesIO()
    with matplotlib.rc_context(MATH_STYLE):
        fig = Figure()   # made inside the context: a text reads its math font when it is created
        fig.text(0, 0, f"${' '.join(tex.split())}$", fontsize=EQUATION_PT)
        try:
            fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.04, transparent=True, metadata={"Date": None})
        except ValueError as why:
            raise HarvestError(f"mathtext cannot draw the display equation ${tex}$: {str(why).strip().splitlines()[-1]}")
    svg = buf.getvalue()
    svg = svg[svg.index(b"<svg"):]   # no XML prolog or DOCTYPE: the picture is inlined as a data: URI
    height_pt = float(re.search(rb'<svg[^>]*\sheight="([\d.]+)pt"', svg).group(1))
    return svg, height_pt / EQUATION_PT


@lru_cache(maxsize=None)
def inline_svg(tex):
    """An inline formula drawn by mathtext as an SVG of glyph outlines on a box that keeps its baseline: (svg bytes,
    height in em, depth below the baseline in em), for an image that sits on the line like text. A sign that opens
    a list item ("-1, +10") is a unary sign, which mathtext would space like a binary one."""
    tex = UNARY.sub(r"\1{\2}", tex)
    with matplotlib.rc_context(MATH_STYLE):
        try:
            width, height, depth = (v / 8 for v in MathTextParser("path").parse(
                f"${tex}$", dpi=72 * 8, prop=FontProperties(size=EQUATION_PT))[:3])   # in points
        except ValueError as why:
            raise HarvestError(f"mathtext cannot draw the inline maths ${tex}$: {str(why).strip().splitlines()[-1]}")
        box_w, box_h = width + 2 * INLINE_PAD_PT, height + 2 * INLINE_PAD_PT
        fig = Figure(figsize=(box_w / 72, box_h / 72))
        fig.text(INLINE_PAD_PT / box_w, (depth + INLINE_PAD_PT) / box_h, f"${tex}$", fontsize=EQUATION_PT,
                 va="baseline")
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", transparent=True, metadata={"Date": None})
    svg = buf.getvalue()
    return svg[svg.index(b"<svg"):], box_h / EQUATION_PT, (depth + INLINE_PAD_PT) / EQUATION_PT


def inline_math(text):
    """The TeX of every inline formula of a deck's Markdown, in order (not inside code)."""
    return [m.group(1) for part in CODE.split(text) for m in INLINE_MATH.finditer(part)]


def _img(tex, svg, cls, style):
    alt = tex.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f'<img class="{cls}" alt="{alt}" style="{style}" src="data:image/svg+xml;base64,{base64.b64encode(svg).decode()}">'


def equations_as_images(text):
    """Replace each $$...$$ with an <img class="equation"> of its SVG, scaled to the text, and each inline $...$
    outside code with an <img class="equation inline"> on the text's baseline; the TeX is the alt text."""
    def display(match):
        tex = " ".join(match.group(1).split())
        svg, height = equation_svg(tex)
        return _img(tex, svg, "equation", f"height: {height:.2f}em")

    def inline(match):
        svg, height, depth = inline_svg(match.group(1))
        return _img(match.group(1), svg, "equation inline",
                    f"display: inline; margin: 0; height: {height:.3f}em; vertical-align: {-depth:.3f}em")
    text = DISPLAY_MATH.sub(display, text)
    code = CODE.findall(text)
    parts = [INLINE_MATH.sub(inline, part) for part in CODE.split(text)]
    return "".join(p + c for p, c in zip(parts, code + [""]))


def build_deck(name, out, results=RESULTS):
    """One deck: Markdown with fragments filled in and display equations drawn, to a self-contained HTML file."""
    text = equations_as_images(fill((PRESENTATION / f"{name}.md").read_text(), results))
    html = out / "html" / f"{name}.html"
    html.parent.mkdir(parents=True, exist_ok=True)
    pypandoc.convert_text(text, "revealjs", format="markdown", outputfile=str(html), extra_args=pandoc_args(out))
    return html


# ---------------------------------------------------------------- the offline guarantee

URL_ATTRS = {"src", "href", "srcset", "poster", "data", "action", "formaction", "xlink:href", "background",
             "data-src", "data-background", "data-background-image", "data-background-video", "data-background-iframe"}
REMOTE = r"(?:[a-z][a-z0-9+.-]*:)?//"  # http://, https://, ftp://, ws://, or protocol-relative //
CSS_REMOTE = re.compile(r"url\(\s*['\"]?\s*" + REMOTE + r"|@import\s+['\"]\s*" + REMOTE, re.I)
JS_REMOTE = re.compile(r"\b(?:fetch|importScripts|import|open)\(\s*['\"`]" + REMOTE, re.I)
TEXT_TYPES = ("text/", "image/svg", "application/javascript", "application/xhtml")


def _data_text(uri):
    """The decoded text of a data: URI holding CSS, SVG, HTML or JS, else None."""
    head, _, body = uri.partition(",")
    if not head.lower().startswith(tuple("data:" + t for t in TEXT_TYPES)):
        return None
    raw = base64.b64decode(body) if head.endswith(";base64") else urllib.parse.unquote(body).encode()
    return raw.decode("utf-8", "replace")


def _css_remote(css):
    found = [m.group(0) for m in CSS_REMOTE.finditer(css)]
    for uri in re.findall(r"url\(\s*['\"]?(data:[^'\")]+)", css):
        found += remote_references(_data_text(uri) or "")
    return found


class _Scan(HTMLParser):
    """Collects every reference in a page that a browser would fetch from the network."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self.tag = [], None

    def handle_starttag(self, tag, attrs):
        self.tag = tag
        for name, value in attrs:
            value = (value or "").strip()
            if name == "style":
                self.found += _css_remote(value)
            if name not in URL_ATTRS:
                continue
            urls = [part.split()[0] for part in value.split(",") if part.strip()] if name == "srcset" else [value]
            for url in urls:
                if re.match(REMOTE, url, re.I) and not url.lower().startswith(("data:", "javascript:")):
                    self.found.append(f"<{tag} {name}={url[:80]}>")
                elif url.lower().startswith("data:"):
                    self.found += remote_references(_data_text(url) or "")

    def handle_endtag(self, tag):
        self.tag = None

    def handle_data(self, data):
        if self.tag == "style":
            self.found += _css_remote(data)
        elif self.tag == "script":
            self.found += [m.group(0) for m in JS_REMOTE.finditer(data)]


def remote_references(html):
    """Everything in an HTML (or CSS) text that would load from the network; empty when the page is offline.

    Links in plain text, and URLs inside comments or string constants of the
    embedded scripts, load nothing and are not reported.
    """
    if "<" not in html:  # a bare stylesheet from a data: URI
        return _css_remote(html)
    scan = _Scan()
    scan.feed(html)
    return scan.found


def build(out=PRESENTATION, results=RESULTS):
    """Render the figures and build every deck into `out`; return the HTML paths."""
    out = Path(out)
    start = time.time()
    print(f"figures -> {out / 'figures'}")
    skipped = figures.render(out / "figures")
    paths = [build_deck(name, out, results) for name in DECKS]
    for p in paths:
        remote = remote_references(p.read_text())
        if remote:
            raise HarvestError(f"{p} would load from the network: {remote[:3]}")
    for p in paths:
        print(f"deck    -> {p} ({p.stat().st_size // 1024} KiB)")
    pictures = len(figures.FIGURES) + len(figures.ANIMATIONS)
    print(f"built {len(paths)} decks and {pictures} figures ({len(skipped)} placeholders) "
          f"in {time.time() - start:.1f} s")
    return paths
