"""The Anki backend, checked through the official Anki client: import, study order, updates."""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from anki_client import (
    answer_first_card,
    import_apkg,
    notes,
    open_collection,
    queued_new_cards,
    review_count,
)

from exporter.backends import BuildContext, BuildOptions
from exporter.backends.anki import flat_media_names, render, study_order, subdeck_name
from exporter.backends.anki.fields import inline_html
from exporter.backends.anki.ids import ID_MAX, ID_MIN, note_guid, stable_id
from exporter.build import make_context
from exporter.model import Deck
from exporter.validate import load_deck

FIXTURES = Path(__file__).parent / "fixtures"
CONTENT = Path(__file__).parent.parent / "content" / "questions.yaml"
T0 = 1_700_000_000  # Anki rejects ids (derived from this) that lie in the future
NEW_CARDS_PER_DAY = 20  # Anki's default daily limit of new cards
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


# --- building ---------------------------------------------------------------------------------

def build(source: Path, timestamp: int = T0, flat: bool = False) -> tuple[Deck, BuildContext, bytes]:
    deck, diagnostics = load_deck(source)
    assert deck is not None, diagnostics
    context = make_context(deck, source, BuildOptions(anki_flat=flat))
    context = replace(context, timestamp=timestamp, times=None)  # the test's time for every part
    return deck, context, render(deck, context)


def field_html(deck: Deck, context: BuildContext, question_id: str, field: str) -> str:
    """The HTML the backend writes for a one-line field, from the same tree."""
    tree = getattr(context.markup[question_id], field)
    return inline_html(tree, flat_media_names(deck.media))


def write_big_deck(folder: Path, count: int = 30, edited: tuple[int, ...] = ()) -> Path:
    """A deck with every field filled, interleaved topics whose titles are NOT in
    alphabetical order, and one image."""
    (folder / "media").mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "media" / "diagram.png", folder / "media" / "diagram.png")
    topics = [("zeta", "Zeta comes first"), ("alpha", "Alpha comes second"), ("mid", "Middle")]
    questions = []
    for i in range(count):
        prefix = "Edited question" if i in edited else "Question"
        questions.append({
            "id": f"q{i:02d}",
            "topic": topics[i % len(topics)][0],
            "question": f"{prefix} {i}: what is *item* {i}?",
            "answer": f"It is **answer {i}**.",
            "details": f"- point `{i}`\n- second point\n\n```python\nx = {i}  # note\n```\n"
            + ("\n![diagram](media/diagram.png)\n" if i == 4 else ""),
            "tags": ["generated", f"group-{i % 2}"],
            "difficulty": ("easy", "medium", "hard")[i % 3],
            "related": [f"q{(i + 1) % count:02d}"],
        })
    document = {
        "schema": 1,
        "deck": {"id": "big-deck", "title": "Big Deck", "description": "Thirty questions.",
                 "author": "tests", "version": "1.0"},
        "topics": [{"id": t, "title": title} for t, title in topics],
        "questions": questions,
    }
    path = folder / "questions.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


# The shipped content joins once it exists; the fixtures always run.
SOURCES = ["minimal", "big"] + (["content"] if CONTENT.exists() else [])


@pytest.fixture(params=SOURCES)
def source(request, tmp_path: Path) -> Path:
    if request.param == "big":
        return write_big_deck(tmp_path / "big")
    return {"minimal": FIXTURES / "minimal.yaml", "content": CONTENT}[request.param]


# --- a fresh import ---------------------------------------------------------------------------

def expected_cards(question) -> int:
    """One card a question; two when reversed; one per cloze number."""
    if question.cloze:
        from exporter.cloze import scan

        return len({mark.ordinal for mark in scan(question.cloze)[0]})
    return 2 if question.reverse else 1


