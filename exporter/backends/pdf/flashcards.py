"""Flashcards: 8 cards a sheet, fronts then backs mirrored for long-edge duplex, drawn on the canvas."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas

from ...diagnostics import Diagnostic
from ...model import Deck, Question
from .. import BuildContext
from .blocks import Block, Text
from .builder import field_runs
from .common import (
    binary_streams,
    compress_last_page,
    coverage_problems,
    image_problems,
    page_size,
    pdf_date,
    raise_if,
    source_path,
)
from .fallback import fonts_for
from .fields import field_trees
from .items import Item, draw_placed, place, stack_height
from .layout import Prepared, Typesetter
from .shaping import draw_string, fit_string, string_width
from .styles import CODE_SCALE, KINDS, MUTED, RULE

COLS, ROWS = 2, 4
PER_SHEET = COLS * ROWS
SHEET_MARGIN = 28.0
CARD_PAD = 11.0
HEADER_SIZE = 7.0
HEADER_HEIGHT = 13.0
QUESTION_SIZES = (13.0, 12.0, 11.0, 10.0, 9.0, 8.0, 7.0)
# Details body sizes, largest first. The floor keeps the smallest text (code, at CODE_SCALE)
# at 7 pt; below it a back is shortened at a block boundary instead.
FLOOR = round(7.0 / CODE_SCALE, 2)
BACK_SIZES = (8.5, 8.25, 8.0, FLOOR)
NOTE_SIZE = 7.0
NOTE_HEIGHT = NOTE_SIZE * 1.6  # the line that says where the rest of a back is
ELLIPSIS = "…"


@dataclass(frozen=True)
class Grid:
    width: float
    height: float

    @property
    def card(self) -> tuple[float, float]:
        return ((self.width - 2 * SHEET_MARGIN) / COLS, (self.height - 2 * SHEET_MARGIN) / ROWS)

    def origin(self, row: int, col: int) -> tuple[float, float]:
        """Bottom-left corner of the card at (row, col), row 0 at the top."""
        w, h = self.card
        return SHEET_MARGIN + col * w, self.height - SHEET_MARGIN - (row + 1) * h

    @property
    def body(self) -> tuple[float, float]:
        w, h = self.card
        return w - 2 * CARD_PAD, h - 2 * CARD_PAD - HEADER_HEIGHT


@dataclass(frozen=True)
class Card:
    number: int
    question: Question
    topic_title: str


@dataclass(frozen=True)
class Note:
    """A back's closing line, drawn as a form whose text is known only at the end."""

    form: str
    kind: str  # "rest" | "more"
    qid: str
    x: float  # the card's bottom-left corner
    y: float


@dataclass(frozen=True)
class Side:
    """One printed card: a question's front and (part of) its back."""

    card: Card
    front: tuple
    back: list  # [(item, top offset)] placed in the card's body
    note: str  # "" | "rest" (on the cheat sheet) | "more" (on the next card)
    part: int = 0  # 0 for the question's first card, 1.. for its continuations


def draw_cut_lines(canvas: Canvas, grid: Grid) -> None:
    """Dashed lines run to the paper's edges so a guillotine can follow them."""
    w, h = grid.card
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.setDash(3, 3)
    for col in range(COLS + 1):
        x = SHEET_MARGIN + col * w
        canvas.line(x, 0, x, grid.height)
    for row in range(ROWS + 1):
        y = SHEET_MARGIN + row * h
        canvas.line(0, y, grid.width, y)
    canvas.restoreState()


def largest_fit(fits, count: int) -> int | None:
    """The first index in 0..count-1 for which fits(index) holds (fits is monotone), else None."""
    lo, hi = 0, count  # answer lies in [lo, hi]; hi means none fits
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo if lo < count else None


