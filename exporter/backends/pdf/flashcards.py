"""Flashcards: 8 cards a sheet, fronts then backs mirrored for long-edge duplex, drawn on the canvas."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from ...diagnostics import Diagnostic
from ...model import Deck, Question
from .. import BuildContext
from .blocks import Block, Text, inline_html
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
from .layout import Item, Prepared, Typesetter, draw_placed, place, stack_height
from .shaping import draw_string, fit_string, string_width
from .styles import KINDS, MUTED, RULE

COLS, ROWS = 2, 4
PER_SHEET = COLS * ROWS
SHEET_MARGIN = 28.0
CARD_PAD = 11.0
HEADER_SIZE = 6.8
HEADER_HEIGHT = 13.0
QUESTION_SIZES = (13.0, 12.0, 11.0, 10.0, 9.0, 8.0, 7.0)
# Details body sizes, largest first; the last is the floor below which text is cut instead.
BACK_SIZES = tuple(8.5 - 0.25 * i for i in range(11))
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

    def content(self, card: Card) -> tuple[tuple, list[Block], list[Diagnostic]]:
        """A card's front runs and back blocks, parsed once, with what its fonts or images lack."""
        html = self.context.html[card.question.id]
        front = inline_html(html.question, bold=True)
        # Bold sets the short answer apart from the details below it.
        back = [Text(inline_html(html.answer, bold=True), "answer"), *self.ts.builder.html(html.details)]
        used: dict[str, set[str]] = {}
        self.ts.text_usage(front, used)
        self.ts.usage(back, used)
        path, q = source_path(self.context), card.question
        return front, back, (coverage_problems(self.ts.fonts, used, path, q.loc, f"question '{q.id}'")
                             + image_problems(self.ts.missing_images(back), path, q.loc, q.id))

    def header(self, canvas: Canvas, x: float, y: float, card: Card) -> None:
        w, h = self.grid.card
        top = y + h - CARD_PAD - HEADER_SIZE
        number = f"#{card.number}"
        fonts = self.ts.fonts
        canvas.setFillColor(MUTED)
        draw_string(canvas, fonts, "regular", HEADER_SIZE, x + w - CARD_PAD, top, number, "right")
        room = w - 2 * CARD_PAD - string_width(fonts, "regular", number, HEADER_SIZE) - 8
        draw_string(canvas, fonts, "regular", HEADER_SIZE, x + CARD_PAD, top,
                    fit_string(fonts, "regular", card.topic_title, room, HEADER_SIZE))

    def front(self, canvas: Canvas, x: float, y: float, card: Card, runs: tuple) -> None:
        self.header(canvas, x, y, card)
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

    def back(self, canvas: Canvas, x: float, y: float, card: Card, blocks: list[Block]) -> None:
        self.header(canvas, x, y, card)
        body_w, body_h = self.grid.body
        prepared = self.ts.prepare(blocks)
        placed, complete = self.fit_back(prepared, body_w, body_h)
        draw_placed(canvas, placed, x + CARD_PAD, y + CARD_PAD + body_h)
        if not complete:
            self.ellipsis(canvas, x, y)

    def fit_back(self, prepared: list[Prepared], width: float, height: float):
        """The largest size whose stack fits; at the floor, cut to leave room for the '…'.

        The first guess comes from the full-size height (area ~ size²), then one step at a
        time: usually two layouts a card.
        """
        laid: dict[int, list[Item]] = {}
        tried: dict[int, tuple[list, bool]] = {}

        def fits(i: int) -> bool:
            if i not in tried:
                laid[i] = self.ts.items(prepared, width, BACK_SIZES[i])
                tried[i] = place(laid[i], height)
            return tried[i][1]

        if fits(0):
            return tried[0][0], True
        guess = BACK_SIZES[0] * (height / stack_height(laid[0])) ** 0.5
        index = next((i for i, s in enumerate(BACK_SIZES) if s <= guess), len(BACK_SIZES) - 1)
        if fits(index):
            while index > 1 and fits(index - 1):
                index -= 1
            return tried[index][0], True
        while index + 1 < len(BACK_SIZES):
            index += 1
            if fits(index):
                return tried[index][0], True
        return place(laid[index], height - HEADER_SIZE * 1.6)[0], False

    def ellipsis(self, canvas: Canvas, x: float, y: float) -> None:
        w, _ = self.grid.card
        canvas.setFont(self.ts.fonts["bold"], HEADER_SIZE * 1.4)
        canvas.setFillColor(MUTED)
        # Baseline raised by the descent so the glyph stays inside the padding.
        canvas.drawRightString(x + w - CARD_PAD, y + CARD_PAD + HEADER_SIZE * 0.4, ELLIPSIS)


def cards_of(deck: Deck) -> list[Card]:
    """Cards in cheat-sheet order: topics in source order, questions in source order within."""
    ordered = [(q, t.title) for t in deck.topics for q in deck.questions_in(t.id)]
    return [Card(i, q, title) for i, (q, title) in enumerate(ordered, start=1)]


def topic_problems(deck: Deck, ts: Typesetter, path: str) -> list[Diagnostic]:
    return [p for topic in deck.topics
            for p in coverage_problems(ts.fonts, {"regular": set(topic.title)}, path, topic.loc,
                                       f"the title of topic '{topic.id}'")]


def draw_sheet(canvas: Canvas, renderer: CardRenderer, sheet: list[Card]) -> list[Diagnostic]:
    """A page of fronts and a page of backs; returns what the cards' text and images lack."""
    contents = [renderer.content(card) for card in sheet]
    for side in (0, 1):
        draw_cut_lines(canvas, renderer.grid)
        for k, (card, content) in enumerate(zip(sheet, contents, strict=True)):
            row, col = divmod(k, COLS)
            # Long-edge duplex flips left and right: a back sits in the mirrored column.
            x, y = renderer.grid.origin(row, COLS - 1 - col if side else col)
            if side:
                renderer.back(canvas, x, y, card, content[1])
            else:
                renderer.front(canvas, x, y, card, content[0])
        canvas.showPage()
        compress_last_page(canvas)
    return [p for content in contents for p in content[2]]


def render(deck: Deck, context: BuildContext) -> bytes:
    """The sheets, a pair of pages at a time; any problem is raised before the PDF is returned."""
    fonts = fonts_for(deck, context)
    grid = Grid(*page_size(context))
    ts = Typesetter(fonts, Path(context.content_dir), max_image_height=grid.body[1] * 0.4)
    renderer = CardRenderer(ts, grid, context)
    problems = topic_problems(deck, ts, source_path(context))
    cards = cards_of(deck)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(grid.width, grid.height), invariant=1,
                    initialFontName=fonts["regular"])
    canvas.setTitle(deck.title)
    canvas.setAuthor(deck.author)
    canvas.setSubject(f"{deck.title} {deck.version}: flashcards")
    canvas.setCreator("studypack")
    canvas.setDateFormatter(lambda *_: pdf_date(context.timestamp))
    with binary_streams():
        for start in range(0, len(cards), PER_SHEET):
            problems += draw_sheet(canvas, renderer, cards[start:start + PER_SHEET])
        raise_if(problems)
        canvas.save()
    return buffer.getvalue()