def test_fresh_import_has_every_note_field_tag_and_deck(source: Path, tmp_path: Path):
    deck, context, apkg = build(source)
    col = open_collection(tmp_path / "col")
    log = import_apkg(col, apkg, tmp_path)
    imported = notes(col)
    assert (len(log.new), col.note_count()) == (len(deck.questions),) * 2
    assert col.card_count() == sum(expected_cards(q) for q in deck.questions)
    assert set(imported) == {q.id for q in deck.questions}
    expected_decks = {deck.title} | {subdeck_name(deck, i, t) for i, t in enumerate(deck.topics)}
    assert {d.name for d in col.decks.all_names_and_ids()} - {"Default"} == expected_decks
    for i, topic in enumerate(deck.topics):
        for q in deck.questions_in(topic.id):
            note = imported[q.id]
            assert note.deck == subdeck_name(deck, i, topic)
            assert note.guid == note_guid(deck.id, q.id)
            if q.cloze:  # the cloze text, its marks kept for Anki; the answer as the extra
                assert "{{c1::" in note.fields["Text"]
                assert note.fields["Extra"] == field_html(deck, context, q.id, "answer")
            else:
                assert note.fields["Question"] == field_html(deck, context, q.id, "question")
                assert note.fields["Answer"] == field_html(deck, context, q.id, "answer")
            assert note.fields["Id"] == q.id and note.fields["Topic"]
            # optional fields are filled exactly when the source has them
            assert bool(note.fields["Details"]) == bool(q.details)
            assert note.fields["Difficulty"] == (q.difficulty or "")
            assert bool(note.fields["Related"]) == bool(q.related)
            for related in q.related:
                assert field_html(deck, context, related, "question") in note.fields["Related"]
            expected_tags = {*q.tags, f"topic::{q.topic}"}
            expected_tags |= {f"difficulty::{q.difficulty}"} if q.difficulty else set()
            assert set(note.tags) == expected_tags
    col.close()


def test_big_deck_fills_every_field(tmp_path: Path):
    _, _, apkg = build(write_big_deck(tmp_path / "src"))
    col = open_collection(tmp_path / "col")
    import_apkg(col, apkg, tmp_path)
    imported = notes(col)
    assert len(imported) == 30
    assert all(all(value.strip() for value in n.fields.values()) for n in imported.values())
    col.close()


def test_rendered_cards_show_text_and_carry_no_script(source: Path, tmp_path: Path):
    deck, context, apkg = build(source)
    col = open_collection(tmp_path / "col")
    import_apkg(col, apkg, tmp_path)
    by_id = {col.get_note(nid)["Id"]: col.get_note(nid) for nid in col.find_notes("")}
    for q in deck.questions:
        card = by_id[q.id].cards()[0]
        front, back = card.question(), card.answer()
        if q.cloze:  # Anki's cloze machinery hides c1 on the first card; the extra is below
            assert 'class="cloze"' in front and "[...]" in front
            assert ('class="sp-answer"' in back) == bool(q.answer)
            assert field_html(deck, context, q.id, "answer") in back
        else:
            assert field_html(deck, context, q.id, "question") in front
            assert 'class="sp-answer"' not in front and 'class="sp-answer"' in back
            assert field_html(deck, context, q.id, "question") in back
            assert field_html(deck, context, q.id, "answer") in back
        for side in (front, back):
            assert "<script" not in side.lower()
            assert not EVENT_HANDLER.search(side)
            assert "javascript:" not in side.lower()
    col.close()


def test_new_cards_come_in_source_order(source: Path, tmp_path: Path):
    deck, _, apkg = build(source)
    col = open_collection(tmp_path / "col")
    import_apkg(col, apkg, tmp_path)
    queued = queued_new_cards(col, deck.title, limit=NEW_CARDS_PER_DAY)
    # Anki's default order: gather cards deck by deck in due order (every card of a note
    # shares its position), then show them by card type: first cards first, then a
    # reversed or second cloze card, which keeps siblings apart.
    gathered = [(q.id, n) for q in study_order(deck) for n in range(expected_cards(q))][:NEW_CARDS_PER_DAY]
    expected = sorted(gathered, key=lambda card: card[1])
    assert [(card.note()["Id"], card.ord) for card in queued] == expected
    col.close()


def test_big_deck_order_ignores_alphabetical_topic_titles(tmp_path: Path):
    deck, _, apkg = build(write_big_deck(tmp_path / "src"))
    col = open_collection(tmp_path / "col")
    import_apkg(col, apkg, tmp_path)
    first = queued_new_cards(col, deck.title, limit=12)
    # q00, q03, … are in topic "Zeta comes first": ten of them come before any "Alpha".
    assert [c.note()["Id"] for c in first] == [f"q{i:02d}" for i in range(0, 30, 3)] + ["q01", "q04"]
    col.close()


def test_flat_deck_keeps_source_order_in_one_deck(tmp_path: Path):
    deck, _, apkg = build(write_big_deck(tmp_path / "src"), flat=True)
    col = open_collection(tmp_path / "col")
    import_apkg(col, apkg, tmp_path)
    assert {d.name for d in col.decks.all_names_and_ids()} == {"Default", "Big Deck"}
    queued = queued_new_cards(col, "Big Deck", limit=NEW_CARDS_PER_DAY)
    assert [c.note()["Id"] for c in queued] == [q.id for q in study_order(deck)][:NEW_CARDS_PER_DAY]
    col.close()


