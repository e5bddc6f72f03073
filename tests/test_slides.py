"""The slide build: it runs, each deck keeps its slides, nothing loads from the network,
and every image a deck names exists once the build is done."""
import base64
import functools
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from harvest.core.errors import HarvestError
from harvest.workshop import browser
from harvest.workshop.slides import deck, figures, fragments, sources

import test_giveaways

# Slides per deck, the title slide included. Change these when you add or remove a slide on purpose.
EXPECTED_SLIDES = {"01-rl-and-safety": 15, "02-harvest": 19, "03-detection": 29, "04-questions": 12, "05-answers": 12,
                   "06-corner": 14, "07-fixes": 13, "08-side-channel": 14,
                   "09-zoo": 13, "10-reward-model": 12}
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")


class Sections(HTMLParser):
    """Counts reveal.js slides (<section> elements), speaker notes and images."""

    def __init__(self):
        super().__init__()
        self.slides, self.notes, self.images, self.equations, self.inline = 0, 0, [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.slides += tag == "section"
        self.notes += tag == "aside" and "notes" in (attrs.get("class") or "")
        if tag == "img":
            src = attrs.get("src") or attrs.get("data-src") or ""   # reveal.js loads lazily from data-src
            classes = (attrs.get("class") or "").split()
            found = self.inline if "inline" in classes else self.equations if "equation" in classes else self.images
            found.append((src, attrs.get("alt")))


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
    assert all(src.startswith(("data:image/png;base64,", "data:image/gif;base64,")) for src, _ in images)


def test_every_figure_the_build_draws_is_used_by_a_deck():
    used = {p for name in deck.DECKS for p in IMAGE.findall((deck.PRESENTATION / f"{name}.md").read_text())}
    assert used == {f"figures/{name}.png" for name in figures.FIGURES} | {f"figures/{name}.gif" for name in
                                                                          figures.ANIMATIONS}


def test_the_twins_animation_has_one_frame_per_move_of_the_showcase_rollouts(built):
    from PIL import Image
    from harvest.core import animate
    panels = figures.twins_walk()
    assert [p.title for p in panels] == list(figures.TWIN_TITLES)
    assert [tuple(c) for c in panels[1].path] == sources.walk(panels[1].maze, sources.HUNT_PATH)[0]
    with Image.open(built / "figures" / "twins_walk.gif") as gif:
        assert gif.n_frames == animate.frame_count(panels) == len(sources.HUNT_PATH) + 1


@pytest.mark.parametrize("name", deck.DECKS)
def test_built_decks_reference_nothing_on_the_network(built, name):
    assert deck.remote_references((built / "html" / f"{name}.html").read_text()) == []


@pytest.mark.parametrize("name", deck.DECKS)
def test_committed_decks_exist_and_reference_nothing_on_the_network(name):
    html = deck.PRESENTATION / "html" / f"{name}.html"
    assert html.is_file(), "run `python -m harvest slides` and commit presentation/"
    assert deck.remote_references(html.read_text()) == []
    assert parse(html).slides == EXPECTED_SLIDES[name]


@pytest.mark.parametrize("name", deck.DECKS)
def test_inline_maths_are_pictures_on_the_baseline_carrying_their_tex(built, name):
    """Each inline $...$ becomes one SVG picture with its TeX as alt text: no MathML or maths script is left for a
    browser to render with whatever maths font it has."""
    source = (deck.PRESENTATION / f"{name}.md").read_text()
    html = (built / "html" / f"{name}.html").read_text()
    found = parse(built / "html" / f"{name}.html").inline
    assert [alt for _, alt in found] == deck.inline_math(fragments.fill(source, None))
    assert all(src.startswith("data:image/svg+xml;base64,") for src, _ in found)
    assert "<math" not in html and 'class="math' not in html
    text = re.sub(r"data:[^\"')\s]+", "", html).lower()   # embedded pictures' base64 may spell anything
    assert "mathjax" not in text and "katex" not in text


def test_inline_maths_keep_their_baseline_and_skip_code():
    _, height, depth = deck.inline_svg("s_0")
    _, height_x, depth_x = deck.inline_svg("x")
    assert depth > depth_x > 0 and 0.5 < height_x < height < 1.5   # a subscript hangs below the line; one line tall
    assert deck.inline_math("cost $-1$, code `echo $HOME $PATH` and $5 or $6, then $\\gamma^2$") == ["-1", "\\gamma^2"]
    with pytest.raises(HarvestError, match="cannot draw the inline maths"):
        deck.inline_svg("\\nosuchmacro x")


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


def test_results_slide_says_what_to_run_without_a_results_file(tmp_path):
    (tmp_path / "results.md").write_text("| run | ID exit |\n| --- | --- |\n| evil init | 0.97 |\n")
    for name in ("results", "results_repaired"):
        text = fragments.fill(f"<!-- insert: {name} -->", tmp_path / "results.md")
        assert "Pending" in text and "python -m harvest experiment" in text and "evil" not in text


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
    assert f"agent ({agent.score:.0%} of {agent.n}" in decks["05-answers"].replace("\n  ", " ")
    assert f"control ({control.score:.0%})" in decks["05-answers"]
    starts = starting_mazes(64)
    corridor = (starts == EMPTY) & ~NODES
    for name, quoted in (("agent.pt", "+0.94"), ("control.pt", "+0.01")):
        g = human_gradient(sources.shipped(name), starts)[corridor]
        assert f"{g.mean():+.2f}" == quoted and quoted in decks["03-detection"]


def test_the_results_slide_shows_the_medians_of_the_results_file(tmp_path):
    import json
    rows = {"shipped init": [{"id_exit": 0.9, "id_human": 0.0, "ood_exit": 0.8, "ood_human": v, "ood_adjacent": 1.0}
                          for v in (0.5, 0.7, 0.6)]}
    (tmp_path / "results.json").write_text(json.dumps(rows))
    (tmp_path / "results.md").write_text("| the wide table |")
    text = fragments.fill("<!-- insert: results -->", tmp_path / "results.md")
    assert "| agent | 90.0% | 0.0% | 80.0% | 60.0% | 100.0% |" in text and "3 seeds" in text


def test_the_repaired_agent_appears_only_from_part_3s_fix_slide_on(tmp_path):
    import json
    row = {"id_exit": 0.9, "id_human": 0.0, "ood_exit": 0.8, "ood_human": 0.1, "ood_adjacent": 1.0}
    (tmp_path / "results.json").write_text(json.dumps({"shipped init": [row], sources.REPAIRED: [row]}))
    repaired = sources.SHOWN[sources.REPAIRED]
    assert repaired not in fragments.fill("<!-- insert: results -->", tmp_path / "results.md")
    assert repaired in fragments.fill("<!-- insert: results_repaired -->", tmp_path / "results.md")
    legend = figures.two_axes().axes[0].get_legend() if sources.RESULTS.with_suffix(".json").is_file() else None
    assert legend is None or all(repaired not in t.get_text() for t in legend.get_texts())
    decks = {n: on_screen(n) for n in ("01-rl-and-safety", "02-harvest", "03-detection")}
    before = decks["01-rl-and-safety"] + decks["02-harvest"] + decks["03-detection"].split("# The fix")[0]
    assert "repaired" not in before.lower()
    part3 = (deck.PRESENTATION / "03-detection.md").read_text()
    assert "<!-- insert: results_repaired -->" in part3.split("# The fix")[1].split("\n# ")[0]


def on_screen(name):
    """A deck's on-screen Markdown (no speaker notes) up to part 3's spoiler slide."""
    text = test_giveaways.on_screen((deck.PRESENTATION / f"{name}.md").read_text())
    return text.split("# Spoiler")[0]


# tests/test_giveaways.py guards the words of every deck before the Spoiler slide (how the agent started). Two more
# places: parts 1 and 2 come before the exercises where the learner measures the generator's rule, so they show
# neither the rule nor the deployment mazes' shape; and the labels that figures and tables put on screen.
@pytest.mark.parametrize("name", ["01-rl-and-safety", "02-harvest"])
def test_parts_1_and_2_name_neither_the_rule_nor_the_shape(name):
    leaks = test_giveaways.found(on_screen(name), test_giveaways.RULE + test_giveaways.INIT)
    assert not leaks, "\n".join(leaks)


def test_the_labels_of_tables_and_figures_give_nothing_away():
    labels = [v for k, v in sources.SHOWN.items() if k != sources.REPAIRED] + list(figures.TWIN_TITLES)
    assert not test_giveaways.found(" ".join(labels), test_giveaways.RULE + test_giveaways.INIT + ["control"])
    assert len({sources.SHOWN[k] for k in ("agent.pt", "control.pt")}) == 2   # the two agents stay apart


def test_the_claim_that_the_start_decides_is_gone_from_part_3s_screen():
    """Deck 03 may show that never-seen inputs keep their weights (it measures that), not that the start decides."""
    assert not re.search(r"initiali[sz]ation[^.]*decides", on_screen("03-detection"))


def test_the_model_citizen_slide_shows_what_it_says():
    """Deck 02: in the four mazes of policy_id the agent reaches the exit, harvests no human, and leaves the crops."""
    from harvest.core.evaluate import rollout
    from harvest.core.maze import CROP, HUMAN
    mazes = sources.held_out()["id"]
    shown = mazes[(mazes == HUMAN).any(axis=(1, 2))][:4]
    runs = rollout(sources.shipped("agent.pt"), shown)
    assert (shown == CROP).any() and runs.reached_exit.all() and (runs.humans == 0).all() and (runs.crops == 0).all()
    assert "leaves the\ncrops alone" in (deck.PRESENTATION / "02-harvest.md").read_text()
    assert "picks up crops" not in (deck.PRESENTATION / "02-harvest.md").read_text()


def test_the_superpower_panels_name_where_things_move():
    """Deck 07: a pull is named by the way the agent and the item go, a rewrite by the cell it turns."""
    from harvest.core.maze import CROP, HUMAN, MOVE_NAMES, MOVES
    from harvest.research.superpowers import apply
    maze, cell, pull, rewrite = figures.superpower_example()
    pulled, pos = apply(maze, cell, pull)
    step = tuple(np.subtract(pos, cell))
    moved = MOVE_NAMES[[tuple(m) for m in MOVES.tolist()].index(step)]
    item = tuple(np.add(cell, np.subtract(cell, pos)))   # the item stood on the other side of the agent
    assert pulled[tuple(cell)] == maze[item] and maze[item] in (CROP, HUMAN)   # it followed onto the agent's cell
    titles = [ax.get_title() for ax in figures.fixes_superpowers().axes]
    assert titles[1] == f"pull: both move {moved}"
    changed = tuple(np.argwhere(apply(maze, cell, rewrite)[0] != maze)[0])
    side = ("above", "below", "to the left", "to the right")[[tuple(m) for m in MOVES.tolist()].index(
        tuple(np.subtract(changed, cell)))]
    assert titles[2] == f"rewrite: the cell {side}"


def test_the_fixes_table_counts_the_runs_that_passed():
    import json
    rows = json.loads((sources.ROOT / "runs" / "fixes.json").read_text())
    table = fragments.fill("<!-- insert: fixes_compact -->")
    for method in dict.fromkeys(r["method"] for r in rows):
        rs = [r for r in rows if r["method"] == method]
        line = next(x for x in table.splitlines() if x.startswith(f"| {method} |"))
        assert line.split("|")[3].strip() == f"{sum(r['passed'] for r in rs)}/{len(rs)}"


def test_numbers_the_decks_quote_come_from_fragments():
    """Counts that change with a rerun are rendered, not typed (the defects of issue 24 were typed numbers)."""
    corner = (deck.PRESENTATION / "06-corner.md").read_text()
    fixes = (deck.PRESENTATION / "07-fixes.md").read_text()
    assert "--seeds 2" not in corner and "<!-- insert: corner_command -->" in corner
    assert "96%" not in corner and "32 of the 50" not in fixes and "Unseen columns moved" not in fixes
    assert fragments.fill("<!-- insert: corner_command -->").startswith("`harvest corner --p ")


# ---------------------------------------------------------------- in a real browser (skipped without Chromium)

needs_chromium = pytest.mark.skipif(browser.chromium() is None, reason="no Chromium on this machine")


def test_the_painted_size_follows_css_object_fit():
    assert browser.shown_size([400, 100], [300, 300], "contain") == [300, 75]   # whole picture, proportions kept
    assert browser.shown_size([400, 100], [300, 300], "fill") == [300, 300]     # stretched to the box: squashed
    assert browser.shown_size([40, 10], [300, 300], "scale-down") == [40, 10]   # never enlarged


@functools.lru_cache(maxsize=None)
def committed_look(name):
    """browser.measure of a committed deck, once per test session (several checks read it)."""
    return browser.measure(deck.PRESENTATION / "html" / f"{name}.html")


def committed_pictures(name):
    return committed_look(name)["pictures"]


@needs_chromium
@pytest.mark.parametrize("name", deck.DECKS)
def test_no_slide_content_reaches_below_the_window(name):
    assert committed_look(name)["overflow"] == {}, "slide index: pixels below the 720 px window"


@needs_chromium
@pytest.mark.parametrize("name", deck.DECKS)
def test_every_committed_picture_is_painted_at_its_natural_aspect_ratio(name):
    pictures = committed_pictures(name)
    source = (deck.PRESENTATION / f"{name}.md").read_text()
    assert len(pictures) == (len(IMAGE.findall(source)) + len(deck.DISPLAY_MATH.findall(source))
                             + len(deck.inline_math(fragments.fill(source))))
    assert all(p["natural"][0] > 0 for p in pictures), "a picture did not load"
    assert [p for p in pictures if p["squashed"]] == []


@needs_chromium
def test_the_squash_and_overflow_checks_have_teeth(tmp_path):
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
        '</section><section><div style="height: 300px">fits</div>'
        '</section><section><div style="height: 1000px">too tall</div>'
        "</section><script>window.Reveal = {getSlides: () => [...document.querySelectorAll('section')], "
        "slide: () => null};</script></body></html>")
    seen = browser.measure(page)
    assert [p["squashed"] for p in seen["pictures"]] == [True, False, False]
    assert list(seen["overflow"]) == [2], "only the 1000 px slide reaches below the 720 px window"


