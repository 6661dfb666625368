"""What every importer produces: items with topics and media, turned into one schema-1 document."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..cloze import filled, filled_marked
from ..validate import SLUG

MAX_ID_CHARS = 80
_WORDS = re.compile(r"[a-z0-9]+")
# Markdown and math punctuation that says nothing about what a question is.
_MARKUP = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|\\[a-zA-Z]+|[`*_~#>|\[\]$\\]")


class ImportProblem(Exception):
    """A user error in what is imported: the message is printed as it is, exit 1."""


@dataclass(frozen=True)
class Item:
    """One question as an importer read it; ids are assigned when the bank is assembled."""

    question: str  # markdown; for a cloze item, the text with its {{c1::…}} marks
    answer: str
    details: str
    topic: str  # the topic's title
    origin: str  # where it came from, for the summary ("file.md:12", "note 1690…")
    tags: tuple[str, ...] = ()
    difficulty: str | None = None
    related: tuple[str, ...] = ()  # question texts of related items, resolved when assembled
    reverse: bool = False
    cloze: bool = False
    anki_guid: str = ""
    id: str = ""  # a preferred id (a studypack-built note carries its own)
    topic_id: str = ""  # a preferred topic id


@dataclass
class Bank:
    """Everything read from the sources, plus what could not be mapped and why."""

    title: str = ""
    deck_id: str = ""
    description: str = ""  # markdown
    items: list[Item] = field(default_factory=list)
    topic_order: list[str] = field(default_factory=list)  # topic titles in source order
    media: dict[str, bytes] = field(default_factory=dict)  # name under media/ -> its bytes
    skipped: list[str] = field(default_factory=list)  # "origin: reason" of each question left out
    notes: list[str] = field(default_factory=list)  # what changed on the way in (tags, images, …)


def slugify(text: str, limit: int = MAX_ID_CHARS) -> str:
    """Lower-case ASCII words joined by hyphens, cut at a word to at most `limit` characters."""
    plain = unicodedata.normalize("NFKD", _MARKUP.sub(" ", text)).encode("ascii", "ignore").decode()
    words = _WORDS.findall(plain.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or (words[0][:limit] if words else "")


def unique(slug: str, taken: set[str], fallback: str) -> str:
    """`slug` (or `fallback`) made unique with -2, -3, … and still within the length limit."""
    base = slug or fallback
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        room = MAX_ID_CHARS - len(suffix)
        trimmed = base if len(base) <= room else base[: room + 1].rsplit("-", 1)[0][:room]
        candidate = trimmed + suffix
    taken.add(candidate)
    return candidate


def tag_slug(tag: str) -> str:
    """An Anki tag in the content format's form: each `::` level a slug."""
    parts = [slugify(part, 200) for part in tag.split("::")]
    return "::".join(p for p in parts if p)


def assemble(bank: Bank, deck_id: str | None = None) -> dict:
    """The schema-1 document: ids from the text (unique, ≤ 80 characters), topics in order."""
    deck_slug = deck_id or bank.deck_id or slugify(bank.title) or "imported"
    topic_ids: dict[str, str] = {}
    taken_topics: set[str] = set()
    order = list(dict.fromkeys([*bank.topic_order, *(i.topic for i in bank.items)]))
    preferred = {i.topic: i.topic_id for i in bank.items if i.topic_id}
    for title in order:
        topic_ids[title] = unique(preferred.get(title) or slugify(title), taken_topics, "topic")
    taken_ids: set[str] = set()
    ids = [unique(item.id if SLUG.match(item.id or "") else slugify(_question_text(item)), taken_ids,
                  "question") for item in bank.items]
    by_text = {_question_text(item): qid for item, qid in zip(bank.items, ids, strict=True)}
    # A studypack deck links a related cloze item by its text filled in and ⟦marked⟧.
    by_text |= {filled_marked(item.question): qid for item, qid in zip(bank.items, ids, strict=True)
                if item.cloze}
    questions = [_question(item, qid, topic_ids[item.topic], by_text)
                 for item, qid in zip(bank.items, ids, strict=True)]
    used = {item.topic for item in bank.items}
    return {
        "schema": 1,
        "deck": {"id": deck_slug, "title": bank.title or deck_slug,
                 **({"description": bank.description} if bank.description.strip() else {})},
        "topics": [{"id": topic_ids[t], "title": t} for t in order if t in used],
        "questions": questions,
    }


def _question_text(item: Item) -> str:
    return filled(item.question) if item.cloze else item.question


def _question(item: Item, qid: str, topic_id: str, by_text: dict[str, str]) -> dict:
    entry: dict = {"id": qid, "topic": topic_id}
    entry["cloze" if item.cloze else "question"] = item.question
    if item.answer or not item.cloze:
        entry["answer"] = item.answer
    if item.details:
        entry["details"] = item.details
    if item.tags:
        entry["tags"] = list(dict.fromkeys(item.tags))
    if item.difficulty:
        entry["difficulty"] = item.difficulty
    related = [by_text[text] for text in item.related if by_text.get(text) not in (None, qid)]
    if related:
        entry["related"] = list(dict.fromkeys(related))
    if item.reverse:
        entry["reverse"] = True
    if item.anki_guid:
        entry["anki_guid"] = item.anki_guid
    return entry
