"""Printable PDFs: a two-column cheat sheet with outline and a duplex flashcard sheet (reportlab).

Fonts are DejaVu, shipped in exporter/fonts/; BuildOptions.font_dir swaps in another family
(file names in pdf_fonts). Every character is checked against the font that will set it before
anything is drawn: a missing glyph is a ContentError naming the question and the character.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    NextPageTemplate,
    PageTemplate,
)
from reportlab.platypus.flowables import HRFlowable

from ..diagnostics import Diagnostic
from ..model import Deck
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
from .pdf_flashcards import render as render_flashcards_
from .pdf_fonts import FontSet, load_fonts
from .pdf_html import HtmlFlowables, Para
from .pdf_styles import ACCENT, MUTED, RULE, make_styles, style

MARGIN = 32.0  # nothing is drawn closer to the paper's edge than this
FOOTER_HEIGHT = 16.0
COLUMN_GAP = 14.0
BODY_SIZE = 7.6
TITLE_SIZE = 17.0
TOPIC_SIZE = 11.0
FOOTER_SIZE = 6.8


# Cheat sheet


@dataclass(frozen=True)
class SheetGeometry:
    width: float
    height: float

    @property
    def column_width(self) -> float:
        return (self.width - 2 * MARGIN - COLUMN_GAP) / 2

    @property
    def body_bottom(self) -> float:
        return MARGIN + FOOTER_HEIGHT

    def columns(self, top: float, prefix: str) -> list[Frame]:
        return [Frame(MARGIN + i * (self.column_width + COLUMN_GAP), self.body_bottom,
                      self.column_width, top - self.body_bottom, id=f"{prefix}{i}",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
                for i in (0, 1)]


class TopicHeading(Para):
    """A topic title that rules itself off and registers a bookmark and an outline entry."""

    def __init__(self, markup: str, style, key: str, title: str) -> None:
        super().__init__(markup, style)
        self.key, self.title = key, title

    def draw(self) -> None:
        super().draw()
        canv = self.canv
        canv.setStrokeColor(ACCENT)
        canv.setLineWidth(0.6)
        canv.line(0, -1.5, self.width, -1.5)
        x, top = canv.absolutePosition(0, self.height + self.style.fontSize * 0.4)
        canv.bookmarkPage(self.key, fit="XYZ", left=x, top=top)
        canv.addOutlineEntry(self.title, self.key, level=0)


class NumberedCanvas(Canvas):
    """Holds pages until the end so the footer can say `page N of M` in a single layout pass."""

    def __init__(self, *args, footer: tuple[str, str], date: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._footer_font, self._footer_text = footer
        self._pages: list[dict] = []
        self._bookmarks: list[tuple] = []
        self.setDateFormatter(lambda *_: date)
        self.showOutline()

    def bookmarkPage(self, key, **kwargs):  # noqa: N802 (reportlab's name)
        # The page object exists only when the page is finally emitted in save().
        self._bookmarks.append((key, kwargs))

    def showPage(self) -> None:  # noqa: N802
        self._pages.append(dict(self.__dict__))
        self._bookmarks = []
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            for key, kwargs in state["_bookmarks"]:
                Canvas.bookmarkPage(self, key, **kwargs)
            self._draw_footer(number, total)
            Canvas.showPage(self)
        Canvas.save(self)

    def _draw_footer(self, number: int, total: int) -> None:
        width, _ = self._pagesize
        right = f"page {number} of {total}"
        self.setStrokeColor(RULE)
        self.setLineWidth(0.4)
        self.line(MARGIN, MARGIN + 9, width - MARGIN, MARGIN + 9)
        self.setFont(self._footer_font, FOOTER_SIZE)
        self.setFillColor(MUTED)
        room = width - 2 * MARGIN - stringWidth(right, self._footer_font, FOOTER_SIZE) - 24
        self.drawString(MARGIN, MARGIN + 2, fit_text(self._footer_text, self._footer_font, room, FOOTER_SIZE))
        self.drawRightString(width - MARGIN, MARGIN + 2, right)


def title_block(deck: Deck, converter: HtmlFlowables, fonts: FontSet) -> list[Flowable]:
    title_style = style("title", fonts, TITLE_SIZE, bold=True, color=ACCENT)
    meta_style = style("meta", fonts, 8.5, color=MUTED, spaceBefore=2)
    topics = len(deck.topics)
    facts = [f"version {deck.version}", f"{len(deck.questions)} questions",
             f"{topics} topic" + ("" if topics == 1 else "s")]
    if deck.author:
        facts.append(deck.author)
    return [Para(converter.escaped(deck.title, "bold"), title_style),
            Para(converter.escaped("  ·  ".join(facts)), meta_style),
            HRFlowable(width="100%", thickness=0.8, color=ACCENT, spaceBefore=5, spaceAfter=0)]


def question_flowables(converter: HtmlFlowables, html) -> list[Flowable]:
    st = converter.st
    return [Para(converter.inline_html(html.question, bold=True), st.question),
            Para(converter.inline_html(html.answer), st.answer),
            *converter.blocks_html(html.details)]


def cheatsheet_story(deck: Deck, context: BuildContext, converter: HtmlFlowables,
                     fonts: FontSet) -> tuple[list[Flowable], list[Flowable]]:
    """(title flowables, column flowables); raises ContentError before anything is drawn."""
    path = source_path(context)
    problems: list[Diagnostic] = []
    title = title_block(deck, converter, fonts)
    converter.escaped(deck.title)  # the footer sets it in the regular face
    problems += coverage_problems(fonts, converter.reset_usage(), path, deck.loc, "the deck title")
    topic_style = style("topic", fonts, TOPIC_SIZE, bold=True, color=ACCENT, spaceBefore=12,
                        spaceAfter=4, keepWithNext=1)
    body: list[Flowable] = []
    for topic in deck.topics:
        markup = converter.escaped(topic.title, "bold")
        body.append(TopicHeading(markup, topic_style, f"topic-{topic.id}", topic.title))
        problems += coverage_problems(fonts, converter.reset_usage(), path, topic.loc,
                                      f"the title of topic '{topic.id}'")
        for q in deck.questions_in(topic.id):
            body += question_flowables(converter, context.html[q.id])
            problems += coverage_problems(fonts, converter.reset_usage(), path, q.loc,
                                          f"question '{q.id}'")
            problems += image_problems(converter, path, q.loc, q.id)
    raise_if(problems)
    return title, body


def _height(flowables: Iterable[Flowable], width: float) -> float:
    total = 0.0
    for f in flowables:
        total += f.wrap(width, 10_000)[1] + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def render_cheatsheet(deck: Deck, context: BuildContext) -> bytes:
    fonts = load_fonts(context.options.font_dir)
    geometry = SheetGeometry(*page_size(context))
    converter = HtmlFlowables(fonts, make_styles(fonts, BODY_SIZE), geometry.column_width,
                              Path(context.content_dir),
                              max_image_height=(geometry.height - 2 * MARGIN) * 0.3)
    title, body = cheatsheet_story(deck, context, converter, fonts)
    full_width = geometry.width - 2 * MARGIN
    title_height = _height(title, full_width) + 8
    top = geometry.height - MARGIN
    title_frame = Frame(MARGIN, top - title_height, full_width, title_height, id="title",
                        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=(geometry.width, geometry.height), invariant=1,
        initialFontName=fonts["regular"], title=deck.title, author=deck.author,
        subject=f"{deck.title} {deck.version}: cheat sheet", creator="studypack",
        leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
        pageTemplates=[
            PageTemplate("first", [title_frame, *geometry.columns(top - title_height, "a")]),
            PageTemplate("rest", geometry.columns(top, "b")),
        ])
    footer = (fonts["regular"], f"{deck.title}  ·  version {deck.version}")
    doc.build([NextPageTemplate("rest"), *title, FrameBreak(), *body],
              canvasmaker=partial(NumberedCanvas, footer=footer, date=pdf_date(context.timestamp)))
    return buffer.getvalue()


def render_flashcards(deck: Deck, context: BuildContext) -> bytes:
    return render_flashcards_(deck, context)