class CardRenderer:
    def __init__(self, ts: Typesetter, grid: Grid, context: BuildContext) -> None:
        self.ts, self.grid, self.context = ts, grid, context
        self.notes: list[Note] = []  # drawn notes, filled in at the end

    def content(self, card: Card) -> tuple[tuple, list[Block], list[Diagnostic]]:
        """A card's front runs and back blocks, parsed once, with what its fonts or images lack."""
        trees = field_trees(card.question, self.context)
        front = field_runs(trees.question, bold=True)
        # Bold sets the short answer apart from the details below it.
        back = [Text(field_runs(trees.answer, bold=True), "answer"), *self.ts.builder.tree(trees.details)]
        used: dict[str, set[str]] = {}
        self.ts.text_usage(front, used)
        self.ts.usage(back, used)
        path, q = source_path(self.context), card.question
        return front, back, (coverage_problems(self.ts.fonts, used, path, q.loc, f"question '{q.id}'")
                             + image_problems(self.ts.missing_images(back), path, q.loc, q.id))

    def header(self, canvas: Canvas, x: float, y: float, card: Card, part: int = 0) -> None:
        w, h = self.grid.card
        top = y + h - CARD_PAD - HEADER_SIZE
        number = f"#{card.number}" + (f" ({part + 1})" if part else "")
        fonts = self.ts.fonts
        canvas.setFillColor(MUTED)
        draw_string(canvas, fonts, "regular", HEADER_SIZE, x + w - CARD_PAD, top, number, "right")
        room = w - 2 * CARD_PAD - string_width(fonts, "regular", number, HEADER_SIZE) - 8
        draw_string(canvas, fonts, "regular", HEADER_SIZE, x + CARD_PAD, top,
                    fit_string(fonts, "regular", card.topic_title, room, HEADER_SIZE))

    def front(self, canvas: Canvas, x: float, y: float, card: Card, runs: tuple, part: int = 0) -> None:
        self.header(canvas, x, y, card, part)
        body_w, body_h = self.grid.body
        words = self.ts.words(runs)

        def items(size: float) -> list[Item]:
            return self.ts.text_items(words, KINDS["front"], size, body_w)

        index = largest_fit(lambda i: place(items(QUESTION_SIZES[i]), body_h)[1], len(QUESTION_SIZES))
        if index is None:
            size = QUESTION_SIZES[-1]
            placed, complete = place(items(size), body_h - size * 1.3)
        else:
            placed, complete = place(items(QUESTION_SIZES[index]), body_h)
        used = placed[-1][1] + placed[-1][0].height if placed else 0.0
        # Centred in the body: a question reads as the card's one subject.
        draw_placed(canvas, placed, x + CARD_PAD, y + CARD_PAD + (body_h + used) / 2)
        if not complete:
            self.ellipsis(canvas, x, y)

    def back(self, canvas: Canvas, x: float, y: float, side: Side) -> None:
        self.header(canvas, x, y, side.card, side.part)
        _, body_h = self.grid.body
        draw_placed(canvas, side.back, x + CARD_PAD, y + CARD_PAD + body_h)
        if side.note:
            # Drawn as a form filled in at the end: the cheat sheet's page is known only then.
            canvas.doForm(note_form(side))
            # Only what the note needs: the cards' laid-out lines must not outlive their page.
            self.notes.append(Note(note_form(side), side.note, side.card.question.id, x, y))

    def backs(self, blocks: list[Block]) -> list[tuple[list, str]]:
        """The back as cards: [(placed items, note)]; one card unless it is too long."""
        body_w, body_h = self.grid.body
        prepared = self.ts.prepare(blocks)
        whole = self.fit(prepared, body_w, body_h)
        if whole is not None:
            return [(whole, "")]
        mode = self.context.options.flashcards_overflow
        note = "more" if mode == "continue" else "rest"
        placed, used = self.prefix(prepared, body_w, body_h - NOTE_HEIGHT)
        cards = [(placed, note)]
        rest = prepared[used:]
        while mode == "continue" and rest:
            whole = self.fit(rest, body_w, body_h)
            if whole is not None:
                cards.append((whole, ""))
                break
            placed, used = self.prefix(rest, body_w, body_h - NOTE_HEIGHT)
            cards.append((placed, "more"))
            rest = rest[used:]
        return cards

    def fit(self, prepared: list[Prepared], width: float, height: float) -> list | None:
        """The blocks at the largest size at which all of them fit, else None.

        The first guess comes from the full-size height (area ~ size²), then one step at a time.
        """
        laid = self.ts.items(prepared, width, BACK_SIZES[0])
        placed, complete = place(laid, height)
        if complete:
            return placed
        guess = BACK_SIZES[0] * (height / stack_height(laid)) ** 0.5
        for size in BACK_SIZES[1:]:
            if size <= guess or size == FLOOR:
                placed, complete = place(self.ts.items(prepared, width, size), height)
                if complete:
                    return placed
        return None

    def prefix(self, prepared: list[Prepared], width: float, height: float) -> tuple[list, int]:
        """The most whole blocks (at least the first) that fit at the floor size, and how many.

        A back is broken only between blocks (a paragraph, a list item, a table, a code block),
        never after a heading; a first block taller than the card is cut between its lines.
        """
        def placed(count: int) -> tuple[list, bool]:
            return place(self.ts.items(prepared[:count], width, FLOOR), height)

        low, high = 0, len(prepared)  # placed(low) fits; find the largest count that does
        while low < high:
            mid = (low + high + 1) // 2
            low, high = (mid, high) if placed(mid)[1] else (low, mid - 1)
        count = low
        while count > 1 and _is_heading(prepared[count - 1].block):
            count -= 1
        if count == 0:  # the first block alone is taller than a card: cut between its lines
            return placed(1)[0], 1
        return placed(count)[0], count

    def ellipsis(self, canvas: Canvas, x: float, y: float) -> None:
        w, _ = self.grid.card
        canvas.setFont(self.ts.fonts["bold"], HEADER_SIZE * 1.4)
        canvas.setFillColor(MUTED)
        # Baseline raised by the descent so the glyph stays inside the padding.
        canvas.drawRightString(x + w - CARD_PAD, y + CARD_PAD + HEADER_SIZE * 0.4, ELLIPSIS)


