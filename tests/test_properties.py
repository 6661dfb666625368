"""Property-based tests: whatever arrives, studypack answers with FILE:LINE:COL or builds.

Random YAML documents, random bytes and random mutations of a valid deck never raise a
traceback; they exit 0 or 1 and every problem line carries a position. Every generated
*valid* deck builds all outputs and its .apkg imports into a real Anki collection.
"""

from __future__ import annotations

import re
import shutil
from functools import cache
from pathlib import Path

import yaml
from anki_client import import_apkg, notes, open_collection
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from exporter.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
PROBLEM_LINE = re.compile(r"^.+:\d+:\d+: (error|warning): .+$")
# Lines that may accompany problems: the summary of validate and of a failed build.
SUMMARY_LINE = re.compile(r"([:;] \d+ errors?, \d+ warnings?$)|(: not built: fix the errors above$)")
# The text format's excerpt below a problem: the source line, the caret with the code, the help.
EXCERPT_LINE = re.compile(r"^ *(\d+ )?\|( .*)?$|^ *= (help: .+|SP\d{3} [a-z0-9-]+)$")

# Every Unicode scalar value YAML can carry (no surrogates), control characters included.
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
SCALARS = st.one_of(ANY_TEXT, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none())
YAML_DATA = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(ANY_TEXT, inner, max_size=4)), max_leaves=20)


def run(tmp: Path, *args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), result.output
    for line in result.output.splitlines():
        if result.exit_code == 1 and not line.startswith(("wrote", "unchanged")):
            assert PROBLEM_LINE.match(line) or SUMMARY_LINE.search(line) or EXCERPT_LINE.match(line), line
    return result


def fresh_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("case")
    shutil.copytree(FIXTURES / "media", folder / "media")
    return folder


@given(data=YAML_DATA)
def test_random_yaml_documents_are_answered_cleanly(tmp_path_factory, data):
    folder = fresh_folder(tmp_path_factory)
    source = folder / "deck.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run(folder, "validate", str(source))
    assert result.exit_code == 1  # nothing random is a valid deck


@given(raw=st.binary(max_size=300))
def test_random_bytes_are_answered_cleanly(tmp_path_factory, raw):
    folder = fresh_folder(tmp_path_factory)
    source = folder / "deck.yaml"
    source.write_bytes(raw)
    run(folder, "build", str(source), "-o", str(folder / "out"))


# --- mutations of a valid deck ---------------------------------------------------------------


@cache
def valid_deck() -> dict:
    return yaml.safe_load((FIXTURES / "minimal.yaml").read_text(encoding="utf-8"))


def _paths(value, prefix=()):
    """Every (path, value) in the document, so a mutation can pick any place."""
    yield prefix, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _mutate(document, path, action, replacement):
    import copy

    document = copy.deepcopy(document)
    if not path:
        return replacement
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "drop":
        del parent[last]
    elif action == "rename" and isinstance(parent, dict):
        parent[str(replacement)] = parent.pop(last)
    else:
        parent[last] = replacement
    return document


MUTATION = st.tuples(
    st.sampled_from(sorted({p for p, _ in _paths(valid_deck())}, key=str)),
    st.sampled_from(["drop", "rename", "retype", "text"]),
)
REPLACEMENTS = {
    "drop": st.none(),
    "rename": ANY_TEXT,
    "retype": st.one_of(st.lists(st.integers(), max_size=2), st.dictionaries(ANY_TEXT, st.integers(),
                                                                              max_size=2),
                        st.integers(), st.booleans(), st.none()),
    "text": st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=200),
}


@given(data=st.data())
def test_mutated_decks_validate_and_build_without_tracebacks(tmp_path_factory, data):
    path, action = data.draw(MUTATION)
    document = _mutate(valid_deck(), path, action, data.draw(REPLACEMENTS[action]))
    folder = fresh_folder(tmp_path_factory)
    source = folder / "deck.yaml"
    source.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    run(folder, "validate", str(source))
    run(folder, "build", str(source), "-o", str(folder / "out"))


# --- valid decks ----------------------------------------------------------------------------------


@cache
def printable_alphabet() -> str:
    """Characters every PDF font role can draw, from several scripts (RTL and combining too)."""
    from exporter.backends.pdf.fonts import load_fonts

    fonts = load_fonts()
    common = set.intersection(*(set(cmap) for cmap in fonts.cmaps.values()))
    wanted = [c for c in range(0x20, 0x2400) if c in common and chr(c).isprintable()]
    return "".join(chr(c) for c in wanted)


def _words(min_size: int = 1):
    word = st.text(st.sampled_from(printable_alphabet()), min_size=1, max_size=12)
    return st.lists(word, min_size=min_size, max_size=8).map(" ".join).filter(str.strip)


SLUGS = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,4}){0,2}", fullmatch=True)


@st.composite
def decks(draw) -> dict:
    topic_ids = draw(st.lists(SLUGS, min_size=1, max_size=3, unique=True))
    question_ids = draw(st.lists(SLUGS, min_size=1, max_size=6, unique=True))
    questions = [{
        "id": qid,
        "topic": topic_ids[index % len(topic_ids)],
        "question": draw(_words()),
        "answer": draw(_words()),
        "details": draw(st.one_of(st.just(""), _words().map(lambda w: f"- **{w}**\n- `{w}`\n")))
                   or None,
        "tags": draw(st.lists(SLUGS, max_size=3, unique=True)),
        "difficulty": draw(st.sampled_from(["easy", "medium", "hard"])),
    } for index, qid in enumerate(question_ids)]
    for question in questions:
        if question["details"] is None:
            del question["details"]
    return {
        "schema": 1,
        "deck": {"id": draw(SLUGS), "title": draw(_words())},
        "topics": [{"id": t, "title": draw(_words())} for t in topic_ids],
        "questions": questions,
    }


@given(deck=decks())
def test_every_valid_deck_builds_and_imports_into_anki(tmp_path_factory, deck):
    folder = fresh_folder(tmp_path_factory)
    source = folder / "deck.yaml"
    source.write_text(yaml.safe_dump(deck, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = run(folder, "build", str(source), "-o", str(folder / "out"))
    assert result.exit_code == 0, result.output
    apkg = (folder / "out" / f"{deck['deck']['id']}.apkg").read_bytes()
    col = open_collection(folder / "anki")
    try:
        import_apkg(col, apkg, folder)
        imported = notes(col)
    finally:
        col.close()
    assert sorted(imported) == sorted(q["id"] for q in deck["questions"])
    for question in deck["questions"]:
        assert imported[question["id"]].fields["Id"] == question["id"]
