"""The difference between the built deck and an Anki collection, as a plan: a pure function."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field

from ..backends.anki.structure import AnkiDeck, MediaFile, Note, NoteType

PRUNE_MODES = ("suspend", "delete")
# Tags studypack writes on every note: without a record of the last push, these are the
# ones a push may take away again (the user's own tags, "leech", "marked" stay).
OWN_TAG_PREFIXES = ("topic::", "difficulty::")


class PlanError(Exception):
    """The collection holds something push must not change by itself."""


# --- what the collection holds ---


@dataclass(frozen=True)
class RemoteNoteType:
    name: str
    fields: tuple[str, ...]
    templates: dict[str, tuple[str, str]]  # name -> (front, back)
    css: str


@dataclass(frozen=True)
class RemoteCard:
    id: int
    deck: str
    suspended: bool
    # In a filtered deck (a custom study session): Anki returns it to its home deck when
    # that session ends, so push leaves it where it is.
    filtered: bool = False


@dataclass(frozen=True)
class RemoteNote:
    id: int
    notetype: str
    fields: dict[str, str]
    tags: tuple[str, ...]
    cards: tuple[RemoteCard, ...]


@dataclass(frozen=True)
class CollectionState:
    """The part of a collection the plan depends on, read through AnkiConnect."""

    notetypes: dict[str, RemoteNoteType]  # only studypack's, by name
    decks: frozenset[str]
    notes: tuple[RemoteNote, ...]  # every note of studypack's note types
    media: dict[str, bytes | None]  # each built media name -> its bytes in Anki, None if missing
    # Built note type name -> the name Anki shows for the same note type id, when they differ
    # (a note type imported from the .apkg, then renamed in Anki).
    renamed: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PushedNote:
    """What the last push wrote into a note: tells an edit made in Anki from an old version."""

    fields_hash: str
    tags: tuple[str, ...]


# --- the plan ---


@dataclass(frozen=True)
class NoteTypeUpdate:
    notetype: NoteType
    templates: tuple[str, ...]  # names of the templates whose front or back changed
    css: bool


@dataclass(frozen=True)
class NoteUpdate:
    note_id: int
    note: Note
    fields: tuple[str, ...]  # the names of the fields that change
    add_tags: tuple[str, ...]
    remove_tags: tuple[str, ...]


@dataclass(frozen=True)
class Move:
    note: Note
    card_ids: tuple[int, ...]
    from_decks: tuple[str, ...]


@dataclass(frozen=True)
class Removed:
    note_id: int
    key: str
    card_ids: tuple[int, ...]
    suspended: bool  # every card already suspended


@dataclass(frozen=True)
class Plan:
    create_notetypes: tuple[NoteType, ...] = ()
    update_notetypes: tuple[NoteTypeUpdate, ...] = ()
    create_decks: tuple[str, ...] = ()
    media: tuple[MediaFile, ...] = ()
    add: tuple[Note, ...] = ()
    update: tuple[NoteUpdate, ...] = ()
    edited: tuple[NoteUpdate, ...] = ()  # edited in Anki since the last push: reported, not applied
    move: tuple[Move, ...] = ()
    removed: tuple[Removed, ...] = ()
    prune: str | None = None
    unchanged: int = 0
    # The record of what each note holds once the plan is applied (see state.py).
    pushed: dict[str, PushedNote] = field(default_factory=dict)

    @property
    def to_suspend(self) -> tuple[Removed, ...]:
        return tuple(r for r in self.removed if not r.suspended) if self.prune == "suspend" else ()

    @property
    def to_delete(self) -> tuple[Removed, ...]:
        return self.removed if self.prune == "delete" else ()

    @property
    def is_empty(self) -> bool:
        """Nothing to change in Anki (removed notes that stay, and edited ones, are only reported)."""
        return not (self.create_notetypes or self.update_notetypes or self.create_decks or self.media
                    or self.add or self.update or self.move or self.to_suspend or self.to_delete)


def fields_hash(fields: tuple[str, ...] | list[str]) -> str:
    return hashlib.sha256("\x1f".join(_nfc(f) for f in fields).encode("utf-8")).hexdigest()


def _nfc(text: str) -> str:
    # Anki stores note text in NFC (its "normalize" setting, on by default): compared
    # as written, a decomposed é in the source would differ from the collection forever.
    return unicodedata.normalize("NFC", text)


def make_plan(built: AnkiDeck, remote: CollectionState, pushed: dict[str, PushedNote],
              prune: str | None = None, force: bool = False) -> Plan:
    """What push must do so that the collection holds `built`; `pushed` is the last push's record."""
    creates, updates = _plan_notetypes(built, remote)
    found, duplicates = _match_notes(built, remote)
    changes = [_note_change(built, note, found[note.guid], pushed.get(note.guid))
               for note in built.notes if note.guid in found]
    edited = () if force else tuple(c for c in changes if c and _edited_in_anki(built, c, found, pushed))
    kept = {c.note.guid for c in edited}
    record = {n.guid: pushed[n.guid] if n.guid in kept else _record(n) for n in built.notes}
    moves = tuple(m for n in built.notes if n.guid in found and (m := _move(n, found[n.guid])))
    touched = {c.note.guid for c in changes if c} | {m.note.guid for m in moves}
    return Plan(
        create_notetypes=creates,
        update_notetypes=updates,
        create_decks=tuple(d.name for d in built.decks if d.name not in remote.decks),
        media=tuple(m for m in built.media if remote.media.get(m.name) != m.data),
        add=tuple(n for n in built.notes if n.guid not in found),
        update=tuple(c for c in changes if c and c.note.guid not in kept),
        edited=edited,
        move=moves,
        removed=_removed(built, remote, duplicates),
        prune=prune,
        unchanged=len(set(found) - touched),
        pushed=record,
    )


