"""Every construct of the parse tree as the PDFs draw it, read back with pdfplumber.

The Markdown constructs go through both PDFs from tests/fixtures/pdf-constructs.yaml. The
nodes the markup layer makes from allow-listed raw HTML (sub, sup, kbd, details/summary,
HTML tables with align) are built here as markdown-it tokens, in the shapes the tree
contract names, and drawn by the same Typesetter both PDFs use.
"""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pytest
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from reportlab.pdfgen.canvas import Canvas

from exporter.backends import BuildOptions
from exporter.backends.pdf import render_cheatsheet, render_flashcards
from exporter.backends.pdf.fonts import load_fonts
from exporter.backends.pdf.items import draw_placed, place
from exporter.backends.pdf.layout import Typesetter
from exporter.build import make_context
from exporter.validate import load_deck

ROOT = Path(__file__).resolve().parent.parent
CONSTRUCTS = ROOT / "tests" / "fixtures" / "pdf-constructs.yaml"


@pytest.fixture(scope="module", params=["cheatsheet", "flashcards"])
def pdf(request, tmp_path_factory):
    deck, diagnostics = load_deck(CONSTRUCTS)
    assert deck is not None, diagnostics
    # A back too long for its card continues on the next, so every construct is on a card
    # (shortened, the rest of the lists-and-fences back would be only on the cheat sheet).
    context = make_context(deck, CONSTRUCTS, BuildOptions(flashcards_overflow="continue"))
    render = render_cheatsheet if request.param == "cheatsheet" else render_flashcards
    with pytest.MonkeyPatch.context() as env:
        env.setenv("STUDYPACK_CACHE_DIR", str(tmp_path_factory.mktemp("math-cache")))
        data = render(deck, context)
    with pdfplumber.open(io.BytesIO(data)) as opened:
        yield opened


def chars_of(pdf) -> list[dict]:
    return [c for page in pdf.pages for c in page.chars]


def find(chars: list[dict], text: str) -> list[dict]:
    joined = "".join(c["text"] for c in chars)
    at = joined.index(text)
    return chars[at:at + len(text)]


def lines_of(chars: list[dict]) -> list[str]:
    """Text per (page, baseline), in order."""
    rows: dict[tuple, list[str]] = {}
    for c in chars:
        rows.setdefault((c["page_number"], round(c["top"], 1)), []).append(c["text"])
    return ["".join(v) for _, v in sorted(rows.items())]


# Through both PDFs


def test_inline_styles_set_their_faces(pdf) -> None:
    chars = chars_of(pdf)
    assert all("Bold" in c["fontname"] for c in find(chars, "bold"))
    assert all("Oblique" in c["fontname"] for c in find(chars, "italic"))
    assert all("Mono" in c["fontname"] for c in find(chars, "code"))
    uris = [a["uri"] for page in pdf.pages for a in page.annots if a.get("uri")]
    assert "https://example.org" in uris


def test_a_strike_is_a_line_through_its_word(pdf) -> None:
    struck = find(chars_of(pdf), "struck")
    page = pdf.pages[struck[0]["page_number"] - 1]
    middle = (struck[0]["top"] + struck[0]["bottom"]) / 2
    assert any(abs(line["top"] - middle) < struck[0]["size"] * 0.35
               and line["x0"] <= struck[0]["x0"] + 0.5 and line["x1"] >= struck[-1]["x1"] - 0.5
               for line in page.lines)


def test_hard_breaks_end_lines(pdf) -> None:
    lines = lines_of(chars_of(pdf))
    assert "A hard break ends this line" in lines
    assert "and this one too" in lines
    assert "then the paragraph goes on." in lines


def test_quotes_lists_and_fences_in_items_are_indented(pdf) -> None:
    chars = chars_of(pdf)
    text_left = find(chars, "then the paragraph")[0]["x0"]
    assert find(chars, "A quote, indented.")[0]["x0"] > text_left + 3
    lines = lines_of(chars)
    assert any(line.startswith("•") and "item with a fence:" in line for line in lines)
    assert any(line.startswith("◦") and "two-space nested" in line for line in lines)
    assert any(line.startswith("▪") and "deeper still" in line for line in lines)
    assert any(line.startswith("2.") and "ordered two" in line for line in lines)
    bullet = find(chars, "•")[0]
    fence = find(chars, "def inside():")
    assert all("Mono" in c["fontname"] for c in fence)
    assert fence[0]["x0"] > bullet["x1"], "the fence sits inside its list item"
    assert find(chars, "plain fence in an item")[0]["x0"] > find(chars, "2.")[0]["x1"]
    indented = find(chars, "SELECT 1;")
    assert all("Mono" in c["fontname"] for c in indented), "a fence indented three spaces"


