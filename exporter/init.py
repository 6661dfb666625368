"""`studypack init [DIR]`: a new deck repository from the starter templates in exporter/starter/."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

# Where the generated workflow takes the action from: replace OWNER by the account that hosts
# studypack, and pin a commit (`@<sha> # <version>`), or pass --action.
DEFAULT_ACTION = "OWNER/studypack@main"
TEXT_SUFFIXES = (".yaml", ".yml", ".md", "")  # "" for .gitignore and the like


class InitError(Exception):
    """The folder cannot be initialised; nothing was written."""


@dataclass(frozen=True)
class Starter:
    title: str
    deck_id: str
    action: str


def starter_for(title: str, action: str = DEFAULT_ACTION) -> Starter:
    title = " ".join(title.split())
    if not title or any(not ch.isprintable() for ch in title):
        raise InitError("the topic must be a non-empty line of printable text")
    return Starter(title, deck_slug(title), action)


def deck_slug(title: str) -> str:
    """A deck id from the title: lowercase ASCII words joined by '-' (the format's slug rule)."""
    slug = "-".join(re.findall(r"[a-z0-9]+", title.lower()))[:60].strip("-")
    return slug or "my-deck"


def starter_files() -> dict[str, Traversable]:
    """Every starter file by its path relative to the new repository."""
    found: dict[str, Traversable] = {}

    def walk(folder: Traversable, prefix: str) -> None:
        for entry in folder.iterdir():
            if entry.name == "__pycache__":
                continue
            if entry.is_dir():
                walk(entry, f"{prefix}{entry.name}/")
            else:
                found[f"{prefix}{entry.name}"] = entry

    walk(files("exporter").joinpath("starter"), "")
    return dict(sorted(found.items()))


def render(relative: str, data: bytes, starter: Starter) -> bytes:
    if Path(relative).suffix not in TEXT_SUFFIXES:
        return data
    text = data.decode("utf-8")
    # In the YAML source the title sits inside double-quoted scalars: escape it as JSON does.
    title = json.dumps(starter.title, ensure_ascii=False)[1:-1] if relative.endswith(".yaml") \
        else starter.title
    for name, value in (("{title}", title), ("{deck_id}", starter.deck_id), ("{action}", starter.action)):
        text = text.replace(name, value)
    return text.encode("utf-8")


def create(folder: Path, starter: Starter) -> list[Path]:
    """Write the starter into `folder`; refuse (writing nothing) if any file already exists."""
    planned = {folder / relative: render(relative, entry.read_bytes(), starter)
               for relative, entry in starter_files().items()}
    existing = [p for p in planned if p.exists() or p.is_symlink()]
    if existing:
        raise InitError(f"{existing[0]} already exists ({len(existing)} of the {len(planned)} files "
                        "init writes do); nothing was written: choose an empty folder")
    for path, data in planned.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return list(planned)
