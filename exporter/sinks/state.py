"""The record of the last push beside the source: what each note held, to spot edits made in Anki."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

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
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
            handle.write("\n")
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
