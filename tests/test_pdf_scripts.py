"""Every script in the PDFs: fallback fonts, right-to-left order, joined Arabic, long tokens, shortened backs.

Text is read back with pdftotext (poppler), which orders right-to-left runs logically as
readers copy them; characters are compared NFKC-normalised (Arabic joined forms are
compatibility characters of the letters as written).
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pdfplumber
import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from exporter.backends import BuildOptions
from exporter.backends.anki.fields import block_html, inline_html
from exporter.backends.pdf import render_cheatsheet, render_flashcards
from exporter.backends.pdf.cheatsheet import COLUMN_GAP, MARGIN, cheatsheet_pages
from exporter.backends.pdf.fallback import check, fonts_for, package_for
from exporter.backends.pdf.flashcards import CardRenderer, Grid, cards_of, shortened_backs
from exporter.backends.pdf.fonts import BUNDLED_DIR, load_fonts
from exporter.backends.pdf.layout import Typesetter
from exporter.backends.pdf.text import break_lines
from exporter.backends.pdf.wordbreak import break_points
from exporter.build import make_context
from exporter.validate import load_deck

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "fixtures" / "scripts.yaml"
REAL = ROOT / "content" / "questions.yaml"
_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")  # bidi controls pdftotext adds


def pdftotext(data: bytes, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", *pages, "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode("utf-8")


def normal(text: str) -> str:
    return unicodedata.normalize("NFKC", _MARKS.sub("", text))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", normal(text))


def field_html(context, question_id: str) -> SimpleNamespace:
    """The HTML of one question's fields (as on its Anki card), to read their text from."""
    trees = context.markup[question_id]
    return SimpleNamespace(question=inline_html(trees.question, {}), answer=inline_html(trees.answer, {}),
                           details=block_html(trees.details, {}))


def plain(html: str) -> str:
    from html import unescape
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module")
def scripts():
    deck, diagnostics = load_deck(SCRIPTS)
    assert deck is not None, diagnostics
    context = make_context(deck, SCRIPTS)
    return deck, context, render_cheatsheet(deck, context), render_flashcards(deck, context)


def test_the_corpus_has_every_script(scripts) -> None:
    deck, context, _, _ = scripts
    fields = (field_html(context, q.id) for q in deck.questions)
    text = "".join(plain(f.question + f.answer + f.details) for f in fields)
    for name in ("GREEK", "CYRILLIC", "CJK UNIFIED", "HIRAGANA", "KATAKANA", "HANGUL", "ARABIC",
                 "HEBREW", "DEVANAGARI", "BOX DRAWINGS", "MATHEMATICAL ITALIC"):
        assert any(unicodedata.name(c, "").startswith(name) for c in text), name
    assert any(0x1F300 <= ord(c) <= 0x1FAFF for c in text), "emoji"


def test_system_fonts_found(scripts, capsys) -> None:
    deck, context, _, _ = scripts
    fonts = fonts_for(deck, context)
    found = sorted({face.label for face in fonts.system.values()})
    with capsys.disabled():
        print("\nsystem fonts used for the scripts corpus:", *found or ["none"], sep="\n  ")
    assert found, "the corpus needs CJK and Devanagari faces from the system (see .ci/run)"


@pytest.mark.parametrize("kind", [2, 3])
def test_every_character_is_extracted_in_logical_order(scripts, kind: int) -> None:
    deck, context, *pdfs = scripts
    text = normal(pdftotext(pdfs[kind - 2]))
    squashed = re.sub(r"\s+", "", text)
    words = set(re.findall(r"\w+", text))
    for q in deck.questions:
        html = field_html(context, q.id)
        fields = plain(html.question + " " + html.answer) + (
            plain(html.details) if kind == 2 else "")  # a back may be shortened
        field = normal(fields)
        missing = {c for c in re.sub(r"\s+", "", field) if c not in squashed}
        assert not missing, f"{q.id}: {missing}"
        # Letters in the order they were written: every word reads forwards (a right-to-left
        # word drawn unreordered or reversed would not).
        for word in re.findall(r"\w+", field):
            assert word in words or word in squashed, f"{q.id}: {word!r}"


def test_right_to_left_lines_read_as_written(scripts) -> None:
    _, _, cheatsheet, _ = scripts
    lines = [re.sub(r"\s+", " ", normal(line)).strip() for line in pdftotext(cheatsheet).splitlines()]
    assert "ما هو التعلم الآلي؟" in lines
    assert "مرحبا بالعالم" in " ".join(lines)
    assert "למידת מכונה היא תחום" in " ".join(lines)


def test_arabic_is_drawn_joined_and_right_aligned(scripts) -> None:
    _, _, cheatsheet, _ = scripts
    with pdfplumber.open(io.BytesIO(cheatsheet)) as pdf:
        page = pdf.pages[0]
        question = [c for c in page.chars if "\ufe70" <= c["text"] <= "\ufefc"]
        assert question, "Arabic is set in its joined (presentation) forms"
        lines: dict[float, list] = {}
        for c in page.chars:
            lines.setdefault(round(c["top"]), []).append(c)
        rtl = [cs for cs in lines.values() if any("\u05d0" <= c["text"] <= "\u05ea" for c in cs)
               and not any("a" <= c["text"] <= "z" for c in cs)]
        column_right = MARGIN + (page.width - 2 * MARGIN - COLUMN_GAP) / 2
        assert rtl
        for cs in rtl:
            assert max(c["x1"] for c in cs) == pytest.approx(column_right, abs=2.0)


