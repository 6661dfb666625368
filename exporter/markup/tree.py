"""Markdown -> one syntax tree per field: GitHub's dialect plus math, the contract every backend reads.

The tree is markdown-it-py's own `SyntaxTreeNode`. Backends walk it; none of them
re-parses another backend's output. Node types a backend may meet:

  blocks   paragraph (children: inline, the container of a block's inline nodes; also in heading,
           th, td, summary), heading (tag h1..h6), blockquote, bullet_list, ordered_list
           (attrs.start), list_item, fence (info, content), code_block (content), hr, table,
           thead, tbody, tr, th / td (attrs.style "text-align:…"), math_block (content: TeX),
           details (first child: summary, whose child is an inline)
  inline   text, softbreak, hardbreak, code_inline, strong, em, s, sub, sup, kbd,
           link (attrs.href), image (attrs.src, children = alt), math_inline (content: TeX)

Math is recognised before any other inline rule (so `\\(`, `_` and `*` inside it are TeX,
not Markdown) in the four forms `$…$`, `$$…$$`, `\\(…\\)`, `\\[…\\]`, and ```math fences.
`.markup` says which form was written: a math_inline whose markup is `$$` or `\\[` was
display math written inside a line (a backend may show it centred or inline).

Raw HTML never reaches a backend: allow-listed tags become the nodes above (`<b>` ->
strong, `<br>` -> hardbreak, `<img>` -> image, `<table>` -> table…, see rawhtml.py) and
every other tag is a text node showing the tag as written. Links and image sources are
normalised (percent-encoded) and never `javascript:`; an image's src may still be remote:
each backend decides what to do with it (markup.images reports it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from .math import math_block, math_fences, math_inline
from .rawhtml import convert as html_to_nodes

# Limits no real question needs; beyond them a field is refused with its position instead
# of costing seconds: markdown-it's link-label scan costs ~50 µs a character on a run of
# `![` (measured: 20 000 characters, 0.9 s under load), so a field stays under a second.
MAX_FIELD_CHARS = 20_000
MAX_DEPTH = 24  # nested lists count two levels each (list, item), quotes one
# markdown-it silently drops whatever lies deeper than its maxNesting: keep it above
# MAX_DEPTH so that anything it would drop is reported first.
_MAX_NESTING = MAX_DEPTH + 8


@dataclass(frozen=True)
class MarkupProblem:
    """Why a field cannot be parsed, and the offset in it where that starts."""

    offset: int
    message: str


class MarkupError(ValueError):
    def __init__(self, problem: MarkupProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """CommonMark with GitHub's tables, strikethrough and autolinks, math, and HTML as nodes."""
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": _MAX_NESTING})
    md.validateLink = _no_script_url
    md.enable(["table", "strikethrough"])
    gfm_autolink_plugin(md)
    md.inline.ruler.before("escape", "math_inline", math_inline)
    md.block.ruler.before("fence", "math_block", math_block,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.block.ruler.before("table", "depth_limit", _depth_limit)
    md.core.ruler.push("math_fence", math_fences)
    md.core.ruler.push("raw_html", html_to_nodes)
    return md


_SCRIPT_URL = re.compile(r"(?:java|vb)script:", re.IGNORECASE)


def _no_script_url(url: str) -> bool:
    """Refuse only script URLs (they become text). markdown-it also turns `file:` and `data:`
    images into text; keeping them as image nodes lets validation name them as errors."""
    return not _SCRIPT_URL.match(url.strip())


def _depth_limit(state, start_line: int, end_line: int, silent: bool) -> bool:
    """Never matches: records where the nesting first passes MAX_DEPTH."""
    if state.level >= MAX_DEPTH and "too_deep" not in state.env:
        state.env["too_deep"] = state.bMarks[start_line] + state.tShift[start_line]
    return False


def check(text: str) -> MarkupProblem | None:
    """Why `text` is refused, or None; parse() raises for the same reasons."""
    if len(text) > MAX_FIELD_CHARS:
        return MarkupProblem(MAX_FIELD_CHARS, f"the field is {len(text)} characters long; the limit "
                                              f"is {MAX_FIELD_CHARS}: split it into several questions")
    return None


def parse(text: str) -> SyntaxTreeNode:
    """The tree of one field's Markdown; MarkupError when a limit is passed."""
    problem = check(text)
    if problem is not None:
        raise MarkupError(problem)
    env: dict = {}
    tokens = parser().parse(text, env)
    if "too_deep" in env:
        raise MarkupError(MarkupProblem(env["too_deep"], f"lists, quotes or HTML nested more than "
                                                         f"{MAX_DEPTH} levels deep; flatten them"))
    return SyntaxTreeNode(tokens)
