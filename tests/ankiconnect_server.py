"""An AnkiConnect-compatible HTTP server over a real `anki` collection, for push's tests.

It speaks AnkiConnect's documented protocol (API version 6: POST a JSON object with
`action`, `version`, `params` and an optional `key`; the answer is
`{"result": ..., "error": ...}`, `multi` answers one such object per sub-action) and
implements exactly the actions studypack uses, the way the add-on does with Anki's own
collection methods. Faults can be injected: a refused key, an old version, a failure
after N writes.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from anki.collection import Collection

WRITE_ACTIONS = frozenset({
    "createModel", "updateModelTemplates", "updateModelStyling", "createDeck", "storeMediaFile",
    "addNote", "updateNoteFields", "addTags", "removeTags", "changeDeck", "suspend", "deleteNotes",
})


class AnkiConnectServer:
    def __init__(self, col: Collection, api_key: str | None = None, version: int = 6):
        self.col = col
        self.api_key = api_key
        self.version = version
        self.fail_after_writes: int | None = None  # None: never fail; N: the (N+1)th write fails
        self.writes = 0
        self.requests: list[dict] = []  # every top-level request, for tests that count round trips
        self.busy_seconds = 0.0  # time spent answering, i.e. inside Anki, for the benchmark
        self.lock = threading.Lock()
        self._http = HTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> AnkiConnectServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    # --- the protocol ---

    def handle(self, request: dict) -> Any:
        name = request.get("action", "")
        version = request.get("version", 4)
        try:
            if self.api_key is not None and request.get("key") != self.api_key:
                raise Exception("valid api key must be provided")
            method = getattr(self, f"act_{name}", None)
            if method is None:
                raise Exception("unsupported action")
            result = method(**request.get("params", {}))
            reply = {"result": result, "error": None}
        except Exception as exc:  # the add-on turns every exception into the error field
            reply = {"result": None, "error": str(exc)}
        return reply if version > 4 else reply["result"]

    def act_multi(self, actions: list[dict]) -> list:
        return [self.handle(action) for action in actions]

    def _write(self, name: str) -> None:
        if self.fail_after_writes is not None and self.writes >= self.fail_after_writes:
            raise Exception(f"simulated failure in {name}: the collection is not available")
        self.writes += 1

    # --- read actions ---

    def act_version(self) -> int:
        return self.version

    def act_deckNames(self) -> list[str]:
        return [d.name for d in self.col.decks.all_names_and_ids()]

    def act_modelNamesAndIds(self) -> dict[str, int]:
        return {m.name: m.id for m in self.col.models.all_names_and_ids()}

    def act_modelFieldNames(self, modelName: str) -> list[str]:
        return self.col.models.field_names(self._model(modelName))

    def act_modelTemplates(self, modelName: str) -> dict:
        return {t["name"]: {"Front": t["qfmt"], "Back": t["afmt"]} for t in self._model(modelName)["tmpls"]}

    def act_modelStyling(self, modelName: str) -> dict:
        return {"css": self._model(modelName)["css"]}

    def act_findNotes(self, query: str | None = None) -> list[int]:
        return [] if query is None else [int(n) for n in self.col.find_notes(query)]

    def act_notesInfo(self, notes: list[int]) -> list[dict]:
        result = []
        for note_id in notes:
            try:
                note = self.col.get_note(note_id)
            except Exception:
                result.append({})
                continue
            model = note.note_type()
            result.append({
                "noteId": note.id,
                "tags": list(note.tags),
                "fields": {f["name"]: {"value": note.fields[f["ord"]], "order": f["ord"]}
                           for f in model["flds"]},
                "modelName": model["name"],
                "mod": note.mod,
                "cards": self.col.db.list("select id from cards where nid = ? order by ord", note.id),
            })
        return result

    def act_getDecks(self, cards: list[int]) -> dict[str, list[int]]:
        decks: dict[str, list[int]] = {}
        for card_id in cards:
            did = self.col.db.scalar("select did from cards where id = ?", card_id)
            decks.setdefault(self.col.decks.name(did), []).append(card_id)
        return decks

    def act_areSuspended(self, cards: list[int]) -> list[bool | None]:
        queues = [self.col.db.scalar("select queue from cards where id = ?", c) for c in cards]
        return [None if q is None else q == -1 for q in queues]

    def act_getDeckConfig(self, deck: str) -> dict | bool:
        if deck not in self.act_deckNames():
            return False
        found = self.col.decks.by_name(deck)
        # Like the add-on's decks.confForDid: a filtered deck has no preset and answers itself.
        return found if found.get("dyn") else self.col.decks.config_dict_for_deck_id(found["id"])

    def act_retrieveMediaFile(self, filename: str) -> str | bool:
        path = f"{self.col.media.dir()}/{filename}"
        try:
            with open(path, "rb") as handle:
                return base64.b64encode(handle.read()).decode("ascii")
        except FileNotFoundError:
            return False

    # --- write actions ---

    def act_createModel(self, modelName: str, inOrderFields: list[str], cardTemplates: list[dict],
                        css: str | None = None, isCloze: bool = False) -> dict:
        self._write("createModel")
        models = self.col.models
        if models.by_name(modelName):
            raise Exception(f"Model name already exists: {modelName}")
        model = models.new(modelName)
        if isCloze:
            model["type"] = 1
        for name in inOrderFields:
            models.add_field(model, models.new_field(name))
        if css is not None:
            model["css"] = css
        for i, spec in enumerate(cardTemplates):
            template = models.new_template(spec.get("Name", f"Card {i + 1}"))
            template["qfmt"], template["afmt"] = spec["Front"], spec["Back"]
            models.add_template(model, template)
        models.add(model)
        return models.by_name(modelName)

    def act_updateModelTemplates(self, model: dict) -> None:
        self._write("updateModelTemplates")
        existing = self._model(model["name"])
        for template in existing["tmpls"]:
            sides = model["templates"].get(template["name"], {})
            template["qfmt"] = sides.get("Front", template["qfmt"])
            template["afmt"] = sides.get("Back", template["afmt"])
        self.col.models.update_dict(existing)

    def act_updateModelStyling(self, model: dict) -> None:
        self._write("updateModelStyling")
        existing = self._model(model["name"])
        existing["css"] = model["css"]
        self.col.models.update_dict(existing)

    def act_createDeck(self, deck: str) -> int:
        self._write("createDeck")
        return self.col.decks.id(deck)

    def act_storeMediaFile(self, filename: str, data: str, deleteExisting: bool = True) -> str:
        self._write("storeMediaFile")
        if deleteExisting:  # otherwise Anki would store different bytes under a new name
            self.col.media.trash_files([filename])
        return self.col.media.write_data(filename, base64.b64decode(data))

    def act_addNote(self, note: dict) -> int:
        self._write("addNote")
        model = self._model(note["modelName"])
        deck = self.col.decks.by_name(note["deckName"])
        if deck is None:
            raise Exception(f"deck was not found: {note['deckName']}")
        anki_note = self.col.new_note(model)
        for name, value in note["fields"].items():
            anki_note[name] = value
        anki_note.tags = list(note.get("tags", []))
        if not note.get("options", {}).get("allowDuplicate") and anki_note.fields_check() != 0:
            raise Exception("cannot create note because it is a duplicate")
        self.col.add_note(anki_note, deck["id"])
        return anki_note.id

    def act_updateNoteFields(self, note: dict) -> None:
        self._write("updateNoteFields")
        anki_note = self.col.get_note(note["id"])
        for name, value in note["fields"].items():
            if name in anki_note:
                anki_note[name] = value
        self.col.update_note(anki_note)

    def act_addTags(self, notes: list[int], tags: str) -> None:
        self._write("addTags")
        self.col.tags.bulk_add(notes, tags)

    def act_removeTags(self, notes: list[int], tags: str) -> None:
        self._write("removeTags")
        self.col.tags.bulk_remove(notes, tags)

    def act_changeDeck(self, cards: list[int], deck: str) -> None:
        self._write("changeDeck")
        self.col.set_deck(cards, self.col.decks.id(deck))

    def act_suspend(self, cards: list[int]) -> bool:
        self._write("suspend")
        unsuspended = [c for c in cards if not self.act_areSuspended([c])[0]]
        if not unsuspended:
            return False
        self.col.sched.suspend_cards(unsuspended)
        return True

    def act_deleteNotes(self, notes: list[int]) -> None:
        self._write("deleteNotes")
        self.col.remove_notes(notes)

    def _model(self, name: str) -> dict:
        model = self.col.models.by_name(name)
        if model is None:
            raise Exception(f"model was not found: {name}")
        return model


def _handler_class(server: AnkiConnectServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                request = json.loads(body)
            except ValueError:
                reply: Any = None
            else:
                with server.lock:
                    start = time.perf_counter()
                    server.requests.append(request)
                    reply = server.handle(request)
                    server.busy_seconds += time.perf_counter() - start
            data = json.dumps(reply).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:  # keep pytest's output clean
            pass

    return Handler
