"""The three note types a deck may use: Q&A, Q&A with a reversed card, and cloze.

Each is its own note type with its own stable id, so adding the new shapes changed nothing
about the Q&A note type that published decks already use: they keep updating in place.
"""

from __future__ import annotations

from collections.abc import Callable

import genanki

from .ids import NOTETYPE_NAME, stable_id

QA_FIELDS = ("Question", "Answer", "Details", "Topic", "Difficulty", "Related", "Id")
CLOZE_FIELDS = ("Text", "Extra", "Details", "Topic", "Difficulty", "Related", "Id")
# Template names are part of Anki's schema check, like field names: never rename them.
QA_TEMPLATE = "studypack card"
REVERSE_TEMPLATE = "studypack reverse card"
CLOZE_TEMPLATE = "studypack cloze"

REVERSE_NAME = "studypack Q&A + reverse v1"
CLOZE_NAME = "studypack cloze v1"

# A template file by its name under templates/ (the user's copy when there is one).
ReadTemplate = Callable[[str], str]


def qa_notetype(deck_slug: str, read: ReadTemplate) -> genanki.Model:
    return _model(stable_id("notetype", deck_slug, NOTETYPE_NAME), f"{NOTETYPE_NAME} ({deck_slug})",
                  QA_FIELDS, [_forward(read)], read)


def reverse_notetype(deck_slug: str, read: ReadTemplate) -> genanki.Model:
    """The Q&A fields with two cards a note: question -> answer, then answer -> question."""
    reverse = {"name": REVERSE_TEMPLATE, "qfmt": read("anki/reverse_front.html"),
               "afmt": read("anki/reverse_back.html")}
    return _model(stable_id("notetype", deck_slug, REVERSE_NAME), f"{REVERSE_NAME} ({deck_slug})",
                  QA_FIELDS, [_forward(read), reverse], read)


def cloze_notetype(deck_slug: str, read: ReadTemplate) -> genanki.Model:
    """Anki's own cloze machinery: one card per cN number in the Text field."""
    template = {"name": CLOZE_TEMPLATE, "qfmt": read("anki/cloze_front.html"),
                "afmt": read("anki/cloze_back.html")}
    return _model(stable_id("notetype", deck_slug, CLOZE_NAME), f"{CLOZE_NAME} ({deck_slug})",
                  CLOZE_FIELDS, [template], read, model_type=genanki.Model.CLOZE)


def _forward(read: ReadTemplate) -> dict[str, str]:
    return {"name": QA_TEMPLATE, "qfmt": read("anki/front.html"), "afmt": read("anki/back.html")}


def _model(model_id: int, name: str, fields: tuple[str, ...], templates: list[dict[str, str]],
           read: ReadTemplate, model_type: int = genanki.Model.FRONT_BACK) -> genanki.Model:
    return genanki.Model(model_id, name, fields=[{"name": f} for f in fields], templates=templates,
                         css=read("anki/style.css"), model_type=model_type, sort_field_index=0)
