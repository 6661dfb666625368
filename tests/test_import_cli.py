"""`studypack import` as a command: formats, errors users can act on, the YAML it writes, round trips."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import yaml
from anki_client import open_collection
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from exporter.backends import BuildOptions
from exporter.backends.anki import render
from exporter.build import make_context
from exporter.cli import main
from exporter.markup.tree import parser
from exporter.sources.yaml_loader import parse_text
from exporter.sources.yaml_writer import dump
from exporter.validate import load_deck

ROOT = Path(__file__).parent.parent


def invoke(*args: str):
    return CliRunner().invoke(main, ["import", *args])


def test_colpkg_is_read_with_anki(tmp_path):
    col = open_collection(tmp_path / "src")
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "What is a colpkg?", "A whole collection. With media."
    col.add_note(note, col.decks.id("Backup"))
    colpkg = tmp_path / "all.colpkg"
    col.export_collection_package(str(colpkg), include_media=True, legacy=False)
    out = tmp_path / "q.yaml"
    result = invoke(str(colpkg), "-o", str(out))
    assert result.exit_code == 0, result.output
    question = yaml.safe_load(out.read_text(encoding="utf-8"))["questions"][0]
    assert (question["question"], question["answer"], question["details"]) == (
        "What is a colpkg?", "A whole collection.", "With media.")


def test_without_the_anki_package_the_message_says_how_to_get_it(tmp_path):
    apkg = tmp_path / "x.apkg"
    apkg.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    code = ("import sys; sys.modules['anki'] = None; from exporter.cli import main; "
            f"main(['import', {str(apkg)!r}, '-o', {str(tmp_path / 'q.yaml')!r}])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: reading Anki packages needs the official anki package: "
                                     "pip install 'studypack[anki]'")


def test_cli_start_up_loads_no_importer():
    code = ("import sys, exporter.cli; "
            "print(sorted(m for m in ('anki', 'bs4', 'markdownify', 'markdown_it') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_user_errors_are_messages_not_tracebacks(tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("Name,Colour\nx,y\n", encoding="utf-8")
    result = invoke(str(csv), "-o", str(tmp_path / "q.yaml"))
    assert result.exit_code == 1
    assert result.output.strip() == (f"{csv}:1:1: error: no question and answer columns in the header "
                                     "(Name, Colour); name them with --map question=COLUMN,answer=COLUMN")
    latin = tmp_path / "latin.md"
    latin.write_bytes("## Qu'est-ce que ça?\n\nUne réponse.\n".encode("latin-1"))
    result = invoke(str(latin), "-o", str(tmp_path / "q.yaml"))
    assert result.exit_code == 1 and result.output.startswith("error: not UTF-8 text")
    broken = tmp_path / "broken.apkg"
    broken.write_bytes(b"not a zip")
    result = invoke(str(broken), "-o", str(tmp_path / "q.yaml"))
    assert result.exit_code == 1
    assert result.output.startswith(f"{broken}: error: not an Anki package Anki can read (invalid Zip")
    odd = tmp_path / "notes.data"
    odd.write_text("x", encoding="utf-8")
    result = invoke(str(odd), "-o", str(tmp_path / "q.yaml"))
    assert result.exit_code == 1 and "cannot tell its format from the name; pass --format" in result.output
    assert invoke(str(csv), "--map", "questoin=Name", "-o", "q.yaml").exit_code == 2
    assert invoke(str(csv), "--deck-id", "Not A Slug", "-o", "q.yaml").exit_code == 2
    assert not (tmp_path / "q.yaml").exists()


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufeff"), min_size=1,
                max_size=40)


@given(st.lists(_TEXT, min_size=1, max_size=4))
def test_yaml_writer_keeps_every_string_exactly(values):
    text = "\n".join(values)
    document = {"schema": 1, "deck": {"id": "d", "title": text},
                "topics": [{"id": "t", "title": values[0]}],
                "questions": [{"id": "q", "topic": "t", "question": text, "answer": values[-1],
                               "tags": ["a::b", "c"], "reverse": True}]}
    written = dump(document)
    loaded = parse_text(written, "x.yaml")
    assert loaded.diagnostics == []
    question = dict((k.value, v) for k, v in loaded.root.pairs)["questions"].items[0]
    fields = {k.value: v for k, v in question.pairs}
    assert fields["question"].value == text and fields["answer"].value == values[-1]
    assert [i.value for i in fields["tags"].items] == ["a::b", "c"] and fields["reverse"].value == "true"
    assert yaml.safe_load(written)["deck"]["title"] == text


def _normalised(markdown: str) -> str:
    """By what it renders to; a loose list (blank lines between items) reads as a tight one."""
    rendered = " ".join(parser().render(markdown).split())
    return re.sub(r"<li> <p>(.*?)</p> </li>", r"<li>\1</li>", rendered)


_WORD = st.sampled_from(["alpha", "beta", "gamma", "loss", "model", "x_1", "naïve", "→", "data", "e.g."])
_PHRASE = st.lists(_WORD, min_size=1, max_size=6).map(" ".join)
_INLINE = st.one_of(_PHRASE, _PHRASE.map(lambda p: f"**{p}**"), _PHRASE.map(lambda p: f"`{p}`"),
                    _PHRASE.map(lambda p: f"*{p}*"))
_BLOCK = st.one_of(
    st.lists(_INLINE, min_size=1, max_size=4).map(" ".join),
    st.lists(_INLINE, min_size=1, max_size=3).map(lambda items: "\n".join(f"- {i}" for i in items)),
    st.lists(_PHRASE, min_size=1, max_size=3).map(lambda lines: "```\n" + "\n".join(lines) + "\n```"),
    st.tuples(_PHRASE, _PHRASE).map(lambda c: f"| {c[0]} | {c[1]} |\n|---|---|\n| {c[1]} | {c[0]} |"),
)


@st.composite
def decks(draw):
    count = draw(st.integers(1, 5))
    topics = ["first", "second"][: draw(st.integers(1, 2))]
    questions = []
    for i in range(count):
        questions.append({
            "id": f"q{i}", "topic": topics[i % len(topics)],
            "question": f"Question {i}: {draw(_INLINE)}?",
            "answer": f"Answer {draw(_INLINE)}.",
            "details": "\n\n".join(draw(st.lists(_BLOCK, max_size=3))),
            "tags": sorted(set(draw(st.lists(st.sampled_from(["x", "y-z", "deep::net"]), max_size=3)))),
        })
    return {"schema": 1, "deck": {"id": "gen", "title": "Generated"},
            "topics": [{"id": t, "title": t.title()} for t in topics], "questions": questions}


@settings(max_examples=10)
@given(decks())
def test_generated_decks_round_trip_through_anki(tmp_path_factory, document):
    folder = tmp_path_factory.mktemp("gen")
    for q in document["questions"]:
        if not q["details"]:
            del q["details"]
        if not q["tags"]:
            del q["tags"]
    source = folder / "questions.yaml"
    source.write_text(dump(document), encoding="utf-8")
    deck, diagnostics = load_deck(source)
    assert deck is not None, diagnostics
    context = replace(make_context(deck, source, BuildOptions()), timestamp=int(time.time()) - 10)
    (folder / "gen.apkg").write_bytes(render(deck, context))
    result = invoke(str(folder / "gen.apkg"), "-o", str(folder / "back" / "questions.yaml"))
    assert result.exit_code == 0, result.output
    back = yaml.safe_load((folder / "back" / "questions.yaml").read_text(encoding="utf-8"))
    assert back["topics"] == [t for t in document["topics"]
                              if any(q["topic"] == t["id"] for q in document["questions"])]
    got = {q["id"]: q for q in back["questions"]}
    for q in document["questions"]:
        for key in ("question", "answer", "details"):
            assert _normalised(got[q["id"]].get(key, "")) == _normalised(q.get(key, "")), (q["id"], key)
        assert sorted(got[q["id"]].get("tags", [])) == q.get("tags", [])
        assert got[q["id"]]["topic"] == q["topic"]
