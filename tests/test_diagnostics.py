"""Every diagnostic code with one input each; the text, GitHub, JSON and SARIF formats; --quiet and colour."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from test_validate import CASES, expectations

from exporter import codes
from exporter.cli import main
from exporter.validate import load_deck

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
SCHEMAS = TESTS / "schemas"


def deck_folder(folder: Path) -> Path:
    """A copy of the minimal fixture deck with its image; returns the source path."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(FIXTURES / "media", folder / "media", dirs_exist_ok=True)
    source = folder / "deck.yaml"
    source.write_bytes((FIXTURES / "minimal.yaml").read_bytes())
    return source


def diagnostics_of(*args: str) -> list[dict]:
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return json.loads(result.stdout)["diagnostics"]


# --- one input per code: the codes no file of tests/invalid/ can show ---


def _unreadable(tmp: Path) -> tuple[str, int, int, str]:
    folder = tmp / "a-folder.yaml"
    folder.mkdir()
    _, found = load_deck(folder)
    (d,) = found
    return (d.path, d.line, d.col, d.help), (str(folder), 1, 1, "")


def _cli_case(build_args: Callable[[Path], tuple[list[str], str, int, int, str]]):
    def run(tmp: Path, code: str):
        args, path, line, col, help = build_args(tmp)
        (d,) = [d for d in diagnostics_of(*args) if d["code"] == code]
        return (d["path"], d["line"], d["column"], d["help"]), (path, line, col, help)

    return run


@_cli_case
def _too_large(tmp: Path):
    source = deck_folder(tmp)
    source.write_bytes(source.read_bytes() + b"#" * (64 * 1024 * 1024 + 1))
    return ["validate", str(source)], str(source), 1, 1, ""


@_cli_case
def _value_too_long(tmp: Path):
    source = deck_folder(tmp)
    text = source.read_text("utf-8")
    source.write_text(text.replace("description: ", "description: " + "x" * 1_048_577, 1), "utf-8")
    return ["validate", str(source)], str(source), 7, 16, ""


@_cli_case
def _published_id_removed(tmp: Path):
    source = deck_folder(tmp)
    source.with_suffix(".ids").write_text("# ids\nplain\ngone-forever\n", "utf-8")
    return (["validate", str(source)], str(source.with_suffix(".ids")), 3, 1, "")


def _templates(tmp: Path, name: str, text: str) -> Path:
    folder = tmp / "templates"
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, "utf-8")
    return folder


@_cli_case
def _unknown_template(tmp: Path):
    source = deck_folder(tmp / "deck")
    folder = _templates(tmp, "anki/styles.css", ".card {}\n")
    help = ("did you mean 'anki/style.css'? the files a templates folder may hold are anki/front.html, "
            "anki/back.html, anki/reverse_front.html, anki/reverse_back.html, anki/cloze_front.html, "
            "anki/cloze_back.html, anki/style.css, handbook.md.j2")
    return ["validate", str(source), "--templates", str(folder)], str(folder / "anki/styles.css"), 1, 1, help


@_cli_case
def _unknown_template_field(tmp: Path):
    source = deck_folder(tmp / "deck")
    folder = _templates(tmp, "anki/front.html", "<div>\n  {{Topic}}: {{Questoin}}\n</div>\n")
    path = str(folder / "anki/front.html")
    return ["validate", str(source), "--templates", str(folder)], path, 2, 14, "did you mean 'Question'?"


@_cli_case
def _template_syntax(tmp: Path):
    source = deck_folder(tmp / "deck")
    text = "# {{ title }}\n\n{% for topic in topics %}\n{{ topic.heading }}\n"
    folder = _templates(tmp, "handbook.md.j2", text)
    path = str(folder / "handbook.md.j2")
    return ["validate", str(source), "--templates", str(folder)], path, 4, 1, ""


