"""Helpers that import .apkg bytes into a real Anki collection, as a user's Anki would."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

# anki.collection must load before anki.cards (importing the latter first is circular).
from anki.collection import Collection
from anki.import_export_pb2 import ImportAnkiPackageRequest, ImportResponse
from anki.scheduler_pb2 import CardAnswer

if TYPE_CHECKING:
    from anki.cards import Card


@dataclass(frozen=True)
class ImportedNote:
    guid: str
    fields: dict[str, str]
    tags: tuple[str, ...]
    deck: str  # the deck of the note's first card


def open_collection(folder: Path) -> Collection:
    """A fresh collection (with its media folder) inside `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / "collection.anki2"))


def import_apkg(col: Collection, apkg: bytes, folder: Path,
               name: str = "deck.apkg") -> ImportResponse.Log:
    """Import with the options Anki's import dialog starts with (the collection's presets)."""
    path = folder / name
    path.write_bytes(apkg)
    options = col._backend.get_import_anki_package_presets()
    response = col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options))
    path.unlink()
    return response.log


def notes(col: Collection) -> dict[str, ImportedNote]:
    """Every note, keyed by its Id field."""
    result = {}
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        fields = dict(note.items())
        deck = col.decks.name(note.cards()[0].did)
        result[fields["Id"]] = ImportedNote(note.guid, fields, tuple(note.tags), deck)
    return result


def queued_new_cards(col: Collection, deck_name: str, limit: int) -> list[Card]:
    """The cards Anki's own scheduler would show first after clicking `deck_name`."""
    col.decks.select(col.decks.id_for_name(deck_name))
    queued = col.sched.get_queued_cards(fetch_limit=limit)
    return [col.get_card(q.card.id) for q in queued.cards]


def answer_first_card(col: Collection, deck_name: str) -> Card:
    """Study the first queued card of `deck_name` and answer Good, as a user would."""
    col.decks.select(col.decks.id_for_name(deck_name))
    queued = col.sched.get_queued_cards(fetch_limit=1).cards[0]
    card = col.get_card(queued.card.id)
    card.start_timer()
    answer = col.sched.build_answer(card=card, states=queued.states, rating=CardAnswer.GOOD)
    col.sched.answer_card(answer)
    return col.get_card(card.id)


def review_count(col: Collection, card_id: int) -> int:
    return col.db.scalar("SELECT count() FROM revlog WHERE cid = ?", card_id)