def _plan_notetypes(built: AnkiDeck, remote: CollectionState):
    creates, updates = [], []
    for notetype in built.notetypes:
        present = remote.notetypes.get(notetype.name)
        if present is None and notetype.name in remote.renamed:
            raise PlanError(f"the note type '{notetype.name}' is called '{remote.renamed[notetype.name]}' "
                            "in Anki: rename it back (Tools → Manage Note Types), then push again")
        if present is None:
            creates.append(notetype)
            continue
        if present.fields != notetype.fields:
            raise PlanError(f"the note type '{notetype.name}' in Anki has the fields "
                            f"{', '.join(present.fields)}; studypack writes {', '.join(notetype.fields)}. "
                            "Rename or delete that note type in Anki, then push again")
        wanted = {t.name: (t.front, t.back) for t in notetype.templates}
        if set(present.templates) != set(wanted):
            raise PlanError(f"the note type '{notetype.name}' in Anki has the card types "
                            f"{', '.join(sorted(present.templates))}; studypack writes "
                            f"{', '.join(sorted(wanted))}. Rename or delete it in Anki, then push again")
        changed = tuple(name for name in wanted if present.templates[name] != wanted[name])
        if changed or present.css != notetype.css:
            updates.append(NoteTypeUpdate(notetype, changed, present.css != notetype.css))
    return tuple(creates), tuple(updates)


def _match_notes(built: AnkiDeck, remote: CollectionState) -> tuple[dict[str, RemoteNote], list[RemoteNote]]:
    """Built GUID -> the note in Anki, and notes that are a second copy of one already matched.

    AnkiConnect cannot search by GUID, but a GUID is a hash of the deck id (which names the
    note type) and the question id (the key field), so that pair finds the same note,
    whether push added it or an .apkg import did.
    """
    key_fields = {t.name: t.key_field for t in built.notetypes}
    by_key = {(n.notetype, n.key): n.guid for n in built.notes}
    found: dict[str, RemoteNote] = {}
    duplicates = []
    for note in sorted(remote.notes, key=lambda n: n.id):
        guid = by_key.get((note.notetype, note.fields.get(key_fields.get(note.notetype, ""), "")))
        if guid is None:
            continue
        if guid in found:
            duplicates.append(note)
        else:
            found[guid] = note
    return found, duplicates


def _note_change(built: AnkiDeck, note: Note, present: RemoteNote,
                 pushed: PushedNote | None) -> NoteUpdate | None:
    wanted = built.field_map(note)
    fields = tuple(name for name, value in wanted.items() if present.fields.get(name) != _nfc(value))
    # Anki's tags are case-insensitive: it keeps the spelling of a tag it already knows.
    had = {t.lower() for t in present.tags}
    own_tags = pushed.tags if pushed else [t for t in present.tags if t.startswith(OWN_TAG_PREFIXES)]
    own = {t.lower() for t in own_tags}
    wants = {t.lower() for t in note.tags}
    add_tags = tuple(t for t in note.tags if t.lower() not in had)
    remove_tags = tuple(t for t in present.tags if t.lower() in own and t.lower() not in wants)
    if not (fields or add_tags or remove_tags):
        return None
    return NoteUpdate(present.id, note, fields, add_tags, remove_tags)


def _edited_in_anki(built: AnkiDeck, change: NoteUpdate, found: dict[str, RemoteNote],
                    pushed: dict[str, PushedNote]) -> bool:
    """Fields that differ from what the last push wrote were edited in Anki.

    Without a record (a deck first imported from an .apkg) the collection is taken to
    hold an earlier build, so the source wins.
    """
    record = pushed.get(change.note.guid)
    if not change.fields or record is None:
        return False
    present = found[change.note.guid]
    names = built.notetype(change.note.notetype).fields
    return fields_hash([present.fields.get(name, "") for name in names]) != record.fields_hash


def _record(note: Note) -> PushedNote:
    return PushedNote(fields_hash(note.fields), note.tags)


def _move(note: Note, present: RemoteNote) -> Move | None:
    cards = [c for c in present.cards if c.deck != note.deck and not c.filtered]
    if not cards:
        return None
    return Move(note, tuple(c.id for c in cards), tuple(sorted({c.deck for c in cards})))


def _removed(built: AnkiDeck, remote: CollectionState, duplicates: list[RemoteNote]) -> tuple[Removed, ...]:
    key_fields = {t.name: t.key_field for t in built.notetypes}
    keys = {(n.notetype, n.key) for n in built.notes}
    gone = [n for n in remote.notes
            if (n.notetype, n.fields.get(key_fields.get(n.notetype, ""), "")) not in keys]
    return tuple(
        Removed(n.id, n.fields.get(key_fields.get(n.notetype, ""), ""), tuple(c.id for c in n.cards),
                all(c.suspended for c in n.cards))
        for n in sorted([*gone, *duplicates], key=lambda n: n.id)
    )
