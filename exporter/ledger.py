"""The ledger `<source stem>.lock`, committed beside the source: the identities and change times
users' review history hangs on.

One line per deck, note type and question: `KIND KEY HASH TIME`. A build reuses a recorded
time while the hash matches and records a new one when it changes (timestamps.py), so the
outputs depend on committed files only. A question id once published stays listed: its loss
is warned about, because users would lose that card's history. The deck id and the note type
version are guarded: changing either makes Anki treat the deck as a new one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from .diagnostics import Diagnostic, error, warning
from .model import Deck, Loc
from .timestamps import BuildTimes, iso, parse_iso

HEADER = (
    "# studypack ledger: written by `studypack build`; commit it with the source.\n"
    "# KIND KEY HASH TIME: when each part last changed. Unchanged parts keep their time, so\n"
    "# builds are identical on every machine and Anki updates only the notes that changed.\n"
    "# `studypack validate` warns when a question id disappears (its review history would be\n"
    "# lost): delete a line only when a removal is intended.\n"
)
KINDS = ("deck", "notetype", "question")


@dataclass(frozen=True)
class Entry:
    kind: str
    key: str
    digest: str  # "" when unknown (migrated from the old id list)
    time: int  # 0 when unknown
    line: int = 0

    def format(self) -> str:
        return f"{self.kind} {self.key} {self.digest or '-'} {iso(self.time) if self.time else '-'}\n"


@dataclass(frozen=True)
class Ledger:
    path: Path
    entries: tuple[Entry, ...]
    problems: tuple[Diagnostic, ...] = ()
    migrated_from: Path | None = None  # the old `.ids` list this ledger was read from

    def find(self, kind: str, key: str | None = None) -> Entry | None:
        return next((e for e in self.entries if e.kind == kind and key in (None, e.key)), None)


@dataclass(frozen=True)
class Plan:
    """What a build records: the times it uses, the ledger text, and why it differs."""

    times: BuildTimes
    text: str
    changes: tuple[str, ...]  # one short reason each, empty when the ledger is up to date
    guard: str | None = None  # an identity changed: the build refuses unless allowed
    migrated_from: Path | None = None  # the old id list, removed once the ledger is written


def path_for(source: Path) -> Path:
    return source.with_suffix(".lock")


def legacy_path_for(source: Path) -> Path:
    """Where studypack 0.1 kept its list of published ids."""
    return source.with_suffix(".ids")


def read(source: Path, display: str | None = None) -> Ledger:
    """The ledger beside `source`, else the old id list; a missing or unreadable one is empty."""
    path = path_for(source)
    if path.resolve() == source.resolve():  # the build refuses to write it; never parse YAML here
        return Ledger(path, ())
    shown = str(path_for(Path(display))) if display else str(path)
    text = _read_text(path)
    if text is not None:
        return _parse(path, shown, text)
    legacy = legacy_path_for(source)
    text = _read_text(legacy) if legacy != source.resolve() and legacy != source else None
    if text is None:
        return Ledger(path, ())
    ids = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
           if line.strip() and not line.lstrip().startswith("#")]
    return Ledger(path, tuple(Entry("question", qid, "", 0, n) for n, qid in ids), (), legacy)


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _parse(path: Path, shown: str, text: str) -> Ledger:
    entries: list[Entry] = []
    problems: list[Diagnostic] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        entry = _parse_line(line, number)
        if entry is None:
            problems.append(error(shown, Loc(number, 1), "cannot read this ledger line: expected "
                                  "'KIND KEY HASH TIME' (KIND one of deck, notetype, question; TIME "
                                  "like 2024-01-31T12:00:00Z); resolve merge conflicts by hand"))
        else:
            entries.append(entry)
    return Ledger(path, tuple(entries), tuple(problems))


def _parse_line(line: str, number: int) -> Entry | None:
    parts = line.split()
    if len(parts) != 4 or parts[0] not in KINDS:
        return None
    kind, key, digest, when = parts
    seconds = 0 if when == "-" else parse_iso(when)
    if seconds is None:
        return None
    return Entry(kind, key, "" if digest == "-" else digest, seconds, number)


def check(source: Path, display: str, deck: Deck) -> list[Diagnostic]:
    """What `validate` reports about the ledger: unreadable lines, lost ids, a changed deck id."""
    ledger = read(source, display)
    shown = str(path_for(Path(display))) if ledger.migrated_from is None else str(
        legacy_path_for(Path(display)))
    current = {q.id for q in deck.questions}
    found = list(ledger.problems)
    found += [
        warning(shown, Loc(e.line, 1), f"question id '{e.key}' was published but is gone from "
                f"{display}; users who studied it lose its review history (restore the id, "
                "or delete this line if the removal is intended)")
        for e in ledger.entries if e.kind == "question" and e.key not in current
    ]
    recorded = ledger.find("deck")
    if recorded and recorded.key != deck.id:
        found.append(warning(shown, Loc(recorded.line, 1), deck_id_message(recorded.key, deck.id)))
    return found


def deck_id_message(old: str, new: str) -> str:
    return (f"deck id changed from '{old}' to '{new}': Anki would import it as a second deck, "
            "with a second note type and a second copy of every note, and no review history; "
            f"restore 'id: {old}', or build with --allow-id-change to start a new deck on purpose")


def notetype_message(old: str, new: str) -> str:
    return (f"the note type changed from {old} to {new} (a studypack upgrade): Anki would import "
            "a second note type, and updates to the notes already studied would not apply; "
            "build with --allow-id-change to accept it")


def plan(ledger: Ledger, deck: Deck, notetype: tuple[str, str], question_digests: Mapping[str, str],
         deck_digest: str, now: int) -> Plan:
    """Times for this build and the ledger that records them.

    `notetype` is (version key, hash of the templates and CSS). A part keeps its recorded
    time while its hash matches; otherwise it gets `now`, and never a time at or before the
    recorded one, since Anki ignores an update that is not newer.
    """
    changes: list[str] = []
    guard = _guard(ledger, deck.id, notetype[0])

    def stamp(kind: str, key: str, digest: str, old: Entry | None, label: str) -> Entry:
        if old is not None and old.digest == digest and old.time:
            return replace(old, key=key)
        changes.append(f"{label} changed" if old is not None else f"new {label}")
        return Entry(kind, key, digest, max(now, old.time + 1) if old else now)

    deck_entry = stamp("deck", deck.id, deck_digest, ledger.find("deck"), "deck details")
    notetype_entry = stamp("notetype", notetype[0], notetype[1], ledger.find("notetype"),
                           "note type (templates or CSS)")
    known = [e for e in ledger.entries if e.kind == "question"]
    old_by_id = {e.key: e for e in known}
    stamped: dict[str, Entry] = {}
    for question in deck.questions:
        stamped[question.id] = stamp("question", question.id, question_digests[question.id],
                                     old_by_id.get(question.id), f"question '{question.id}'")
    ordered = [stamped.get(e.key, e) for e in known]
    ordered += [stamped[q.id] for q in deck.questions if q.id not in old_by_id]
    times = {qid: e.time for qid, e in stamped.items()}
    latest = max([deck_entry.time, notetype_entry.time, *times.values()])
    text = HEADER + "".join(e.format() for e in (deck_entry, notetype_entry, *ordered))
    if ledger.migrated_from is not None:
        changes.insert(0, f"{ledger.migrated_from.name} becomes {ledger.path.name}")
    return Plan(BuildTimes(latest, notetype_entry.time, times), text, tuple(changes), guard,
                ledger.migrated_from)


def _guard(ledger: Ledger, deck_id: str, notetype_key: str) -> str | None:
    recorded_deck = ledger.find("deck")
    if recorded_deck is not None and recorded_deck.key != deck_id:
        return deck_id_message(recorded_deck.key, deck_id)
    recorded_notetype = ledger.find("notetype")
    if recorded_notetype is not None and recorded_notetype.key != notetype_key:
        return notetype_message(recorded_notetype.key, notetype_key)
    return None


def summary(changes: tuple[str, ...], limit: int = 3) -> str:
    """The changes as one short clause: 'question 'a' changed, new question 'b', and 2 more'."""
    shown = list(changes[:limit])
    if len(changes) > limit:
        shown.append(f"{len(changes) - limit} more")
    return ", ".join(shown)
