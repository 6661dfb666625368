"""Write genanki decks to .apkg bytes: fixed times and ids, sorted zip entries, no temp litter."""

from __future__ import annotations

import io
import itertools
import json
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import genanki

from .structure import AnkiDeck, NoteType

COLLECTION_NAME = "collection.anki2"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
ZIP_LAST = (2107, 12, 31, 23, 59, 58)  # and the latest (a 7-bit year from 1980)


class TimedDeck(genanki.Deck):
    """genanki writes a constant 2015 deck mtime; ours comes from the build timestamp."""

    def __init__(self, deck_id: int, name: str, description: str, timestamp: int):
        super().__init__(deck_id, name, description)
        self.timestamp = timestamp

    def to_json(self) -> dict:
        return {**super().to_json(), "mod": self.timestamp}


def package_bytes(anki: AnkiDeck, timestamp: int, note_times: Mapping[str, int] | None = None,
                  notetype_time: int | None = None) -> bytes:
    """The .apkg of the deck; every time and id inside derives from the build times.

    `timestamp` is the deck's; `note_times` (by GUID) and `notetype_time` are when each note
    and the note types last changed: Anki updates a note or note type only when its time is
    newer than the one it has, so an unchanged one must keep its time.
    """
    times = _Times(timestamp, dict(note_times or {}), timestamp if notetype_time is None else notetype_time)
    media = list(anki.media)
    entries = {COLLECTION_NAME: _collection_bytes(genanki_decks(anki, timestamp), times)}
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


@dataclass(frozen=True)
class _Times:
    deck: int
    notes: dict[str, int]
    notetype: int


def _collection_bytes(decks: list[genanki.Deck], times: _Times) -> bytes:
    # In memory: nothing is written to $TMPDIR, so a full or hostile one cannot break a
    # build and a killed build leaves nothing behind (genanki's own write_to_file leaks a
    # mkstemp() file per build).
    if not hasattr(sqlite3.Connection, "serialize"):  # Python 3.10
        return _collection_bytes_in_temp_folder(decks, times)
    conn = sqlite3.connect(":memory:")
    try:
        _fill(conn, decks, times)
        return conn.serialize()
    finally:
        conn.close()


def _collection_bytes_in_temp_folder(decks: list[genanki.Deck], times: _Times) -> bytes:
    with tempfile.TemporaryDirectory(prefix="studypack-anki-") as folder:
        path = Path(folder) / COLLECTION_NAME
        conn = sqlite3.connect(path)
        try:
            _fill(conn, decks, times)
        finally:
            conn.close()
        return path.read_bytes()


def _fill(conn: sqlite3.Connection, decks: list[genanki.Deck], times: _Times) -> None:
    genanki.Package(decks).write_to_db(conn.cursor(), times.deck, _ids(times.deck))
    _fix_collection_times(conn, times.deck, _card_count(decks))
    _set_change_times(conn, times)
    conn.commit()


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


def _set_change_times(conn: sqlite3.Connection, times: _Times) -> None:
    """Each note (and its cards) carries the time its question last changed; the note type
    the time its templates did."""
    conn.executemany("UPDATE notes SET mod = ? WHERE guid = ?",
                     [(stamp, guid) for guid, stamp in sorted(times.notes.items())])
    conn.execute("UPDATE cards SET mod = (SELECT mod FROM notes WHERE notes.id = cards.nid)")
    (models,) = conn.execute("SELECT models FROM col").fetchone()
    models = json.loads(models)
    for model in models.values():
        model["mod"] = times.notetype
    conn.execute("UPDATE col SET models = ?", (json.dumps(models, sort_keys=True),))


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
    return min(max(tuple(utc[:6]), ZIP_EPOCH), ZIP_LAST)
