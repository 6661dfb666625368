"""`studypack push` against an AnkiConnect-compatible server over a real Anki collection."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from anki_client import answer_first_card, import_apkg, open_collection, review_count
from ankiconnect_server import AnkiConnectServer
from click.testing import CliRunner

from exporter.backends import BuildOptions
from exporter.backends.anki import anki_deck, render
from exporter.build import make_context
from exporter.cli import main
from exporter.sinks import state
from exporter.sinks.ankiconnect import AnkiConnect
from exporter.sinks.plan import make_plan
from exporter.sinks.remote import read_collection
from exporter.sinks.report import plan_lines
from exporter.validate import load_deck

FIXTURES = Path(__file__).parent / "fixtures"
TOPICS = [("basics", "Basics"), ("advanced", "Advanced Topics"), ("extra", "Extras")]
NOTHING = "nothing to do: Anki already matches the source"  # the whole output of a push with nothing to do


# --- fixtures and helpers ---------------------------------------------------------------------

@pytest.fixture
def server(tmp_path: Path):
    col = open_collection(tmp_path / "anki")
    running = AnkiConnectServer(col).start()
    yield running
    running.stop()
    col.close()


def question(i: int, topic: str = "basics", text: str | None = None, **extra) -> dict:
    return {"id": f"q{i:02d}", "topic": topic, "question": text or f"What is *item* {i}?",
            "answer": f"It is **answer {i}**.", "details": f"- point `{i}`\n- second point\n",
            "tags": ["generated"], "difficulty": ("easy", "medium", "hard")[i % 3], **extra}


def write_source(folder: Path, questions: list[dict], topics=TOPICS, title: str = "Push Deck") -> Path:
    (folder / "media").mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "media" / "diagram.png", folder / "media" / "diagram.png")
    document = {
        "schema": 1,
        "deck": {"id": "push-deck", "title": title, "description": "A deck for push tests."},
        "topics": [{"id": t, "title": name} for t, name in topics],
        "questions": questions,
    }
    path = folder / "questions.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def first_questions() -> list[dict]:
    questions = [question(i, TOPICS[i % 3][0]) for i in range(6)]
    questions[4]["details"] += "\n![diagram](media/diagram.png)\n"
    return questions


def push(source: Path, server: AnkiConnectServer, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["push", str(source), "--url", server.url, *args], input=input)


def built(source: Path, templates: Path | None = None):
    deck, diagnostics = load_deck(source)
    assert deck is not None, diagnostics
    return anki_deck(deck, make_context(deck, source, BuildOptions(templates_dir=templates)))


def collection_notes(col) -> dict[str, dict]:
    """Every note by its Id field, as a user would inspect it in Anki's browser."""
    result = {}
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        cards = note.cards()
        assert note["Id"] not in result, f"duplicate note {note['Id']}"
        result[note["Id"]] = {
            "id": note_id, "guid": note.guid, "notetype": note.note_type()["name"],
            "fields": dict(note.items()), "tags": sorted(note.tags),
            "decks": sorted({col.decks.name(c.did) for c in cards}),
            "suspended": all(c.queue == -1 for c in cards),
        }
    return result


def assert_matches(col, anki, removed: tuple[str, ...] = ()) -> None:
    """The collection holds exactly the built notes (plus `removed` ones kept), note type and media."""
    notes = collection_notes(col)
    assert set(notes) == {n.key for n in anki.notes} | set(removed)
    for note in anki.notes:
        present = notes[note.key]
        assert present["fields"] == anki.field_map(note)
        assert set(note.tags) <= set(present["tags"])
        assert present["decks"] == [note.deck]
        assert present["notetype"] == note.notetype
    for notetype in anki.notetypes:
        model = col.models.by_name(notetype.name)
        assert model["css"] == notetype.css
        assert [(t["name"], t["qfmt"], t["afmt"]) for t in model["tmpls"]] == [
            (t.name, t.front, t.back) for t in notetype.templates]
        assert [f["name"] for f in model["flds"]] == list(notetype.fields)
    for deck in anki.decks:
        assert col.decks.by_name(deck.name) is not None
    for media in anki.media:
        assert (Path(col.media.dir()) / media.name).read_bytes() == media.data


