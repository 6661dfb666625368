"""`studypack import` of Anki packages, read with the real anki package; round trip and review history."""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import replace
from pathlib import Path

import genanki
import yaml
from anki.import_export_pb2 import (
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
    ImportAnkiPackageUpdateCondition,
)
from anki_client import answer_first_card, open_collection, review_count
from click.testing import CliRunner

from exporter.backends import BuildOptions
from exporter.backends.anki import render
from exporter.build import make_context
from exporter.cli import main
from exporter.markup.tree import parser
from exporter.validate import load_deck

ROOT = Path(__file__).parent.parent
PNG = ROOT / "tests" / "fixtures" / "media" / "diagram.png"
T_ORIGINAL = 1_690_000_000
IF_NEWER = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
ALWAYS = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS


def run_import(*args: str) -> tuple[int, str, dict]:
    result = CliRunner().invoke(main, ["import", *args])
    output = Path(args[args.index("-o") + 1])
    document = yaml.safe_load(output.read_text(encoding="utf-8")) if output.exists() else {}
    return result.exit_code, result.output, document


def basic_model(model_id: int = 1_500_000_001, name: str = "Basic (third party)") -> genanki.Model:
    return genanki.Model(model_id, name, fields=[{"name": "Front"}, {"name": "Back"}],
                         templates=[{"name": "Card 1", "qfmt": "{{Front}}",
                                     "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}])


def third_party_apkg(path: Path) -> Path:
    """A shared deck as people build them: nested sub-decks, HTML, MathJax, media, four shapes."""
    reversed_model = genanki.Model(1_500_000_002, "Basic (and reversed card)",
                                   fields=[{"name": "Front"}, {"name": "Back"}],
                                   templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"},
                                              {"name": "Card 2", "qfmt": "{{Back}}", "afmt": "{{Front}}"}])
    custom = genanki.Model(1_500_000_003, "Vocabulary", fields=[
        {"name": "Term"}, {"name": "Definition"}, {"name": "Example"}, {"name": "Source"}],
        templates=[{"name": "Card 1", "qfmt": "{{Term}}", "afmt": "{{Definition}}"}])
    top = genanki.Deck(1_600_000_001, "ML Deck")
    sub = genanki.Deck(1_600_000_002, "ML Deck::Basics")
    nested = genanki.Deck(1_600_000_003, "ML Deck::Basics::Math")
    other = genanki.Deck(1_600_000_004, "ML Deck::Words")
    top.add_note(genanki.Note(basic_model(), ["What is <b>overfitting</b>?",
                 "Fitting noise instead of signal. It shows as a gap between train and test error."],
                 guid="basic-1", tags=["Machine_Learning", "ml::core"]))
    sub.add_note(genanki.Note(reversed_model, ["Bias", "Error from wrong assumptions."], guid="rev-1"))
    nested.add_note(genanki.Note(basic_model(), [
        "Softmax of \\(z_i\\)?", "\\[\\sigma(z)_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}\\]"
        "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>"
        '<img src="plot image.png">'], guid="math-1"))
    nested.add_note(genanki.Note(basic_model(), ["Spans?", "<table><tr><td rowspan=\"2\">x</td>"
                                 "<td>y</td></tr><tr><td>z</td></tr></table>"], guid="span-1"))
    other.add_note(genanki.Note(custom, ["Epoch", "One pass over the data.", "10 epochs", "Book"],
                                guid="vocab-1"))
    other.add_note(genanki.Note(genanki.CLOZE_MODEL, ["{{c1::ReLU}} is max(0, x)", "A default."],
                                guid="cloze-1"))
    package = genanki.Package([top, sub, nested, other])
    package.media_files = [str(_image(path.parent / "plot image.png"))]
    package.write_to_file(str(path), timestamp=T_ORIGINAL)
    return path


def _image(path: Path) -> Path:
    shutil.copy(PNG, path)
    return path


def by_id(document: dict) -> dict[str, dict]:
    return {q["id"]: q for q in document["questions"]}


def test_genanki_package_maps_every_shape_field_by_field(tmp_path):
    apkg = third_party_apkg(tmp_path / "ml.apkg")
    code, output, document = run_import(str(apkg), "-o", str(tmp_path / "out" / "questions.yaml"))
    assert code == 0, output
    assert "6 questions in 4 topics, 1 media files (6 found, 0 skipped)" in output
    assert document["deck"] == {"id": "ml-deck", "title": "ML Deck"}
    assert document["topics"] == [{"id": "ml-deck", "title": "ML Deck"}, {"id": "basics", "title": "Basics"},
                                  {"id": "basics-math", "title": "Basics / Math"},
                                  {"id": "words", "title": "Words"}]
    questions = by_id(document)
    basic = questions["what-is-overfitting"]
    assert basic["question"] == "What is **overfitting**?"
    assert basic["answer"] == "Fitting noise instead of signal."
    assert basic["details"] == "It shows as a gap between train and test error."
    assert basic["tags"] == ["machine-learning", "ml::core"] and basic["anki_guid"] == "basic-1"
    assert "tag 'Machine_Learning' renamed 'machine-learning'" in output
    assert questions["bias"]["reverse"] is True and "reverse" not in basic
    math = questions["softmax-of-z-i"]
    assert math["question"] == "Softmax of $z_i$?"
    assert math["answer"] == "$$ \\sigma(z)_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}} $$"
    assert "| a | b |\n| --- | --- |\n| 1 | 2 |" in math["details"]
    assert "![](media/plot-image.png)" in math["details"]
    assert (tmp_path / "out" / "media" / "plot-image.png").read_bytes() == PNG.read_bytes()
    assert '<td rowspan="2">x</td>' in questions["spans"]["answer"] + questions["spans"].get("details", "")
    vocab = questions["epoch"]
    assert (vocab["answer"], vocab["details"]) == ("One pass over the data.",
                                                   "10 epochs\n\n**Source:** Book")
    cloze = questions["relu-is-max-0-x"]
    assert (cloze["cloze"], cloze["answer"], cloze["anki_guid"]) == ("{{c1::ReLU}} is max(0, x)",
                                                                     "A default.", "cloze-1")
    deck, diagnostics = load_deck(tmp_path / "out" / "questions.yaml")
    assert deck is not None and [d for d in diagnostics if d.is_error] == []


def test_existing_output_needs_force(tmp_path):
    apkg = third_party_apkg(tmp_path / "ml.apkg")
    out = tmp_path / "questions.yaml"
    out.write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(apkg), "-o", str(out)])
    assert result.exit_code == 1 and "already exists; pass --force" in result.output
    assert out.read_text(encoding="utf-8") == "mine"
    assert CliRunner().invoke(main, ["import", str(apkg), "-o", str(out), "--force"]).exit_code == 0


