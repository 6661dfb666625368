"""The hostile-input corpus (tests/inputs/): every file states its outcome and gets exactly it.

`# outcome: ok` builds every output with no live markup in any of them;
`# outcome: error L:C: …` fails validation with that first error;
`# outcome: build-error L:C: …` validates but a backend refuses it (e.g. a glyph the PDF
font lacks) with that error. Either way: exit 1, no traceback, nothing written.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
from click.testing import CliRunner

from exporter.cli import main

INPUTS = Path(__file__).parent / "inputs"
CASES = sorted(INPUTS.glob("*.yaml"))
DANGEROUS_TAGS = {"script", "iframe", "style", "svg", "object", "embed", "form", "math"}


class LiveMarkupFinder(HTMLParser):
    """Collects what a browser would act on: dangerous elements, handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src") and (value or "").strip().lower().startswith(("javascript:", "data:")):
                self.found.append(f"{tag} {name}={value}")


def live_markup(html: str) -> list[str]:
    finder = LiveMarkupFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def outcome(path: Path) -> tuple[str, str]:
    first = path.read_text(encoding="utf-8-sig").splitlines()[0]
    match = re.match(r"# outcome: (ok|error|build-error)\s*(.*)", first)
    assert match, f"{path.name} states no outcome"
    return match.group(1), match.group(2)


def test_corpus_has_at_least_forty_files():
    assert len(CASES) >= 40


def in_tmp(path: Path, tmp_path: Path) -> Path:
    """Each case in a folder of its own, beside a copy of the media it may use."""
    shutil.copytree(INPUTS / "media", tmp_path / "media")
    shutil.copy(path, tmp_path / path.name)
    return tmp_path / path.name


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_hostile_input_gets_its_stated_outcome(path: Path, tmp_path: Path):
    expected, diagnostic = outcome(path)
    source = in_tmp(path, tmp_path)
    out = tmp_path / "out"
    validated = CliRunner().invoke(main, ["validate", str(source)])
    built = CliRunner().invoke(main, ["build", str(source), "-o", str(out)])
    for result in (validated, built):
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output
    if expected == "error":
        assert validated.exit_code == 1
        assert validated.stdout.splitlines()[0] == f"{source}:{diagnostic}"
    else:
        assert validated.exit_code == 0, validated.output
    if expected == "ok":
        assert built.exit_code == 0, built.output
        assert_no_live_markup(out)
    else:
        assert built.exit_code == 1
        assert f"{source}:{diagnostic}" in built.output.splitlines()
        assert not out.exists()


def assert_no_live_markup(out: Path) -> None:
    handbook = next(out.glob("*-handbook.md")).read_text(encoding="utf-8")
    html = cmarkgfm.github_flavored_markdown_to_html(handbook, options=cmarkgfm.Options.CMARK_OPT_UNSAFE)
    assert live_markup(html) == []
    for field in apkg_fields(next(out.glob("*.apkg"))):
        assert live_markup(field) == [], field


def apkg_fields(apkg: Path) -> list[str]:
    """Every note field and template as stored in the package's collection."""
    with zipfile.ZipFile(apkg) as archive:
        name = "collection.anki21" if "collection.anki21" in archive.namelist() else "collection.anki2"
        database = apkg.with_suffix(".sqlite")
        database.write_bytes(archive.read(name))
    connection = sqlite3.connect(database)
    try:
        flds = [row[0] for row in connection.execute("SELECT flds FROM notes")]
        models = [row[0] for row in connection.execute("SELECT models FROM col")]
    finally:
        connection.close()
    return [field for note in flds for field in note.split("\x1f")] + models


def test_the_live_markup_finder_finds_live_markup():
    assert live_markup('<p onclick="x()"><script>1</script><a href=" JavaScript:x">a</a>') == [
        "p onclick=", "<script>", "a href= JavaScript:x"]
    assert live_markup("<p>&lt;script&gt; onerror=x javascript:alert(1)</p>") == []


def test_a_symlink_that_leaves_the_content_folder_is_refused(tmp_path: Path):
    secret = tmp_path / "outside.png"
    shutil.copy(INPUTS / "media" / "diagram.png", secret)
    source = in_tmp(INPUTS / "image-ok.yaml", tmp_path / "content")
    (tmp_path / "content" / "media" / "diagram.png").unlink()
    (tmp_path / "content" / "media" / "diagram.png").symlink_to(secret)
    result = CliRunner().invoke(main, ["validate", str(source)])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{source}:16:7: error: image 'media/diagram.png' in question "
                                    "'first': the path leads outside the content folder")


def test_a_five_megabyte_line_is_refused_cleanly(tmp_path: Path):
    source = in_tmp(INPUTS / "image-ok.yaml", tmp_path)
    text = source.read_text(encoding="utf-8").replace('answer: "It is."', f'answer: "{"x" * 5_000_000}"')
    source.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(source), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{source}:13:13: error: value is 5000000 characters long; the limit is 1048576" in result.output
    assert not (tmp_path / "out").exists()


def test_a_source_over_the_size_limit_is_refused_without_reading_it(tmp_path: Path):
    source = tmp_path / "huge.yaml"
    with source.open("wb") as handle:  # sparse: no memory or disk is spent on it
        handle.truncate(65 * 1024 * 1024)
    result = CliRunner().invoke(main, ["validate", str(source)])
    assert result.exit_code == 1
    size = 65 * 1024 * 1024
    assert result.stdout.startswith(f"{source}:1:1: error: file is {size} bytes; the limit is 64 MiB")