def test_every_character_is_drawn_by_an_embedded_font(scripts) -> None:
    deck, context, cheatsheet, flashcards = scripts
    fonts = fonts_for(deck, context)
    for data in (cheatsheet, flashcards):
        reader = PdfReader(io.BytesIO(data))
        embedded = set()
        for page in reader.pages:
            for font in (page["/Resources"].get("/Font") or {}).values():
                font = font.get_object()
                assert "/FontFile2" in font["/FontDescriptor"].get_object()
                embedded.add(str(font["/BaseFont"]).split("+")[-1])
        for q in deck.questions:
            html = field_html(context, q.id)
            for ch in set(plain(html.question + html.answer)) - set(" \n\t"):
                face = fonts.face_for("regular", ch)
                assert face is not None, ch
                ps_name = pdfmetrics.getFont(face.name).face.name.decode("latin-1")
                assert ps_name in embedded, (ch, ps_name)


def test_validate_check_names_the_character_question_and_package(scripts) -> None:
    deck, context, _, _ = scripts
    assert check(deck, context) == []
    broken = dataclasses.replace(deck.questions[0], answer="A private-use \U0010fffd sign")
    deck2 = dataclasses.replace(deck, questions=(broken, *deck.questions[1:]))
    [problem] = check(deck2, make_context(deck2, SCRIPTS))
    assert "U+10FFFD" in problem.message and f"question '{broken.id}'" in problem.message
    assert (problem.line, problem.col) == (broken.loc.line, broken.loc.col)
    assert package_for("中") == package_for("한") == "fonts-noto-cjk"
    assert package_for("न") == "fonts-noto-core"


def test_font_dir_roles_come_from_the_files(tmp_path: Path) -> None:
    shutil.copy(BUNDLED_DIR / "DejaVuSans.ttf", tmp_path / "Body-Plain.ttf")
    shutil.copy(BUNDLED_DIR / "DejaVuSans-Bold.ttf", tmp_path / "Body-Heavy.ttf")
    shutil.copy(BUNDLED_DIR / "DejaVuSans-Oblique.ttf", tmp_path / "Body-Slanted.ttf")
    shutil.copy(BUNDLED_DIR / "DejaVuSansMono.ttf", tmp_path / "Code.ttf")
    fonts = load_fonts(tmp_path)
    assert fonts.labels["regular"] == "DejaVuSans"
    assert fonts.labels["bold"] == "DejaVuSans-Bold"
    assert fonts.labels["italic"] == "DejaVuSans-Oblique"
    assert fonts.labels["bolditalic"] == "DejaVuSans-Bold"  # none in the folder: bold stands in
    assert fonts.labels["mono"] == "DejaVuSansMono"


# Long tokens


def test_break_points() -> None:
    assert break_points("heapq.heappush(heap,") == {6, 15, 20} - {20}
    assert break_points("getElementById") == {3, 10, 12}
    assert break_points("a/b_c-d=e") == {2, 4, 6, 8}


def test_a_long_token_breaks_where_a_reader_expects() -> None:
    from exporter.backends.pdf.blocks import face

    ts = Typesetter(load_fonts(), {}, 100.0)
    text = "heapq.heappush(heap, item) some/very/long/path/name_with_parts getElementByIdFromTheDocument"
    words = ts.words([(text, face(False, False, True))])
    lines = ["".join(p[0] for w in line for p in w.pieces)
             for line in break_lines(words, 9.0, ts.text.piece_width)]
    assert lines == ["heapq.", "heappush(heap,", "item)", "some/very/", "long/path/", "name_with_",
                     "parts", "getElementById", "FromThe", "Document"]


# Flashcard backs


@pytest.fixture(scope="module")
def shipped():
    deck, _ = load_deck(REAL)
    context = make_context(deck, REAL)
    return deck, context, render_cheatsheet(deck, context), render_flashcards(deck, context)


def test_shortened_backs_name_the_right_cheat_sheet_page(shipped) -> None:
    deck, context, cheatsheet, flashcards = shipped
    count = len(PdfReader(io.BytesIO(cheatsheet)).pages)
    sheet_pages = [squash(pdftotext(cheatsheet, n + 1)) for n in range(count)]
    cards = {f"#{c.number}": c.question for c in cards_of(deck)}
    checked = 0
    with pdfplumber.open(io.BytesIO(flashcards)) as pdf:
        for back in pdf.pages[1::2]:
            for text in _card_texts(back):
                match = re.search(r"the rest: cheat sheet, page (\d+)", text)
                if not match:
                    continue
                q = cards[re.search(r"#\d+", text).group()]
                start = squash(plain(field_html(context, q.id).question))[:40]
                first = next(n + 1 for n, page in enumerate(sheet_pages) if start in page)
                assert int(match.group(1)) == first, q.id
                checked += 1
    assert checked == shortened_backs(flashcards) > 0
    assert cheatsheet_pages(deck, context)[deck.questions[0].id] == 1


