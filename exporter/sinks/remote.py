"""Read what the plan needs from a collection through AnkiConnect, in a handful of requests."""

from __future__ import annotations

import base64
import binascii

from ..backends.anki.structure import AnkiDeck
from .ankiconnect import Action, AnkiConnect, AnkiConnectError
from .plan import CollectionState, RemoteCard, RemoteNote, RemoteNoteType

IDS_PER_ACTION = 1000  # note or card ids in one notesInfo/getDecks/areSuspended action


def read_collection(client: AnkiConnect, built: AnkiDeck) -> CollectionState:
    models, deck_names = client.multi([Action("modelNamesAndIds", {}), Action("deckNames", {})])
    ours = [t.name for t in built.notetypes if t.name in models]
    notetypes = _read_notetypes(client, ours)
    # mid: is exact, where note:"name" would read * and _ in a name as wildcards.
    found = client.multi([Action("findNotes", {"query": f"mid:{models[name]}"}) for name in ours])
    note_ids = sorted({note_id for ids in found for note_id in ids})
    notes = _read_notes(client, note_ids)
    names_by_id = {model_id: name for name, model_id in models.items()}
    renamed = {t.name: names_by_id[t.id] for t in built.notetypes
               if t.name not in models and t.id in names_by_id}
    return CollectionState(notetypes, frozenset(deck_names), notes, _read_media(client, built), renamed)


def _read_notetypes(client: AnkiConnect, names: list[str]) -> dict[str, RemoteNoteType]:
    actions = [Action(a, {"modelName": name}) for name in names
               for a in ("modelFieldNames", "modelTemplates", "modelStyling")]
    replies = client.multi(actions) if actions else []
    result = {}
    for i, name in enumerate(names):
        fields, templates, styling = replies[3 * i:3 * i + 3]
        result[name] = RemoteNoteType(
            name, tuple(fields),
            {t: (sides.get("Front", ""), sides.get("Back", "")) for t, sides in templates.items()},
            styling.get("css", ""))
    return result


def _read_notes(client: AnkiConnect, note_ids: list[int]) -> tuple[RemoteNote, ...]:
    infos = [info for chunk in client.batched(
        Action("notesInfo", {"notes": ids}) for ids in _chunks(note_ids)) for info in chunk]
    infos = [i for i in infos if i]  # AnkiConnect answers {} for a note deleted meanwhile
    card_ids = [c for info in infos for c in info.get("cards", [])]
    decks: dict[int, str] = {}
    for mapping in client.batched(Action("getDecks", {"cards": ids}) for ids in _chunks(card_ids)):
        decks.update({int(card): deck for deck, cards in mapping.items() for card in cards})
    flags = [f for chunk in client.batched(
        Action("areSuspended", {"cards": ids}) for ids in _chunks(card_ids)) for f in chunk]
    suspended = dict(zip(card_ids, flags, strict=True))
    filtered = _filtered_decks(client, sorted(set(decks.values())))
    return tuple(
        RemoteNote(
            info["noteId"], info["modelName"],
            {name: f["value"] for name, f in info["fields"].items()},
            tuple(info["tags"]),
            tuple(RemoteCard(c, decks.get(c, ""), bool(suspended.get(c)), decks.get(c) in filtered)
                  for c in info.get("cards", [])),
        )
        for info in infos
    )


def _filtered_decks(client: AnkiConnect, names: list[str]) -> set[str]:
    """The filtered decks among these: getDeckConfig answers a filtered deck itself (dyn set)."""
    configs = client.batched(Action("getDeckConfig", {"deck": name}) for name in names)
    return {name for name, config in zip(names, configs, strict=True)
            if isinstance(config, dict) and config.get("dyn")}


def _read_media(client: AnkiConnect, built: AnkiDeck) -> dict[str, bytes | None]:
    replies = client.batched(Action("retrieveMediaFile", {"filename": m.name}) for m in built.media)
    media: dict[str, bytes | None] = {}
    for file, reply in zip(built.media, replies, strict=True):
        try:
            media[file.name] = base64.b64decode(reply, validate=True) if reply else None
        except (binascii.Error, TypeError) as exc:
            raise AnkiConnectError(f"`retrieveMediaFile` answered something other than base64 "
                                   f"for {file.name}") from exc
    return media


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i:i + IDS_PER_ACTION] for i in range(0, len(ids), IDS_PER_ACTION)]
