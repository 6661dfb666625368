"""The PDF backends, read back with pypdf and pdfplumber: text, fonts, outline, geometry, errors."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from exporter.backends import BuildOptions
from exporter.backends.pdf import render_cheatsheet, render_flashcards
from exporter.backends.pdf.cheatsheet import COLUMN_GAP, FOOTER_HEIGHT, MARGIN
from exporter.backends.pdf.flashcards import CARD_PAD, COLS, SHEET_MARGIN, Grid
from exporter.backends.pdf.fonts import BUNDLED_DIR, load_fonts
from exporter.build import make_context
from exporter.diagnostics import ContentError
from exporter.markup.tree import parse
from exporter.validate import load_deck

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "fixtures" / "minimal.yaml"
REAL = ROOT / "content" / "questions.yaml"
CONSTRUCTS = ROOT / "tests" / "fixtures" / "pdf-constructs.yaml"  # every construct, math too
TOLERANCE = 1.0  # pdfplumber's glyph boxes come from the font size, not the outlines


def load(path: Path):
    deck, diagnostics = load_deck(path)
    assert deck is not None, diagnostics
    return deck


def squash(text: str) -> str:
    """Compare text regardless of where lines broke: drop all whitespace."""
    return re.sub(r"\s+", "", text)


def printed_question(q) -> str:
    """What the PDFs print as a question: a cloze item's text filled in and ⟦marked⟧."""
    from exporter.cloze import filled_marked

    return filled_marked(q.cloze) if q.cloze else q.question


def plain(markdown: str) -> str:
    """The text a field prints: its words, code as written, math as its (hidden) TeX."""
    printed = ("text", "code_inline", "html_inline", "math_inline", "math_inline_double",
               "fence", "code_block", "math_block", "html_block")
    return " ".join(n.content for n in parse(markdown).walk() if n.type in printed)


@dataclasses.dataclass
class Rendered:
    deck: object
    context: object
    cheatsheet: bytes
    flashcards: bytes


def render(path: Path, **options) -> Rendered:
    deck = load(path)
    context = make_context(deck, path, BuildOptions(**options))
    return Rendered(deck, context, render_cheatsheet(deck, context),
                    render_flashcards(deck, context))


LONG_WORD = "https://example.org/" + "a-very-long-path-segment-" * 8


def long_deck_yaml() -> str:
    """36 questions of every length: columns break inside details, a table spans columns,
    a word is wider than a column, some answers run over several lines."""
    questions = []
    for i in range(36):
        topic = "first" if i < 18 else "second"
        points = "\n".join(f"      - point {i}.{k}: " + "words that fill a line " * (i % 5)
                            for k in range(3 + i % 9))
        answer = f"Answer {i} " + "that runs on " * (i % 4 * 6)
        details = f"      Intro {i} with `code {i}`, **bold {i}** and x² ≈ é → ü.\n\n{points}\n"
        if i == 20:
            rows = "\n".join(f"      | metric {r} | value {r} |" for r in range(60))
            details += f"\n      | Metric | Value |\n      |---|---|\n{rows}\n"
        if i == 7:
            details += f"\n      See {LONG_WORD} for more.\n"
        questions.append(f"""  - id: q{i}
    topic: {topic}
    question: Question number {i}, asked {"at length " * (i % 3 * 4)}?
    answer: {answer.strip()}.
    details: |
{details}""")
    return f"""schema: 1
deck:
  id: long-deck
  title: Long Deck
  description: Layout stress.
  author: studypack tests
  version: "2.0"
topics:
  - id: first
    title: First Topic
  - id: second
    title: Second Topic
questions:
{"".join(questions)}"""


@pytest.fixture(scope="module")
def long_deck_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("long") / "long.yaml"
    path.write_text(long_deck_yaml(), encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=["minimal", "content", "long", "constructs"])
