"""Markdown -> one syntax tree per field: GitHub's dialect plus math, the contract every backend reads.

The tree is markdown-it-py's own `SyntaxTreeNode`. Backends walk it; none of them
re-parses another backend's output. Node types a backend may meet:

  blocks   paragraph (children: inline, the container of a block's inline nodes; also in heading, th, td),
            heading (tag h1..h6), blockquote, bullet_list, ordered_list (attrs.start),
           list_item, fence (info, content), code_block (content), hr, table, thead, tbody, tr,
           th / td (attrs.style "text-align:…"), math_block (content: TeX), html_block
  inline   text, softbreak, hardbreak, code_inline, strong, em, s, link (attrs.href),
           image (attrs.src, children = alt), math_inline (content: TeX), html_inline

Math is recognised before any other inline rule (so `\\(`, `_` and `*` inside it are TeX,
not Markdown) in the four forms `$…$`, `$$…$$`, `\\(…\\)`, `\\[…\\]`, and ```math fences.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath import texmath_plugin


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """CommonMark with GitHub's tables, strikethrough and autolinks, and math."""
    md = MarkdownIt("commonmark", {"html": True, "linkify": False})
    md.enable(["table", "strikethrough"])
    # `$5 and $10` is money, not math: no digit right inside the dollars, as on GitHub.
    dollarmath_plugin(md, allow_labels=False, allow_space=False, allow_digits=False,
                      double_inline=True)
    texmath_plugin(md, delimiters="brackets")
    md.core.ruler.push("math_fence", _math_fences)
    return md


def _math_fences(state) -> None:
    """```math fences are display math, as GitHub treats them."""
    for token in state.tokens:
        if token.type == "fence" and token.info.strip() == "math":
            token.type, token.tag = "math_block", "math"


def parse(text: str) -> SyntaxTreeNode:
    """The tree of one field's Markdown."""
    return SyntaxTreeNode(parser().parse(text))
