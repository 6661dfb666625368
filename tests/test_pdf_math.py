"""Math in both PDFs: typeset outlines on the baseline, display math centred, the TeX extractable,
invalid TeX printed as written and reported, the formula cache and the lazy import of ziamath."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage

from exporter.backends import BuildOptions
from exporter.backends.pdf import formulas, mathcache, render_cheatsheet, render_flashcards
from exporter.backends.pdf.cheatsheet import COLUMN_GAP, MARGIN
from exporter.backends.pdf.flashcards import CARD_PAD, COLS, SHEET_MARGIN, Grid
from exporter.backends.pdf.formulas import MATH_SCALE
from exporter.backends.pdf.mathcheck import check_math
from exporter.build import make_context
from exporter.cli import main
from exporter.validate import load_deck

ROOT = Path(__file__).resolve().parent.parent
CONSTRUCTS = ROOT / "tests" / "fixtures" / "pdf-constructs.yaml"
MINIMAL = ROOT / "tests" / "fixtures" / "minimal.yaml"
STIX_CAP_HEIGHT = 0.662  # of STIX Two Math's "H", in em

PLACEMENT_DECK = r"""schema: 1
deck:
  id: placement
  title: Placement
  version: "1"
topics:
  - id: t
    title: Topic
questions:
  - id: q
    topic: t
    question: Is $\mathrm{H}$ on the line?
    answer: Yes.
    details: |
      Before the display.

      $$\mathrm{HH}$$
"""


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory, monkeypatch) -> Path:
    """Each test module run starts from its own cache folder, never the user's."""
    folder = tmp_path_factory.getbasetemp() / "math-cache"
    monkeypatch.setenv("STUDYPACK_CACHE_DIR", str(folder))
    return folder


def build(path: Path) -> tuple[bytes, bytes]:
    deck, diagnostics = load_deck(path)
    assert deck is not None, diagnostics
    context = make_context(deck, path, BuildOptions())
    return render_cheatsheet(deck, context), render_flashcards(deck, context)


@pytest.fixture(scope="module")
def constructs() -> tuple[bytes, bytes]:
    return build(CONSTRUCTS)


@pytest.fixture(scope="module")
def placement(tmp_path_factory) -> tuple[bytes, bytes]:
    path = tmp_path_factory.mktemp("placement") / "placement.yaml"
    path.write_text(PLACEMENT_DECK, encoding="utf-8")
    return build(path)


class _ModeAggregator(PDFPageAggregator):
    """pdfminer's layout, with each character's text render mode kept (pdfplumber drops it)."""

    def render_string(self, textstate, seq, ncs, graphicstate) -> None:
        self.mode = textstate.render
        super().render_string(textstate, seq, ncs, graphicstate)

    def render_char(self, *args, **kwargs) -> float:
        advance = super().render_char(*args, **kwargs)
        self.cur_item._objs[-1].mode = self.mode
        return advance


def hidden_and_visible(data: bytes) -> tuple[str, str]:
    """The text drawn in render mode 3 (invisible) and the rest."""
    manager = PDFResourceManager()
    device = _ModeAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    hidden, visible = [], []
    for page in PDFPage.get_pages(io.BytesIO(data)):
        interpreter.process_page(page)
        for item in device.get_result():
            if isinstance(item, LTChar):
                (hidden if item.mode == 3 else visible).append(item.get_text())
    return "".join(hidden), "".join(visible)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# The TeX: extractable where the formula stands, never visible