def _is_heading(block: Block) -> bool:
    """A heading, or a paragraph that leads into what follows ("Steps:"): never a back's end."""
    if not isinstance(block, Text):
        return False
    text = "".join(run[0] for run in block.runs).rstrip()
    return block.kind == "heading" or text.endswith(":")


def cards_of(deck: Deck) -> list[Card]:
    """Cards in cheat-sheet order: topics in source order, questions in source order within."""
    ordered = [(q, t.title) for t in deck.topics for q in deck.questions_in(t.id)]
    return [Card(i, q, title) for i, (q, title) in enumerate(ordered, start=1)]


def topic_problems(deck: Deck, ts: Typesetter, path: str) -> list[Diagnostic]:
    return [p for topic in deck.topics
            for p in coverage_problems(ts.fonts, {"regular": set(topic.title)}, path, topic.loc,
                                       f"the title of topic '{topic.id}'")]


def draw_sheet(canvas: Canvas, renderer: CardRenderer, sheet: list[Side]) -> None:
    """A page of fronts and a page of backs."""
    for side in (0, 1):
        draw_cut_lines(canvas, renderer.grid)
        for k, card in enumerate(sheet):
            row, col = divmod(k, COLS)
            # Long-edge duplex flips left and right: a back sits in the mirrored column.
            x, y = renderer.grid.origin(row, COLS - 1 - col if side else col)
            if side:
                renderer.back(canvas, x, y, card)
            else:
                renderer.front(canvas, x, y, card.card, card.front, card.part)
        canvas.showPage()
        compress_last_page(canvas)


def note_form(side: Side) -> str:
    return f"{side.note}{side.card.number}-{side.part}"


def note_text(note: Note, pages: dict[str, int]) -> str:
    if note.kind == "more":
        return "continued on the next card →"
    return f"the rest: cheat sheet, page {pages.get(note.qid, '?')}"


def fill_notes(canvas: Canvas, renderer: CardRenderer, pages: Callable[[], dict[str, int]]) -> None:
    """The forms the shortened backs drew, now that the cheat sheet's pages are known."""
    known = pages() if any(note.kind == "rest" for note in renderer.notes) else {}
    fonts = renderer.ts.fonts
    for note in renderer.notes:
        canvas.beginForm(note.form)
        canvas.setFillColor(MUTED)
        draw_string(canvas, fonts, "italic", NOTE_SIZE, note.x + CARD_PAD,
                    note.y + CARD_PAD + NOTE_SIZE * 0.3, note_text(note, known))
        canvas.endForm()


def shortened_backs(pdf: bytes) -> int:
    """How many backs of a flashcards PDF did not fit their card: each drew a note form named by
    note_form after its card's number (other forms, such as the math glyphs, have other names)."""
    import re

    return len(set(re.findall(rb"/FormXob\.(?:rest|more)(\d+)-\d+", pdf)))


def sides(renderer: CardRenderer, card: Card, problems: list[Diagnostic]) -> list[Side]:
    front, back, found = renderer.content(card)
    problems += found
    return [Side(card, front, placed, note, part)
            for part, (placed, note) in enumerate(renderer.backs(back))]


def too_long(deck: Deck, context: BuildContext) -> list[Question]:
    """The questions whose back does not fit one card (laid out, not drawn)."""
    grid = Grid(*page_size(context))
    ts = Typesetter(fonts_for(deck, context), context.media, max_image_height=grid.body[1] * 0.4)
    renderer = CardRenderer(ts, grid, context)
    out = []
    for card in cards_of(deck):
        backs = renderer.backs(renderer.content(card)[1])
        if len(backs) > 1 or backs[0][1]:
            out.append(card.question)
    return out


def render(deck: Deck, context: BuildContext,
           pages: Callable[[], dict[str, int]] = dict) -> bytes:
    """The sheets, a pair of pages at a time; any problem is raised before the PDF is returned.

    pages() gives the cheat sheet's page of each question; it is called only when some back
    was shortened.
    """
    fonts = fonts_for(deck, context)
    grid = Grid(*page_size(context))
    ts = Typesetter(fonts, context.media, max_image_height=grid.body[1] * 0.4)
    renderer = CardRenderer(ts, grid, context)
    problems = topic_problems(deck, ts, source_path(context))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(grid.width, grid.height), invariant=1,
                    initialFontName=fonts["regular"])
    canvas.setTitle(deck.title)
    canvas.setAuthor(deck.author)
    canvas.setSubject(f"{' '.join(filter(None, (deck.title, deck.version)))}: flashcards")
    canvas.setCreator("studypack")
    canvas.setDateFormatter(lambda *_: pdf_date(context.timestamp))
    with binary_streams():
        waiting: list[Side] = []
        for card in cards_of(deck):
            waiting += sides(renderer, card, problems)
            while len(waiting) >= PER_SHEET:
                draw_sheet(canvas, renderer, waiting[:PER_SHEET])
                waiting = waiting[PER_SHEET:]
        if waiting:
            draw_sheet(canvas, renderer, waiting)
        raise_if(problems)
        fill_notes(canvas, renderer, pages)
        canvas.save()
    return buffer.getvalue()
