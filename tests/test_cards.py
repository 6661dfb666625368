"""Card shapes beyond Q&A: cloze marks and the reversed and cloze note types, in real Anki."""

from __future__ import annotations

import html
import re
from pathlib import Path

import genanki
import pytest
from anki_client import import_apkg, open_collection

from exporter.backends import default_templates_dir
from exporter.backends.anki.ids import notetype_id
from exporter.backends.anki.notetypes import (
    CLOZE_FIELDS,
    QA_FIELDS,
    cloze_notetype,
    qa_notetype,
    reverse_notetype,
)
from exporter.backends.anki.package import genanki_model
from exporter.cloze import anki_field, blanked, filled, filled_marked, scan


def visible(card_html: str) -> str:
    """What the card shows: no style sheet, no tags, no attributes (Anki keeps the hidden
    answer in a data-cloze attribute for type-in, which nobody sees)."""
    text = re.sub(r"<style>.*?</style>", "", card_html, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def read_default_template(name: str) -> str:
    return (default_templates_dir() / name).read_text(encoding="utf-8")


def test_marks_are_found_with_numbers_answers_and_hints() -> None:
    marks, problems = scan("A {{c1::cat}} and a {{c2::dog::animal}}; {{code}} is text")
    assert [(m.ordinal, m.answer, m.hint) for m in marks] == [(1, "cat", ""), (2, "dog", "animal")]
    assert problems is None


def test_the_hint_starts_at_the_first_double_colon_as_in_anki() -> None:
    marks, _ = scan("Use {{c1::std::vector}} or {{c2::a::b::c}}")
    assert [(m.answer, m.hint) for m in marks] == [("std", "vector"), ("a", "b::c")]


@pytest.mark.parametrize("text, message", [
    ("{{c1::never closed", "never closed"),
    ("{{c0::zero}}", "start at 1"),
    ("{{c1::" * 40 + "deep" + "}}" * 40, "nest more than"),
])
def test_malformed_marks_are_reported_with_their_offset(text: str, message: str) -> None:
    _, problem = scan(text)
    assert message in problem.message


def test_the_text_variants_for_model_print_and_handbook() -> None:
    text = "The **capital of {{c1::France}}** is {{c2::Paris::a city}}."
    assert filled(text) == "The **capital of France** is Paris."
    assert filled_marked(text) == "The **capital of ⟦France⟧** is ⟦Paris⟧."
    assert blanked(text) == "The **capital of &#91;...&#93;** is &#91;a city&#93;."


def test_the_anki_field_keeps_emphasis_around_a_mark_whole() -> None:
    from markdown_it import MarkdownIt

    render = MarkdownIt().renderInline
    html = anki_field("The **capital of {{c1::France}}** is {{c2::*Paris*::a **city**}}", render)
    assert html == ("The <strong>capital of {{c1::France}}</strong> is "
                    "{{c2::<em>Paris</em>::a <strong>city</strong>}}")


def test_the_qa_note_type_keeps_the_id_published_decks_use() -> None:
    notetype = qa_notetype("deck", read_default_template)
    assert notetype.id == notetype_id("deck")
    assert notetype.fields == QA_FIELDS


@pytest.fixture()
def collection(tmp_path: Path):
    col = open_collection(tmp_path / "anki")
    yield col
    col.close()


def test_reverse_and_cloze_notes_render_in_real_anki(collection, tmp_path: Path) -> None:
    qa, reverse, cloze = (genanki_model(make("deck", read_default_template))
                          for make in (qa_notetype, reverse_notetype, cloze_notetype))
    deck = genanki.Deck(1 << 30, "Shapes")
    deck.add_note(genanki.Note(model=qa, fields=["Q1?", "A1", "", "T", "", "", "q1"], guid="g1"))
    deck.add_note(genanki.Note(model=reverse, fields=["What is a tensor?", "An n-dimensional array",
                                                      "", "T", "", "", "q2"], guid="g2"))
    text = anki_field("Paris is the capital of {{c1::France}}, on the {{c2::Seine::river}}",
                      lambda s: s)
    deck.add_note(genanki.Note(model=cloze, fields=[text, "extra words", "", "T", "", "", "q3"],
                               guid="g3"))
    package = tmp_path / "shapes.apkg"
    genanki.Package(deck).write_to_file(package)
    import_apkg(collection, package.read_bytes(), tmp_path)

    by_guid = {collection.get_note(n).guid: collection.get_note(n)
               for n in collection.find_notes("")}
    assert len(by_guid["g1"].cards()) == 1
    forward, backward = by_guid["g2"].cards()
    front = visible(forward.question())
    assert "What is a tensor?" in front and "n-dimensional" not in front
    assert "n-dimensional array" in visible(backward.question())
    assert "What is a tensor?" not in visible(backward.question())
    assert "What is a tensor?" in visible(backward.answer())
    one, two = sorted(by_guid["g3"].cards(), key=lambda c: c.ord)
    assert "[...]" in visible(one.question()) and "France" not in visible(one.question())
    assert "Seine" in visible(one.question())  # card 1 hides c1 only
    assert "[river]" in visible(two.question()) and "France" in visible(two.question())
    assert "France" in visible(one.answer()) and "extra words" in visible(one.answer())
    assert [f["name"] for f in by_guid["g3"].note_type()["flds"]] == list(CLOZE_FIELDS)


SHAPES_DECK = """\
schema: 1
deck: {id: shapes, title: Shapes, author: a, version: '1'}
topics:
  - {id: terms, title: Terms}
questions:
  - id: tensor
    topic: terms
    question: What is a **tensor**?
    answer: An n-dimensional array.
    reverse: true
  - id: capital
    topic: terms
    cloze: The capital of **{{c1::France}}** is {{c2::Paris::a city}}, on the $x_1$ river.
    answer: Both are in Europe.
    details: |
      - a list in the details
  - id: plain
    topic: terms
    question: Plain?
    answer: Yes.
"""


def build_shapes(folder: Path, text: str = SHAPES_DECK) -> bytes:
    from click.testing import CliRunner

    from exporter.cli import main

    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "shapes.yaml"
    source.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(source), "-o", str(folder / "out"), "--only", "anki"])
    assert result.exit_code == 0, result.output
    return (folder / "out" / "shapes.apkg").read_bytes()


