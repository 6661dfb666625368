"""The cheat sheet: a title, then questions in two columns under topic headings with an outline."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas

from ...diagnostics import Diagnostic
from ...model import Deck
from .. import BuildContext
from .blocks import Block, Text, face
from .builder import field_runs
from .columns import Frame, NextFrame, flow
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
from .fields import FieldTrees, field_trees
from .fonts import FontSet
from .items import ImageBox, Item, Pen, RuleLine, stack_height
from .layout import Typesetter
from .shaping import draw_string, fit_string, string_width
from .styles import ACCENT, KINDS, MUTED, RULE

MARGIN = 32.0  # nothing is drawn closer to the paper's edge than this
FOOTER_HEIGHT = 16.0
COLUMN_GAP = 14.0
BODY_SIZE = 7.6
TITLE_SIZE = 17.0
TOPIC_SIZE = 11.0
FOOTER_SIZE = 6.8
META_SIZE = 8.5
TOPIC_BEFORE, TOPIC_AFTER = 12.0, 4.0  # around a topic heading


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

    def columns(self, top: float) -> list[Frame]:
        return [Frame(MARGIN + i * (self.column_width + COLUMN_GAP), self.body_bottom,
                      self.column_width, top - self.body_bottom)
                for i in (0, 1)]


class PageMap(dict):
    """Question id -> the page its question starts on, filled in as the cheat sheet is laid out."""

    def __init__(self, drawn: bool = True) -> None:
        super().__init__()
        self.drawn = drawn  # False: the questions are laid out but not drawn


class Stack:
    """Items laid out on first wrap, splittable between items, dropped once drawn.

    One per question (and its topic heading): `head` items (heading, question, answer)
    never part, and a part never ends on an item that keeps with the next.
    """

    def __init__(self, make: Callable[[float], tuple[list[Item], int]] | None, space: float,
                 laid: tuple[list[Item], int] | None = None,
                 marks: tuple[tuple[str, str], ...] = (), page_of: tuple[PageMap, str] | None = None
                 ) -> None:
        self._make = make
        self._items, self.head = laid if laid else (None, 0)
        self.space, self.marks = space, marks
        self.page_of = page_of  # (page map, question id): where the question starts is recorded

    def items(self, width: float) -> list[Item]:
        if self._items is None:
            (self._items, self.head), self._make = self._make(width), None
        return self._items

    def wrap(self, width: float) -> float:
        return stack_height(self.items(width))

    def split(self, width: float, room: float, at_top: bool) -> list[Stack]:
        items = self.items(width)
        cut, extra = self._cut(items, room, self.head)
        if cut == 0 and at_top:
            cut, extra = self._cut(items, room, 1)  # taller than a column: part it anywhere
        if cut == 0:
            return []
        first = [*items[:cut], *extra]
        rest = Typesetter.continued(items[cut + len(extra):])
        return [Stack(None, self.space, (first, 0), self.marks, self.page_of),
                Stack(None, 0.0, (rest, 0), page_of=self.page_of)]

    @staticmethod
    def _cut(items: list[Item], room: float, least: int) -> tuple[int, list[Item]]:
        """How many items fit in room at a legal break, and an image shrunk to fill the end."""
        best, y = 0, 0.0
        for n, item in enumerate(items):
            y += (item.space if n else 0.0) + item.height
            if y > room:
                if n >= least and isinstance(item, ImageBox) and not items[n - 1].keep:
                    smaller = item.shrunk(room - (y - item.height))
                    if smaller is not None and n + 1 < len(items):
                        return n, [smaller]
                break
            if n + 1 >= least and not item.keep and n + 1 < len(items):
                best = n + 1
        return best, []

    def draw(self, canv: Canvas, height: float) -> None:
        if self.page_of:
            pages, qid = self.page_of
            pages.setdefault(qid, canv.getPageNumber())
            if not pages.drawn:  # only the page map is wanted: laid out, not drawn
                self._items = []
                return
        top, pen = height, Pen(canv)
        for n, item in enumerate(self._items or []):
            top -= item.space if n else 0.0
            item.draw(pen, 0, top)
            if n == 0 and self.marks:
                self._mark(canv, top)
            top -= item.height
        pen.flush()
        self._items = []  # drawn: nothing of the question stays alive

    def _mark(self, canv: Canvas, top: float) -> None:
        """The topic heading's bookmark and outline entry, at its first line."""
        for key, title in self.marks:
            x, y = canv.absolutePosition(0, top + TOPIC_SIZE * 0.4)
            canv.bookmarkPage(key, fit="XYZ", left=x, top=y)
            canv.addOutlineEntry(title, key, level=0)


