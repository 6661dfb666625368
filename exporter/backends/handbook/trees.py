"""Where the handbook gets each field's parse tree: the build's shared trees, parsed once."""

from __future__ import annotations

from markdown_it.tree import SyntaxTreeNode

from .. import BuildContext


def field_tree(context: BuildContext, question_id: str | None, field: str, text: str) -> SyntaxTreeNode:
    """The tree of one field: `question_id` None means the deck (its description). `text` is
    what the tree was parsed from; the shared trees already hold it."""
    del text
    if question_id is None:
        return context.markup.description
    return getattr(context.markup[question_id], field)
