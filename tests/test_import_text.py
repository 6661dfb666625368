"""`studypack import` of Anki's "Notes in Plain Text" export, CSV and TSV, and of Markdown question banks."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from exporter.cli import main
from exporter.sources.split import split_answer
from exporter.validate import load_deck

DATA = Path(__file__).parent / "import"


def run(tmp_path: Path, *args: str) -> tuple[str, dict]:
    out = tmp_path / "out" / "questions.yaml"
    result = CliRunner().invoke(main, ["import", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    deck, diagnostics = load_deck(out)
    assert deck is not None and [d for d in diagnostics if d.is_error] == []
    return result.output, yaml.safe_load(out.read_text(encoding="utf-8"))


def test_anki_plain_text_export_with_its_headers(tmp_path):
    output, document = run(tmp_path, str(DATA / "text" / "anki-notes.txt"))
    assert "2 questions in 2 topics" in output
    first, second = document["questions"]
    assert first == {"id": "capital-of-france", "topic": "capitals", "question": "Capital of **France**?",
                     "answer": "Paris.", "details": "Since 508.", "tags": ["geo", "europe::west"],
                     "anki_guid": "ab12Cd"}
    assert second["answer"] == "The Nile, by most counts; the Amazon by others"
    assert [t["title"] for t in document["topics"]] == ["Capitals", "Rivers"]


def test_notes_in_plain_text_as_the_real_anki_exports_them(tmp_path):
    from anki_client import open_collection

    col = open_collection(tmp_path / "src")
    capitals = col.decks.id("Geo::Capitals")
    basic = col.new_note(col.models.by_name("Basic"))
    basic["Front"], basic["Back"] = "Capital of <b>France</b>?", "Paris. Since 508."
    basic.tags = ["geo", "europe::west"]
    col.add_note(basic, capitals)
    reverse = col.new_note(col.models.by_name("Basic (and reversed card)"))
    reverse["Front"], reverse["Back"] = "Tab\there", 'A "quoted" answer, with comma'
    col.add_note(reverse, col.decks.id("Geo::Rivers"))
    cloze = col.new_note(col.models.by_name("Cloze"))
    cloze["Text"] = "{{c1::Rome}} is old"
    col.add_note(cloze, capitals)
    export = tmp_path / "notes.txt"
    col.export_note_csv(out_path=str(export), limit=None, with_html=True, with_tags=True, with_deck=True,
                        with_notetype=True, with_guid=True)
    col.close()
    assert export.read_text(encoding="utf-8").startswith("#separator:tab\n#html:true\n#guid column:1\n")
    output, document = run(tmp_path, str(export))
    assert "3 questions in 2 topics" in output
    questions = {q["anki_guid"]: q for q in document["questions"]}
    assert questions[basic.guid] == {
        "id": "capital-of-france", "topic": "capitals", "question": "Capital of **France**?",
        "answer": "Paris.", "details": "Since 508.", "tags": ["europe::west", "geo"],
        "anki_guid": basic.guid}
    assert questions[reverse.guid]["reverse"] is True
    assert (questions[reverse.guid]["question"], questions[reverse.guid]["answer"]) == (
        "Tab here", 'A "quoted" answer, with comma')
    assert questions[cloze.guid]["cloze"] == "{{c1::Rome}} is old" and "answer" not in questions[cloze.guid]


def test_csv_with_header_row_and_a_skipped_row(tmp_path):
    output, document = run(tmp_path, str(DATA / "text" / "plain.csv"))
    assert "2 questions in 1 topics, 0 media files (3 found, 1 skipped)" in output
    assert "skipped: plain.csv:4: empty question" in output
    q = document["questions"][0]
    assert (q["question"], q["answer"], q["details"], q["tags"], q["difficulty"]) == (
        "What is 2+2?", "It is 4.", "Basic arithmetic.\n\nCounting", ["arith", "basics"], "easy")


def test_tsv_and_map(tmp_path):
    _, document = run(tmp_path, str(DATA / "text" / "words.tsv"), "--map", "question=back,answer=front")
    assert [(q["question"], q["answer"]) for q in document["questions"]] == [("Hello", "Hallo"),
                                                                            ("Thank you", "Danke")]


def test_markdown_bank_every_question_accounted_for(tmp_path):
    files = sorted((DATA / "bank").glob("*.md"))
    headings = sum(len(re.findall(r"^#{2,3} ", f.read_text(encoding="utf-8"), re.MULTILINE)) for f in files)
    topic_headings = 1 + 3  # "Table of Contents" is no question; ml.md's three H2 are topics
    output, document = run(tmp_path, *map(str, files))
    assert len(document["questions"]) >= 200
    found = int(re.search(r"\((\d+) found, (\d+) skipped\)", output).group(1))
    skipped = int(re.search(r"\((\d+) found, (\d+) skipped\)", output).group(2))
    assert found == headings - topic_headings + 1 and found == len(document["questions"]) + skipped
    assert "'An unanswered question?' has no answer below it" in output
    assert "image 'nowhere.png' not found" in output
    ids = [q["id"] for q in document["questions"]]
    assert len(set(ids)) == len(ids) and all(len(i) <= 80 for i in ids)
    questions = {q["id"]: q for q in document["questions"]}
    python = questions["what-does-feature-number-1-of-python-do-e-g-in-a-loop"]
    assert python["answer"] == "It handles case 1, e.g. inside a `for` loop."
    assert "```python\nfor item in range(1):" in python["details"] and python["difficulty"] == "medium"
    ml = questions["how-is-concept-10-in-statistics-defined"]
    assert ml["answer"] == "Concept 10 is the ratio of two things (see Fig. 2)."
    assert "$$\ny = \\frac{10}{x}\n$$" in ml["details"] and "![diagram](media/diagram.png)" in ml["details"]
    assert ml["topic"] == "statistics" and ml["difficulty"] == "medium"
    assert questions["why-use-pattern-1"]["difficulty"] == "hard"
    assert (tmp_path / "out" / "media" / "diagram.png").is_file()


def test_short_answer_never_cuts_inside_code_math_links_or_abbreviations():
    assert split_answer("Use `a. B` here. Then more.") == ("Use `a. B` here.", "Then more.")
    assert split_answer("It is $x. Y$ now. Rest.") == ("It is $x. Y$ now.", "Rest.")
    assert split_answer("See [the docs. Here](http://x.y/a. B) ok. Rest.") == (
        "See [the docs. Here](http://x.y/a. B) ok.", "Rest.")
    assert split_answer("Many, e.g. Adam, work. Rest.") == ("Many, e.g. Adam, work.", "Rest.")
    assert split_answer("- a list\n- first") == ("a list", "- a list\n- first")


def test_ids_from_text_are_unique_short_and_cut_at_a_word():
    from exporter.sources.bank import slugify, unique

    long = "What is the difference between " + "very " * 30 + "long questions?"
    slug = slugify(long)
    assert len(slug) <= 80 and slug.endswith("very") and long.lower().startswith(slug.split("-")[0])
    taken: set[str] = set()
    shorter = slug.rsplit("-", 1)[0]  # one word less makes room for the suffix
    assert [unique(slug, taken, "q") for _ in range(3)] == [slug, shorter + "-2", shorter + "-3"]
    assert slugify("Qu'est-ce que **ça** `veut` dire? $x^2$") == "qu-est-ce-que-ca-veut-dire-x-2"
