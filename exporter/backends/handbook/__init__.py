"""The Markdown handbook: the deck as one GitHub page with a contents list and cross-links."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import jinja2

from ...diagnostics import ContentError, error
from ...model import Deck, Loc, Question
from .. import BuildContext
from ..anki.fields import MarkdownRenderer  # TEMPORARY shim (markup helper)
from .anchors import Slugger, plain_text
from .markdown import (
    AmbiguousMarkdown,
    Block,
    escape_angle,
    sanitise_block,
    sanitise_inline,
)

TEMPLATE = "handbook.md.j2"
CONTENTS = "Contents"
# Headings in details start at level 1 like a document of their own; under a question's
# `###` they become `####` and deeper.
DETAILS_SHIFT = 3
DESCRIPTION_SHIFT = 1

_TEXT_SPECIALS = re.compile(r"[\\`*_\[\]|~]|&(?=#?\w+;)")


@dataclass(frozen=True)
class Link:
    text: str  # Markdown, escaped so it shows as written
    anchor: str


@dataclass(frozen=True)
class QuestionView:
    heading: str
    anchor: str
    answer: str
    details: str
    meta: str
    related: tuple[Link, ...]


@dataclass(frozen=True)
class TopicView:
    heading: str
    anchor: str
    questions: tuple[QuestionView, ...]
    toc: tuple[Link, ...]  # the questions as contents entries


def escape_text(text: str) -> str:
    """Plain text (a title, a tag) as Markdown that renders exactly these characters."""
    one_line = " ".join(text.split())
    # `<` as an entity: a bare URL just before it would swallow a backslash.
    escaped = _TEXT_SPECIALS.sub(lambda m: "\\" + m.group(0), one_line)
    shown = re.sub("<", lambda m: escape_angle(escaped, m.start()), escaped)
    return re.sub(r"(^|[ \t])(#+)$", lambda m: m.group(1) + "\\#" * len(m.group(2)), shown)


@dataclass(frozen=True)
class _Anchors:
    title: str
    contents: str
    topics: dict[str, str]  # Topic.id -> anchor
    questions: dict[str, str]  # Question.id -> anchor
    links: dict[str, Link]  # Question.id -> its contents entry, also used by "Related"


def _assign_anchors(
    deck: Deck, context: BuildContext, description: Block, details: dict[str, Block]
) -> _Anchors:
    """Slug every heading in document order: the template must emit headings in this order."""
    slugger, renderer = Slugger(), MarkdownRenderer()

    def inline(text: str) -> str:
        return slugger.slug(" ".join(text.split("\n")).strip())

    def nested(block: Block) -> None:
        for heading in block.headings:
            inline(plain_text(renderer.inline(heading)))

    # Slugs of the headings as escape_text writes them: every run of whitespace (a no-break
    # space too) becomes one space, so the link matches the anchor GitHub gives the heading.
    title = slugger.slug(" ".join(deck.title.split()))
    nested(description)
    contents = slugger.slug(CONTENTS)
    topics, questions, links = {}, {}, {}
    for topic in deck.topics:
        topics[topic.id] = slugger.slug(" ".join(topic.title.split()))
        for question in deck.questions_in(topic.id):
            # The question's HTML from the shared conversion: no second Markdown pass.
            text = plain_text(context.html[question.id].question)
            questions[question.id] = inline(text)
            links[question.id] = Link(escape_text(" ".join(text.split())), questions[question.id])
            nested(details[question.id])
    return _Anchors(title, contents, topics, questions, links)


def _meta(question: Question) -> str:
    parts = []
    if question.difficulty:
        parts.append(f"Difficulty: **{escape_text(question.difficulty)}**")
    if question.tags:
        tags = ", ".join(f"`{t}`" if "`" not in t else escape_text(t) for t in question.tags)
        parts.append(f"Tags: {tags}")
    return " · ".join(parts)


def _question_view(question: Question, details: Block, anchors: _Anchors) -> QuestionView:
    return QuestionView(
        heading=sanitise_inline(question.question),
        anchor=anchors.questions[question.id],
        answer=sanitise_inline(question.answer),
        details=details.markdown,
        meta=_meta(question),
        related=tuple(anchors.links[r] for r in question.related),
    )


def _sanitised(context: BuildContext, text: str, shift: int, loc: Loc, what: str) -> Block:
    try:
        return sanitise_block(text, shift)
    except AmbiguousMarkdown as problem:
        raise ContentError([error(str(context.source_path), loc, f"{what}: {problem}")]) from None


def _summary(deck: Deck) -> str:
    def count(n: int, noun: str) -> str:
        return f"{n} {noun}{'' if n == 1 else 's'}"

    return f"{count(len(deck.questions), 'question')} in {count(len(deck.topics), 'topic')}"


def handbook_variables(deck: Deck, context: BuildContext) -> dict:
    """Everything the template sees, each piece already safe Markdown."""
    description = _sanitised(context, deck.description, DESCRIPTION_SHIFT, deck.loc,
                             "deck description")
    details = {
        q.id: _sanitised(context, q.details, DETAILS_SHIFT, q.loc, f"details of '{q.id}'")
        for q in deck.questions
    }
    anchors = _assign_anchors(deck, context, description, details)
    topics = tuple(
        TopicView(
            heading=escape_text(t.title),
            anchor=anchors.topics[t.id],
            questions=tuple(_question_view(q, details[q.id], anchors)
                            for q in deck.questions_in(t.id)),
            toc=tuple(anchors.links[q.id] for q in deck.questions_in(t.id)),
        )
        for t in deck.topics
    )
    return {
        "title": escape_text(deck.title), "description": description.markdown,
        "version": escape_text(deck.version), "author": escape_text(deck.author),
        "summary": _summary(deck), "contents": CONTENTS, "contents_anchor": anchors.contents,
        "topics": topics, "quiz": context.options.handbook_style == "quiz",
    }


def _environment(context: BuildContext) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in context.template_dirs]),
        autoescape=False,  # the output is Markdown; content is made safe in handbook_markdown
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render(deck: Deck, context: BuildContext) -> bytes:
    """The handbook as UTF-8 Markdown with `\\n` line endings and one final newline.

    Streamed chunk by chunk into bytes: joining a 50 000-question handbook into one str
    first (UCS-2 once it holds an arrow) and copying it again cost ~300 MiB of peak memory.
    Line endings need no fixing: Jinja writes template newlines as "\\n" and the loader
    refuses carriage returns in content.
    """
    template = _environment(context).get_template(TEMPLATE)
    out = io.BytesIO()
    for chunk in template.generate(handbook_variables(deck, context)):
        out.write(chunk.encode("utf-8"))
    end = out.tell()
    with out.getbuffer() as view:
        while end and view[end - 1] == 0x0A:  # exactly one final newline
            end -= 1
    out.truncate(end)
    out.seek(end)
    out.write(b"\n")
    return out.getvalue()