def test_media_is_packed_and_referenced(tmp_path: Path):
    deck, _, apkg = build(FIXTURES / "minimal.yaml")
    col = open_collection(tmp_path / "col")
    import_apkg(col, apkg, tmp_path)
    media = Path(col.media.dir())
    assert (media / "diagram.png").read_bytes() == (FIXTURES / "media" / "diagram.png").read_bytes()
    note = notes(col)["lists-and-code"]
    assert '<img alt="A small diagram" src="diagram.png">' in note.fields["Details"]
    assert col.media.check().missing == [] and col.media.check().unused == []
    col.close()


def test_note_type_carries_the_template_files(tmp_path: Path):
    _, context, apkg = build(FIXTURES / "minimal.yaml")
    col = open_collection(tmp_path / "col")
    import_apkg(col, apkg, tmp_path)
    notetype = col.models.get(col.get_note(col.find_notes("")[0]).mid)
    folder = context.templates_dir / "anki"
    assert notetype["name"] == "studypack Q&A v1 (minimal-deck)"
    assert [f["name"] for f in notetype["flds"]] == [
        "Question", "Answer", "Details", "Topic", "Difficulty", "Related", "Id"]
    assert notetype["sortf"] == 0
    assert notetype["css"] == (folder / "style.css").read_text(encoding="utf-8")
    assert notetype["tmpls"][0]["qfmt"] == (folder / "front.html").read_text(encoding="utf-8")
    assert notetype["tmpls"][0]["afmt"] == (folder / "back.html").read_text(encoding="utf-8")
    col.close()


# --- updating an existing collection ------------------------------------------------------------

def test_reimport_after_edit_updates_in_place_and_keeps_history(tmp_path: Path):
    src = tmp_path / "src"
    deck, _, first = build(write_big_deck(src))
    col = open_collection(tmp_path / "col")
    import_apkg(col, first, tmp_path)
    studied = answer_first_card(col, deck.title)
    assert studied.note()["Id"] == "q00" and review_count(col, studied.id) == 1

    _, _, second = build(write_big_deck(src, count=31, edited=(0, 7, 20)), timestamp=T0 + 60)
    log = import_apkg(col, second, tmp_path, "second.apkg")
    assert (len(log.new), col.note_count(), col.card_count()) == (1, 31, 31)
    imported = notes(col)
    for i in (0, 7, 20):
        note = imported[f"q{i:02d}"]
        assert note.fields["Question"].startswith(f"Edited question {i}:")
        card = col.get_note(col.find_notes(f"Id:q{i:02d}")[0]).cards()[0]
        assert f"Edited question {i}:" in card.question()
    assert imported["q30"].deck == "Big Deck::01 Zeta comes first"
    kept = col.get_card(studied.id)
    assert review_count(col, kept.id) == 1 and kept.type != 0 and kept.reps == 1
    col.close()


def test_an_older_or_identical_build_changes_nothing(tmp_path: Path):
    src = tmp_path / "src"
    _, _, old = build(write_big_deck(src), timestamp=T0)
    _, _, new = build(write_big_deck(src, edited=(3,)), timestamp=T0 + 60)
    col = open_collection(tmp_path / "col")
    import_apkg(col, new, tmp_path)
    assert len(import_apkg(col, new, tmp_path).updated) == 0
    log = import_apkg(col, old, tmp_path)
    assert (len(log.new), len(log.updated), len(log.duplicate)) == (0, 0, 30)
    assert notes(col)["q03"].fields["Question"].startswith("Edited question 3:")
    col.close()


def test_restyled_templates_update_the_note_type_in_place(tmp_path: Path):
    deck, context, first = build(FIXTURES / "minimal.yaml", timestamp=T0)
    restyled = tmp_path / "templates"
    shutil.copytree(context.templates_dir / "anki", restyled / "anki")
    css = restyled / "anki" / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.sp-question { font-size: 2em; }\n",
                   encoding="utf-8")
    second = render(deck, replace(context, templates_dir=restyled, timestamp=T0 + 60))
    col = open_collection(tmp_path / "col")
    import_apkg(col, first, tmp_path)
    import_apkg(col, second, tmp_path)
    notetypes = [n for n in col.models.all() if n["name"].startswith("studypack")]
    assert len(notetypes) == 1 and notetypes[0]["css"] == css.read_text(encoding="utf-8")
    col.close()


# --- bytes, times and the temporary folder -----------------------------------------------------

