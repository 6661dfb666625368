"""Where the PDFs get a question's parse trees: the build's shared, parsed-once trees (context.markup)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from markdown_it.tree import SyntaxTreeNode

from ...model import Question

if TYPE_CHECKING:
    from .. import BuildContext

MATH_TYPES = frozenset({"math_inline", "math_inline_double", "math_block"})


@dataclass(frozen=True)
class FieldTrees:
    question: SyntaxTreeNode
    answer: SyntaxTreeNode
    details: SyntaxTreeNode


def field_trees(question: Question, context: BuildContext) -> FieldTrees:
    """The trees of a question's three Markdown fields, as the markup layer parsed them."""
    trees = context.markup[question.id]
    return FieldTrees(trees.question, trees.answer, trees.details)


def written_as_display(node: SyntaxTreeNode) -> bool:
    """`$$…$$` or `\\[…\\]` inside a line: shown centred on its own line in the details."""
    return node.type == "math_inline_double" or node.markup in ("$$", "\\[")
