"""What the Anki backend builds, before any file format: note types, decks, notes and media.

The `.apkg` writer (package.py) and `studypack push` (sinks/) both consume this, so a
pushed collection and an imported package hold exactly the same fields, tags and CSS.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CardTemplate:
    name: str  # part of Anki's schema: renaming one makes a different note type
    front: str
    back: str


@dataclass(frozen=True)
class NoteType:
    id: int  # stable: an .apkg import matches note types by id
    name: str  # unique in a collection: AnkiConnect addresses note types by name
    fields: tuple[str, ...]
    templates: tuple[CardTemplate, ...]
    css: str
    sort_field: int = 0
    is_cloze: bool = False
    key_field: str = "Id"  # holds Note.key: AnkiConnect cannot search by GUID, push searches this


@dataclass(frozen=True)
class AnkiDeckInfo:
    id: int
    name: str  # full "Parent::Child" name
    description: str = ""


@dataclass(frozen=True)
class Note:
    guid: str
    key: str  # the question id: with the note type's name, the identity push looks up
    notetype: str  # NoteType.name
    fields: tuple[str, ...]  # in the order of the note type's fields
    tags: tuple[str, ...]
    deck: str  # AnkiDeckInfo.name of the deck its cards belong in


@dataclass(frozen=True)
class MediaFile:
    name: str  # the flat name Anki stores and the cards reference
    data: bytes


@dataclass(frozen=True)
class AnkiDeck:
    """Everything a collection must hold for one studypack deck; notes in study order."""

    notetypes: tuple[NoteType, ...]
    decks: tuple[AnkiDeckInfo, ...]  # the top deck first
    notes: tuple[Note, ...]
    media: tuple[MediaFile, ...]

    def notetype(self, name: str) -> NoteType:
        return next(t for t in self.notetypes if t.name == name)

    def field_map(self, note: Note) -> dict[str, str]:
        return dict(zip(self.notetype(note.notetype).fields, note.fields, strict=True))