def test_field_map_overrides_names(tmp_path):
    apkg = third_party_apkg(tmp_path / "ml.apkg")
    code, output, document = run_import(str(apkg), "-o", str(tmp_path / "q.yaml"),
                                        "--map", "question=Definition,answer=Term")
    assert code == 0, output
    assert by_id(document)["one-pass-over-the-data"]["answer"] == "Epoch"


def test_package_built_with_the_real_anki_package(tmp_path):
    """A .apkg exported by Anki itself (current format), not by genanki."""
    col = open_collection(tmp_path / "src")
    deck_id = col.decks.id("Physics::Waves")
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "Speed of sound in air?", "About 343 m/s. It grows with temperature."
    note.tags = ["physics"]
    col.add_note(note, deck_id)
    cloze = col.new_note(col.models.by_name("Cloze"))
    cloze["Text"] = "Light travels at {{c1::299 792 km/s::speed}}"
    col.add_note(cloze, deck_id)
    apkg = tmp_path / "physics.apkg"
    col.export_anki_package(out_path=str(apkg), options=_export_options(), limit=None)
    col.close()
    code, output, document = run_import(str(apkg), "-o", str(tmp_path / "out.yaml"))
    assert code == 0, output
    questions = by_id(document)
    assert questions["speed-of-sound-in-air"]["answer"] == "About 343 m/s."
    assert questions["speed-of-sound-in-air"]["anki_guid"] == note.guid
    light = questions["light-travels-at-299-792-km-s"]
    assert light["cloze"] == "Light travels at {{c1::299 792 km/s::speed}}"
    assert document["deck"]["title"] == "Physics::Waves" or document["topics"][0]["title"] == "Waves"


def _export_options():
    from anki.import_export_pb2 import ExportAnkiPackageOptions

    return ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=True,
                                    legacy=False)


def normalised(markdown: str) -> str:
    """Markdown compared by what it renders to: code languages and spacing aside."""
    rendered = parser().render(markdown)
    rendered = re.sub(r' class="language-[^"]*"', "", rendered)
    return re.sub(r"\s+", " ", rendered).strip()


def build_apkg(source: Path, timestamp: int) -> bytes:
    """The .apkg as `build` makes it, every time in it (deck, notes, note type) `timestamp`:
    a note's time is when its question last changed, which for a new ledger is the build's
    SOURCE_DATE_EPOCH. Anki compares these times when it decides to update a note."""
    deck, diagnostics = load_deck(source)
    assert deck is not None, diagnostics
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(timestamp)
    try:
        context = replace(make_context(deck, source, BuildOptions()), timestamp=timestamp)
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    return render(deck, context)