@pytest.mark.parametrize("which", [0, 1], ids=["cheatsheet", "flashcards"])
def test_formulas_carry_their_tex_as_invisible_text(constructs, which: int) -> None:
    hidden, visible = hidden_and_visible(constructs[which])
    for tex in (r"\| A \|_F", r"\sqrt{\sum_{i,j} a_{ij}^2}", "x^2 + y^2", r"e^{i\pi} + 1 = 0",
                r"\{x : x > 0\}", r"\sigma(z) = \frac{1}{1 + e^{-z}}", r"\mathbb{E}[X]",
                r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", "x_i"):
        assert squash(tex) in squash(hidden), tex
        assert squash(tex) not in squash(visible), tex
    assert "$5 and $10 stays money" in visible.replace("\n", " ")


@pytest.mark.parametrize("which", [0, 1], ids=["cheatsheet", "flashcards"])
def test_formulas_are_vector_outlines_not_fonts(constructs, which: int) -> None:
    with pdfplumber.open(io.BytesIO(constructs[which])) as pdf:
        fonts = {c["fontname"] for page in pdf.pages for c in page.chars}
        curves = sum(len(page.curves) for page in pdf.pages)
    assert curves > 50, "each formula is drawn as filled glyph outlines"
    # No Type 3 or base-14 font sneaks in for the math: only the embedded DejaVu family.
    assert all("DejaVu" in name or "Study" in name for name in fonts), fonts


# Placement, from where pdfplumber finds the outlines and the text


def _formula_box(page, hidden: str) -> tuple[dict, dict]:
    """(bounding box of the curves under the hidden TeX, a visible char on the same line)."""
    chars = page.chars
    text = "".join(c["text"] for c in chars)
    start = text.index(hidden)
    span = chars[start:start + len(hidden)]
    x0, x1 = span[0]["x0"], span[-1]["x1"]
    curves = [c for c in page.curves if c["x0"] >= x0 - 0.5 and c["x1"] <= x1 + 0.5
              and abs(c["top"] - span[0]["top"]) < span[0]["size"] * 2]
    assert curves, f"no outlines under {hidden!r}"
    box = {"x0": min(c["x0"] for c in curves), "x1": max(c["x1"] for c in curves),
           "y0": min(c["y0"] for c in curves), "y1": max(c["y1"] for c in curves)}
    return box, span[0]


def _baseline(char: dict) -> float:
    return char["matrix"][5]


@pytest.mark.parametrize("which", [0, 1], ids=["cheatsheet", "flashcards"])
def test_inline_math_sits_on_the_baseline_at_the_text_size(placement, which: int) -> None:
    with pdfplumber.open(io.BytesIO(placement[which])) as pdf:
        page = pdf.pages[0]
        box, hidden = _formula_box(page, r"\mathrm{H}")
        word = next(c for c in page.chars if c["text"] == "I" and abs(c["top"] - hidden["top"]) < 3)
    baseline, size = _baseline(word), word["size"]
    assert abs(box["y0"] - baseline) < 0.05 * size, "the H stands on the text's baseline"
    height = box["y1"] - box["y0"]
    assert height == pytest.approx(STIX_CAP_HEIGHT * MATH_SCALE * size, rel=0.08)


def test_display_math_is_centred_in_the_column(placement) -> None:
    with pdfplumber.open(io.BytesIO(placement[0])) as pdf:
        page = pdf.pages[0]
        box, _ = _formula_box(page, r"\mathrm{HH}")
        column = (page.width - 2 * MARGIN - COLUMN_GAP) / 2
    assert (box["x0"] + box["x1"]) / 2 == pytest.approx(MARGIN + column / 2, abs=1.0)


def test_display_math_is_centred_on_the_card_back(placement) -> None:
    with pdfplumber.open(io.BytesIO(placement[1])) as pdf:
        page = pdf.pages[1]  # backs; the first card sits in the mirrored (right) column
        box, _ = _formula_box(page, r"\mathrm{HH}")
        grid = Grid(page.width, page.height)
    left, _ = grid.origin(0, COLS - 1)
    centre = left + grid.card[0] / 2
    assert (box["x0"] + box["x1"]) / 2 == pytest.approx(centre, abs=1.0)
    assert box["x0"] > left + CARD_PAD and box["x1"] < left + grid.card[0] - CARD_PAD
    assert SHEET_MARGIN < box["y0"]


# Invalid TeX


def test_invalid_tex_prints_as_written_in_the_mono_face(constructs) -> None:
    for data in constructs:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            chars = [c for page in pdf.pages for c in page.chars]
        text = "".join(c["text"] for c in chars)
        for tex in (r"\frac{a", r"\nosuchcommand{x}", r"\left( x"):
            at = text.index(tex)
            assert all("Mono" in c["fontname"] for c in chars[at:at + len(tex)]), tex


def test_invalid_tex_is_a_located_warning() -> None:
    # \nosuchcommand is outside the markup layer's allow-list: its disallowed-tex warning
    # (validate, at the formula) is the one it gets, and the PDFs never try to typeset it.
    deck, _ = load_deck(CONSTRUCTS)
    problems = check_math(deck, make_context(deck, CONSTRUCTS))
    question = deck.question("bad-math")
    assert [(p.severity, p.line, p.col, p.code) for p in problems] == [
        ("warning", question.loc.line, question.loc.col, "SP411")] * 2
    messages = " ".join(p.message for p in problems)
    for tex in (r"`\frac{a`", r"`\left( x`"):
        assert tex in messages
    assert "nosuchcommand" not in messages


def test_validate_prints_the_warnings_and_build_still_succeeds(tmp_path: Path) -> None:
    checked = CliRunner().invoke(main, ["validate", str(CONSTRUCTS)])
    assert checked.exit_code == 0, checked.output
    assert re.search(r"pdf-constructs\.yaml:\d+:\d+: warning: TeX that cannot be typeset in the "
                     r"question of question 'bad-math': `\\frac\{a`", checked.output)
    assert "uses \\nosuchcommand, which cards and PDFs do not allow" in checked.output
    # Only the PDFs' check finds what ziamath cannot set: without them, no such warning.
    only_anki = CliRunner().invoke(main, ["validate", str(CONSTRUCTS), "--only", "anki"])
    assert "cannot be typeset" not in only_anki.output
    built = CliRunner().invoke(main, ["build", str(CONSTRUCTS), "-o", str(tmp_path)])
    assert built.exit_code == 0, built.output
    assert (tmp_path / "pdf-constructs-cheatsheet.pdf").is_file()


def test_a_warm_check_reads_each_fields_formulas_from_the_cache(tmp_path: Path, monkeypatch) -> None:
    """validate parses a math field once: later checks take its formula list from the cache
    (keyed by the field's text), give the same warnings, and read an edited field again."""
    from dataclasses import replace

    from exporter.backends import BuildContext
    from exporter.markup import DeckMarkup

    monkeypatch.setenv("STUDYPACK_CACHE_DIR", str(tmp_path / "fields"))

    def check(deck) -> tuple[list, DeckMarkup]:
        formulas.forget()  # each check as a new process: the disk is read
        markup = DeckMarkup(deck)  # lazy: a tree exists only if something asked for it
        context = BuildContext(timestamp=0, content_dir=CONSTRUCTS.parent, markup=markup,
                               options=BuildOptions(), source_path=CONSTRUCTS)
        problems = check_math(deck, context)
        return [(p.line, p.col, p.code, p.message) for p in problems], markup

    def parsed(markup: DeckMarkup) -> list[str]:
        return [f"{qid}.{name}" for qid, trees in markup.questions.items()
                for name in ("question", "answer", "details") if name in vars(trees)]

    deck, _ = load_deck(CONSTRUCTS)
    cold, markup = check(deck)
    assert cold and parsed(markup), "the first check parses the math fields and finds the bad TeX"
    warm, markup = check(deck)
    assert warm == cold
    assert parsed(markup) == []
    bad = deck.question("bad-math")
    edited = replace(deck, questions=tuple(
        replace(q, question=q.question.replace(r"\frac{a", r"\frac{b")) if q is bad else q
        for q in deck.questions))
    again, markup = check(edited)
    assert parsed(markup) == ["bad-math.question"]
    assert any(r"`\frac{b`" in message for *_, message in again)


# The cache: outputs never depend on it


def test_cold_warm_and_corrupt_caches_give_the_same_bytes(cache_dir: Path, tmp_path: Path,
                                                          monkeypatch) -> None:
    monkeypatch.setenv("STUDYPACK_CACHE_DIR", str(tmp_path / "fresh"))
    formulas.forget()
    cold = build(CONSTRUCTS)
    files = sorted((tmp_path / "fresh").rglob("*.jsonl"))
    assert len(files) == 1, "one process, one file, however many formulas"
    lines = files[0].read_text(encoding="utf-8").splitlines()
    assert len(lines) > 10
    formulas.forget()  # as a new build in a new process: the disk is read
    warm = build(CONSTRUCTS)
    # A torn last line, garbage, an outline whose id does not match it, a formula whose
    # outline is gone: each is typeset again, the rest still read.
    outline = next(i for i, line in enumerate(lines) if line.startswith('{"o"'))
    lines[outline] = lines[outline].replace(' m ', ' m 1 ', 1)
    lines[-3] = "garbage"
    files[0].write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:20], encoding="utf-8")
    formulas.forget()
    corrupt = build(CONSTRUCTS)
    assert cold == warm == corrupt