def test_table_columns_keep_their_alignment(pdf) -> None:
    chars = chars_of(pdf)
    row = find(chars, "LeftCentreRight")  # cells are drawn without spaces between them
    header = {"Left": row[:4], "Centre": row[4:10], "Right": row[10:]}
    assert all("Bold" in c["fontname"] for cs in header.values() for c in cs)

    def centre(cs):
        return (cs[0]["x0"] + cs[-1]["x1"]) / 2

    after = chars[chars.index(row[-1]) + 1:]
    first_row = [ch for ch in after if abs(ch["top"] - after[0]["top"]) < 1]
    a, b, c = (next(ch for ch in first_row if ch["text"] == t) for t in "abc")
    assert abs(a["x0"] - header["Left"][0]["x0"]) < 0.5
    assert abs(centre([b]) - centre(header["Centre"])) < 0.5
    assert abs(c["x1"] - header["Right"][-1]["x1"]) < 0.5
    assert abs(find(chars, "1.5")[-1]["x1"] - header["Right"][-1]["x1"]) < 0.5


def test_local_images_are_drawn(pdf) -> None:
    assert sum(len(page.images) for page in pdf.pages) == 1


# Nodes the markup layer makes from raw HTML, drawn by the PDFs' Typesetter


def _wrap(kind: str, tag: str, *children: Token, **attrs) -> list[Token]:
    return [Token(f"{kind}_open", tag, 1, attrs=attrs), *children, Token(f"{kind}_close", tag, -1)]


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


def _inline(*children: Token) -> Token:
    return Token("inline", "", 0, children=list(children))


def _paragraph(*children: Token) -> list[Token]:
    return _wrap("paragraph", "p", _inline(*children))


def _draw(tokens: list[Token], size: float = 10.0) -> pdfplumber.PDF:
    media = {f"media/{f.name}": f.read_bytes() for f in (ROOT / "tests" / "fixtures" / "media").iterdir()}
    ts = Typesetter(load_fonts(), media, max_image_height=200)
    items = ts.items(ts.prepare(ts.builder.tree(SyntaxTreeNode(tokens))), 300, size)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(400, 600), invariant=1)
    placed, complete = place(items, 560)
    assert complete
    draw_placed(canvas, placed, 50, 580)
    canvas.showPage()
    canvas.save()
    return pdfplumber.open(io.BytesIO(buffer.getvalue()))


def test_sub_and_sup_are_smaller_and_lowered_or_raised() -> None:
    tokens = _paragraph(_text("H"), *_wrap("sub", "sub", _text("2")), _text("O and e"),
                        *_wrap("sup", "sup", _text("x")))
    with _draw(tokens) as pdf:
        chars = pdf.pages[0].chars
    h, two, x = chars[0], chars[1], chars[-1]
    assert two["size"] == pytest.approx(h["size"] * 0.7) == x["size"]
    # pdfminer keeps the rise out of the matrix but in the box: compare glyph bottoms.
    descent = 0.236  # DejaVu Sans, em
    bottoms = [c["y0"] + descent * c["size"] for c in (two, h, x)]
    assert bottoms[0] < bottoms[1] - 2 and bottoms[2] > bottoms[1] + 2, "sub below, sup above"


def test_kbd_is_mono_and_details_show_the_summary_in_bold_then_the_body() -> None:
    tokens = [
        *_paragraph(_text("Press "), *_wrap("kbd", "kbd", _text("Ctrl")), _text(".")),
        *_wrap("details", "details",
               *_wrap("summary", "summary", _inline(_text("Why it works"))),
               *_paragraph(_text("Because the body follows."))),
    ]
    with _draw(tokens) as pdf:
        chars = pdf.pages[0].chars
    assert all("Mono" in c["fontname"] for c in find(chars, "Ctrl"))
    summary, body = find(chars, "Why it works"), find(chars, "Because")
    assert all("Bold" in c["fontname"] for c in summary)
    assert "Bold" not in body[0]["fontname"] and body[0]["top"] > summary[0]["top"]


