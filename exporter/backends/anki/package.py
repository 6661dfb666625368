"""Write an AnkiDeck to .apkg bytes with genanki: fixed times and ids, sorted zip entries, no temp litter."""

from __future__ import annotations

import io
import itertools
import json
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import genanki

from .structure import AnkiDeck, NoteType

COLLECTION_NAME = "collection.anki2"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


class TimedDeck(genanki.Deck):
    """genanki writes a constant 2015 deck mtime; ours comes from the build timestamp."""

    def __init__(self, deck_id: int, name: str, description: str, timestamp: int):
        super().__init__(deck_id, name, description)
        self.timestamp = timestamp

    def to_json(self) -> dict:
        return {**super().to_json(), "mod": self.timestamp}


def package_bytes(anki: AnkiDeck, timestamp: int) -> bytes:
    """The .apkg of the deck; every time and id inside derives from `timestamp`."""
    media = list(anki.media)
    entries = {COLLECTION_NAME: _collection_bytes(genanki_decks(anki, timestamp), timestamp)}
    # Anki's legacy package layout: files stored as "0", "1", … plus a JSON name map.
    entries["media"] = json.dumps({str(i): m.name for i, m in enumerate(media)}).encode()
    entries.update({str(i): m.data for i, m in enumerate(media)})
    return _zip(entries, timestamp)


def genanki_decks(anki: AnkiDeck, timestamp: int) -> list[genanki.Deck]:
    """genanki decks in AnkiDeck order, each holding its notes in study order."""
    models = {t.name: genanki_model(t) for t in anki.notetypes}
    decks = {d.name: TimedDeck(d.id, d.name, d.description, timestamp) for d in anki.decks}
    for position, note in enumerate(anki.notes):
        card_note = genanki.Note(model=models[note.notetype], fields=list(note.fields),
                                 tags=list(note.tags), guid=note.guid)
        card_note.due = position  # new-card position: the study order, not 0 for all
        decks[note.deck].add_note(card_note)
    return list(decks.values())


def genanki_model(notetype: NoteType) -> genanki.Model:
    return genanki.Model(
        notetype.id, notetype.name,
        fields=[{"name": name} for name in notetype.fields],
        templates=[{"name": t.name, "qfmt": t.front, "afmt": t.back} for t in notetype.templates],
        css=notetype.css,
        model_type=genanki.Model.CLOZE if notetype.is_cloze else genanki.Model.FRONT_BACK,
        sort_field_index=notetype.sort_field,
    )


def _collection_bytes(decks: list[genanki.Deck], timestamp: int) -> bytes:
    # genanki's Package.write_to_file leaks a mkstemp() file per build; we own the
    # folder instead, so the database and its journal vanish with it.
    with tempfile.TemporaryDirectory(prefix="studypack-anki-") as folder:
        path = Path(folder) / COLLECTION_NAME
        conn = sqlite3.connect(path)
        try:
            package = genanki.Package(decks)
            package.write_to_db(conn.cursor(), timestamp, _ids(timestamp))
            _fix_collection_times(conn, timestamp, _card_count(decks))
            conn.commit()
        finally:
            conn.close()
        return path.read_bytes()


def _ids(timestamp: int) -> Iterator[int]:
    """Note and card ids in source order: Anki reads them as creation times in ms.

    They must not lie in the future (Anki rejects such packages), so they start at
    the build time rather than at a hash. Import matches notes by GUID, not by id.
    """
    return itertools.count(max(timestamp, 1) * 1000)


def _card_count(decks: list[genanki.Deck]) -> int:
    return sum(len(deck.notes) for deck in decks)


def _fix_collection_times(conn: sqlite3.Connection, timestamp: int, card_count: int) -> None:
    """Replace genanki's constant 2014/2015 collection, deck and preset times."""
    row = conn.execute("SELECT conf, decks, dconf FROM col").fetchone()
    conf, decks, dconf = (json.loads(value) for value in row)
    conf["nextPos"] = card_count  # where Anki would number the next new card
    for entry in (*decks.values(), *dconf.values()):
        entry["mod"] = timestamp
    conn.execute(
        "UPDATE col SET crt = ?, mod = ?, scm = ?, conf = ?, decks = ?, dconf = ?",
        (timestamp, timestamp * 1000, timestamp * 1000,
         *(json.dumps(v, sort_keys=True) for v in (conf, decks, dconf))),
    )


def _zip(entries: dict[str, bytes], timestamp: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            archive.writestr(_zip_info(name, timestamp), entries[name])
    return buffer.getvalue()


def _zip_info(name: str, timestamp: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_zip_time(timestamp))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix on every platform: the bytes must not depend on the OS
    info.external_attr = 0o644 << 16
    return info


def _zip_time(timestamp: int) -> tuple[int, int, int, int, int, int]:
    # Zip times are local-time fields with no zone; UTC keeps them machine-independent.
    utc = time.gmtime(timestamp)
    return max(tuple(utc[:6]), ZIP_EPOCH)
