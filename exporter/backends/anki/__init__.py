"""The Anki backend: one note per question, a sub-deck per topic, updates that apply in place."""

from __future__ import annotations

import hashlib
import html
import re
from collections import Counter
from pathlib import PurePosixPath

from ... import cloze
from ...markup.tree import parse
from ...model import Deck, Question, Topic
from .. import BuildContext
from .fields import block_html, inline_html
from .ids import deck_id, note_guid, subdeck_id
from .notetypes import CLOZE_FIELDS, QA_FIELDS, cloze_notetype, qa_notetype, reverse_notetype
from .structure import AnkiDeck, AnkiDeckInfo, MediaFile, Note, NoteType

# Anki looks media up by the src as written, URL-decoding it on some clients and not on
# others: a flat name of these characters only means the same file everywhere.
_SAFE_NAME = re.compile(r"[A-Za-z0-9._-]+\Z")


def render(deck: Deck, context: BuildContext) -> bytes:
    # genanki (and the asyncio it brings, ~60 ms) only when a package is made: every build
    # imports this package for the note type's version (ids.py).
    from .package import package_bytes

    anki, times = anki_deck(deck, context), context.times
    note_times = {note.guid: times.question(note.key) for note in anki.notes} if times else {}
    return package_bytes(anki, context.timestamp, note_times, times.notetype if times else None)


def anki_deck(deck: Deck, context: BuildContext) -> AnkiDeck:
    """The note types, decks, notes and media of the deck: what the .apkg holds and push sends."""
    media_names = flat_media_names(deck.media)
    notetypes = build_notetypes(deck, context)
    decks, deck_of_topic = build_decks(deck, context, media_names)
    notes = tuple(build_note(deck, q, context, notetypes[shape(q)], media_names, deck_of_topic[q.topic])
                  for q in study_order(deck))
    used = {note.notetype for note in notes}
    # The Q&A note type always travels: decks already in users' collections use it.
    kept = tuple(t for name, t in notetypes.items() if name == "qa" or t.name in used)
    media = tuple(MediaFile(media_names[p], context.media[p]) for p in deck.media)
    return AnkiDeck(kept, decks, notes, media)


def shape(question: Question) -> str:
    """Which note type a question becomes: a cloze item, a Q&A with a reversed card, or a Q&A."""
    return "cloze" if question.cloze else "reverse" if question.reverse else "qa"


def study_order(deck: Deck) -> list[Question]:
    """Topics in their order, questions in theirs: the order new cards are shown."""
    return [q for topic in deck.topics for q in deck.questions_in(topic.id)]


def subdeck_name(deck: Deck, index: int, topic: Topic) -> str:
    """`Deck::01 Topic`: Anki gathers new cards deck by deck in name order, so the
    number keeps the YAML's topic order under Anki's default options."""
    width = max(2, len(str(len(deck.topics))))
    return f"{_name_part(deck.title)}::{index + 1:0{width}d} {_name_part(topic.title)}"


def _name_part(title: str) -> str:
    return re.sub(":{2,}", ":", title)  # "::" (or ":::") would nest one more deck level


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


def build_notetypes(deck: Deck, context: BuildContext) -> dict[str, NoteType]:
    def read(name: str) -> str:
        return context.template(name).read_text(encoding="utf-8")

    return {"qa": qa_notetype(deck.id, read), "reverse": reverse_notetype(deck.id, read),
            "cloze": cloze_notetype(deck.id, read)}


def build_decks(deck: Deck, context: BuildContext,
                media_names: dict[str, str]) -> tuple[tuple[AnkiDeckInfo, ...], dict[str, str]]:
    """The decks, the top one first, and the name of the deck each topic's cards go in."""
    description = block_html(context.markup.description, media_names)
    top = AnkiDeckInfo(deck_id(deck.id), _name_part(deck.title), description)
    if context.options.anki_flat:
        return (top,), {topic.id: top.name for topic in deck.topics}
    subdecks = [AnkiDeckInfo(subdeck_id(deck.id, topic.id), subdeck_name(deck, i, topic))
                for i, topic in enumerate(deck.topics)]
    return (top, *subdecks), {t.id: d.name for t, d in zip(deck.topics, subdecks, strict=True)}


def build_note(deck: Deck, question: Question, context: BuildContext, notetype: NoteType,
               media_names: dict[str, str], deck_name: str) -> Note:
    return Note(
        # An imported question keeps its note's GUID, so Anki updates that very note.
        guid=question.anki_guid or note_guid(deck.id, question.id),
        key=question.id,
        notetype=notetype.name,
        fields=tuple(note_fields(deck, question, context, media_names)),
        tags=tuple(note_tags(question)),
        deck=deck_name,
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
    if question.cloze:
        values["Text"] = cloze.anki_field(question.cloze, lambda text: inline_html(parse(text), media_names))
        values["Extra"] = values["Answer"]
        return [values[name] for name in CLOZE_FIELDS]
    return [values[name] for name in QA_FIELDS]


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

