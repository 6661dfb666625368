"""Every broken file under tests/invalid/ gives its expected diagnostics, exit 1 and no output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from exporter.cli import main

INVALID = Path(__file__).parent / "invalid"
FIXTURES = Path(__file__).parent / "fixtures"
# Files that cannot carry a header comment state their expectation here.
EXPECT_WITHOUT_HEADER = {"empty.yaml": [{
    "line": 1, "column": 1, "severity": "error", "code": "SP006", "help": "",
    "message": "file is empty; expected a mapping with 'schema', 'deck', 'topics' and 'questions'"}]}
_HEADER = re.compile(r"# (expect|  code|  help): (.*)")
_EXPECT = re.compile(r"(\d+):(\d+): (error|warning): (.*)")


def expectations(path: Path) -> list[dict]:
    """The header's diagnostics: `# expect: L:C: severity: message`, then `#   code: SPnnn name`
    and, when there is one, `#   help: …`."""
    if path.name in EXPECT_WITHOUT_HEADER:
        return EXPECT_WITHOUT_HEADER[path.name]
    expected: list[dict] = []
    for raw in path.read_bytes().split(b"\n"):
        match = _HEADER.match(raw.decode("utf-8", "replace"))
        if not match:
            break
        kind, text = match.groups()
        if kind == "expect":
            line, col, severity, message = _EXPECT.match(text).groups()
            expected.append({"line": int(line), "column": int(col), "severity": severity,
                             "message": message, "code": "", "help": ""})
        else:
            expected[-1][kind.strip()] = text.split()[0] if kind.strip() == "code" else text
    return expected


def reported(path: Path, *options: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, ["validate", "--format", "json", *options, str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    keys = ("line", "column", "severity", "message", "code", "help")
    found = [{k: d[k] for k in keys} for d in json.loads(result.stdout)["diagnostics"]]
    return result.exit_code, found


CASES = sorted(INVALID.glob("*.yaml"))
# warn-*.yaml hold one warning each: valid files, which fail only with --strict.
WARNING_CASES = [p for p in CASES if p.name.startswith("warn-")]
ERROR_CASES = [p for p in CASES if p not in WARNING_CASES]


def test_corpus_is_large_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_invalid_file_reports_exact_positions_codes_and_help(path: Path):
    expected = expectations(path)
    assert expected, f"{path.name} states no expectation"
    code, found = reported(path)
    assert found == expected
    assert code == (0 if path in WARNING_CASES else 1)
    if path in WARNING_CASES:
        assert reported(path, "--strict")[0] == 1


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_text_format_shows_the_line_the_caret_and_the_help(path: Path):
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert "Traceback" not in result.output
    lines = result.stdout.splitlines()
    for expected in expectations(path):
        where = f"{path}:{expected['line']}:{expected['column']}"
        first = f"{where}: {expected['severity']}: {expected['message']}"
        assert first in lines, result.stdout
        after = lines[lines.index(first) + 1:lines.index(first) + 5]
        if path.name not in EXPECT_WITHOUT_HEADER and path.name != "not-utf8.yaml":
            assert any(expected["code"] in line and "^" in line for line in after), after
        if expected["help"]:
            assert any(line.strip() == f"= help: {expected['help']}" for line in after), after


@pytest.mark.parametrize("path", ERROR_CASES, ids=lambda p: p.name)
def test_invalid_file_builds_nothing(path: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not path.with_suffix(".lock").exists()


def test_github_format_prints_annotations():
    path = INVALID / "unknown-key.yaml"
    result = CliRunner().invoke(main, ["validate", "--format", "github", str(path)])
    assert result.exit_code == 1
    expected = (f"::error file={path},line=16,col=5,title=SP103 unknown-key::"
                "unknown key 'difficuly' in a question (help: did you mean 'difficulty'?)")
    assert expected in result.stdout.splitlines()


def test_valid_fixture_passes_with_bom_and_crlf(tmp_path: Path):
    source = (FIXTURES / "minimal.yaml").read_bytes()
    variant = tmp_path / "deck.yaml"
    variant.write_bytes(b"\xef\xbb\xbf" + source.replace(b"\n", b"\r\n"))
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "diagram.png").write_bytes((FIXTURES / "media" / "diagram.png").read_bytes())
    result = CliRunner().invoke(main, ["validate", str(variant)])
    assert result.exit_code == 0, result.output


def test_strings_are_taken_as_written():
    from exporter.validate import load_deck

    deck, diagnostics = load_deck(FIXTURES / "minimal.yaml")
    assert diagnostics == []
    plain = deck.question("plain")
    assert (plain.question, plain.answer, deck.version) == ("no", "1.0", "1.0")


def test_warnings_do_not_fail_unless_strict(tmp_path: Path):
    text = (INVALID.parent / "fixtures" / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("  - id: formatting\n", "  - id: unused\n    title: Unused\n  - id: formatting\n", 1)
    source = tmp_path / "deck.yaml"
    source.write_text(text.replace("![A small diagram](media/diagram.png)", ""), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(source)])
    assert result.exit_code == 0
    assert f"{source}:14:9: warning: topic 'unused' has no questions" in result.stdout
    assert CliRunner().invoke(main, ["validate", "--strict", str(source)]).exit_code == 1


def test_ledger_warns_when_a_published_id_disappears(tmp_path: Path):
    source = tmp_path / "deck.yaml"
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    source.write_text(text.replace("![A small diagram](media/diagram.png)", ""), encoding="utf-8")
    assert CliRunner().invoke(main, ["build", str(source), "-o", str(tmp_path / "out"),
                                     "--only", "handbook"]).exit_code == 0
    ledger = source.with_suffix(".lock")
    assert "question markup-chars " in ledger.read_text(encoding="utf-8")
    source.write_text(source.read_text(encoding="utf-8").replace("id: markup-chars", "id: markup")
                      .replace("related: [markup-chars]", "related: [markup]"), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(source)])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{ledger}:9:1: warning: question id 'markup-chars' was published")


def test_every_warning_fires_with_its_position():
    result = CliRunner().invoke(main, ["validate", "--format", "concise", str(FIXTURES / "warnings.yaml")])
    assert result.exit_code == 0
    path = FIXTURES / "warnings.yaml"
    assert result.stdout.splitlines()[:-1] == [
        f"{path}:9:9: warning: topic 'unused' has no questions",
        f"{path}:18:15: warning: question 'second' reads like 'first' (line 14); is it a duplicate?",
        f"{path}:23:13: warning: answer of 'long-answer' is 354 characters; keep the short answer "
        "under 300 and move the rest to 'details'",
        f"{path}:31:7: warning: code fence '```' in question 'open-fence' is never closed; "
        "the rest of the details becomes code",
        # 'spacing' (a list and a table glued to text, 2-space nesting) is GitHub Markdown
        # that every output now reads as GitHub does: no warning any more.
    ]
    assert CliRunner().invoke(main, ["validate", "--strict", str(path)]).exit_code == 1
