"""Every broken file under tests/invalid/ gives its expected diagnostics, exit 1 and no output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from exporter.cli import main

INVALID = Path(__file__).parent / "invalid"
FIXTURES = Path(__file__).parent / "fixtures"
# Files that cannot carry a header comment state their expectation here.
EXPECT_WITHOUT_HEADER = {"empty.yaml": ["1:1: error: file is empty"]}


def expectations(path: Path) -> list[str]:
    if path.name in EXPECT_WITHOUT_HEADER:
        return EXPECT_WITHOUT_HEADER[path.name]
    header = path.read_bytes().split(b"\n")
    return [m.group(1) for line in header
            if (m := re.match(r"# expect: (.*)", line.decode("utf-8", "replace")))]


CASES = sorted(INVALID.glob("*.yaml"))


def test_corpus_is_large_enough():
    assert len(CASES) >= 20


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_invalid_file_reports_exact_position(path: Path):
    expected = expectations(path)
    assert expected, f"{path.name} states no expectation"
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stdout.splitlines()
    for expectation in expected:
        prefix = f"{path}:{expectation}"
        assert any(line.startswith(prefix) for line in lines), f"missing {prefix!r} in:\n{result.stdout}"
    assert "Traceback" not in result.output


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_invalid_file_builds_nothing(path: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not path.with_suffix(".ids").exists()


def test_github_format_prints_annotations():
    path = INVALID / "unknown-key.yaml"
    result = CliRunner().invoke(main, ["validate", "--format", "github", str(path)])
    assert result.exit_code == 1
    expected = (f"::error file={path},line=14,col=5::"
                "unknown key 'difficuly' in a question; did you mean 'difficulty'?")
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
    assert f"{source}:14:5: warning: topic 'unused' has no questions" in result.stdout
    assert CliRunner().invoke(main, ["validate", "--strict", str(source)]).exit_code == 1


def test_ledger_warns_when_a_published_id_disappears(tmp_path: Path):
    source = tmp_path / "deck.yaml"
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    source.write_text(text.replace("![A small diagram](media/diagram.png)", ""), encoding="utf-8")
    assert CliRunner().invoke(main, ["build", str(source), "-o", str(tmp_path / "out"),
                                     "--only", "handbook"]).exit_code == 0
    ledger = source.with_suffix(".ids")
    assert "markup-chars\n" in ledger.read_text(encoding="utf-8")
    source.write_text(source.read_text(encoding="utf-8").replace("id: markup-chars", "id: markup")
                      .replace("related: [markup-chars]", "related: [markup]"), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(source)])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{ledger}:5:1: warning: question id 'markup-chars' was published")


def test_every_warning_fires_with_its_position():
    result = CliRunner().invoke(main, ["validate", str(FIXTURES / "warnings.yaml")])
    assert result.exit_code == 0
    path = FIXTURES / "warnings.yaml"
    assert result.stdout.splitlines() == [
        f"{path}:9:5: warning: topic 'unused' has no questions",
        f"{path}:16:5: warning: question 'second' reads like 'first' (line 12); is it a duplicate?",
        f"{path}:20:5: warning: answer of 'long-answer' is 354 characters; keep the short answer "
        "under 300 and move the rest to 'details'",
        f"{path}:31:7: warning: code fence '```' in question 'open-fence' is never closed; "
        "the rest of the details becomes code",
        # 'spacing' (a list and a table glued to text, 2-space nesting) is GitHub Markdown
        # that every output now reads as GitHub does: no warning any more.
    ]
    assert CliRunner().invoke(main, ["validate", "--strict", str(path)]).exit_code == 1
