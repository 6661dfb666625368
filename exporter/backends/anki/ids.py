"""Stable Anki identities: deck, note-type and note ids derived from slugs, never from text."""

from __future__ import annotations

import hashlib

# genanki's documented range for hand-picked ids: positive, far from Default (1),
# and well inside SQLite's signed 64-bit integers.
ID_MIN = 1 << 30
ID_MAX = 1 << 31

# Bump when the note type's fields or templates change names: Anki then sees a
# different schema and must get a different id and name (it refuses to merge).
NOTETYPE_VERSION = 1
NOTETYPE_NAME = f"studypack Q&A v{NOTETYPE_VERSION}"


def stable_id(*parts: str) -> int:
    """Hash the parts into [ID_MIN, ID_MAX): the same parts always give the same id."""
    digest = hashlib.sha256("\x1f".join(("studypack", *parts)).encode("utf-8")).digest()
    return ID_MIN + int.from_bytes(digest[:8], "big") % (ID_MAX - ID_MIN)


def deck_id(deck_slug: str) -> int:
    return stable_id("deck", deck_slug)


def subdeck_id(deck_slug: str, topic_slug: str) -> int:
    return stable_id("deck", deck_slug, "topic", topic_slug)


def notetype_id(deck_slug: str) -> int:
    # Per deck, so restyling one published deck's templates never touches another's.
    return stable_id("notetype", deck_slug, NOTETYPE_NAME)


def note_guid(deck_slug: str, question_slug: str) -> str:
    """Identity from the ids only, so editing a question's text updates the note in place."""
    # Imported here: every build reads NOTETYPE_VERSION, and genanki brings asyncio (~60 ms).
    import genanki

    return genanki.guid_for("studypack", deck_slug, question_slug)
