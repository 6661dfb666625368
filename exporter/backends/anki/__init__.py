"""The Anki backend: one note per question, a sub-deck per topic, updates that apply in place."""

from __future__ import annotations

import hashlib
import html
import re
from collections import Counter
from pathlib import PurePosixPath

import genanki

from ...model import Deck, Question, Topic
from .. import BuildContext
from .fields import block_html, inline_html
from .ids import NOTETYPE_NAME, deck_id, note_guid, notetype_id, subdeck_id
from .package import MediaFile, TimedDeck, package_bytes

FIELDS = ("Question", "Answer", "Details", "Topic", "Difficulty", "Related", "Id")
TEMPLATE_NAME = "studypack card"  # part of Anki's schema check, like the field names
# Anki looks media up by the src as written, URL-decoding it on some clients and not on
# others: a flat name of these characters only means the same file everywhere.
_SAFE_NAME = re.compile(r"[A-Za-z0-9._-]+\Z")


def render(deck: Deck, context: BuildContext) -> bytes:
    media_names = flat_media_names(deck.media)
    notetype = build_notetype(deck, context)
    decks = build_decks(deck, context, notetype, media_names)
    media = [MediaFile(media_names[p], context.media[p]) for p in deck.media]
    return package_bytes(decks, media, context.timestamp)


def study_order(deck: Deck) -> list[Question]:
    """Topics in their order, questions in theirs: the order new cards are shown."""
    return [q for topic in deck.topics for q in deck.questions_in(topic.id)]


def subdeck_name(deck: Deck, index: int, topic: Topic) -> str:
    """`Deck::01 Topic`: Anki gathers new cards deck by deck in name order, so the
    number keeps the YAML's topic order under Anki's default options."""
    width = max(2, len(str(len(deck.topics))))
    return f"{_name_part(deck.title)}::{index + 1:0{width}d} {_name_part(topic.title)}"


def _name_part(title: str) -> str:
    return title.replace("::", ":")  # "::" would nest one more deck level


def flat_media_names(paths: tuple[str, ...]) -> dict[str, str]:
    """Anki's media folder is flat: keep the basename unless two paths share it or it holds
    characters (space, %, #, non-ASCII) that clients read differently in a src."""
    uses = Counter(PurePosixPath(p).name for p in paths)
    names = {}
    for path in paths:
        base = PurePosixPath(path).name
        if uses[base] == 1 and _SAFE_NAME.match(base) and not base.startswith("_"):
            names[path] = base
        else:
            safe = re.sub(r"[^A-Za-z0-9.-]+", "-", base).lstrip("-.") or "image"
            names[path] = f"{hashlib.sha256(path.encode()).hexdigest()[:8]}-{safe}"
    return names


def build_notetype(deck: Deck, context: BuildContext) -> genanki.Model:
    template = {
        "name": TEMPLATE_NAME,
        "qfmt": context.template("anki/front.html").read_text(encoding="utf-8"),
        "afmt": context.template("anki/back.html").read_text(encoding="utf-8"),
    }
    return genanki.Model(
        notetype_id(deck.id),
        f"{NOTETYPE_NAME} ({deck.id})",  # one per deck: Anki would rename a clash
        fields=[{"name": name} for name in FIELDS],
        templates=[template],
        css=context.template("anki/style.css").read_text(encoding="utf-8"),
        sort_field_index=FIELDS.index("Question"),
    )


def build_decks(deck: Deck, context: BuildContext, notetype: genanki.Model,
                media_names: dict[str, str]) -> list[genanki.Deck]:
    stamp, description = context.timestamp, block_html(context.markup.description, media_names)
    top = TimedDeck(deck_id(deck.id), _name_part(deck.title), description, stamp)
    topic_decks = {
        topic.id: top if context.options.anki_flat else TimedDeck(
            subdeck_id(deck.id, topic.id), subdeck_name(deck, i, topic), "", stamp)
        for i, topic in enumerate(deck.topics)
    }
    for position, question in enumerate(study_order(deck)):
        note = build_note(deck, question, context, notetype, media_names)
        note.due = position  # new-card position: the study order, not 0 for all
        topic_decks[question.topic].add_note(note)
    return [top, *(d for d in topic_decks.values() if d is not top)]


def build_note(deck: Deck, question: Question, context: BuildContext, notetype: genanki.Model,
               media_names: dict[str, str]) -> genanki.Note:
    return genanki.Note(
        model=notetype,
        fields=note_fields(deck, question, context, media_names),
        tags=note_tags(question),
        guid=note_guid(deck.id, question.id),
    )


def note_fields(deck: Deck, question: Question, context: BuildContext,
                media_names: dict[str, str]) -> list[str]:
    trees = context.markup[question.id]
    values = {
        "Question": inline_html(trees.question, media_names),
        "Answer": inline_html(trees.answer, media_names),
        "Details": block_html(trees.details, media_names),
        "Topic": html.escape(deck.topic(question.topic).title, quote=False),
        "Difficulty": question.difficulty or "",
        "Related": related_list(question, context, media_names),
        "Id": question.id,
    }
    return [values[name] for name in FIELDS]


def note_tags(question: Question) -> list[str]:
    tags = [*question.tags, f"topic::{question.topic}"]
    if question.difficulty:
        tags.append(f"difficulty::{question.difficulty}")
    return tags


def related_list(question: Question, context: BuildContext, media_names: dict[str, str]) -> str:
    """Related questions by their text: ids mean nothing to someone studying."""
    if not question.related:
        return ""
    items = "".join(f"<li>{inline_html(context.markup[r].question, media_names)}</li>"
                    for r in question.related)
    return f"<ul>{items}</ul>"

