"""Flashcards: 8 cards a sheet, fronts then backs mirrored for long-edge duplex, drawn on the canvas."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.enums import TA_CENTER
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Indenter

from ..diagnostics import Diagnostic
from ..model import Deck, Question
from . import BuildContext
from .pdf_common import (
    coverage_problems,
    fit_text,
    image_problems,
    page_size,
    pdf_date,
    raise_if,
    source_path,
)
from .pdf_fonts import FontSet, load_fonts
from .pdf_html import HtmlFlowables, Para, parse
from .pdf_styles import MUTED, RULE, make_styles, style

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


def layout(flowables: list[Flowable], width: float, height: float
           ) -> tuple[list[tuple[Flowable, float, float]], bool]:
    """Place flowables top-down in a box: ([(flowable, x, y_from_top_of_its_bottom)], complete)."""
    placed: list[tuple[Flowable, float, float]] = []
    y, left = 0.0, 0.0
    for f in flowables:
        if isinstance(f, Indenter):
            left += f.left
            continue
        space = f.getSpaceBefore() if placed else 0.0
        h = f.wrap(width - left, height - y - space)[1]
        if y + space + h > height:
            parts = f.split(width - left, height - y - space)
            if parts:
                h = parts[0].wrap(width - left, height)[1]
                if y + space + h <= height:
                    placed.append((parts[0], left, y + space + h))
            return placed, False
        y += space + h
        placed.append((f, left, y))
        y += f.getSpaceAfter()
    return placed, True


def stack_height(flowables: list[Flowable], width: float) -> float:
    """The height layout() needs for all of them (no space after the last)."""
    total, left, after = 0.0, 0.0, None
    for f in flowables:
        if isinstance(f, Indenter):
            left += f.left
            continue
        h = f.wrap(width - left, 1e6)[1]
        total += h if after is None else after + f.getSpaceBefore() + h
        after = f.getSpaceAfter()
    return total


def draw_placed(canvas: Canvas, placed: list[tuple[Flowable, float, float]], x: float,
                top: float) -> None:
    for f, left, bottom in placed:
        f.drawOn(canvas, x + left, top - bottom)


class CardRenderer:
    def __init__(self, fonts: FontSet, grid: Grid, content_dir: Path) -> None:
        self.fonts, self.grid, self.content_dir = fonts, grid, content_dir
        self.front_styles = {size: style(f"front{size}", fonts, size, bold=True,
                                         alignment=TA_CENTER, leading=size * 1.25)
                             for size in QUESTION_SIZES}
        body_w, body_h = grid.body
        self._converters: dict[float, HtmlFlowables] = {}
        # Full-size backs built by check(), reused as the first fitting attempt.
        self._full_backs: dict[int, tuple[list, list[Flowable]]] = {}

    def converter(self, size: float) -> HtmlFlowables:
        if size not in self._converters:
            body_w, body_h = self.grid.body
            self._converters[size] = HtmlFlowables(
                self.fonts, make_styles(self.fonts, size), body_w, self.content_dir,
                max_image_height=body_h * 0.4)
        return self._converters[size]

    def check(self, card: Card, context: BuildContext) -> list[Diagnostic]:
        """Convert everything the card shows once at full size, recording every character."""
        conv = self.converter(BACK_SIZES[0])
        html = context.html[card.question.id]
        conv.inline_html(html.question, bold=True)
        details = parse(html.details)
        self._full_backs[card.number] = (
            details, self.back_flowables(BACK_SIZES[0], html.answer, details, keep_usage=True))
        path, q = source_path(context), card.question
        return (coverage_problems(self.fonts, conv.reset_usage(), path, q.loc,
                                  f"question '{q.id}'")
                + image_problems(conv, path, q.loc, q.id))

    def back_flowables(self, size: float, answer_html: str, details: list,
                       keep_usage: bool = False) -> list[Flowable]:
        conv = self.converter(size)
        # Bold sets the short answer apart from the details below it.
        answer = f"<b>{conv.inline_html(answer_html, bold=True)}</b>"
        flowables = [Para(answer, conv.st.answer), *conv.blocks(details, 0.0, 0)]
        if not keep_usage:
            conv.reset_usage()
        return flowables

    def fit_back(self, card: Card, html) -> tuple[list[Flowable], bool]:
        """The largest size whose stack fits, guessed from the full-size height (area ~ size²)."""
        body_w, body_h = self.grid.body
        details, flowables = self._full_backs.pop(card.number)
        height = stack_height(flowables, body_w)
        if height <= body_h:
            return flowables, True
        if layout(flowables, body_w, body_h)[1]:
            return flowables, True  # an image shrank into the last space
        guess = BACK_SIZES[0] * (body_h / height) ** 0.5
        index = next((i for i, s in enumerate(BACK_SIZES) if s <= guess), len(BACK_SIZES) - 1)
        while True:
            flowables = self.back_flowables(BACK_SIZES[index], html.answer, details)
            if layout(flowables, body_w, body_h)[1]:
                break
            if index == len(BACK_SIZES) - 1:
                return flowables, False
            index += 1
        if index > 1:  # the guess can undershoot by a step
            bigger = self.back_flowables(BACK_SIZES[index - 1], html.answer, details)
            if layout(bigger, body_w, body_h)[1]:
                return bigger, True
        return flowables, True

    def header(self, canvas: Canvas, x: float, y: float, card: Card) -> None:
        w, h = self.grid.card
        top = y + h - CARD_PAD - HEADER_SIZE
        number = f"#{card.number}"
        canvas.setFont(self.fonts["regular"], HEADER_SIZE)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(x + w - CARD_PAD, top, number)
        room = w - 2 * CARD_PAD - stringWidth(number, self.fonts["regular"], HEADER_SIZE) - 8
        canvas.drawString(x + CARD_PAD, top, fit_text(card.topic_title, self.fonts["regular"],
                                                      room, HEADER_SIZE))

    def front(self, canvas: Canvas, x: float, y: float, card: Card, html) -> None:
        self.header(canvas, x, y, card)
        body_w, body_h = self.grid.body
        conv = self.converter(BACK_SIZES[0])
        markup = conv.inline_html(html.question, bold=True)
        conv.reset_usage()
        for size in QUESTION_SIZES:
            para = Para(markup, self.front_styles[size])
            placed, complete = layout([para], body_w, body_h)
            if complete:
                break
        else:
            placed, complete = layout([para], body_w, body_h - size * 1.3)
        used = placed[-1][2] if placed else 0.0
        # Centred in the body: a question reads as the card's one subject.
        draw_placed(canvas, placed, x + CARD_PAD, y + CARD_PAD + (body_h + used) / 2)
        if not complete:
            self.ellipsis(canvas, x, y)

    def back(self, canvas: Canvas, x: float, y: float, card: Card, html) -> None:
        self.header(canvas, x, y, card)
        body_w, body_h = self.grid.body
        flowables, complete = self.fit_back(card, html)
        room = body_h if complete else body_h - HEADER_SIZE * 1.6  # leave a line for the "…"
        placed, _ = layout(flowables, body_w, room)
        draw_placed(canvas, placed, x + CARD_PAD, y + CARD_PAD + body_h)
        if not complete:
            self.ellipsis(canvas, x, y)

    def ellipsis(self, canvas: Canvas, x: float, y: float) -> None:
        w, _ = self.grid.card
        canvas.setFont(self.fonts["bold"], HEADER_SIZE * 1.4)
        canvas.setFillColor(MUTED)
        # Baseline raised by the descent so the glyph stays inside the padding.
        canvas.drawRightString(x + w - CARD_PAD, y + CARD_PAD + HEADER_SIZE * 0.4, ELLIPSIS)


def cards_of(deck: Deck) -> list[Card]:
    """Cards in cheat-sheet order: topics in source order, questions in source order within."""
    ordered = [(q, t.title) for t in deck.topics for q in deck.questions_in(t.id)]
    return [Card(i, q, title) for i, (q, title) in enumerate(ordered, start=1)]


def render(deck: Deck, context: BuildContext) -> bytes:
    fonts = load_fonts(context.options.font_dir)
    grid = Grid(*page_size(context))
    renderer = CardRenderer(fonts, grid, Path(context.content_dir))
    cards = cards_of(deck)
    problems: list[Diagnostic] = []
    for card in cards:
        problems += renderer.check(card, context)
    conv = renderer.converter(BACK_SIZES[0])
    for topic in deck.topics:
        conv.escaped(topic.title)
        problems += coverage_problems(fonts, conv.reset_usage(), source_path(context), topic.loc,
                                      f"the title of topic '{topic.id}'")
    raise_if(problems)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(grid.width, grid.height), invariant=1,
                    initialFontName=fonts["regular"])
    canvas.setTitle(deck.title)
    canvas.setAuthor(deck.author)
    canvas.setSubject(f"{deck.title} {deck.version}: flashcards")
    canvas.setCreator("studypack")
    canvas.setDateFormatter(lambda *_: pdf_date(context.timestamp))
    for start in range(0, len(cards), PER_SHEET):
        sheet = cards[start:start + PER_SHEET]
        for side in ("front", "back"):
            draw_cut_lines(canvas, grid)
            for k, card in enumerate(sheet):
                row, col = divmod(k, COLS)
                # Long-edge duplex flips left and right: a back sits in the mirrored column.
                x, y = grid.origin(row, col if side == "front" else COLS - 1 - col)
                getattr(renderer, side)(canvas, x, y, card, context.html[card.question.id])
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()
