"""The times outputs carry: one per question, note type and deck, moved only when its content changes.

Anki applies an update only when the incoming modification time is newer, so a changed
question must get a newer time than its last build, while an unchanged one keeps the time
the ledger recorded: two builds of the same committed files, on any machine, in a shallow
clone or after a commit, produce the same bytes. New times come from SOURCE_DATE_EPOCH,
else the clock; nothing is read from git or from file times.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Deck, Question

# 9999-12-31T23:59:59Z: the last second PDF dates, zip times and ISO dates can all write.
MAX_EPOCH = 253_402_300_799


class TimestampError(ValueError):
    pass


@dataclass(frozen=True)
class BuildTimes:
    """When each part last changed, in seconds since the epoch."""

    deck: int  # the latest of all: what a whole file (PDF, package) carries
    notetype: int
    questions: Mapping[str, int] = field(default_factory=dict)

    def question(self, question_id: str) -> int:
        return self.questions.get(question_id, self.deck)


def now(environ: Mapping[str, str] | None = None) -> int:
    """The time a change is recorded with: SOURCE_DATE_EPOCH when set, else the clock."""
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return int(time.time())
    if not epoch.isdigit():
        raise TimestampError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not '{epoch[:40]}'")
    if int(epoch) > MAX_EPOCH:
        raise TimestampError(f"SOURCE_DATE_EPOCH {epoch[:40]} is after the year 9999; "
                             "give seconds since 1970-01-01 (e.g. `date +%s`)")
    return int(epoch)


def iso(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def parse_iso(text: str) -> int | None:
    """Seconds for a `YYYY-MM-DDTHH:MM:SSZ` time, None when it is not one."""
    # By hand rather than time.strptime: a 10 000-question ledger has 10 000 times, and
    # strptime's locale-aware parser cost validate 0.15 s of them.
    match = _ISO_TIME.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = map(int, match.groups())
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]
            and hour < 24 and minute < 60 and second <= 61):  # strptime's range: leap seconds
        return None
    return calendar.timegm((year, month, day, hour, minute, second))


_ISO_TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z")


# --- fingerprints: what each time is a time of ---


def digest(value: object) -> str:
    """A short stable hash of a JSON-able value: 64 bits tell edits apart with room to spare."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def question_digest(deck: Deck, question: Question, media: Mapping[str, str]) -> str:
    """Everything that reaches the question's note: its fields, its topic's title, the text
    of the questions it names as related, and the bytes of its images."""
    related = [[r, deck.question(r).question] for r in question.related]
    return digest({
        "id": question.id, "topic": [question.topic, deck.topic(question.topic).title],
        "question": question.question, "answer": question.answer, "details": question.details,
        "tags": list(question.tags), "difficulty": question.difficulty, "related": related,
        "media": [[m, media[m]] for m in question.media],
    })


def deck_digest(deck: Deck) -> str:
    """The deck's own details and shape: titles, topics and the order of its questions."""
    return digest({
        "id": deck.id, "title": deck.title, "description": deck.description, "author": deck.author,
        "version": deck.version, "topics": [[t.id, t.title] for t in deck.topics],
        "questions": [q.id for q in deck.questions],
    })


def media_digests(deck: Deck, content_dir: Path) -> dict[str, str]:
    return {m: hashlib.sha256((content_dir / m).read_bytes()).hexdigest() for m in deck.media}
