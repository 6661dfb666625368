"""Every Markdown field of a deck parsed once into the tree the backends read (see tree.py)."""

from __future__ import annotations

import gc
from functools import cached_property

from markdown_it.tree import SyntaxTreeNode

from ..cloze import filled_marked
from ..model import Deck, Question
from .tree import parse


class QuestionMarkup:
    """The trees of one question's fields, each parsed once, on first use."""

    def __init__(self, source: Question) -> None:
        self._source = source

    @cached_property
    def question(self) -> SyntaxTreeNode:
        """A cloze item's question is its text with the hidden parts filled in and marked
        ⟦so⟧: what print shows, and what a related question's link reads."""
        if self._source.cloze:
            return parse(filled_marked(self._source.cloze))
        return parse(self._source.question)

    @cached_property
    def answer(self) -> SyntaxTreeNode:
        return parse(self._source.answer)

    @cached_property
    def details(self) -> SyntaxTreeNode:
        return parse(self._source.details)

    def parse_all(self) -> None:
        for name in ("question", "answer", "details"):
            getattr(self, name)


class DeckMarkup:
    """The deck's trees keyed by question id, and the description's tree."""

    def __init__(self, deck: Deck, eager: bool = False) -> None:
        self.questions = {q.id: QuestionMarkup(q) for q in deck.questions}
        self._description = deck.description
        if eager:
            self.parse_all()

    def __getitem__(self, question_id: str) -> QuestionMarkup:
        return self.questions[question_id]

    @cached_property
    def description(self) -> SyntaxTreeNode:
        return parse(self._description)

    def parse_all(self) -> None:
        """Every field now, before the backends fork: they inherit the trees instead of each
        parsing them again. The trees live as long as the build, and the cyclic collector
        would scan their millions of objects again and again, while parsing and while every
        backend renders (a third of the parse time, and more of the Anki HTML's, at 10 000
        questions): it is paused, then they are frozen out of its sight. The build calls
        gc.unfreeze() when it is done, so a long `watch` session does not keep old trees."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            for question in self.questions.values():
                question.parse_all()
            self.description  # noqa: B018 - parsed for the same reason
        finally:
            gc.freeze()
            if enabled:
                gc.enable()