def test_two_builds_are_byte_identical_and_leave_no_temp_files(tmp_path: Path, monkeypatch):
    # A private temp folder: other processes writing to /tmp cannot disturb the count.
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    source = write_big_deck(tmp_path / "src")
    _, _, one = build(source)
    _, _, two = build(source)
    assert hashlib.sha256(one).hexdigest() == hashlib.sha256(two).hexdigest()
    assert list(private.iterdir()) == []


def test_zip_entries_are_sorted_deflated_and_dated_from_the_build(tmp_path: Path):
    _, _, apkg = build(FIXTURES / "minimal.yaml", timestamp=T0)
    with zipfile.ZipFile(io.BytesIO(apkg)) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["0", "collection.anki2", "media"]
        assert json.loads(archive.read("media")) == {"0": "diagram.png"}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}
    assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}


def test_every_time_inside_comes_from_the_build_timestamp(tmp_path: Path):
    _, _, apkg = build(write_big_deck(tmp_path / "src"), timestamp=T0 + 5)
    path = tmp_path / "collection.anki2"
    path.write_bytes(zipfile.ZipFile(io.BytesIO(apkg)).read("collection.anki2"))
    db = sqlite3.connect(path)
    stamp = T0 + 5
    assert db.execute("SELECT DISTINCT mod FROM notes").fetchall() == [(stamp,)]
    assert db.execute("SELECT DISTINCT mod FROM cards").fetchall() == [(stamp,)]
    crt, mod, models, decks = db.execute("SELECT crt, mod, models, decks FROM col").fetchone()
    assert (crt, mod) == (stamp, stamp * 1000)
    assert {m["mod"] for m in json.loads(models).values()} == {stamp}
    assert {d["mod"] for d in json.loads(decks).values()} == {stamp}
    # new-card positions follow the study order; ids are creation times up to the build
    dues = [due for (due,) in db.execute("SELECT due FROM cards ORDER BY id")]
    assert dues == list(range(30))
    (highest,) = db.execute("SELECT max(id) FROM cards").fetchone()
    assert stamp * 1000 <= highest < (stamp + 1) * 1000
    db.close()


# --- identities and names -----------------------------------------------------------------------

def test_ids_are_stable_in_range_and_distinct():
    ids = {stable_id("deck", d) for d in ("a", "b", "c")} | {stable_id("deck", "a", "topic", "x")}
    assert len(ids) == 4 and all(ID_MIN <= i < ID_MAX for i in ids)
    assert stable_id("deck", "a") == stable_id("deck", "a")
    assert note_guid("d", "q1") == note_guid("d", "q1") != note_guid("d", "q2")


def test_duplicate_media_basenames_get_distinct_flat_names():
    names = flat_media_names(("a/x.png", "b/x.png", "y.png"))
    assert names["y.png"] == "y.png"
    assert names["a/x.png"] != names["b/x.png"]
    assert all(n.endswith("-x.png") and "/" not in n for n in (names["a/x.png"], names["b/x.png"]))


def test_media_names_anki_could_misread_become_plain_flat_names():
    names = flat_media_names(("m/with space.png", "m/100%.png", "m/a#b.png", "m/é.png", "m/_x.png"))
    for path, name in names.items():
        assert re.fullmatch(r"[0-9a-f]{8}-[A-Za-z0-9.-]+", name), (path, name)
    assert len(set(names.values())) == len(names)


def test_card_style_has_night_mode_scrolling_and_highlight_classes():
    folder = Path(__file__).parent.parent / "templates" / "anki"
    css = (folder / "style.css").read_text(encoding="utf-8")
    for selector in (".card.nightMode", ".night_mode .card", ".highlight .k", ".highlight .nf",
                     ".highlight .c1", ".highlight .s2", ".highlight .mi", ".highlight .nb"):
        assert selector in css
    for element in ("pre", "table"):
        rule = re.search(rf"^{element} {{([^}}]*)}}", css, re.MULTILINE)
        assert rule and "overflow-x: auto" in rule.group(1)
    templates = "".join((folder / n).read_text(encoding="utf-8") for n in ("front.html", "back.html"))
    assert "<script" not in templates and "style=" not in templates
    assert not re.search(r"#[0-9a-f]{3,6}\b", templates)  # colours belong in the CSS


def test_cli_build_writes_the_same_deck_the_backend_renders(tmp_path: Path):
    from click.testing import CliRunner

    from exporter.cli import main

    source = write_big_deck(tmp_path / "src")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["build", str(source), "-o", str(out), "--only", "anki", "--anki-flat"],
        env={"SOURCE_DATE_EPOCH": str(T0)})
    assert result.exit_code == 0, result.output
    _, _, expected = build(source, timestamp=T0, flat=True)
    assert (out / "big-deck.apkg").read_bytes() == expected


