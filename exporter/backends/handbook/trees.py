"""Where the handbook gets each field's parse tree: one function, so shared trees can replace it."""

from __future__ import annotations

from markdown_it.tree import SyntaxTreeNode

from ...markup.tree import parse
from .. import BuildContext


def field_tree(context: BuildContext, question_id: str | None, field: str, text: str) -> SyntaxTreeNode:
    """The tree of one field: `question_id` None means the deck (its description).

    Parsed here until the build hands every backend the trees it parsed once
    (`context.markup[question_id].<field>`, `context.markup.description`).
    """
    del context, question_id, field  # the keys the shared trees will be looked up by
    return parse(text)
