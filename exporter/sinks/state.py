"""The record of the last push beside the source: what each note held, to spot edits made in Anki."""

from __future__ import annotations

import json
from pathlib import Path

from ..atomic import replace_file
from .plan import PushedNote

STATE_VERSION = 1


def path_for(source: Path) -> Path:
    """`questions.yaml` -> `questions.anki-push.json`: local to one machine, not for committing."""
    return source.with_name(f"{source.stem}.anki-push.json")


def load(path: Path) -> dict[str, PushedNote]:
    """GUID -> what the last push wrote; empty when there is no usable record."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != STATE_VERSION:
            return {}
        return {guid: PushedNote(entry["fields"], tuple(entry["tags"]))
                for guid, entry in data["notes"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # a missing or damaged record only means edits made in Anki go unnoticed once


def save(path: Path, notes: dict[str, PushedNote]) -> None:
    """Replace the record atomically, so an interrupted push leaves the previous one whole."""
    entries = {guid: {"fields": n.fields_hash, "tags": list(n.tags)} for guid, n in sorted(notes.items())}
    data = {"version": STATE_VERSION, "notes": entries}
    replace_file(path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8"))