def rendered(request) -> Rendered:
    if request.param == "long":
        return render(request.getfixturevalue("long_deck_path"))
    return render({"minimal": MINIMAL, "content": REAL, "constructs": CONSTRUCTS}[request.param])


@pytest.fixture(scope="module")
def long_rendered(long_deck_path: Path) -> Rendered:
    return render(long_deck_path)


@pytest.fixture(scope="module")
def minimal() -> Rendered:
    return render(MINIMAL)


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


# Cheat sheet content


def test_cheatsheet_has_every_question_and_answer(rendered: Rendered) -> None:
    text = squash("".join(page_texts(rendered.cheatsheet)))
    for q in rendered.deck.questions:
        assert squash(plain(printed_question(q))) in text, q.id
        assert squash(plain(q.answer)) in text, q.id


def test_cheatsheet_has_every_non_ascii_character(rendered: Rendered) -> None:
    deck = rendered.deck
    content = [deck.title, *(t.title for t in deck.topics)]
    for q in deck.questions:
        content += [plain(printed_question(q)), plain(q.answer), plain(q.details)]
    wanted = {ch for field in content for ch in field if ord(ch) > 127 and not ch.isspace()}
    assert wanted, "the deck should exercise non-ASCII text"
    printed = set("".join(page_texts(rendered.cheatsheet)))
    assert wanted - printed == set()


def test_markup_characters_print_literally(minimal: Rendered) -> None:
    # Allow-listed HTML is a node of the shared tree (<b> -> strong): "bold" prints without its
    # tags; any other tag, and every < and & in text or code, prints as written.
    text = squash("".join(page_texts(minimal.cheatsheet)))
    assert squash("What does bold & <script>alert(1)</script> print?") in text
    assert squash("Exactly the characters <b>, & and <script> — never live markup.") in text
    assert squash('Comparisons like 2 < 3 and 5 > 4 & "quotes" stay as written.') in text
    fronts = squash("".join(page_texts(minimal.flashcards)[0::2]))
    assert squash("What does bold & <script>alert(1)</script> print?") in fronts


def test_allow_listed_html_is_set_as_its_node(minimal: Rendered) -> None:
    """<b>bold</b> in a question (already bold) stays in the bold face; in the details an
    <em>/<b> pair would switch faces as **…** does (test_pdf_tree covers every node)."""
    with pdfplumber.open(io.BytesIO(minimal.cheatsheet)) as pdf:
        words = pdf.pages[0].extract_words(extra_attrs=["fontname"])
    (bold,) = [w for w in words if w["text"] == "bold"]
    assert "Bold" in bold["fontname"]


def test_details_keep_their_structure(minimal: Rendered) -> None:
    text = "".join(page_texts(minimal.cheatsheet))
    assert re.search(r"1\.\s+First step", text) and re.search(r"3\.\s+Third step", text)
    assert "◦ nested bullet one" in text or "◦nested bullet one" in text
    assert "• AI: any technique" in text.replace("•AI", "• AI")
    assert "def softmax(xs):" in text
    assert "↪" in text, "a long code line wraps with a continuation mark"
    with pdfplumber.open(io.BytesIO(minimal.cheatsheet)) as pdf:
        assert len(pdf.pages[0].images) == 1, "the diagram is drawn"


# Fonts


def _fonts(reader: PdfReader):
    seen = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object() if isinstance(font, IndirectObject) else font
            for f in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                seen[str(f.get("/BaseFont"))] = f
    return seen


@pytest.mark.parametrize("kind", ["cheatsheet", "flashcards"])
def test_every_font_is_embedded(rendered: Rendered, kind: str) -> None:
    fonts = _fonts(PdfReader(io.BytesIO(getattr(rendered, kind))))
    assert fonts
    for name, font in fonts.items():
        if font.get("/Subtype") == "/Type0":
            continue  # its descendant carries the program
        descriptor = font.get("/FontDescriptor")
        assert descriptor is not None, f"{name} is not embedded"
        assert "/FontFile2" in descriptor.get_object(), f"{name} has no embedded TrueType program"
    assert not any(re.search(r"Helvetica|ZapfDingbats|Times|Courier|Symbol", n) for n in fonts)