def test_round_trip_of_the_shipped_deck(tmp_path):
    source = ROOT / "content" / "questions.yaml"
    apkg = tmp_path / "deck.apkg"
    apkg.write_bytes(build_apkg(source, 1_700_000_000))
    code, output, document = run_import(str(apkg), "-o", str(tmp_path / "back.yaml"))
    assert code == 0, output
    original = yaml.safe_load(source.read_text(encoding="utf-8"))
    assert document["deck"]["id"] == original["deck"]["id"]
    assert document["topics"] == original["topics"]
    back = by_id(document)
    assert set(back) == {q["id"] for q in original["questions"]}
    for q in original["questions"]:
        got = back[q["id"]]
        assert got["topic"] == q["topic"]
        for key in ("question", "answer", "details"):
            assert normalised(got.get(key, "")) == normalised(q.get(key, "")), (q["id"], key)
        # Anki keeps a note's tags sorted: their order does not survive, the set does.
        assert sorted(got.get("tags", [])) == sorted(q.get("tags", []))
        assert got.get("difficulty") == q.get("difficulty")
        assert got.get("related", []) == q.get("related", [])
        assert "anki_guid" not in got  # the derived GUID needs no field


def test_history_kept_through_the_documented_steps(tmp_path):
    """The README's steps: import the built deck, Change Note Type, import again with
    "Update notes: Always". No duplicates, the reviewed card keeps revlog and schedule."""
    col = open_collection(tmp_path / "user")
    shared = third_party_apkg(tmp_path / "shared.apkg")
    defaults = ImportAnkiPackageOptions(update_notes=IF_NEWER, update_notetypes=IF_NEWER)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(shared), options=defaults))
    reviewed = answer_first_card(col, "ML Deck")
    schedule = (reviewed.type, reviewed.queue, reviewed.ivl, reviewed.due)
    notes_before = len(col.find_notes(""))

    out = tmp_path / "deck" / "questions.yaml"
    code, output, _ = run_import(str(shared), "-o", str(out))
    assert code == 0, output
    text = out.read_text(encoding="utf-8").replace("What is **overfitting**?", "Define **overfitting**.")
    out.write_text(text, encoding="utf-8")
    built = tmp_path / "built.apkg"
    built.write_bytes(build_apkg(out, int(time.time()) - 60))

    # Step 1: File > Import with the dialog's defaults: the studypack note type arrives,
    # every note already there is skipped (its note type differs), nothing is lost.
    log = col.import_anki_package(ImportAnkiPackageRequest(package_path=str(built), options=defaults)).log
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 0, notes_before)
    # Step 2: Browse > select the deck's notes of each old note type > Notes > Change Note Type
    # to the studypack note type of the same shape, keeping Anki's proposed mapping: Basic to
    # "studypack Q&A v1 (ml-deck)", Basic (and reversed card) to "studypack Q&A + reverse v1
    # (ml-deck)" (card 1 and card 2 keep their history), Cloze to "studypack cloze v1 (ml-deck)".
    names = {"qa": "studypack Q&A v1", "reverse": "studypack Q&A + reverse v1", "cloze": "studypack cloze v1"}
    targets = {shape: col.models.by_name(f"{name} (ml-deck)") for shape, name in names.items()}
    ours = {t["id"] for t in targets.values()}
    for old in {col.get_note(n).mid for n in col.find_notes("")} - ours:
        model = col.models.get(old)
        shape = "cloze" if model["type"] == 1 else "reverse" if len(model["tmpls"]) == 2 else "qa"
        new = targets[shape]["id"]
        request = col.models.change_notetype_info(old_notetype_id=old, new_notetype_id=new).input
        request.note_ids.extend(col.find_notes(f"mid:{old}"))
        col.models.change_notetype_of_notes(request)
    # Step 3: File > Import the same file again with "Update notes: Always".
    always = ImportAnkiPackageOptions(update_notes=ALWAYS, update_notetypes=IF_NEWER)
    log = col.import_anki_package(ImportAnkiPackageRequest(package_path=str(built), options=always)).log
    assert len(log.new) == 0 and len(log.updated) == notes_before
    assert len(col.find_notes("")) == notes_before
    card = col.get_card(reviewed.id)
    assert review_count(col, card.id) == 1
    assert (card.type, card.queue, card.ivl, card.due) == schedule
    note = card.note()
    assert note["Question"] == "Define <strong>overfitting</strong>."
    assert "Define <strong>overfitting</strong>." in card.question()
    assert all(col.get_note(n).fields[0].strip() for n in col.find_notes(""))  # no empty note
    # Later rebuilds update in place with the dialog's defaults.
    out.write_text(text.replace("Define **overfitting**.", "Define overfitting, again."), encoding="utf-8")
    built.write_bytes(build_apkg(out, int(time.time())))
    log = col.import_anki_package(ImportAnkiPackageRequest(package_path=str(built), options=defaults)).log
    assert len(log.new) == 0 and col.get_card(reviewed.id).note()["Question"] == "Define overfitting, again."
    assert review_count(col, reviewed.id) == 1
