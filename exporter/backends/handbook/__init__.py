"""The Markdown handbook: the deck as one GitHub page with a contents list and cross-links."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import jinja2
from markdown_it.tree import SyntaxTreeNode

from ... import cloze
from ...markup.tree import parse
from ...model import Deck, Question
from .. import BuildContext
from .anchors import Slugger
from .blocks import Blocks, field_inline, render_blocks
from .escape import code_span, escape_text, no_closing_hashes
from .inline import Mode
from .trees import field_tree

TEMPLATE = "handbook.md.j2"
CONTENTS = "Contents"
# Headings in answers and details start at level 1 like a document of their own; under a
# question's `###` they become `####` and deeper.
DETAILS_SHIFT = 3
DESCRIPTION_SHIFT = 1
_CONTENTS_ENTRY = Mode(one_line=True, links=False)


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


@dataclass(frozen=True)
class _Question:
    """One question's fields as Markdown, with the text of every heading it adds."""

    heading: str
    heading_text: str
    entry: str  # the heading as a contents entry: no links inside a link
    answer: str
    answer_headings: tuple[str, ...]
    details: Blocks


def one_line(text: str) -> str:
    """A plain string (a title) on one line, as a heading shows it.

    Only line breaks become spaces: a no-break space stays, as GitHub keeps it (and drops it
    from the anchor).
    """
    return re.sub(r"[ \t]*(?:\r\n|\r|\n)[ \t]*", " ", text).strip(" \t")


def escape_plain(text: str) -> str:
    """Plain text (a title, a tag) as Markdown that renders exactly these characters."""
    return no_closing_hashes(escape_text(one_line(text)))


def _question(context: BuildContext, question: Question) -> _Question:
    question_tree, answer_tree = _question_and_answer(context, question)
    heading, text = field_inline(question_tree)
    entry, _ = field_inline(question_tree, _CONTENTS_ENTRY)
    answer = render_blocks(answer_tree, DETAILS_SHIFT)
    details = render_blocks(field_tree(context, question.id, "details", question.details),
                            DETAILS_SHIFT)
    first = answer_tree.children[0] if answer_tree.children else None
    inline = first is not None and first.type == "paragraph" and not answer.markdown.startswith("```")
    # After `**Answer:** `: a first paragraph continues that line, other blocks start below.
    shown = answer.markdown if inline or not answer.markdown else "\n\n" + answer.markdown
    return _Question(heading, text, entry, shown, answer.headings, details)


def _question_and_answer(context: BuildContext, question: Question) -> tuple[SyntaxTreeNode, SyntaxTreeNode]:
    """The trees of the heading and of the answer. A cloze item asks its text with blanks and
    answers with the hidden parts filled in, bracketed, then its own answer if any."""
    if not question.cloze:
        return (field_tree(context, question.id, "question", question.question),
                field_tree(context, question.id, "answer", question.answer))
    revealed = cloze.filled_marked(question.cloze)
    answer = f"{revealed}\n\n{question.answer}" if question.answer.strip() else revealed
    return parse(cloze.blanked(question.cloze)), parse(answer)


@dataclass(frozen=True)
class _Anchors:
    title: str
    contents: str
    topics: dict[str, str]  # Topic.id -> anchor
    questions: dict[str, str]  # Question.id -> anchor
    links: dict[str, Link]  # Question.id -> its contents entry, also used by "Related"


def _assign_anchors(deck: Deck, description: Blocks, questions: dict[str, _Question]) -> _Anchors:
    """Slug every heading in document order: the template must emit headings in this order."""
    slugger = Slugger()
    title = slugger.slug(one_line(deck.title))
    for heading in description.headings:
        slugger.slug(heading)
    contents = slugger.slug(CONTENTS)
    topics, anchors, links = {}, {}, {}
    for topic in deck.topics:
        topics[topic.id] = slugger.slug(one_line(topic.title))
        for question in deck.questions_in(topic.id):
            view = questions[question.id]
            anchors[question.id] = slugger.slug(view.heading_text)
            links[question.id] = Link(view.entry, anchors[question.id])
            for heading in view.answer_headings + view.details.headings:
                slugger.slug(heading)
    return _Anchors(title, contents, topics, anchors, links)


def _meta(question: Question) -> str:
    parts = []
    if question.difficulty:
        parts.append(f"Difficulty: **{escape_plain(question.difficulty)}**")
    if question.tags:
        tags = ", ".join(code_span(t) for t in question.tags)
        parts.append(f"Tags: {tags}")
    return " · ".join(parts)


def _question_view(question: Question, view: _Question, anchors: _Anchors) -> QuestionView:
    return QuestionView(
        heading=view.heading,
        anchor=anchors.questions[question.id],
        answer=view.answer,
        details=view.details.markdown,
        meta=_meta(question),
        related=tuple(anchors.links[r] for r in question.related),
    )


def _summary(deck: Deck) -> str:
    def count(n: int, noun: str) -> str:
        return f"{n} {noun}{'' if n == 1 else 's'}"

    return f"{count(len(deck.questions), 'question')} in {count(len(deck.topics), 'topic')}"


def handbook_variables(deck: Deck, context: BuildContext) -> dict:
    """Everything the template sees, each piece already safe Markdown."""
    description = render_blocks(field_tree(context, None, "description", deck.description),
                                DESCRIPTION_SHIFT)
    questions = {q.id: _question(context, q) for q in deck.questions}
    anchors = _assign_anchors(deck, description, questions)
    topics = tuple(
        TopicView(
            heading=escape_plain(t.title),
            anchor=anchors.topics[t.id],
            questions=tuple(_question_view(q, questions[q.id], anchors)
                            for q in deck.questions_in(t.id)),
            toc=tuple(anchors.links[q.id] for q in deck.questions_in(t.id)),
        )
        for t in deck.topics
    )
    return {
        "title": escape_plain(deck.title), "description": description.markdown,
        "version": escape_plain(deck.version), "author": escape_plain(deck.author),
        "summary": _summary(deck), "contents": CONTENTS, "contents_anchor": anchors.contents,
        "topics": topics, "quiz": context.options.handbook_style == "quiz",
    }


def _environment(context: BuildContext) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in context.template_dirs]),
        autoescape=False,  # the output is Markdown, written safe from the parse tree
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