# Text inside figures, in rendered pixels at 1280x720: the smallest text of each figure (its font size at the
# figure's dpi, from figures.TEXT_PX) times the scale the browser paints the figure at. The review of issue 36 asks
# for at least 14 px. These figures are still under it, at about the px given (a rebuild may move them by rounding);
# a figure not listed must reach 14 px, and a listed one may not shrink; when one reaches 14 px, strike it off.
MIN_TEXT_PX = 14
STILL_SMALL = {}


def figure_text_px():
    """{(deck, slide, figure): the smallest text of the figure in rendered pixels}, for every figure and GIF."""
    import json
    smallest = json.loads((deck.PRESENTATION / "figures" / "text_px.json").read_text())
    out = {}
    for name in deck.DECKS:
        pictures = [p for p in committed_pictures(name) if not p["equation"]]
        files = [Path(f).stem for f in IMAGE.findall((deck.PRESENTATION / f"{name}.md").read_text())]
        for p, figure in zip(pictures, files):
            if smallest.get(figure):
                out[(name, p["slide"] + 1, figure)] = smallest[figure] * p["shown"][0] / p["natural"][0]
    return out


@needs_chromium
def test_text_inside_figures_is_at_least_14_px_on_screen():
    measured = figure_text_px()
    assert len({figure for _, _, figure in measured}) >= 25
    too_small = {key: round(px, 1) for key, px in measured.items() if px < MIN_TEXT_PX and key[2] not in STILL_SMALL}
    assert too_small == {}, f"text under {MIN_TEXT_PX} px on screen: {too_small}"
    shrunk = {key: round(px, 1) for key, px in measured.items()
              if key[2] in STILL_SMALL and px < STILL_SMALL[key[2]] - 0.5}
    assert shrunk == {}, f"text got smaller on screen: {shrunk}"
    fixed = sorted({key[2] for key, px in measured.items() if key[2] in STILL_SMALL} -
                   {key[2] for key, px in measured.items() if key[2] in STILL_SMALL and px < MIN_TEXT_PX})
    assert fixed == [], f"now at least {MIN_TEXT_PX} px everywhere: strike {fixed} off STILL_SMALL"


def test_the_smallest_text_of_a_figure_is_read_off_the_drawn_figure():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.set_title("a title", fontsize=20)
    ax.text(0.5, 0.5, "tiny", fontsize=6)
    ax.text(0.5, 0.2, "", fontsize=2)          # empty text draws nothing
    ax.tick_params(labelsize=12)
    FigureCanvasAgg(fig).draw()
    assert figures.smallest_text_px(fig, dpi=144) == 12.0   # 6 pt at 144 dpi


def test_the_zoo_take_away_claims_only_what_the_third_zoo_measured():
    """Deck 09 says the second pair got every verdict right on the third zoo: runs/zoo_seed3/decisions.json says so."""
    assert "third zoo built afterwards: every verdict right" in " ".join((deck.PRESENTATION / "09-zoo.md").read_text().split())
    pair = next(d for d in sources.decision_rows(sources.OTHER_ZOOS["third zoo"])
                if d.get("either") == ["dream", "local-edits-adjacent"])
    assert pair["verdicts_right"] == pair["networks"] == 20

