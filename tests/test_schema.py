"""The shipped JSON Schema agrees with the validator on every fixture it can judge."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from exporter.cli import main

TESTS = Path(__file__).parent
ROOT = TESTS.parent
VALID = [TESTS / "fixtures" / "minimal.yaml", ROOT / "content" / "questions.yaml"]
# Errors a schema cannot see: they need cross-references, the file system or the raw text.
SEMANTIC_ONLY = {
    "alias.yaml", "anchor.yaml", "dangling-related.yaml", "duplicate-id.yaml", "duplicate-key.yaml",
    "duplicate-topic.yaml", "image-absolute.yaml", "image-outside.yaml", "missing-image.yaml",
    "unknown-topic.yaml", "self-related.yaml", "control-escape.yaml", "bad-cloze.yaml",
    "duplicate-anki-guid.yaml", "markdown-too-deep.yaml",
    # Valid files with one warning each.
    *(p.name for p in (TESTS / "invalid").glob("warn-*.yaml")),
}


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _parsed(path: Path):
    """What an editor's YAML plug-in sees, or None when the file is not YAML at all."""
    try:
        return yaml.safe_load(path.read_bytes())
    except yaml.YAMLError:
        return None


@pytest.mark.parametrize("path", [p for p in VALID if p.exists()], ids=lambda p: p.name)
def test_valid_sources_pass_the_schema(validator, path: Path):
    assert list(validator.iter_errors(_parsed(path))) == []


INVALID = sorted((TESTS / "invalid").glob("*.yaml"))
# Not YAML an editor could load at all (bad bytes, syntax, tags, nothing): only the validator speaks.
NOT_YAML = {
    "alias.yaml", "control-char.yaml", "empty.yaml", "not-utf8.yaml", "python-tag.yaml",
    "syntax-unclosed-flow.yaml", "tab-indent.yaml", "two-documents.yaml",
    # The three YAML mistakes newcomers make, and a key that is a list.
    "backtick-answer.yaml", "note-in-answer.yaml", "details-without-pipe.yaml", "complex-key.yaml",
}


def test_unloadable_files_are_the_expected_ones():
    assert {p.name for p in INVALID if _parsed(p) is None} == NOT_YAML


@pytest.mark.parametrize("path", [p for p in INVALID if p.name not in NOT_YAML], ids=lambda p: p.name)
def test_schema_agrees_with_validator_on_invalid_files(validator, path: Path):
    schema_errors = list(validator.iter_errors(_parsed(path)))
    if path.name in SEMANTIC_ONLY:
        assert schema_errors == [], "the schema should accept what only cross-checks reject"
    else:
        assert schema_errors, "the schema accepts a file the validator rejects"
