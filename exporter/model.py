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
    question: str  # inline markdown
    answer: str  # inline markdown
    details: str  # block markdown, "" when absent
    tags: tuple[str, ...]
    difficulty: str | None
    related: tuple[str, ...]  # Question.ids, checked by validation
    loc: Loc
    # Image paths used in details, relative to the content folder (posix form),
    # already checked to exist and to stay inside it.
    media: tuple[str, ...] = ()


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
