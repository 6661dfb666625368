"""validate reports everything build refuses: for every YAML under tests/, checked through the real CLI.

For each file: `studypack validate` exit 0 implies `studypack build` (all outputs) exit 0,
and every error line build prints was printed by validate. The file is copied with its
folder first, so the id ledger build writes next to the source never lands in tests/.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from exporter.cli import main

TESTS = Path(__file__).resolve().parent
SOURCES = sorted(p for p in TESTS.rglob("*.yaml") if "golden" not in p.parts)
_ERROR = re.compile(r"^.*:\d+:\d+: error: .*$|^error: .*$", re.MULTILINE)


def _errors(output: str) -> set[str]:
    return set(_ERROR.findall(output))


def test_every_corpus_is_covered():
    folders = {p.parent.name for p in SOURCES}
    assert {"inputs", "invalid", "fixtures", "corpus"} <= folders, folders


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: str(p.relative_to(TESTS)))
def test_validate_reports_everything_build_refuses(source: Path, tmp_path: Path):
    folder = tmp_path / "content"
    shutil.copytree(source.parent, folder, ignore=shutil.ignore_patterns("*.ids"))
    if (source.with_suffix(".ids")).is_file():  # a committed ledger is part of the input
        shutil.copy(source.with_suffix(".ids"), folder)
    copy = folder / source.name
    runner = CliRunner()
    validated = runner.invoke(main, ["validate", str(copy)])
    built = runner.invoke(main, ["build", str(copy), "-o", str(tmp_path / "out")])
    assert validated.exception is None or isinstance(validated.exception, SystemExit), validated.output
    assert built.exception is None or isinstance(built.exception, SystemExit), built.output
    if validated.exit_code == 0:
        assert built.exit_code == 0, f"validate passed, build refused:\n{built.output}"
    missed = _errors(built.output) - _errors(validated.output)
    assert not missed, f"build reported errors validate did not:\n{sorted(missed)}"