def test_html_tables_with_align_attributes() -> None:
    def cell(kind: str, text: str, **attrs) -> list[Token]:
        return _wrap(kind, kind, _inline(_text(text)), **attrs)

    tokens = _wrap("table", "table",
                   *_wrap("thead", "thead", *_wrap("tr", "tr", *cell("th", "Name"),
                                                   *cell("th", "Amount", align="right"))),
                   *_wrap("tbody", "tbody", *_wrap("tr", "tr", *cell("td", "tea"),
                                                   *cell("td", "3", align="right"))))
    with _draw(tokens) as pdf:
        chars = pdf.pages[0].chars
    amount, three = find(chars, "Amount"), find(chars, "3")
    assert all("Bold" in c["fontname"] for c in find(chars, "Name"))
    assert abs(three[-1]["x1"] - amount[-1]["x1"]) < 0.5


def test_a_remote_image_prints_as_its_link_and_is_never_fetched() -> None:
    image = Token("image", "img", 0, attrs={"src": "https://example.org/chart.png", "alt": ""},
                  children=[_text("the chart")], content="the chart")
    with _draw(_paragraph(_text("See "), image)) as pdf:
        page = pdf.pages[0]
        assert "See the chart" in page.extract_text()
        assert not page.images
        assert {a["uri"] for a in page.annots} == {"https://example.org/chart.png"}


def test_display_math_written_inside_a_line_is_centred_on_its_own() -> None:
    math = Token("math_inline", "math", 0, content=r"\mathrm{HH}", markup="$$")
    with _draw(_paragraph(_text("Before "), math, _text(" after"))) as pdf:
        page = pdf.pages[0]
        lines = page.extract_text().split("\n")
        curves = page.curves
    assert lines[0] == "Before" and lines[-1] == "after"
    centre = (min(c["x0"] for c in curves) + max(c["x1"] for c in curves)) / 2
    assert centre == pytest.approx(50 + 300 / 2, abs=1.0)


def _image(src: str, alt: str) -> Token:
    return Token("image", "img", 0, attrs={"src": src, "alt": ""}, children=[_text(alt)],
                 content=alt)


def test_svg_images_are_drawn_as_vectors_and_encoded_paths_are_found() -> None:
    tokens = [*_paragraph(_image("media/shape.svg", "shape")),
              *_paragraph(_image("media/with%20space.png", "spaced"))]
    with _draw(tokens) as pdf:
        page = pdf.pages[0]
        assert len(page.images) == 1, "the PNG whose name has a space"
        assert page.rects and page.lines, "the SVG's rectangle and line, as vector graphics"
        assert not page.extract_text().strip(), "no alt text: both images were found"


def test_an_svg_never_reads_the_files_it_references(tmp_path: Path) -> None:
    """The PDFs draw an SVG from the build's bytes (context.media), never from a path: a file
    it names beside it (or above the content folder) is not read, only its own shapes drawn."""
    diagram = ROOT / "tests" / "fixtures" / "media" / "diagram.png"
    (tmp_path / "secret.png").write_bytes(diagram.read_bytes())
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           'width="60" height="30"><rect x="2" y="2" width="56" height="26" fill="none" stroke="#000"/>'
           '<image x="0" y="0" width="60" height="30" xlink:href="secret.png"/>'
           '<image x="0" y="0" width="60" height="30" xlink:href="../secret.png"/></svg>')
    ts = Typesetter(load_fonts(), {"media/refs.svg": svg.encode()}, max_image_height=200)
    assert ts.images.picture("media/refs.svg") is not None
    tree = SyntaxTreeNode(_paragraph(_image("media/refs.svg", "refs")))
    items = ts.items(ts.prepare(ts.builder.tree(tree)), 300, 10.0)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(400, 600), invariant=1)
    draw_placed(canvas, place(items, 560)[0], 50, 580)
    canvas.showPage()
    canvas.save()
    with pdfplumber.open(io.BytesIO(buffer.getvalue())) as pdf:
        assert pdf.pages[0].rects and not pdf.pages[0].images