@_cli_case
def _bad_config(tmp: Path):
    source = deck_folder(tmp)
    (tmp / "studypack.toml").write_text('# defaults\npaper = "a4"\nhandbok-style = "quiz"\n', "utf-8")
    return ["validate", str(source)], str(tmp / "studypack.toml"), 3, 1, "did you mean 'handbook-style'?"


@_cli_case
def _backend_error(tmp: Path):
    source = deck_folder(tmp / "deck")
    (tmp / "fonts").mkdir()
    (tmp / "fonts" / "README").write_text("no fonts here", "utf-8")
    out = tmp / "out"
    return (["build", str(source), "-o", str(out), "--only", "pdf", "--font-dir", str(tmp / "fonts")],
            str(tmp / "fonts" / "regular.ttf"), 1, 1, "")


SPECIAL_CASES = {
    "SP001": lambda tmp, code: _unreadable(tmp),
    "SP002": _too_large, "SP011": _value_too_long, "SP409": _published_id_removed,
    "SP501": _unknown_template, "SP502": _unknown_template_field, "SP503": _template_syntax,
    "SP504": _bad_config, "SP601": _backend_error,
}


def _file_with(code: str) -> tuple[Path, dict] | None:
    for path in CASES:
        for expected in expectations(path):
            if expected["code"] == code:
                return path, expected
    return None


@pytest.mark.parametrize("code", [c.code for c in codes.CODES])
def test_every_code_has_an_input_that_shows_it_at_its_position(code: str, tmp_path: Path):
    if code in SPECIAL_CASES:
        found, expected = SPECIAL_CASES[code](tmp_path, code)
        assert found == expected
        return
    case = _file_with(code)
    assert case is not None, f"no input in tests/invalid/ shows {code}"
    path, expected = case
    matching = [d for d in diagnostics_of("validate", str(path)) if d["code"] == code]
    assert [(d["line"], d["column"], d["help"]) for d in matching][:1] == \
        [(expected["line"], expected["column"], expected["help"])]


def test_codes_are_unique_and_well_formed():
    assert len({c.code for c in codes.CODES}) == len({c.name for c in codes.CODES}) == len(codes.CODES)
    for c in codes.CODES:
        assert c.code[:2] == "SP" and len(c.code) == 5 and c.severity in ("error", "warning")


def test_readme_lists_every_code():
    readme = (TESTS.parent / "README.md").read_text("utf-8")
    for c in codes.CODES:
        assert f"| `{c.code}` | `{c.name}` |" in readme, c.code


# --- the three mistakes newcomers make ---

THREE_MISTAKES = {
    "backtick-answer.yaml": "put the whole value in quotes: answer: '`git status` shows the state'",
    "note-in-answer.yaml": "put the whole value in quotes: answer: 'Use a set. Note: the order is lost.'",
    "details-without-pipe.yaml": "write 'details: |' and indent every line of the text below it",
}


@pytest.mark.parametrize("name", THREE_MISTAKES)
def test_common_yaml_mistakes_get_a_help_line_that_fixes_them(name: str, tmp_path: Path):
    path = TESTS / "invalid" / name
    result = CliRunner().invoke(main, ["validate", str(path)])
    help_line = next(line for line in result.stdout.splitlines() if "= help:" in line)
    assert THREE_MISTAKES[name] in help_line
    # Following the help alone makes the file valid.
    fixed = tmp_path / name
    fixed.write_text(_apply_help(path.read_text("utf-8"), help_line), "utf-8")
    assert CliRunner().invoke(main, ["validate", str(fixed)]).exit_code == 0, fixed.read_text("utf-8")


def _apply_help(text: str, help_line: str) -> str:
    lines = text.split("\n")
    if "details: |" in help_line:
        index = next(i for i, line in enumerate(lines) if line.strip() == "details:")
        lines[index] = lines[index] + " |"
        return "\n".join(lines)
    replacement = help_line.split("put the whole value in quotes: ", 1)[1]
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("answer:"))
    lines[index] = "    " + replacement
    return "\n".join(lines)


