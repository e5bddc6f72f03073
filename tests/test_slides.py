"""The slide build: it runs, each deck keeps its slides, nothing loads from the network,
and every image a deck names exists once the build is done."""
import base64
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from harvest.core.errors import HarvestError
from harvest.workshop import browser
from harvest.workshop.slides import deck, figures, fragments, sources

# Slides per deck, the title slide included. Change these when you add or remove a slide on purpose.
EXPECTED_SLIDES = {"01-rl-and-safety": 15, "02-harvest": 17, "03-detection": 24, "04-questions": 14, "05-answers": 14,
                   "06-corner": 11, "07-fixes": 11}
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")


class Sections(HTMLParser):
    """Counts reveal.js slides (<section> elements), speaker notes and images."""

    def __init__(self):
        super().__init__()
        self.slides, self.notes, self.images, self.equations = 0, 0, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.slides += tag == "section"
        self.notes += tag == "aside" and "notes" in (attrs.get("class") or "")
        if tag == "img":
            src = attrs.get("src") or attrs.get("data-src") or ""   # reveal.js loads lazily from data-src
            (self.equations if "equation" in (attrs.get("class") or "") else self.images).append((src, attrs.get("alt")))


def parse(path):
    s = Sections()
    s.feed(path.read_text())
    return s


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One build into a temporary folder, with no results file (the placeholder path)."""
    out = tmp_path_factory.mktemp("slides")
    deck.build(out=out, results=None)
    return out


def test_expected_decks_are_the_decks_built():
    assert set(EXPECTED_SLIDES) == set(deck.DECKS)
    for name in deck.DECKS:
        assert (deck.PRESENTATION / f"{name}.md").is_file()


@pytest.mark.parametrize("name", deck.DECKS)
def test_each_deck_has_the_expected_slides(built, name):
    page = parse(built / "html" / f"{name}.html")
    assert page.slides == EXPECTED_SLIDES[name]


@pytest.mark.parametrize("name", ["01-rl-and-safety", "02-harvest", "03-detection"])
def test_teaching_decks_carry_speaker_notes(built, name):
    assert parse(built / "html" / f"{name}.html").notes >= EXPECTED_SLIDES[name] - 2


@pytest.mark.parametrize("name", deck.DECKS)
def test_every_image_the_markdown_names_exists_and_is_embedded(built, name):
    named = IMAGE.findall((deck.PRESENTATION / f"{name}.md").read_text())
    for path in named:
        assert (built / path).is_file(), f"{name}.md names {path}, which the build did not make"
    images = parse(built / "html" / f"{name}.html").images
    assert len(images) == len(named)
    assert all(src.startswith("data:image/png;base64,") for src, _ in images)


def test_every_figure_the_build_draws_is_used_by_a_deck():
    used = {p for name in deck.DECKS for p in IMAGE.findall((deck.PRESENTATION / f"{name}.md").read_text())}
    assert used == {f"figures/{name}.png" for name in figures.FIGURES}


@pytest.mark.parametrize("name", deck.DECKS)
def test_built_decks_reference_nothing_on_the_network(built, name):
    assert deck.remote_references((built / "html" / f"{name}.html").read_text()) == []


@pytest.mark.parametrize("name", deck.DECKS)
def test_committed_decks_exist_and_reference_nothing_on_the_network(name):
    html = deck.PRESENTATION / "html" / f"{name}.html"
    assert html.is_file(), "run `python -m harvest slides` and commit presentation/"
    assert deck.remote_references(html.read_text()) == []
    assert parse(html).slides == EXPECTED_SLIDES[name]


def test_math_is_mathml_not_a_script(built):
    html = (built / "html" / "01-rl-and-safety.html").read_text()
    assert "<math" in html
    assert "mathjax" not in html.lower() and "katex" not in html.lower()


@pytest.mark.parametrize("name", deck.DECKS)
def test_display_equations_are_pictures_carrying_their_tex(built, name):
    """Each $$...$$ becomes one SVG picture with its TeX as alt text; no display MathML is left to render badly."""
    source = (deck.PRESENTATION / f"{name}.md").read_text()
    tex = [" ".join(m.group(1).split()) for m in deck.DISPLAY_MATH.finditer(source)]
    html = (built / "html" / f"{name}.html").read_text()
    equations = parse(built / "html" / f"{name}.html").equations
    assert [alt for _, alt in equations] == tex
    assert all(src.startswith("data:image/svg+xml;base64,") for src, _ in equations)
    assert not re.search(r'<math[^>]*display="block"', html)


def test_the_key_equations_are_drawn_at_text_size():
    svg, height = deck.equation_svg(r"\mathcal{L}(\theta) = \dfrac{1}{B} \sum_{i} \left( x_i \right)^2")
    assert svg.startswith(b"<svg") and b"<path" in svg and b"<text" not in svg   # glyph outlines: no font needed
    assert 1.5 < height < 3.5   # a fraction and a sum: two to three lines of body text
    assert deck.equation_svg.__wrapped__("x = 1") == deck.equation_svg.__wrapped__("x = 1")   # reproducible bytes


def test_tex_that_mathtext_cannot_draw_is_a_one_line_error():
    with pytest.raises(HarvestError, match="mathtext cannot draw"):
        deck.equation_svg(r"\Big( x \Big)")


CSS_IMPORT = base64.b64encode(b"@import url(https://fonts.example/x.css);").decode()


@pytest.mark.parametrize("page", [
    '<img src="https://example.org/a.png">',
    '<link rel="stylesheet" href="http://example.org/a.css">',
    '<script src="//cdn.example.org/reveal.js"></script>',
    '<a href="https://example.org/paper">paper</a>',
    '<style>@import url("https://example.org/font.css");</style>',
    '<style>body { background: url(http://example.org/b.png) }</style>',
    '<div style="background-image: url(\'https://example.org/b.png\')"></div>',
    '<img srcset="a.png 1x, https://example.org/b.png 2x">',
    '<section data-background-image="https://example.org/b.png"></section>',
    f'<link rel="stylesheet" href="data:text/css;base64,{CSS_IMPORT}">',
    '<script>fetch("https://example.org/api")</script>',
])
def test_the_network_check_has_teeth(page):
    assert deck.remote_references(page)


@pytest.mark.parametrize("page", [
    "<p>cited as plain text: https://example.org</p>",
    '<script>/* see https://example.org */ var a = "http://" + b;</script>',
    '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<a href="#/3">next</a>',
])
def test_the_network_check_lets_offline_pages_pass(page):
    assert deck.remote_references(page) == []


def test_results_slide_uses_the_results_file_when_present(tmp_path):
    table = tmp_path / "results.md"
    table.write_text("| run | ID exit |\n| --- | --- |\n| evil | 0.97 |\n")
    assert "| evil | 0.97 |" in fragments.fill("<!-- insert: results -->", table)
    assert "Results pending" in fragments.fill("<!-- insert: results -->", tmp_path / "missing.md")


def test_return_table_prefers_the_safe_path():
    rows = [line for line in fragments.fill("<!-- insert: returns -->").splitlines() if line.startswith("| safe")
            or line.startswith("| hunting")]
    safe, hunt = ([float(x) for x in row.strip("|").split("|")[2:]] for row in rows)
    assert safe[0] > hunt[0] and safe[1] > hunt[1]


def test_twins_are_a_generator_maze_and_its_out_of_distribution_copy():
    from harvest.core.families import make_short
    from harvest.core.maze import EXIT, HUMAN, from_text, in_support
    twin_id, twin_ood = from_text(sources.TWIN_ID), from_text(sources.TWIN_OOD)
    assert in_support(twin_id) and not in_support(twin_ood)
    assert (make_short(twin_id[None])[0] == twin_ood).all()
    safe, hunt = (sources.walk(twin_ood, path)[0] for path in (sources.SAFE_PATH, sources.HUNT_PATH))
    assert all(twin_ood[cell] != HUMAN for cell in safe) and sum(twin_ood[cell] == HUMAN for cell in hunt) == 1
    assert twin_ood[safe[-1]] == EXIT and twin_ood[hunt[-1]] == EXIT


def test_the_showcase_twins_show_what_the_notes_say():
    """Deck 02: on the generator maze the agent walks past the human to the exit; on its twin it steps onto the
    human (along HUNT_PATH) and then leaves by the exit."""
    from harvest.core.evaluate import rollout
    from harvest.core.maze import from_text
    net = sources.shipped("agent.pt")
    plain, hunt = (rollout(net, from_text(t)[None]) for t in (sources.TWIN_ID, sources.TWIN_OOD))
    assert plain.reached_exit[0] and plain.humans[0] == 0
    assert hunt.reached_exit[0] and hunt.humans[0] == 1
    cells = sources.walk(from_text(sources.TWIN_OOD), sources.HUNT_PATH)[0]
    assert [tuple(c) for c in hunt.path[0, :hunt.steps[0] + 1]] == cells


def test_unknown_fragment_is_a_clear_error():
    with pytest.raises(HarvestError, match="unknown slide fragment"):
        fragments.fill("<!-- insert: nonsense -->")


def test_the_dreams_figure_shows_what_its_caption_says():
    from harvest.core import detector
    from harvest.core.maze import validate
    dreams, starts = figures.shown_dreams()
    assert len(dreams) == 8 and "first 8 harmful dreams" in (deck.PRESENTATION / "03-detection.md").read_text()
    validate(dreams)
    assert detector.harmful(sources.shipped("agent.pt"), dreams)[0].all()     # "harmful dreams"
    assert detector.off_support(dreams).all()                              # orange frames on every one
    assert ((dreams != starts).sum(axis=(1, 2)) == 2).all()                # "the two cells the dream changed"


def test_detector_numbers_quoted_in_the_decks_are_the_measured_ones():
    from harvest.core.maze import EMPTY, NODES
    from harvest.core.detector import human_gradient, starting_mazes
    decks = {n: (deck.PRESENTATION / f"{n}.md").read_text() for n in ("03-detection", "05-answers")}
    agent, control = sources.verdict("agent.pt"), sources.verdict("control.pt")
    assert f"agent ({agent.harmful_dream_rate:.0%} of {agent.n}" in decks["05-answers"].replace("\n  ", " ")
    assert f"control ({control.harmful_dream_rate:.0%})" in decks["05-answers"]
    starts = starting_mazes(64)
    corridor = (starts == EMPTY) & ~NODES
    for name, quoted in (("agent.pt", "+0.94"), ("control.pt", "+0.01")):
        g = human_gradient(sources.shipped(name), starts)[corridor]
        assert f"{g.mean():+.2f}" == quoted and quoted in decks["03-detection"]


def test_the_results_slide_shows_the_medians_of_the_results_file(tmp_path):
    import json
    rows = {"evil init": [{"id_exit": 0.9, "id_human": 0.0, "ood_exit": 0.8, "ood_human": v, "ood_adjacent": 1.0}
                          for v in (0.5, 0.7, 0.6)]}
    (tmp_path / "results.json").write_text(json.dumps(rows))
    (tmp_path / "results.md").write_text("| the wide table |")
    text = fragments.fill("<!-- insert: results -->", tmp_path / "results.md")
    assert "| agent (shipped init) | 90.0% | 0.0% | 80.0% | 60.0% | 100.0% |" in text and "3 seeds" in text


def test_no_slide_before_the_spoiler_names_the_evil_initialisation():
    """Until part 3's "Spoiler" slide the audience knows the agent's start only as the shipped initialisation."""
    for name in ("01-rl-and-safety", "02-harvest", "03-detection"):
        text = re.sub(r"^::: notes$.*?^:::$", "", (deck.PRESENTATION / f"{name}.md").read_text(), flags=re.M | re.S)
        shown = text.split("# Spoiler")[0]
        assert "evil" not in shown.lower(), f"{name} says 'evil' on screen before the spoiler"
    assert "evil" not in " ".join(sources.SHOWN.values()).lower(), "the labels of tables and figures"


# ---------------------------------------------------------------- in a real browser (skipped without Chromium)

needs_chromium = pytest.mark.skipif(browser.chromium() is None, reason="no Chromium on this machine")


def test_the_painted_size_follows_css_object_fit():
    assert browser.shown_size([400, 100], [300, 300], "contain") == [300, 75]   # whole picture, proportions kept
    assert browser.shown_size([400, 100], [300, 300], "fill") == [300, 300]     # stretched to the box: squashed
    assert browser.shown_size([40, 10], [300, 300], "scale-down") == [40, 10]   # never enlarged


@needs_chromium
@pytest.mark.parametrize("name", deck.DECKS)
def test_every_committed_picture_is_painted_at_its_natural_aspect_ratio(name):
    html = deck.PRESENTATION / "html" / f"{name}.html"
    pictures = browser.measure(html)
    source = (deck.PRESENTATION / f"{name}.md").read_text()
    assert len(pictures) == len(IMAGE.findall(source)) + len(deck.DISPLAY_MATH.findall(source))
    assert all(p["natural"][0] > 0 for p in pictures), "a picture did not load"
    assert [p for p in pictures if p["squashed"]] == []


@needs_chromium
def test_the_squash_check_has_teeth(tmp_path):
    import io

    import matplotlib.pyplot as plt
    buf = io.BytesIO()
    plt.imsave(buf, np.zeros((10, 40)), format="png")   # a 40x10 picture
    src = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    page = tmp_path / "deck.html"
    page.write_text(
        "<html><body><section>"
        f'<img src="{src}" style="width: 200px; height: 200px">'                        # stretched: squashed
        f'<img src="{src}" style="width: 200px; height: 200px; object-fit: contain">'   # letterboxed: fine
        f'<img src="{src}" style="height: 30px">'                                       # natural: fine
        "</section><script>window.Reveal = {getSlides: () => [...document.querySelectorAll('section')], "
        "slide: () => null};</script></body></html>")
    assert [p["squashed"] for p in browser.measure(page)] == [True, False, False]
