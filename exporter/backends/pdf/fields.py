"""Where the PDFs get a question's parse trees: the one place that will read the shared,
parsed-once trees (context.markup) when they land; until then it parses here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from ...markup.tree import parse, parser
from ...model import Question

MATH_TYPES = frozenset({"math_inline", "math_inline_double", "math_block"})


@dataclass(frozen=True)
class FieldTrees:
    question: SyntaxTreeNode
    answer: SyntaxTreeNode
    details: SyntaxTreeNode


def field_trees(question: Question, context: object = None) -> FieldTrees:
    """The trees of a question's three Markdown fields (context: the BuildContext, unused yet)."""
    return FieldTrees(field_tree(question.question), field_tree(question.answer),
                      field_tree(question.details))


def field_tree(text: str) -> SyntaxTreeNode:
    """One field's tree: the single place a tree is parsed for the PDFs and their checks."""
    return parse(text)


def math_tokens(text: str) -> Iterator[Token]:
    """The math of one field, block and inline, from the parser's tokens: no tree is built,
    which is most of a parse's cost when only the formulas are wanted (validate)."""
    for token in parser().parse(text):
        if token.type in MATH_TYPES:
            yield token
        for child in token.children or ():
            if child.type in MATH_TYPES:
                yield child


def written_as_display(node: SyntaxTreeNode | Token) -> bool:
    """`$$…$$` or `\\[…\\]` inside a line: shown centred on its own line in the details."""
    return node.type == "math_inline_double" or node.markup in ("$$", "\\[")