def current_plan(source: Path, server: AnkiConnectServer, templates: Path | None = None, **options):
    anki = built(source, templates)
    client = AnkiConnect(server.url)
    return make_plan(anki, read_collection(client, anki), state.load(state.path_for(source)), **options)


# --- first push, second push -------------------------------------------------------------------

def test_first_push_fills_an_empty_collection(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    result = push(source, server)
    assert result.exit_code == 0, result.output
    assert "pushed:" in result.stdout and "6 added" in result.stdout
    assert_matches(server.col, built(source))
    # Every card in its sub-deck, new cards in study order (the order notes were added).
    assert server.col.decks.by_name("Push Deck::02 Advanced Topics") is not None
    assert state.path_for(source).is_file()


def test_a_second_push_has_nothing_to_do_and_writes_nothing(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    assert push(source, server).exit_code == 0
    writes = server.writes
    result = push(source, server)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == NOTHING
    assert server.writes == writes
    dry = push(source, server, "--dry-run")
    assert (dry.stdout, dry.stderr.strip()) == ("", NOTHING)


def test_requests_are_batched(server, tmp_path: Path):
    source = write_source(tmp_path / "src", [question(i, TOPICS[i % 3][0]) for i in range(120)])
    assert push(source, server).exit_code == 0
    # version, the read (a handful of multis), then one multi for all 120 notes and the decks.
    assert len(server.requests) <= 10
    assert len(collection_notes(server.col)) == 120


# --- editing the source ------------------------------------------------------------------------

def edit_source(tmp_path: Path) -> tuple[Path, Path]:
    """Change a text, add a question, remove one, rename a topic, change the CSS."""
    questions = first_questions()
    questions[1]["answer"] = "A **new** answer."
    questions[1]["tags"] = ["generated", "edited"]
    del questions[2]  # q02
    questions.append(question(9, "extra", "A brand new question?"))
    topics = [TOPICS[0], ("advanced", "Advanced, renamed"), TOPICS[2]]
    source = write_source(tmp_path / "src", questions, topics)
    templates = tmp_path / "templates"
    (templates / "anki").mkdir(parents=True, exist_ok=True)
    css = (Path(__file__).parent.parent / "templates" / "anki" / "style.css").read_text(encoding="utf-8")
    (templates / "anki" / "style.css").write_text(css + "\n.card { letter-spacing: 0.01em; }\n")
    return source, templates


def test_edited_source_is_pushed_in_place_keeping_review_history(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    assert push(source, server).exit_code == 0
    col = server.col
    reviewed = answer_first_card(col, "Push Deck::02 Advanced Topics")  # q01's card
    assert col.get_note(reviewed.nid)["Id"] == "q01"
    history = review_count(col, reviewed.id)
    assert history == 1
    before = collection_notes(col)

    source, templates = edit_source(tmp_path)
    predicted = current_plan(source, server, templates)
    dry = push(source, server, "--templates", str(templates), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.splitlines() == plan_lines(predicted)
    assert collection_notes(col) == before  # a dry run changes nothing

    result = push(source, server, "--templates", str(templates))
    assert result.exit_code == 0, result.output
    after = collection_notes(col)

    # The collection matches the source; q02 was removed from it and is kept (no --prune).
    assert_matches(col, built(source, templates), removed=("q02",))
    assert "removed           q02" in result.stdout
    # The dry run predicted exactly what happened.
    assert {n.key for n in predicted.add} == set(after) - set(before) == {"q09"}
    changed = {k: sorted(f for f in after[k]["fields"] if after[k]["fields"][f] != before[k]["fields"][f])
               for k in before if k in after and after[k]["fields"] != before[k]["fields"]}
    assert {u.note.key: sorted(u.fields) for u in predicted.update} == changed
    assert changed == {"q01": ["Answer", "Topic"], "q04": ["Topic"]}  # the topic's title is a field
    moved = {k for k in before if after[k]["decks"] != before[k]["decks"]}
    assert {m.note.key for m in predicted.move} == moved == {"q01", "q04"}
    assert [u.notetype.name for u in predicted.update_notetypes if u.css] == ["studypack Q&A v1 (push-deck)"]
    assert predicted.create_decks == ("Push Deck::02 Advanced, renamed",)
    assert [r.key for r in predicted.removed] == ["q02"]
    # Updated in place: the same notes, the reviewed card keeps its history and schedule.
    assert all(after[k]["id"] == before[k]["id"] and after[k]["guid"] == before[k]["guid"] for k in before)
    card = col.get_card(reviewed.id)
    assert review_count(col, reviewed.id) == history
    assert (card.type, card.queue, card.due, card.ivl) == (reviewed.type, reviewed.queue, reviewed.due,
                                                          reviewed.ivl)
    assert col.decks.name(card.did) == "Push Deck::02 Advanced, renamed"
    assert "edited" in after["q01"]["tags"]
    # And once more: nothing left to do.
    again = push(source, server, "--templates", str(templates))
    assert again.stdout.splitlines() == [
        "removed           q02: kept in Anki (--prune suspend|delete)",
        f"{NOTHING}; 1 removed from the source but kept in Anki (--prune suspend|delete)"], again.output


def test_cards_in_a_custom_study_session_are_left_there(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    assert push(source, server).exit_code == 0
    col = server.col
    session = col.sched.get_or_create_filtered_deck(deck_id=0)
    session.name, session.config.search_terms[0].search = "Cram", '"deck:Push Deck::01 Basics"'
    col.sched.add_or_update_filtered_deck(session)
    assert collection_notes(col)["q00"]["decks"] == ["Cram"]
    assert push(source, server).stdout.strip() == NOTHING
    assert collection_notes(col)["q00"]["decks"] == ["Cram"]


def test_a_changed_image_is_uploaded_again(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    assert push(source, server).exit_code == 0
    image = tmp_path / "src" / "media" / "diagram.png"
    image.write_bytes(image.read_bytes() + b"\0")  # still a PNG to a viewer; different bytes
    assert [m.name for m in current_plan(source, server).media] == ["diagram.png"]
    result = push(source, server)
    assert result.stdout.strip() == "pushed: 1 media file uploaded; 6 unchanged", result.output
    assert (Path(server.col.media.dir()) / "diagram.png").read_bytes() == image.read_bytes()
    assert push(source, server).stdout.strip() == NOTHING


def test_decomposed_unicode_is_not_a_change_forever(server, tmp_path: Path):
    # Anki stores note text in NFC; the source may hold a decomposed "é" (e + U+0301).
    questions = first_questions()
    questions[0]["question"] = "Caf\u0065\u0301 au lait?"
    source = write_source(tmp_path / "src", questions)
    assert push(source, server).exit_code == 0
    assert collection_notes(server.col)["q00"]["fields"]["Question"] == "Caf\u00e9 au lait?"
    result = push(source, server)
    assert result.stdout.strip() == NOTHING, result.output


def test_tags_a_user_added_in_anki_survive_a_push(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    assert push(source, server).exit_code == 0
    note_id = collection_notes(server.col)["q00"]["id"]
    server.col.tags.bulk_add([note_id], "my-own-tag")
    questions = first_questions()
    questions[0]["tags"] = ["renamed-tag"]
    source = write_source(tmp_path / "src", questions)
    assert push(source, server).exit_code == 0
    tags = collection_notes(server.col)["q00"]["tags"]
    assert "my-own-tag" in tags and "renamed-tag" in tags and "generated" not in tags


# --- an .apkg first ----------------------------------------------------------------------------

def test_a_deck_imported_from_the_apkg_is_pushed_without_duplicates(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    deck, _ = load_deck(source)
    context = replace(make_context(deck, source), timestamp=1_700_000_000)
    import_apkg(server.col, render(deck, context), tmp_path)
    imported = collection_notes(server.col)

    result = push(source, server)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == NOTHING  # the .apkg holds exactly what push would write

    source, _ = edit_source(tmp_path)
    result = push(source, server)
    assert result.exit_code == 0, result.output
    after = collection_notes(server.col)
    assert_matches(server.col, built(source), removed=("q02",))
    # The imported notes were updated, not copied: same ids, same GUIDs as the .apkg's.
    assert all(after[k]["guid"] == imported[k]["guid"] and after[k]["id"] == imported[k]["id"]
               for k in imported)
    assert after["q01"]["fields"]["Answer"] != imported["q01"]["fields"]["Answer"]


# --- removed questions -------------------------------------------------------------------------

def test_prune_suspend_then_delete(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    assert push(source, server).exit_code == 0
    source = write_source(tmp_path / "src", first_questions()[:4])  # q04 and q05 removed

    kept = push(source, server)
    assert "2 removed from the source but kept in Anki" in kept.stdout
    assert not collection_notes(server.col)["q04"]["suspended"]

    suspended = push(source, server, "--prune", "suspend")
    assert suspended.exit_code == 0, suspended.output
    assert "2 suspended" in suspended.stdout
    notes = collection_notes(server.col)
    assert notes["q04"]["suspended"] and notes["q05"]["suspended"] and not notes["q03"]["suspended"]
    assert push(source, server, "--prune", "suspend").stdout.splitlines()[-1] == NOTHING

    refused = push(source, server, "--prune", "delete")  # stdin is not a terminal: no --yes, no deletion
    assert refused.exit_code == 1
    assert "Delete 2 notes" in refused.stderr and "--yes" in refused.stderr
    assert {"q04", "q05"} <= set(collection_notes(server.col))

    deleted = push(source, server, "--prune", "delete", "--yes")
    assert deleted.exit_code == 0, deleted.output
    assert "2 deleted" in deleted.stdout
    assert set(collection_notes(server.col)) == {"q00", "q01", "q02", "q03"}
    assert push(source, server, "--prune", "delete").stdout.strip() == NOTHING


# --- notes edited in Anki ----------------------------------------------------------------------

def test_notes_edited_in_anki_are_reported_not_overwritten_unless_forced(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    assert push(source, server).exit_code == 0
    note = server.col.get_note(collection_notes(server.col)["q03"]["id"])
    note["Answer"] = "My own better answer."
    server.col.update_note(note)

    result = push(source, server)
    assert result.exit_code == 0, result.output
    assert "edited in Anki    q03: Answer differ" in result.stdout
    assert "1 edited in Anki and left as they are" in result.stdout
    assert collection_notes(server.col)["q03"]["fields"]["Answer"] == "My own better answer."

    forced = push(source, server, "--force")
    assert forced.exit_code == 0, forced.output
    assert_matches(server.col, built(source))
    assert push(source, server).stdout.strip() == NOTHING


# --- errors ------------------------------------------------------------------------------------

def test_unreachable_anki_is_a_clear_error(tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    result = CliRunner().invoke(main, ["push", str(source), "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "cannot reach AnkiConnect at http://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.output


def test_api_key_is_sent_and_a_refusal_is_explained(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    server.api_key = "s3cret"
    refused = push(source, server)
    assert refused.exit_code == 1
    assert "refused the request (valid api key must be provided)" in refused.stderr
    assert "--api-key" in refused.stderr
    wrong = push(source, server, "--api-key", "guess")
    assert wrong.exit_code == 1
    accepted = push(source, server, "--api-key", "s3cret")
    assert accepted.exit_code == 0, accepted.output
    assert_matches(server.col, built(source))


def test_an_old_ankiconnect_is_refused(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    server.version = 5
    result = push(source, server)
    assert result.exit_code == 1
    assert "speaks API version 5; studypack needs version 6" in result.stderr
    assert server.writes == 0


def test_invalid_source_is_reported_before_anki_is_asked(server, tmp_path: Path):
    questions = first_questions()
    questions[0]["topic"] = "nowhere"
    source = write_source(tmp_path / "src", questions)
    result = push(source, server)
    assert result.exit_code == 1
    assert "questions.yaml:" in result.stderr and "error:" in result.stderr
    assert server.requests == []


def test_a_push_that_fails_half_way_is_finished_by_the_next(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    server.fail_after_writes = 7  # the note type, 4 decks, the image, then one note
    failed = push(source, server)
    assert failed.exit_code == 1
    assert "simulated failure in addNote" in failed.stderr
    assert "push again to finish" in failed.stderr
    assert len(collection_notes(server.col)) == 1

    server.fail_after_writes = None
    finished = push(source, server)
    assert finished.exit_code == 0, finished.output
    assert "5 added" in finished.stdout
    assert_matches(server.col, built(source))

    # Half an update: the notes already written are not mistaken for edits made in Anki.
    questions = first_questions()
    for q in questions:
        q["answer"] += " (v2)"
    source = write_source(tmp_path / "src", questions)
    server.fail_after_writes = server.writes + 3
    assert push(source, server).exit_code == 1
    server.fail_after_writes = None
    finished = push(source, server)
    assert finished.exit_code == 0, finished.output
    assert "edited in Anki" not in finished.stdout
    assert "3 updated" in finished.stdout
    assert_matches(server.col, built(source))
    assert push(source, server).stdout.strip() == NOTHING


def test_a_foreign_note_type_of_the_same_name_is_not_reshaped(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    models = server.col.models
    foreign = models.new(built(source).notetypes[0].name)
    for name in ("Front", "Back"):
        models.add_field(foreign, models.new_field(name))
    template = models.new_template("Card 1")
    template["qfmt"], template["afmt"] = "{{Front}}", "{{Back}}"
    models.add_template(foreign, template)
    models.add(foreign)
    result = push(source, server)
    assert result.exit_code == 1
    assert "in Anki has the fields Front, Back; studypack writes Question, Answer" in result.stderr
    assert server.writes == 0


def test_a_second_copy_of_a_note_counts_as_removed(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    assert push(source, server).exit_code == 0
    original = server.col.get_note(collection_notes(server.col)["q03"]["id"])
    copy = server.col.new_note(original.note_type())
    copy.fields = list(original.fields)
    server.col.add_note(copy, server.col.decks.id("Push Deck::01 Basics"))
    plan = current_plan(source, server, prune="delete")
    assert [(r.note_id, r.key) for r in plan.removed] == [(copy.id, "q03")]
    assert not plan.update and not plan.add
    result = push(source, server, "--prune", "delete", "--yes")
    assert result.exit_code == 0, result.output
    assert collection_notes(server.col)["q03"]["id"] == original.id


def test_dry_run_of_a_deletion_asks_nothing_and_deletes_nothing(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    assert push(source, server).exit_code == 0
    source = write_source(tmp_path / "src", first_questions()[:5])
    dry = push(source, server, "--prune", "delete", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.splitlines() == ["removed           q05: note deleted"]
    assert dry.stderr.strip() == "would push: 1 deleted; 5 unchanged"
    assert "q05" in collection_notes(server.col)


def test_a_flat_push_moves_every_card_into_the_top_deck(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    assert push(source, server).exit_code == 0
    result = push(source, server, "--anki-flat")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "pushed: 6 moved; 0 unchanged"  # fields and tags stay as they were
    assert {tuple(n["decks"]) for n in collection_notes(server.col).values()} == {("Push Deck",)}


def test_a_renamed_note_type_is_named_not_duplicated(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    deck, _ = load_deck(source)
    context = replace(make_context(deck, source), timestamp=1_700_000_000)
    import_apkg(server.col, render(deck, context), tmp_path)
    model = server.col.models.by_name("studypack Q&A v1 (push-deck)")
    model["name"] = "My interview cards"
    server.col.models.update_dict(model)
    result = push(source, server)
    assert result.exit_code == 1
    assert "is called 'My interview cards' in Anki: rename it back" in result.stderr
    assert server.writes == 0


def test_a_server_that_is_not_ankiconnect_is_named(tmp_path: Path):
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from threading import Thread

    class Page(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>hello</html>")

        def log_message(self, *args):
            pass

    http = HTTPServer(("127.0.0.1", 0), Page)
    Thread(target=http.serve_forever, daemon=True).start()
    try:
        source = write_source(tmp_path / "src", first_questions())
        url = f"http://127.0.0.1:{http.server_address[1]}"
        result = CliRunner().invoke(main, ["push", str(source), "--url", url])
    finally:
        http.shutdown()
        http.server_close()
    assert result.exit_code == 1
    assert f"{url} did not answer with JSON: is it AnkiConnect?" in result.stderr


def test_an_unwritable_record_is_a_warning(server, tmp_path: Path):
    source = write_source(tmp_path / "src", first_questions())
    state.path_for(source).mkdir()  # a folder where the record file should go: cannot be replaced
    result = push(source, server)
    assert result.exit_code == 0, result.output
    assert "warning: cannot write" in result.stderr
    assert_matches(server.col, built(source))


# --- the plan alone: a pure function of the built deck, the collection and the record ----------

def small_deck():
    from exporter.backends.anki.structure import AnkiDeck, AnkiDeckInfo, CardTemplate, Note, NoteType

    notetype = NoteType(1 << 30, "T", ("Front", "Id"), (CardTemplate("c", "{{Front}}", "{{Id}}"),), "css",
                        key_field="Id")
    note = Note("guid-a", "a", "T", ("new text", "a"), ("topic::x",), "D")
    return AnkiDeck((notetype,), (AnkiDeckInfo(1, "D"),), (note,), ())


def remote_with(front: str, tags=("topic::x",)):
    from exporter.sinks.plan import CollectionState, RemoteCard, RemoteNote, RemoteNoteType

    notetype = RemoteNoteType("T", ("Front", "Id"), {"c": ("{{Front}}", "{{Id}}")}, "css")
    note = RemoteNote(7, "T", {"Front": front, "Id": "a"}, tags, (RemoteCard(70, "D", False),))
    return CollectionState({"T": notetype}, frozenset({"D"}), (note,), {})


@pytest.mark.parametrize(("record_of", "force", "outcome"), [
    (None, False, "update"),          # no record (an .apkg import): the source wins
    ("old text", False, "update"),    # Anki holds what the last push wrote: the source changed
    ("other", False, "edited"),       # Anki holds something else: edited there, left alone
    ("other", True, "update"),        # ... unless forced
])
def test_plan_tells_a_source_change_from_an_edit_in_anki(record_of, force, outcome):
    from exporter.sinks.plan import PushedNote, fields_hash

    pushed = {} if record_of is None else {"guid-a": PushedNote(fields_hash([record_of, "a"]), ("topic::x",))}
    plan = make_plan(small_deck(), remote_with("old text"), pushed, force=force)
    assert [u.fields for u in getattr(plan, outcome)] == [("Front",)]
    assert not (plan.edited if outcome == "update" else plan.update)
    assert plan.is_empty == (outcome == "edited")
    # The record keeps the last push's entry for a note left alone, so it stays "edited".
    expected = pushed["guid-a"] if outcome == "edited" else PushedNote(fields_hash(["new text", "a"]),
                                                                       ("topic::x",))
    assert plan.pushed == {"guid-a": expected}


def test_plan_only_takes_away_tags_studypack_wrote():
    from exporter.sinks.plan import PushedNote, fields_hash

    remote = remote_with("new text", tags=("topic::old", "leech", "mine"))
    unrecorded = make_plan(small_deck(), remote, {})
    assert [(u.add_tags, u.remove_tags) for u in unrecorded.update] == [(("topic::x",), ("topic::old",))]
    recorded = make_plan(small_deck(), remote,
                         {"guid-a": PushedNote(fields_hash(["new text", "a"]), ("topic::old", "mine"))})
    assert [(u.add_tags, u.remove_tags) for u in recorded.update] == [(("topic::x",), ("topic::old", "mine"))]