def test_no_back_is_cut_mid_block(shipped) -> None:
    """Each back shows its answer and whole blocks: what it shows is the first blocks' text."""
    deck, context, _, _ = shipped
    fonts = fonts_for(deck, context)
    grid = Grid(595.27, 841.89)
    renderer = CardRenderer(Typesetter(fonts, context.media, grid.body[1] * 0.4), grid, context)
    shortened = 0
    for card in cards_of(deck):
        _, blocks, _ = renderer.content(card)
        prepared = renderer.ts.prepare(blocks)
        [(placed, note)] = renderer.backs(blocks)
        if not note:
            continue  # the whole back fits, at whatever size it was set: nothing was left out
        shortened += 1
        for count in range(len(prepared), -1, -1):  # a back may hold no details at all
            items = renderer.ts.items(prepared[:count], grid.body[0], 7.78)
            if len(items) == len(placed):
                break
        else:
            pytest.fail(f"{card.question.id}: the back is not a run of whole blocks")
        assert [type(i) for i in items] == [type(i) for i, _ in placed], card.question.id
    assert shortened > 0


def test_continue_puts_the_rest_on_the_next_card(shipped) -> None:
    deck, _, _, _ = shipped
    context = make_context(deck, REAL, BuildOptions(flashcards_overflow="continue"))
    data = render_flashcards(deck, context)
    text = squash(pdftotext(data))
    assert "continuedonthenextcard" in text and "therest:" not in text
    for q in deck.questions:
        details = normal(plain(field_html(context, q.id).details))
        # every word of every back is somewhere on the cards
        assert all(w in text for w in re.findall(r"\w{4,}", details)), q.id
    assert shortened_backs(data) > 0


def _card_texts(page) -> list[str]:
    grid = Grid(page.width, page.height)
    w, h = grid.card
    cells: dict[tuple[int, int], list] = {}
    for c in page.chars:
        key = (int((c["x0"] - 28) // w), int((c["top"] - 28) // h))
        cells.setdefault(key, []).append(c)
    out = []
    for chars in cells.values():
        chars.sort(key=lambda c: (round(c["top"]), c["x0"]))
        out.append("".join(c["text"] for c in chars))
    return out


def test_build_counts_and_validate_lists_the_long_backs(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from exporter.cli import main

    source = tmp_path / "questions.yaml"
    shutil.copy(REAL, source)
    built = CliRunner().invoke(main, ["build", str(source), "-o", str(tmp_path / "out"),
                                      "--only", "flashcards"])
    assert built.exit_code == 0, built.output
    count = int(re.search(r"(\d+) backs? too long for (?:its|their) card", built.output).group(1))
    listed = CliRunner().invoke(main, ["validate", "--verbose", str(source)])
    notes = [line for line in listed.stdout.splitlines() if ": note: the back of question" in line]
    assert len(notes) == count > 0
    assert all(re.search(r"cheat-sheet page \d+$", line) for line in notes)


def test_fallback_fonts_keep_builds_reproducible(tmp_path: Path) -> None:
    """System faces are converted and subset afresh in each process: the bytes must not change.
    (--no-ledger: both builds take their time from SOURCE_DATE_EPOCH, not from a ledger the
    first one wrote.)"""
    source = tmp_path / "scripts.yaml"
    shutil.copy(SCRIPTS, source)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0"}
    digests = []
    for run in ("a", "b"):
        out = tmp_path / run
        subprocess.run([sys.executable, "-m", "exporter", "build", str(source), "-o", str(out),
                        "--only", "pdf", "--only", "flashcards", "--no-ledger"], check=True, cwd=ROOT,
                       capture_output=True, env=env)
        digests.append([(p.name, p.read_bytes()) for p in sorted(out.iterdir())])
    assert digests[0] == digests[1]


def test_a_shortened_back_never_ends_on_a_lead_in(shipped) -> None:
    """"Steps:" or a heading belongs with what follows: it moves to the cheat sheet with it."""
    _, _, _, flashcards = shipped
    with pdfplumber.open(io.BytesIO(flashcards)) as pdf:
        for back in pdf.pages[1::2]:
            for text in _card_texts(back):
                body = text.split("the rest: cheat sheet")[0]
                if body != text:
                    assert not body.rstrip().endswith(":"), body[-80:]


@pytest.mark.parametrize("source", [SCRIPTS, REAL, ROOT / "tests" / "fixtures" / "minimal.yaml"])
def test_validates_quick_character_set_holds_every_character_of_the_deck(source: Path) -> None:
    """validate looks up a superset of the deck's characters (ASCII texts are not scanned):
    it must never leave one out, entities included."""
    from exporter.backends.pdf.fallback import deck_chars, deck_chars_roughly

    deck, _ = load_deck(source)
    assert deck is not None
    exact = deck_chars(deck)
    assert exact - {"\n", "\t"} <= deck_chars_roughly(deck)
    assert any(not c.isascii() for c in exact)