def test_a_deck_with_every_shape_builds_imports_and_renders(collection, tmp_path: Path) -> None:
    import_apkg(collection, build_shapes(tmp_path), tmp_path)
    notes = {collection.get_note(n)["Id"]: collection.get_note(n) for n in collection.find_notes("")}
    assert len(notes) == 3
    assert notes["plain"].note_type()["name"] == "studypack Q&A v1 (shapes)"
    forward, backward = sorted(notes["tensor"].cards(), key=lambda c: c.ord)
    assert "tensor" in visible(forward.question()) and "array" not in visible(forward.question())
    assert "n-dimensional array" in visible(backward.question())
    assert "tensor" in visible(backward.answer())
    one, two = sorted(notes["capital"].cards(), key=lambda c: c.ord)
    front = visible(one.question())
    assert "[...]" in front and "France" not in front and "Paris" in front
    assert "<strong>" in one.question()  # the emphasis around the mark survived
    assert "\\(x_1\\)" in front  # math keeps its MathJax delimiters inside a cloze
    assert "[a city]" in visible(two.question())
    assert "Both are in Europe." in visible(one.answer()) and "a list in the details" in visible(one.answer())


def test_editing_shapes_updates_in_place_and_keeps_history(collection, tmp_path: Path) -> None:
    from anki_client import answer_first_card, review_count

    import_apkg(collection, build_shapes(tmp_path / "v1"), tmp_path)
    reviewed = answer_first_card(collection, "Shapes")
    edited = SHAPES_DECK.replace("on the $x_1$ river", "on the Seine").replace(
        "An n-dimensional array.", "A multi-dimensional array.")
    (tmp_path / "v2").mkdir()
    (tmp_path / "v2" / "shapes.lock").write_bytes((tmp_path / "v1" / "shapes.lock").read_bytes())
    import_apkg(collection, build_shapes(tmp_path / "v2", edited), tmp_path)
    notes = {collection.get_note(n)["Id"]: collection.get_note(n) for n in collection.find_notes("")}
    assert len(notes) == 3 and len(collection.find_cards("")) == 5  # 1 + 2 reversed + 2 cloze
    assert "Seine" in notes["capital"]["Text"] and "multi-dimensional" in notes["tensor"]["Answer"]
    assert review_count(collection, reviewed.id) == 1


def test_the_handbook_asks_a_cloze_with_blanks_and_reveals_it_in_the_answer(tmp_path: Path) -> None:
    import cmarkgfm
    from click.testing import CliRunner

    from exporter.cli import main

    source = tmp_path / "shapes.yaml"
    source.write_text(SHAPES_DECK, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(source), "-o", str(tmp_path / "out"),
                                       "--only", "handbook"])
    assert result.exit_code == 0, result.output
    page = cmarkgfm.github_flavored_markdown_to_html(
        (tmp_path / "out" / "shapes-handbook.md").read_text(encoding="utf-8"))
    heading = next(h for h in re.findall(r"<h3[^>]*>(.*?)</h3>", page, re.DOTALL) if "capital" in h)
    assert "[...]" in visible(heading) and "[a city]" in visible(heading)
    assert "France" not in visible(heading) and "Paris" not in visible(heading)
    after = visible(page[page.index("[a city]"):])
    assert "The capital of ⟦France⟧ is ⟦Paris⟧" in after and "Both are in Europe." in after