class NumberedCanvas(Canvas):
    """Footers say `page N of M` in one layout pass: each page draws a form filled in at the end.

    Pages are emitted (and compressed) as they are finished; only their count waits for save().
    """

    def __init__(self, *args, footer: tuple[FontSet, str], date: str, problems: list[Diagnostic],
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._footer_fonts, self._footer_text = footer
        self._problems = problems  # found while laying out: raised before anything is saved
        self._count = 0
        self.setDateFormatter(lambda *_: date)
        self.showOutline()

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._count += 1
        self.doForm(f"footer{self._count}")
        super().showPage()
        compress_last_page(self)

    def save(self) -> None:
        raise_if(self._problems)
        for number in range(1, self._count + 1):
            self.beginForm(f"footer{number}")
            self._draw_footer(number, self._count)
            self.endForm()
        Canvas.save(self)

    def _draw_footer(self, number: int, total: int) -> None:
        width, _ = self._pagesize
        right = f"page {number} of {total}"
        self.setStrokeColor(RULE)
        self.setLineWidth(0.4)
        self.line(MARGIN, MARGIN + 9, width - MARGIN, MARGIN + 9)
        fonts = self._footer_fonts
        self.setFillColor(MUTED)
        room = width - 2 * MARGIN - string_width(fonts, "regular", right, FOOTER_SIZE) - 24
        draw_string(self, fonts, "regular", FOOTER_SIZE, MARGIN, MARGIN + 2,
                    fit_string(fonts, "regular", self._footer_text, room, FOOTER_SIZE))
        draw_string(self, fonts, "regular", FOOTER_SIZE, width - MARGIN, MARGIN + 2, right, "right")


def title_items(deck: Deck, ts: Typesetter, width: float) -> list[Item]:
    topics = len(deck.topics)
    facts = [*([f"version {deck.version}"] if deck.version else []),
             f"{len(deck.questions)} question" + ("" if len(deck.questions) == 1 else "s"),
             f"{topics} topic" + ("" if topics == 1 else "s")]
    if deck.author:
        facts.append(deck.author)
    title = ts.text_items(ts.words([(deck.title, face(True, False, False))]), KINDS["title"],
                          TITLE_SIZE, width)
    meta = ts.text_items(ts.words([("  ·  ".join(facts), face(False, False, False))]),
                         KINDS["meta"], META_SIZE, width, space=2.0)
    return [*title, *meta, RuleLine(width, 0.8, ACCENT, 5.0)]


def topic_items(ts: Typesetter, title: str, width: float) -> list[Item]:
    words = ts.words([(title, face(True, False, False))])
    return [*ts.text_items(words, KINDS["topic"], TOPIC_SIZE, width),
            RuleLine(width, 0.6, ACCENT, 1.5 - 0.3)]


def question_blocks(ts: Typesetter, trees: FieldTrees) -> list[Block]:
    return [Text(field_runs(trees.question, bold=True), "question"),
            Text(field_runs(trees.answer), "answer"), *ts.builder.tree(trees.details)]


def title_problems(deck: Deck, fonts, path: str) -> list[Diagnostic]:
    # The title is set in bold above, the footer and the meta line in the regular face.
    regular = set(deck.title + deck.version + (deck.author or ""))
    problems = coverage_problems(fonts, {"regular": regular, "bold": set(deck.title)},
                                 path, deck.loc, "the deck title")
    for topic in deck.topics:
        problems += coverage_problems(fonts, {"bold": set(topic.title)}, path, topic.loc,
                                      f"the title of topic '{topic.id}'")
    return problems


def question_problems(ts: Typesetter, blocks: list[Block], path: str, q) -> list[Diagnostic]:
    used: dict[str, set[str]] = {}
    ts.usage(blocks, used)
    return (coverage_problems(ts.fonts, used, path, q.loc, f"question '{q.id}'")
            + image_problems(ts.missing_images(blocks), path, q.loc, q.id))


def question_stack(ts: Typesetter, q, context: BuildContext, topic,
                   problems: list[Diagnostic], path: str, pages: PageMap) -> Stack:
    """A question parsed and laid out only when the story reaches it, under its topic's heading
    if first; what its fonts or images lack goes to problems."""
    def make(width: float) -> tuple[list[Item], int]:
        blocks = question_blocks(ts, field_trees(q, context))
        problems.extend(question_problems(ts, blocks, path, q))
        prepared = ts.prepare(blocks)
        head = ts.items(prepared[:2], width, BODY_SIZE)
        if topic:
            heading = topic_items(ts, topic.title, width)
            # The heading's rule sits where a question's space before would start.
            head[0].space = TOPIC_AFTER + head[0].space - heading[-1].space - heading[-1].height
            head = [*heading, *head]
        return [*head, *ts.items(prepared[2:], width, BODY_SIZE)], len(head)

    marks = ((f"topic-{topic.id}", topic.title),) if topic else ()
    space = TOPIC_BEFORE if topic else KINDS["question"].space * BODY_SIZE
    return Stack(make, space, marks=marks, page_of=(pages, q.id))


def render(deck: Deck, context: BuildContext) -> bytes:
    pages = PageMap()
    data = _render(deck, context, pages)
    _PAGES.clear()
    _PAGES[id(context)] = (context, pages)
    return data


# The last cheat sheet's page map, for the flashcards of the same build in the same process
# (the context is kept so its id cannot be reused by another).
_PAGES: dict[int, tuple[BuildContext, dict[str, int]]] = {}


def cheatsheet_pages(deck: Deck, context: BuildContext) -> dict[str, int]:
    """Question id -> the cheat-sheet page its question starts on, in the build of `context`.

    Reuses the cheat sheet this process just rendered for the same build; otherwise (the two
    PDFs render in different processes) lays it out again without drawing it.
    """
    if id(context) in _PAGES and _PAGES[id(context)][0] is context:
        return _PAGES[id(context)][1]
    pages = PageMap(drawn=False)
    _render(deck, context, pages)
    return pages


def _render(deck: Deck, context: BuildContext, pages: PageMap) -> bytes:
    fonts = fonts_for(deck, context)
    geometry = SheetGeometry(*page_size(context))
    ts = Typesetter(fonts, context.media,
                    max_image_height=(geometry.height - 2 * MARGIN) * 0.3)
    path = source_path(context)
    problems = title_problems(deck, fonts, path)
    full_width = geometry.width - 2 * MARGIN
    title = title_items(deck, ts, full_width)
    title_height = stack_height(title) + 8
    top = geometry.height - MARGIN
    title_frame = Frame(MARGIN, top - title_height, full_width, title_height)
    story: list[Stack | NextFrame] = [Stack(None, 0.0, (title, len(title))), NextFrame()]
    for topic in deck.topics:
        for i, q in enumerate(deck.questions_in(topic.id)):
            story.append(question_stack(ts, q, context, None if i else topic,
                                        problems, path, pages))
    first_page = [title_frame, *geometry.columns(top - title_height)]
    other_pages = geometry.columns(top)
    buffer = io.BytesIO()
    footer = (fonts, deck.title + (f"  ·  version {deck.version}" if deck.version else ""))
    with binary_streams():
        canv = NumberedCanvas(buffer, pagesize=(geometry.width, geometry.height), invariant=1,
                              initialFontName=fonts["regular"], footer=footer,
                              date=pdf_date(context.timestamp), problems=problems)
        canv.setAuthor(deck.author)
        canv.setTitle(deck.title)
        canv.setSubject(f"{' '.join(filter(None, (deck.title, deck.version)))}: cheat sheet")
        canv.setCreator("studypack")
        flow(canv, story, lambda page: first_page if page == 1 else other_pages)
        canv.save()
    return buffer.getvalue()