def test_the_cache_merges_its_files(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("STUDYPACK_CACHE_DIR", str(tmp_path / "many"))
    texts = [f"x^{{{n}}}" for n in range(2 * mathcache.MAX_FILES)]
    made = []
    for tex in texts:  # a process per formula: a file each, until a reader merges them
        formulas.forget()
        made.append(formulas.typeset(tex, False))
        assert len(list((tmp_path / "many").rglob("*.jsonl"))) <= mathcache.MAX_FILES + 1
    formulas.forget()
    monkeypatch.setattr(formulas, "_typeset_fresh", lambda tex, display: pytest.fail(f"{tex} typeset again"))
    assert [formulas.typeset(tex, False) for tex in texts] == made
    assert not list((tmp_path / "many").rglob(".tmp-*")), "the merge is renamed into place"
    keys = [mathcache.field_key(f"details\0\0${tex}$") for tex in texts]
    for key, tex in zip(keys, texts, strict=True):  # a field's formula list per process, merged too
        formulas.forget()
        mathcache.store_field(key, [(tex, False)])
    formulas.forget()
    assert [mathcache.field_formulas(key) for key in keys] == [[(tex, False)] for tex in texts]
    assert len(list((tmp_path / "many").rglob("*.jsonl"))) <= mathcache.MAX_FILES + 1


def test_an_unwritable_cache_folder_is_ignored(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("STUDYPACK_CACHE_DIR", str(blocker))
    formulas.forget()
    assert build(CONSTRUCTS)[0].startswith(b"%PDF")


# Start-up: ziamath is imported only to typeset a formula the cache lacks

_PROBE = """
import sys
from pathlib import Path
from exporter.backends import BuildOptions
from exporter.backends.pdf import formulas, render_cheatsheet, render_flashcards
from exporter.build import make_context
from exporter.cli import main
from exporter.validate import load_deck
path = Path(sys.argv[1])
deck, _ = load_deck(path)
context = make_context(deck, path, BuildOptions())
render_cheatsheet(deck, context), render_flashcards(deck, context)
print(sorted(m for m in ("ziamath", "svglib", "latex2mathml") if m in sys.modules))
"""


def _imported(deck: Path, cache: Path) -> str:
    env = {**os.environ, "STUDYPACK_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", _PROBE, str(deck)], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_no_math_and_a_warm_cache_never_import_the_typesetter(tmp_path: Path) -> None:
    assert _imported(MINIMAL, tmp_path / "cache") == "[]"
    assert _imported(CONSTRUCTS, tmp_path / "cache") == "['latex2mathml', 'ziamath']"  # cold
    assert _imported(CONSTRUCTS, tmp_path / "cache") == "[]"  # warm
