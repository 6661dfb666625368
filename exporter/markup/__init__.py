"""Every Markdown field of a deck parsed once into the tree the backends read (see tree.py)."""

from __future__ import annotations

from functools import cached_property

from markdown_it.tree import SyntaxTreeNode

from ..model import Deck, Question
from .tree import parse


class QuestionMarkup:
    """The trees of one question's fields, each parsed once, on first use."""

    def __init__(self, source: Question) -> None:
        self._source = source

    @cached_property
    def question(self) -> SyntaxTreeNode:
        return parse(self._source.question)

    @cached_property
    def answer(self) -> SyntaxTreeNode:
        return parse(self._source.answer)

    @cached_property
    def details(self) -> SyntaxTreeNode:
        return parse(self._source.details)


class DeckMarkup:
    """The deck's trees keyed by question id, and the description's tree."""

    def __init__(self, deck: Deck) -> None:
        self.questions = {q.id: QuestionMarkup(q) for q in deck.questions}
        self._description = deck.description

    def __getitem__(self, question_id: str) -> QuestionMarkup:
        return self.questions[question_id]

    @cached_property
    def description(self) -> SyntaxTreeNode:
        return parse(self._description)