# --- formats ---


def test_text_format_points_a_caret_at_the_value():
    path = TESTS / "invalid" / "unknown-topic.yaml"
    lines = CliRunner().invoke(main, ["validate", str(path)]).stdout.splitlines()
    start = lines.index(f"{path}:16:12: error: question 'first' names unknown topic 'basic'")
    assert lines[start + 1:start + 5] == [
        "   |",
        "16 |     topic: basic",
        "   |            ^^^^^ SP201 unknown-topic",
        "   = help: did you mean 'basics'?",
    ]


def test_colour_follows_no_color_and_force_color():
    path = str(TESTS / "invalid" / "unknown-topic.yaml")
    plain = CliRunner().invoke(main, ["validate", path]).stdout
    assert "\x1b[" not in plain
    forced = CliRunner(env={"FORCE_COLOR": "1"}).invoke(main, ["validate", path]).stdout
    assert "\x1b[31m\x1b[1merror\x1b[0m" in forced
    off = CliRunner(env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).invoke(main, ["validate", path]).stdout
    assert "\x1b[" not in off


def test_quiet_prints_errors_only():
    path = TESTS / "invalid" / "unknown-topic.yaml"
    result = CliRunner().invoke(main, ["validate", "--quiet", "--format", "concise", str(path)])
    assert result.exit_code == 1
    expected = f"{path}:16:12: error: question 'first' names unknown topic 'basic'"
    assert result.stdout.splitlines() == [expected]
    warned = CliRunner().invoke(main, ["validate", "-q", str(FIXTURES / "warnings.yaml")])
    assert (warned.exit_code, warned.stdout) == (0, "")


def test_problems_and_summary_share_standard_output_in_validate_and_build(tmp_path: Path):
    path = str(TESTS / "invalid" / "unknown-topic.yaml")
    for command in (["validate", path], ["build", path, "-o", str(tmp_path)]):
        result = CliRunner().invoke(main, command)
        assert "unknown topic 'basic'" in result.stdout and result.stderr == ""
        assert result.stdout.splitlines()[-1].startswith(path)


def test_json_output_matches_its_schema_for_every_case():
    schema = json.loads((SCHEMAS / "studypack-diagnostics.schema.json").read_text("utf-8"))
    result = CliRunner().invoke(main, ["validate", "--format", "json", *map(str, CASES)])
    document = json.loads(result.stdout)
    jsonschema.validate(document, schema)
    assert len(document["files"]) == len(CASES)
    assert document["errors"] == sum(d["severity"] == "error" for d in document["diagnostics"]) > 40


def test_sarif_output_matches_the_sarif_2_1_0_schema():
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text("utf-8"))
    result = CliRunner().invoke(main, ["validate", "--format", "sarif", *map(str, CASES)])
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    first = next(r for r in results if r["ruleId"] == "SP201")
    assert rules[first["ruleIndex"]]["name"] == "unknown-topic"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (16, 12)
    assert first["message"]["text"].endswith("help: did you mean 'basics'?")


def test_build_prints_github_annotations_like_validate(tmp_path: Path):
    path = TESTS / "invalid" / "unknown-topic.yaml"
    for command in (["validate", str(path)], ["build", str(path), "-o", str(tmp_path)]):
        result = CliRunner().invoke(main, [*command, "--format", "github"])
        assert (f"::error file={path},line=16,col=12,title=SP201 unknown-topic::question 'first' names "
                "unknown topic 'basic' (help: did you mean 'basics'?)") in result.stdout.splitlines()