# --- the messy corpus through the real client -------------------------------------------------

CORPUS = Path(__file__).parent / "corpus" / "messy.yaml"


@pytest.fixture(scope="module")
def corpus_collection(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    deck, context, apkg = build(CORPUS)
    col = open_collection(folder / "col")
    import_apkg(col, apkg, folder)
    yield deck, context, col
    col.close()


def test_corpus_fields_arrive_as_rendered(corpus_collection):
    deck, context, col = corpus_collection
    imported = notes(col)
    for q in deck.questions:
        for field in ("question", "answer"):
            assert imported[q.id].fields[field.title()] == field_html(deck, context, q.id, field)
    media = Path(col.media.dir())
    assert sorted(p.name for p in media.iterdir()) == sorted(flat_media_names(deck.media).values())
    assert col.media.check().missing == [] and col.media.check().unused == []


def test_anki_markup_in_any_field_shows_as_written_and_does_nothing(corpus_collection):
    deck, _, col = corpus_collection
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        card = note.cards()[0]
        assert card.question_av_tags() == [] and card.answer_av_tags() == []
        for value in note.fields:
            extracted = col._backend.extract_latex(text=value, svg=False, expand_clozes=False)
            assert list(extracted.latex) == [], value
    card = notes_by_id(col)["anki-syntax"].cards()[0]
    shown = html.unescape(re.sub(r"<[^>]+>", "", card.answer()))
    for written in ("[sound:--script=x.lua.mp3]", "{{Front}}", "[$]x[/$]", "[$$]y[/$$]",
                    "[latex]\\input{/etc/passwd}[/latex]", "[sound:code.mp3]", "{{c1::cloze}}"):
        assert written in shown


def test_math_reaches_mathjax_with_its_tex_intact(corpus_collection):
    _, _, col = corpus_collection
    by_id = notes_by_id(col)
    back = by_id["math-inline-dollars"].cards()[0].answer()
    assert r"\(E = mc^2\)" in back and r"\(a_1 * b_1\)" in back
    assert r"\(\{a, b\}\)" in back and r"\(\|v\|_2\)" in back and r"\(x_i^2 + y_{i,j}\)" in back
    details = by_id["math-display-dollars"]["Details"]
    assert r"\[A = \begin{pmatrix} a_{11} &amp; a_{12} \\ a_{21} &amp; a_{22} \end{pmatrix}\]" in details
    assert r"\(\alpha\)" in by_id["math-brackets"]["Question"]
    assert "$5 and $10" in by_id["math-money"]["Question"]
    refused = by_id["math-disallowed-command"]
    assert "<code>$\\href{javascript:alert(1)}{x}$</code>" == re.search(r"<code>.*?</code>",
                                                                       refused["Question"]).group()
    assert "\\style" not in re.sub(r"<code>.*?</code>", "", refused["Details"])


def test_no_card_fetches_anything(corpus_collection):
    _, _, col = corpus_collection
    for note_id in col.find_notes(""):
        card = col.get_note(note_id).cards()[0]
        for side in (card.question(), card.answer()):
            sources = re.findall(r'<img[^>]*\ssrc="([^"]*)"', side)
            assert all(not re.match(r"[a-z]+:|//", s, re.IGNORECASE) for s in sources), sources
            assert not EVENT_HANDLER.search(side) and "<script" not in side.lower()
    remote = notes_by_id(col)["images-remote"]
    assert '<a href="https://example.com/logo.png"' in remote["Question"]


def test_html_and_github_markdown_become_real_elements(corpus_collection):
    _, _, col = corpus_collection
    by_id = notes_by_id(col)
    table = by_id["html-bold-table"]
    assert "<table>" in table["Details"] and "<td><strong>Tree</strong></td>" in table["Details"]
    assert "<sub>sub</sub>" in table["Answer"] and "<kbd>Ctrl</kbd>" in table["Answer"]
    assert "<details>\n<summary>Show the proof</summary>" in by_id["html-details"]["Details"]
    nested = by_id["nested-two-spaces"]["Details"]
    assert nested.count("<ul>") == 3 and nested.count("<ol>") == 1
    assert by_id["fences-indented"]["Details"].count('<div class="highlight">') == 3
    assert '<a href="http://www.example.org"' in by_id["bare-urls-and-breaks"]["Details"]
    assert by_id["images-every-form"]["Details"].count("<img") == 6


def notes_by_id(col):
    return {col.get_note(n)["Id"]: col.get_note(n) for n in col.find_notes("")}
