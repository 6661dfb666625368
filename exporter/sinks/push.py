"""Apply a plan through AnkiConnect, in batches, in an order that a second push can always finish."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

from ..backends.anki.structure import AnkiDeck, Note
from .ankiconnect import BATCH_SIZE, Action, ActionFailed, AnkiConnect, AnkiConnectError
from .plan import Plan, PushedNote


class PushFailed(Exception):
    """Anki stopped the push part-way; `record` describes the notes written so far."""

    def __init__(self, cause: AnkiConnectError, record: dict[str, PushedNote], completed: int):
        super().__init__(str(cause))
        self.record = record
        self.completed = completed  # actions that took effect


@dataclass(frozen=True)
class Step:
    action: Action
    guid: str | None = None  # set on a note's last action: once it succeeded, the note is done


def steps(built: AnkiDeck, plan: Plan) -> list[Step]:
    """Every AnkiConnect action of the plan, in order.

    Note types, decks and media first, so every note added after them displays fully;
    removals last, so a push that stops half-way never removed something before adding.
    """
    result = [Step(Action("createModel", _model_params(t))) for t in plan.create_notetypes]
    for update in plan.update_notetypes:
        if update.templates:
            templates = {t.name: {"Front": t.front, "Back": t.back}
                         for t in update.notetype.templates if t.name in update.templates}
            result.append(Step(Action("updateModelTemplates",
                                      {"model": {"name": update.notetype.name, "templates": templates}})))
        if update.css:
            result.append(Step(Action("updateModelStyling",
                                      {"model": {"name": update.notetype.name, "css": update.notetype.css}})))
    result += [Step(Action("createDeck", {"deck": name})) for name in plan.create_decks]
    result += [Step(Action("storeMediaFile", {"filename": m.name, "data": base64.b64encode(m.data).decode()}))
               for m in plan.media]
    result += [Step(Action("addNote", {"note": _note_params(built, n)}), n.guid) for n in plan.add]
    for update in plan.update:
        result += _update_steps(built, update)
    for deck, cards in _moves_by_deck(plan).items():
        result.append(Step(Action("changeDeck", {"cards": cards, "deck": deck})))
    if plan.to_suspend:
        result.append(Step(Action("suspend", {"cards": [c for r in plan.to_suspend for c in r.card_ids]})))
    if plan.to_delete:
        result.append(Step(Action("deleteNotes", {"notes": [r.note_id for r in plan.to_delete]})))
    return result


def apply(client: AnkiConnect, built: AnkiDeck, plan: Plan, pushed_before: dict[str, PushedNote],
          progress: Callable[[int], None] | None = None) -> dict[str, PushedNote]:
    """Run the plan and return the record to keep; PushFailed carries the record of a partial push."""
    todo = steps(built, plan)
    done: set[str] = set()
    for start in range(0, len(todo), BATCH_SIZE):
        chunk = todo[start:start + BATCH_SIZE]
        try:
            client.multi([s.action for s in chunk])
        except AnkiConnectError as exc:
            # Refused actions stop the batch there; a lost connection leaves it unknown.
            completed = exc.completed if isinstance(exc, ActionFailed) else 0
            done.update(s.guid for s in chunk[:completed] if s.guid)
            raise PushFailed(exc, _record(plan, pushed_before, done), start + completed) from exc
        done.update(s.guid for s in chunk if s.guid)
        if progress:
            progress(len(chunk))
    return plan.pushed


def _record(plan: Plan, before: dict[str, PushedNote], done: set[str]) -> dict[str, PushedNote]:
    """After a failure: the new record for notes now written or unchanged, the old one for the rest."""
    pending = {n.guid for n in plan.add} | {u.note.guid for u in plan.update}
    record = {guid: entry for guid, entry in plan.pushed.items() if guid not in pending or guid in done}
    record.update({guid: before[guid] for guid in pending - done if guid in before})
    return record


def _model_params(notetype) -> dict:
    return {
        "modelName": notetype.name,
        "inOrderFields": list(notetype.fields),
        "css": notetype.css,
        "isCloze": notetype.is_cloze,
        "cardTemplates": [{"Name": t.name, "Front": t.front, "Back": t.back} for t in notetype.templates],
    }


def _note_params(built: AnkiDeck, note: Note) -> dict:
    return {
        "deckName": note.deck,
        "modelName": note.notetype,
        "fields": built.field_map(note),
        "tags": list(note.tags),
        # Two questions may share a first field; identity is the key field, not the text.
        "options": {"allowDuplicate": True},
    }


def _update_steps(built: AnkiDeck, update) -> list[Step]:
    actions = []
    if update.fields:
        wanted = built.field_map(update.note)
        actions.append(Action("updateNoteFields",
                              {"note": {"id": update.note_id,
                                        "fields": {name: wanted[name] for name in update.fields}}}))
    if update.add_tags:
        actions.append(Action("addTags", {"notes": [update.note_id], "tags": " ".join(update.add_tags)}))
    if update.remove_tags:
        actions.append(Action("removeTags",
                              {"notes": [update.note_id], "tags": " ".join(update.remove_tags)}))
    return [Step(a, update.note.guid if i == len(actions) - 1 else None) for i, a in enumerate(actions)]


def _moves_by_deck(plan: Plan) -> dict[str, list[int]]:
    moves: dict[str, list[int]] = {}
    for move in plan.move:
        moves.setdefault(move.note.deck, []).extend(move.card_ids)
    return moves