def test_several_sources_each_report_with_their_own_path(tmp_path: Path):
    good = deck_folder(tmp_path / "good")
    bad = TESTS / "invalid" / "dangling-related.yaml"
    result = CliRunner().invoke(main, ["validate", "--format", "concise", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{good}: 4 questions in 2 topics; 0 errors, 0 warnings" in result.stdout.splitlines()
    assert any(line.startswith(f"{bad}:16:15: error:") for line in result.stdout.splitlines())


# --- validation stays linear ---


def _deck_with(count: int, question: Callable[[int], str]) -> str:
    return ("schema: 1\ndeck:\n  id: d\n  title: D\ntopics:\n  - id: t\n    title: T\nquestions:\n"
            + "".join(question(i) for i in range(count)))


def test_many_misspelled_ids_get_bounded_suggestions_in_linear_time(tmp_path: Path):
    import time

    source = tmp_path / "deck.yaml"
    source.write_text(_deck_with(3000, lambda i: f"  - id: question-{i}\n    topic: t\n    question: Q{i}?\n"
                                                 f"    answer: A.\n    related: [questoin-{i}]\n"), "utf-8")
    started = time.perf_counter()
    _, found = load_deck(source)
    elapsed = time.perf_counter() - started
    assert len(found) == 3000 and {d.code for d in found} == {"SP202"}
    # A suggestion for the first hundred, found among 3 000 ids; then the message alone.
    assert found[0].help == "did you mean 'question-0'?" and found[99].help == "did you mean 'question-99'?"
    assert found[100].help == found[-1].help == "use the id of a question in this file"
    assert elapsed < 10, elapsed  # about 0.5 s; difflib over every id took minutes


def test_tags_past_the_limit_are_one_located_error(tmp_path: Path):
    source = tmp_path / "deck.yaml"
    tags = ", ".join(f"tag-{j}" for j in range(10_000))
    source.write_text(_deck_with(1, lambda i: f"  - id: q\n    topic: t\n    question: Q?\n    answer: A.\n"
                                              f"    tags: [{tags}]\n"), "utf-8")
    _, found = load_deck(source)
    (d,) = found
    assert (d.code, d.line, d.col) == ("SP111", 13, 12 + sum(len(f"tag-{j}, ") for j in range(64)))


# --- small wrongs ---


def test_a_deck_without_version_or_author_leaks_no_empty_label(tmp_path: Path):
    import pdfplumber

    source = tmp_path / "deck.yaml"
    source.write_text("schema: 1\ndeck:\n  id: bare\n  title: Bare\ntopics:\n  - id: t\n"
                      "    title: Neural\u00a0networks\n"
                      "questions:\n  - id: q\n    topic: t\n    question: Q?\n    answer: A.\n", "utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 page\n" in result.stdout and "1 note\n" in result.stdout and "1 question\n" in result.stdout
    handbook = (out / "bare-handbook.md").read_text("utf-8")
    assert "Version" not in handbook and " ·  · " not in handbook
    for name in ("bare-cheatsheet.pdf", "bare-flashcards.pdf"):
        with pdfplumber.open(out / name) as pdf:
            text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        assert "version" not in text.lower(), text


def test_a_topic_title_with_a_no_break_space_links_to_its_heading(tmp_path: Path):
    import cmarkgfm

    from exporter.backends.handbook.anchors import slugify

    source = tmp_path / "deck.yaml"
    source.write_text("schema: 1\ndeck:\n  id: nbsp\n  title: No\u00a0break\ntopics:\n  - id: t\n"
                      "    title: Neural\u00a0networks\nquestions:\n  - id: q\n    topic: t\n"
                      "    question: Q?\n    answer: A.\n", "utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(source), "-o", str(out), "--only", "handbook"])
    assert result.exit_code == 0
    handbook = (out / "nbsp-handbook.md").read_text("utf-8")
    html = cmarkgfm.github_flavored_markdown_to_html(handbook)
    # GitHub's anchor is the slug of the heading's rendered text.
    heading = next(line for line in html.splitlines() if line.startswith("<h2>Neural"))
    anchor = slugify(heading[4:-5])
    assert f"](#{anchor})" in handbook
