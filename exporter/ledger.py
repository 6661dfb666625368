"""The ledger of published question ids, kept beside the source to guard review history.

Renaming or deleting a question id makes every user lose that card's history, so ids
that were once built are remembered in `<source stem>.ids` and their loss is warned about.
"""

from __future__ import annotations

from pathlib import Path

from .diagnostics import Diagnostic, warning
from .model import Deck, Loc

HEADER = (
    "# Question ids published by `studypack build`; keep this file under version control.\n"
    "# `studypack validate` warns when one disappears from the source, because users would\n"
    "# lose that card's review history. Delete a line only when a removal is intended.\n"
)


def path_for(source: Path) -> Path:
    return source.with_suffix(".ids")


def read_ids(path: Path) -> list[tuple[int, str]]:
    """(line number, id) of each entry; a missing or unreadable ledger has none."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            entries.append((number, line))
    return entries


def check(source: Path, display: str, deck: Deck) -> list[Diagnostic]:
    ledger = path_for(source)
    shown = str(Path(display).with_suffix(".ids"))
    current = {q.id for q in deck.questions}
    return [
        warning(shown, Loc(number, 1), f"question id '{qid}' was published but is gone from "
                f"{display}; users who studied it lose its review history (restore the id, "
                "or delete this line if the removal is intended)")
        for number, qid in read_ids(ledger)
        if qid not in current
    ]


def updated_text(source: Path, deck: Deck) -> str:
    """The ledger after a build: every id ever published, oldest first, new ids appended."""
    known = [qid for _, qid in read_ids(path_for(source))]
    seen = set(known)
    new = [q.id for q in deck.questions if q.id not in seen]
    return HEADER + "".join(f"{qid}\n" for qid in known + new)
