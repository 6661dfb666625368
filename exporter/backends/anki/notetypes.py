"""The three note types a deck may use: Q&A, Q&A with a reversed card, and cloze.

Each is its own note type with its own stable id, so adding the new shapes changed nothing
about the Q&A note type that published decks already use: they keep updating in place.
"""

from __future__ import annotations

from collections.abc import Callable

from .ids import NOTETYPE_NAME, stable_id
from .structure import CardTemplate, NoteType

QA_FIELDS = ("Question", "Answer", "Details", "Topic", "Difficulty", "Related", "Id")
CLOZE_FIELDS = ("Text", "Extra", "Details", "Topic", "Difficulty", "Related", "Id")
# Template names are part of Anki's schema check, like field names: never rename them.
QA_TEMPLATE = "studypack card"
REVERSE_TEMPLATE = "studypack reverse card"
CLOZE_TEMPLATE = "studypack cloze"

REVERSE_NAME = "studypack Q&A + reverse v1"
CLOZE_NAME = "studypack cloze v1"

# A template file's text by its name under templates/ (the user's copy when there is one).
ReadTemplate = Callable[[str], str]


def qa_notetype(deck_slug: str, read: ReadTemplate) -> NoteType:
    return _notetype(NOTETYPE_NAME, deck_slug, QA_FIELDS, (_forward(read),), read)


def reverse_notetype(deck_slug: str, read: ReadTemplate) -> NoteType:
    """The Q&A fields with two cards a note: question -> answer, then answer -> question."""
    reverse = CardTemplate(REVERSE_TEMPLATE, read("anki/reverse_front.html"),
                           read("anki/reverse_back.html"))
    return _notetype(REVERSE_NAME, deck_slug, QA_FIELDS, (_forward(read), reverse), read)


def cloze_notetype(deck_slug: str, read: ReadTemplate) -> NoteType:
    """Anki's own cloze machinery: one card per cN number in the Text field."""
    template = CardTemplate(CLOZE_TEMPLATE, read("anki/cloze_front.html"), read("anki/cloze_back.html"))
    return _notetype(CLOZE_NAME, deck_slug, CLOZE_FIELDS, (template,), read, is_cloze=True)


def _forward(read: ReadTemplate) -> CardTemplate:
    return CardTemplate(QA_TEMPLATE, read("anki/front.html"), read("anki/back.html"))


def _notetype(name: str, deck_slug: str, fields: tuple[str, ...], templates: tuple[CardTemplate, ...],
              read: ReadTemplate, is_cloze: bool = False) -> NoteType:
    # One per deck, in id and name: restyling one published deck never touches another's,
    # and Anki would rename a clash of names.
    return NoteType(stable_id("notetype", deck_slug, name), f"{name} ({deck_slug})", fields=fields,
                    templates=templates, css=read("anki/style.css"), sort_field=0, is_cloze=is_cloze)
