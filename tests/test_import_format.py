"""Format additions for import: cloze items, reversed cards, anki_guid; validator and JSON Schema agree."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from exporter.cloze import filled, scan
from exporter.validate import load_deck

SCHEMA = json.loads((Path(__file__).parent.parent / "exporter" / "schema.json").read_text())
HEAD = """schema: 1
deck:
  id: demo
  title: Demo
{deck_extra}topics:
  - id: basics
    title: Basics
questions:
"""


def load(tmp_path: Path, questions: str, deck_extra: str = ""):
    path = tmp_path / "q.yaml"
    path.write_text(HEAD.format(deck_extra=deck_extra) + questions, encoding="utf-8")
    deck, diagnostics = load_deck(path)
    schema_errors = list(jsonschema.Draft7Validator(SCHEMA).iter_errors(yaml.safe_load(path.read_text())))
    return deck, [f"{d.line}:{d.col}: {d.severity}: {d.message}" for d in diagnostics], schema_errors


def test_cloze_item_fills_its_question_and_needs_no_answer(tmp_path):
    deck, problems, schema_errors = load(tmp_path, """\
  - id: softmax
    topic: basics
    cloze: Softmax gives {{c1::probabilities}} that sum to {{c2::one::a number}}.
""")
    assert problems == [] and schema_errors == []
    q = deck.questions[0]
    assert q.cloze == "Softmax gives {{c1::probabilities}} that sum to {{c2::one::a number}}."
    assert q.question == "Softmax gives probabilities that sum to one."
    assert (q.answer, q.details, q.reverse, q.anki_guid) == ("", "", False, "")


def test_cloze_with_extra_answer_and_details(tmp_path):
    deck, problems, _ = load(tmp_path, """\
  - id: c
    topic: basics
    cloze: "{{c1::std::vector}} grows"
    answer: An extra.
    details: More.
""")
    assert problems == []
    assert (deck.questions[0].question, deck.questions[0].answer) == ("std grows", "An extra.")


@pytest.mark.parametrize(("cloze", "message"), [
    ("no marks here",
     "11:12: error: 'cloze' of question 'c': has no cloze mark; write one like {{c1::hidden text}}"),
    ("x {{c0::zero}}", "11:12: error: 'cloze' of question 'c': cloze numbers start at 1, not c0"),
    ("x {{c1::open", "11:12: error: 'cloze' of question 'c': '{{c1::' is never closed with '}}'"),
    ("x {{c2 oops}}", "11:12: error: 'cloze' of question 'c': '{{c2' must be followed by '::' "
                      "(write {{c1::hidden text}})"),
])
def test_malformed_cloze_is_located(tmp_path, cloze, message):
    deck, problems, _ = load(tmp_path, f"  - id: c\n    topic: basics\n    cloze: \"{cloze}\"\n")
    assert deck is None and problems == [message]


def test_cloze_error_inside_a_block_scalar_points_at_the_mark(tmp_path):
    _, problems, _ = load(tmp_path, "  - id: c\n    topic: basics\n    cloze: |\n      first line\n"
                                    "      then {{c1::unclosed\n")
    assert problems == ["13:12: error: 'cloze' of question 'c': '{{c1::' is never closed with '}}'"]


def test_question_and_cloze_together_are_refused(tmp_path):
    deck, problems, schema_errors = load(tmp_path, """\
  - id: c
    topic: basics
    question: Q?
    cloze: "{{c1::x}}"
""")
    assert deck is None
    assert problems == ["11:15: error: question 'c' has both 'question' and 'cloze'; keep one"]
    assert schema_errors


def test_plain_question_still_needs_an_answer(tmp_path):
    deck, problems, schema_errors = load(tmp_path, "  - id: c\n    topic: basics\n    question: Q?\n")
    assert deck is None and problems == ["9:5: error: missing required key 'answer' in a question"]
    assert schema_errors


def test_reverse_per_question_and_deck_default(tmp_path):
    body = """\
  - id: a
    topic: basics
    question: A?
    answer: a.
  - id: b
    topic: basics
    question: B?
    answer: b.
    reverse: false
"""
    deck, problems, schema_errors = load(tmp_path, body, deck_extra="  reverse: true\n")
    assert problems == [] and schema_errors == []
    assert deck.reverse is True and [q.reverse for q in deck.questions] == [True, False]
    deck, _, _ = load(tmp_path, body)
    assert deck.reverse is False and [q.reverse for q in deck.questions] == [False, False]


def test_reverse_must_be_a_boolean(tmp_path):
    deck, problems, schema_errors = load(tmp_path, """\
  - id: a
    topic: basics
    question: A?
    answer: a.
    reverse: "yes"
""")
    assert deck is None
    assert problems == ["13:14: error: 'reverse' in question 'a' must be true or false, not 'yes'"]
    assert schema_errors


def test_anki_guid_is_kept_and_must_be_unique_and_printable(tmp_path):
    good = "  - id: a\n    topic: basics\n    question: A?\n    answer: a.\n    anki_guid: 'f>3Xq,9kLw'\n"
    deck, problems, schema_errors = load(tmp_path, good)
    assert problems == [] and schema_errors == [] and deck.questions[0].anki_guid == "f>3Xq,9kLw"
    twice = good + good.replace("id: a", "id: b").replace("A?", "B?")
    deck, problems, _ = load(tmp_path, twice)
    assert deck is None
    assert problems == ["18:16: error: question 'b' has the anki_guid of 'a' (line 9); each must be unique"]
    deck, problems, schema_errors = load(tmp_path, good.replace("'f>3Xq,9kLw'", "'has space'"))
    assert problems == ["13:16: error: 'anki_guid' in question 'a' must be printable text without spaces, "
                        "not 'has space'"]
    assert schema_errors


def test_cloze_scanner_reads_marks_as_anki_does():
    # Anki (26.9) renders {{c1::std::vector::hint}} as "std" with hint "vector::hint".
    marks, problem = scan("{{c1::std::vector::hint}} and {{c2::outer {{c3::inner}}}}")
    assert problem is None
    assert [(m.ordinal, m.answer, m.hint) for m in marks] == [(1, "std", "vector::hint"),
                                                              (2, "outer inner", "")]
    assert filled("dict {{a}} and {{c1::x::h}}") == "dict {{a}} and x"
