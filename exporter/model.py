"""The validated content model every backend reads: frozen dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

DIFFICULTIES = ("easy", "medium", "hard")


@dataclass(frozen=True, order=True)
class Loc:
    """A 1-based position in the source file, as editors and compilers count."""

    line: int
    col: int


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    loc: Loc


@dataclass(frozen=True)
class Question:
    id: str
    topic: str  # a Topic.id, checked by validation
    # Inline markdown. For a cloze item: the cloze text with every mark replaced by its
    # answer, so titles, tables of contents and duplicate checks read it like any question.
    question: str
    answer: str  # inline markdown; "" for a cloze item without one
    details: str  # block markdown, "" when absent
    tags: tuple[str, ...]
    difficulty: str | None
    related: tuple[str, ...]  # Question.ids, checked by validation
    loc: Loc
    # Image paths used in details, relative to the content folder (posix form),
    # already checked to exist and to stay inside it.
    media: tuple[str, ...] = ()
    # A second card from the answer to the question (`reverse:`, else `deck.reverse`).
    reverse: bool = False
    # The raw `cloze:` text with its {{c1::…}} marks (exporter.cloze reads them); "" when
    # the item is an ordinary question.
    cloze: str = ""
    # The GUID of the Anki note this question came from (`studypack import`); the Anki
    # backend uses it instead of the one derived from the ids, so the note updates in place.
    anki_guid: str = ""


@dataclass(frozen=True)
class Deck:
    id: str
    title: str
    description: str
    author: str
    version: str
    topics: tuple[Topic, ...]
    questions: tuple[Question, ...]
    loc: Loc
    reverse: bool = False  # the default of every question's `reverse`

    def topic(self, topic_id: str) -> Topic:
        return next(t for t in self.topics if t.id == topic_id)

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)

    def questions_in(self, topic_id: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.topic == topic_id)

    @property
    def media(self) -> tuple[str, ...]:
        """Every image the deck uses, once each, sorted for determinism."""
        return tuple(sorted({m for q in self.questions for m in q.media}))