def test_dejavu_lacks_cjk_but_has_the_deck_symbols() -> None:
    fonts = load_fonts(None)
    assert not fonts.has("regular", "中") and not fonts.has("mono", "中")
    assert all(fonts.has("regular", ch) for ch in "→²≈⊃•…")


# Geometry


def _outside(char, left: float, top: float, right: float, bottom: float) -> bool:
    return (char["x0"] < left - TOLERANCE or char["x1"] > right + TOLERANCE
            or char["top"] < top - TOLERANCE or char["bottom"] > bottom + TOLERANCE)


def test_cheatsheet_text_stays_inside_margins_and_columns(rendered: Rendered) -> None:
    with pdfplumber.open(io.BytesIO(rendered.cheatsheet)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            w, h = page.width, page.height
            column = (w - 2 * MARGIN - COLUMN_GAP) / 2
            for char in page.chars:
                assert not _outside(char, MARGIN, MARGIN, w - MARGIN, h - MARGIN), (number, char)
                in_body = char["bottom"] < h - MARGIN - FOOTER_HEIGHT
                if number > 1 and in_body and char["text"].strip():
                    in_left = char["x1"] <= MARGIN + column + TOLERANCE
                    in_right = char["x0"] >= MARGIN + column + COLUMN_GAP - TOLERANCE
                    assert in_left or in_right, (number, char["text"], char["x0"])
            for image in page.images:
                assert MARGIN - TOLERANCE <= image["x0"] and image["x1"] <= w - MARGIN + TOLERANCE


def _card_cell(grid: Grid, char) -> tuple[int, int]:
    w, h = grid.card
    return int((char["top"] - SHEET_MARGIN) // h), int((char["x0"] - SHEET_MARGIN) // w)


def test_flashcard_text_stays_inside_its_card(rendered: Rendered) -> None:
    with pdfplumber.open(io.BytesIO(rendered.flashcards)) as pdf:
        grid = Grid(pdf.pages[0].width, pdf.pages[0].height)
        w, h = grid.card
        for page in pdf.pages:
            for char in page.chars:
                row, col = _card_cell(grid, char)
                left, top = SHEET_MARGIN + col * w, SHEET_MARGIN + row * h
                inner = (left + CARD_PAD, top + CARD_PAD, left + w - CARD_PAD, top + h - CARD_PAD)
                assert not _outside(char, *inner), (page.page_number, char["text"], row, col)


# Layout rules of the cheat sheet


def column_texts(data: bytes) -> list[str]:
    """Squashed text of every column body, in reading order."""
    columns = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            w, h = page.width, page.height
            column = (w - 2 * MARGIN - COLUMN_GAP) / 2
            for left in (MARGIN, MARGIN + column + COLUMN_GAP):
                box = (left - TOLERANCE, MARGIN, left + column + TOLERANCE, h - MARGIN - FOOTER_HEIGHT)
                columns.append(squash(page.crop(box).extract_text() or ""))
    return columns


def test_long_deck_breaks_columns_inside_details(long_rendered: Rendered) -> None:
    columns = column_texts(long_rendered.cheatsheet)
    assert len(columns) >= 8
    details = [squash(f"point {i}.0") for i in range(36)]
    starts = [next(n for n, c in enumerate(columns) if d in c) for d in details]
    assert starts == sorted(starts), "questions keep their order"


def test_a_question_is_never_parted_from_its_answer(rendered: Rendered) -> None:
    columns = column_texts(rendered.cheatsheet)
    for q in rendered.deck.questions:
        question, answer = squash(plain(printed_question(q))), squash(plain(q.answer))
        assert any(question + answer in c for c in columns), q.id


def test_a_topic_heading_never_ends_a_column(rendered: Rendered) -> None:
    columns = column_texts(rendered.cheatsheet)
    for topic in rendered.deck.topics:
        first = rendered.deck.questions_in(topic.id)[0]
        question = squash(plain(first.question))
        assert any(squash(topic.title) + question in c for c in columns), topic.id


def test_a_table_broken_across_columns_repeats_its_header(long_rendered: Rendered) -> None:
    columns = column_texts(long_rendered.cheatsheet)
    holding = [c for c in columns if "metric" in c]
    assert len(holding) >= 2, "the 60-row table spans columns"
    assert all("MetricValue" in c for c in holding)


def test_a_word_wider_than_a_column_is_cut_not_lost(long_rendered: Rendered) -> None:
    assert squash(LONG_WORD) in "".join(column_texts(long_rendered.cheatsheet))


def test_a_question_taller_than_a_column_is_parted_rather_than_refused(minimal: Rendered) -> None:
    deck = _with_text(minimal.deck, "answer", " ".join(f"w{i}" for i in range(2500)))
    data = render_cheatsheet(deck, make_context(deck, MINIMAL))
    text = squash("".join(page_texts(data)))
    assert "w0w1w2" in text and "w2498w2499" in text


# Outline


def test_outline_has_one_entry_per_topic_pointing_at_its_heading(rendered: Rendered) -> None:
    reader = PdfReader(io.BytesIO(rendered.cheatsheet))
    outline = reader.outline
    assert [entry.title for entry in outline] == [t.title for t in rendered.deck.topics]
    texts = page_texts(rendered.cheatsheet)
    for entry in outline:
        page = reader.get_destination_page_number(entry)
        assert squash(entry.title) in squash(texts[page])


# Flashcards


def test_every_question_is_on_a_front_page(rendered: Rendered) -> None:
    fronts = squash("".join(page_texts(rendered.flashcards)[0::2]))
    for q in rendered.deck.questions:
        assert squash(plain(printed_question(q))) in fronts, q.id


def _label_cells(page, grid: Grid) -> dict[str, tuple[int, int]]:
    return {word["text"]: _card_cell(grid, word) for word in page.extract_words()
            if re.fullmatch(r"#\d+", word["text"])}


def test_each_back_sits_behind_its_front_for_long_edge_duplex(rendered: Rendered) -> None:
    count = len(rendered.deck.questions)
    with pdfplumber.open(io.BytesIO(rendered.flashcards)) as pdf:
        assert len(pdf.pages) == 2 * -(-count // 8)
        grid = Grid(pdf.pages[0].width, pdf.pages[0].height)
        seen = 0
        for front, back in zip(pdf.pages[0::2], pdf.pages[1::2], strict=True):
            fronts, backs = _label_cells(front, grid), _label_cells(back, grid)
            assert fronts.keys() == backs.keys()
            for label, (row, col) in fronts.items():
                assert backs[label] == (row, COLS - 1 - col), label
            seen += len(fronts)
        assert seen == count


def test_backs_show_the_answer(minimal: Rendered) -> None:
    backs = squash("".join(page_texts(minimal.flashcards)[1::2]))
    for q in minimal.deck.questions:
        assert squash(plain(q.answer)) in backs


def test_a_back_too_long_keeps_whole_items_then_names_the_cheat_sheet_page(minimal: Rendered) -> None:
    """Shortened at a list item's end, never mid-sentence, and never below 7 pt."""
    long = "\n".join(f"- point {i}: " + "words that fill the card " * 6 + "end." for i in range(80))
    first = dataclasses.replace(minimal.deck.questions[0], details=long)
    deck = dataclasses.replace(minimal.deck, questions=(first, *minimal.deck.questions[1:]))
    context = make_context(deck, MINIMAL)
    data = render_flashcards(deck, context)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        back = pdf.pages[1]
        grid = Grid(back.width, back.height)
        cell = _label_cells(back, grid)["#1"]
        chars = [c for c in back.chars if _card_cell(grid, c) == cell]
        text = "".join(c["text"] for c in chars)
        assert "the rest: cheat sheet, page 1" in text
        assert min(round(c["size"], 2) for c in chars) >= 7.0 - 0.01, "no text under 7 pt"
        body = text.split("the rest:")[0]
        assert "point 0" in body and body.rstrip().endswith("end."), "cut between list items"


# Errors users can act on


def _with_text(deck, field: str, value: str):
    first = dataclasses.replace(deck.questions[0], **{field: value})
    return dataclasses.replace(deck, questions=(first, *deck.questions[1:]))


@pytest.mark.parametrize("render_pdf", [render_cheatsheet, render_flashcards])
@pytest.mark.parametrize("field,value", [
    ("question", "What does \U0010fffd mean?"),
    ("details", "Code:\n\n```python\nprint('\U0010fffd')\n```\n"),
])
def test_a_character_the_font_lacks_names_question_and_character(minimal: Rendered, render_pdf,
                                                                 field: str, value: str) -> None:
    deck = _with_text(minimal.deck, field, value)
    context = make_context(deck, MINIMAL)
    with pytest.raises(ContentError) as raised:
        render_pdf(deck, context)
    [diagnostic] = raised.value.diagnostics
    q = deck.questions[0]
    assert (diagnostic.path, diagnostic.line, diagnostic.col) == (str(MINIMAL), q.loc.line, q.loc.col)
    assert f"question '{q.id}'" in diagnostic.message
    assert "'\U0010fffd' (U+10FFFD)" in diagnostic.message


def test_a_topic_title_the_font_lacks_is_reported_at_the_topic(minimal: Rendered) -> None:
    topic = dataclasses.replace(minimal.deck.topics[0], title="\U0010fffd")
    deck = dataclasses.replace(minimal.deck, topics=(topic, *minimal.deck.topics[1:]))
    with pytest.raises(ContentError) as raised:
        render_cheatsheet(deck, make_context(deck, MINIMAL))
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.line == topic.loc.line and f"topic '{topic.id}'" in diagnostic.message


def test_font_dir_swaps_the_family(minimal: Rendered, tmp_path: Path) -> None:
    shutil.copy(BUNDLED_DIR / "DejaVuSansMono.ttf", tmp_path / "regular.ttf")
    context = make_context(minimal.deck, MINIMAL, BuildOptions(font_dir=tmp_path))
    fonts = _fonts(PdfReader(io.BytesIO(render_cheatsheet(minimal.deck, context))))
    assert {name.split("+")[-1] for name in fonts} == {"DejaVuSansMono"}


def test_font_dir_without_regular_is_an_error(minimal: Rendered, tmp_path: Path) -> None:
    context = make_context(minimal.deck, MINIMAL, BuildOptions(font_dir=tmp_path))
    with pytest.raises(ContentError, match="regular.ttf"):
        render_cheatsheet(minimal.deck, context)


# Determinism and options


def test_two_renders_are_byte_identical(minimal: Rendered) -> None:
    assert render_cheatsheet(minimal.deck, minimal.context) == minimal.cheatsheet
    assert render_flashcards(minimal.deck, minimal.context) == minimal.flashcards


def test_creation_date_comes_from_the_context(minimal: Rendered) -> None:
    expected = datetime.fromtimestamp(minimal.context.timestamp, timezone.utc)
    for data in (minimal.cheatsheet, minimal.flashcards):
        assert PdfReader(io.BytesIO(data)).metadata.creation_date == expected


def test_letter_paper(minimal: Rendered) -> None:
    context = make_context(minimal.deck, MINIMAL, BuildOptions(paper="letter"))
    for data in (render_cheatsheet(minimal.deck, context), render_flashcards(minimal.deck, context)):
        for page in PdfReader(io.BytesIO(data)).pages:
            assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)
    a4 = PdfReader(io.BytesIO(minimal.cheatsheet)).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
