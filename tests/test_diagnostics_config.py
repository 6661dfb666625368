"""studypack.toml / [tool.studypack] defaults and ignores, and --templates checked before a build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_diagnostics import FIXTURES, deck_folder

from exporter.cli import main
from exporter.template_check import HANDBOOK_VARIABLES, check_card_template, check_jinja_template


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def codes_in(*args: str) -> list[tuple[str, int, int]]:
    result = run(*args, "--format", "json")
    return [(d["code"], d["line"], d["column"]) for d in json.loads(result.stdout)["diagnostics"]]


# --- configuration ---


def test_config_sets_build_defaults_and_the_command_line_wins(tmp_path: Path):
    source = deck_folder(tmp_path)
    (tmp_path / "studypack.toml").write_text(
        'only = ["handbook"]\noutput-dir = "dist"\nhandbook-style = "quiz"\n', "utf-8")
    assert run("build", str(source)).exit_code == 0
    handbook = tmp_path / "dist" / "minimal-deck-handbook.md"
    assert "<details>" in handbook.read_text("utf-8")
    assert not (tmp_path / "dist" / "minimal-deck.apkg").exists()
    assert run("build", str(source), "--handbook-style", "plain").exit_code == 0
    assert "<details>" not in handbook.read_text("utf-8")


def test_validate_names_the_config_it_used(tmp_path: Path):
    source = deck_folder(tmp_path / "content")
    assert "(config" not in run("validate", str(source)).stdout
    pyproject = '[project]\nname = "x"\n\n[tool.studypack]\nstrict = true\n'
    (tmp_path / "pyproject.toml").write_text(pyproject, "utf-8")
    result = run("validate", str(source))
    assert f"{source} (config {tmp_path / 'pyproject.toml'}): 4 questions in 2 topics" in result.stdout
    (tmp_path / "content" / "studypack.toml").write_text("strict = false\n", "utf-8")
    assert f"(config {tmp_path / 'content' / 'studypack.toml'})" in run("validate", str(source)).stdout


def test_config_ignores_warnings_everywhere_or_per_question(tmp_path: Path):
    source = tmp_path / "deck.yaml"
    source.write_bytes((FIXTURES / "warnings.yaml").read_bytes())
    every = codes_in("validate", str(source))
    assert ("SP402", 18, 15) in every and ("SP403", 23, 13) in every
    config = 'ignore = ["near-duplicate"]\n\n[per-question]\nlong-answer = ["SP403"]\nfirst = ["SP401"]\n'
    (tmp_path / "studypack.toml").write_text(config, "utf-8")
    kept = codes_in("validate", str(source))
    assert kept == [c for c in every if c[0] not in ("SP402", "SP403")]  # SP401 is not in 'first'


def test_strict_from_the_config_fails_on_warnings(tmp_path: Path):
    source = tmp_path / "deck.yaml"
    source.write_bytes((FIXTURES / "warnings.yaml").read_bytes())
    assert run("validate", str(source)).exit_code == 0
    (tmp_path / "studypack.toml").write_text("strict = true\n", "utf-8")
    assert run("validate", str(source)).exit_code == 1


@pytest.mark.parametrize(("text", "expected"), [
    ('paper = "a3"\n', ("SP504", 1, 1)),
    ("strict = 1\n", ("SP504", 1, 1)),
    ('\n\nignore = ["unknown-topic"]\n', ("SP504", 3, 1)),
    ("paper = \n", ("SP504", 1, 9)),
])
def test_a_wrong_config_is_a_located_error(tmp_path: Path, text: str, expected: tuple):
    source = deck_folder(tmp_path)
    (tmp_path / "studypack.toml").write_text(text, "utf-8")
    result = run("validate", str(source), "--format", "json")
    assert result.exit_code == 1
    (d,) = json.loads(result.stdout)["diagnostics"]
    assert (d["code"], d["line"], d["column"]) == expected
    assert d["path"] == str(tmp_path / "studypack.toml")


# --- templates ---


def templates(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "templates"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, "utf-8")
    return folder


def test_a_bad_template_stops_the_build_before_any_output(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    folder = templates(tmp_path, {"anki/back.html": "{{FrontSide}}\n<hr id=answer>\n{{Anwser}}\n"})
    out = tmp_path / "out"
    result = run("build", str(source), "-o", str(out), "--templates", str(folder))
    assert result.exit_code == 1
    assert f"{folder / 'anki/back.html'}:3:1: error: '{{{{Anwser}}}}' names no field of the note type" \
        in result.stdout.splitlines()
    assert "= help: did you mean 'Answer'?" in result.stdout
    assert not out.exists()
    # Only the outputs that use the template are checked.
    handbook_only = run("build", str(source), "-o", str(out), "--templates", str(folder),
                        "--only", "handbook")
    assert handbook_only.exit_code == 0


def test_card_template_sections_must_nest_and_close():
    text = "{{#Topic}}\n<b>{{Topic}}</b>\n{{/Difficulty}}\n{{#Details}}{{Details}}\n{{Question"
    found = [(d.line, d.col, d.message) for d in check_card_template(text, "front.html")]
    assert found == [
        (3, 1, "template syntax error: '{{/Difficulty}}' closes a section that is not open"),
        (5, 1, "template syntax error: '{{' is never closed"),
        (1, 1, "template syntax error: section 'Topic' is never closed"),
        (4, 1, "template syntax error: section 'Details' is never closed"),
    ]


def test_card_templates_accept_filters_and_anki_special_fields():
    text = "{{text:Question}} {{FrontSide}} {{Tags}} {{hint:Details}} {{^Related}}none{{/Related}} {{!note}}"
    assert check_card_template(text, "front.html") == []


def test_handbook_template_variables_are_checked():
    (d,) = check_jinja_template("# {{ title }}\n\n{{ titel }}\n", "handbook.md.j2")
    assert (d.line, d.col, d.code, d.help) == (3, 4, "SP502", "did you mean 'title'?")


def test_known_handbook_variables_are_those_the_backend_gives(tmp_path: Path):
    from exporter.backends.handbook import handbook_variables
    from exporter.build import make_context
    from exporter.validate import load_deck

    source = deck_folder(tmp_path)
    deck, _ = load_deck(source)
    assert tuple(handbook_variables(deck, make_context(deck, source))) == HANDBOOK_VARIABLES


def test_the_built_in_templates_pass_their_own_checks():
    root = Path(__file__).parent.parent / "templates"
    for name in ("anki/front.html", "anki/back.html"):
        assert check_card_template((root / name).read_text("utf-8"), name) == []
    assert check_jinja_template((root / "handbook.md.j2").read_text("utf-8"), "handbook.md.j2") == []
