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

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode, _NesterTokens
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from .dispatch import install as install_dispatch
from .emphasis import emphasis
from .inline import install as install_simple_inline
from .math import math_block, math_fences, math_inline
from .rawhtml import convert as html_to_nodes

# Limits no real question needs; beyond them a field is refused with its position instead
# of costing seconds: markdown-it's link-label scan costs ~50 µs a character on a run of
# `![` (measured: 20 000 characters, 0.9 s under load), so a field stays under a second.
MAX_FIELD_CHARS = 20_000
MAX_DEPTH = 24  # nested lists count two levels each (list, item), quotes one
_CONTAINERS = {"blockquote_open", "bullet_list_open", "ordered_list_open", "list_item_open"}
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
    # ~one~ strikes through on GitHub as ~~two~~ do (and a missing option key costs an
    # exception per paragraph inside markdown-it).
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": _MAX_NESTING,
                                   "strikethrough_single_tilde": True})
    md.validateLink = _no_script_url
    md.enable(["table", "strikethrough"])
    gfm_autolink_plugin(md)
    _bound_autolinks(md)
    _bound_link_labels(md)
    md.inline.ruler.at("emphasis", emphasis)
    md.inline.ruler.before("escape", "math_inline", math_inline)
    md.block.ruler.before("fence", "math_block", math_block,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.core.ruler.push("math_fence", math_fences)
    md.core.ruler.push("raw_html", html_to_nodes)
    install_dispatch(md)
    install_simple_inline(md)
    return md


# The GFM autolink rules copy everything after the trigger character (the rest of the
# paragraph) and search the whole text before it, at every ':', 'w' and '@': on a 60 KB run
# of "a:" that took 1.7 s, quadratic. Each rule now runs only where a link can start and
# sees at most this many characters (a longer URL is linked up to here).
MAX_AUTOLINK = 2_048
_PROTOCOLS = ("http", "https", "mailto", "xmpp")


def _bound_autolinks(md: MarkdownIt) -> None:
    rules = {rule.name: rule for rule in md.inline.ruler.__rules__}
    guards = {
        "gfm_autolink_www": lambda state: state.src.startswith("www.", state.pos),
        "gfm_autolink_protocol": lambda state: state.pending.endswith(_PROTOCOLS),
        "gfm_autolink_email": lambda state: state.pending[-1:].isalnum(),
    }
    for name, applies in guards.items():
        md.inline.ruler.at(name, _bounded(rules[name].fn, applies, name == "gfm_autolink_protocol"))


def _bounded(rule, applies, short_pending: bool = False):
    def bounded(state, silent: bool) -> bool:
        if not applies(state):
            return False
        if short_pending and len(state.pending) > 16:
            # The protocol rule searches all the pending text for its scheme: emit all but
            # the tail as a text token of its own first (it renders the same).
            tail = state.pending[-16:]
            state.pending = state.pending[:-16]
            state.pushPending()
            state.pending = tail
        limit = state.posMax
        state.posMax = min(limit, state.pos + MAX_AUTOLINK)
        try:
            return rule(state, silent)
        finally:
            state.posMax = limit

    return bounded


# A `[` or `![` makes markdown-it scan forward for its `]`, token by token: a 15 000-character
# run of `![` without one took 0.5 s per field, quadratic. A label whose `]` is not within
# this many characters is plain text (CommonMark caps reference labels at 999; GitHub would
# still link a longer inline one, which no real question has).
MAX_LINK_LABEL = 1_000


def _bound_link_labels(md: MarkdownIt) -> None:
    rules = {rule.name: rule for rule in md.inline.ruler.__rules__}
    for name in ("link", "image"):
        md.inline.ruler.at(name, _near_closing_bracket(rules[name].fn))


def _near_closing_bracket(rule):
    def guarded(state, silent: bool) -> bool:
        closers = getattr(state, "_closing_brackets", None)
        if closers is None:  # once per inline run: where every `]` is
            closers = state._closing_brackets = [m.start() for m in _CLOSE_BRACKET.finditer(state.src)]
        index = bisect.bisect_right(closers, state.pos)
        if index == len(closers) or closers[index] - state.pos > MAX_LINK_LABEL:
            return False
        return rule(state, silent)

    return guarded


_CLOSE_BRACKET = re.compile(r"\]")
_SCRIPT_URL = re.compile(r"(?:java|vb)script:", re.IGNORECASE)


def _no_script_url(url: str) -> bool:
    """Refuse only script URLs (they become text). markdown-it also turns `file:` and `data:`
    images into text; keeping them as image nodes lets validation name them as errors."""
    return not _SCRIPT_URL.match(url.strip())


def check(text: str) -> MarkupProblem | None:
    """Why `text` is refused, or None; parse() raises for the same reasons."""
    if len(text) > MAX_FIELD_CHARS:
        return MarkupProblem(MAX_FIELD_CHARS, f"the field is {len(text)} characters long; the limit "
                                              f"is {MAX_FIELD_CHARS}: split it into several questions")
    return None


# A line Markdown would turn into nothing but its own text: no markup, math, HTML, entity or
# autolink character anywhere, no block marker at its start, no hard break at its end. Most
# questions and answers of real banks are such lines.
_PLAIN_LINE = re.compile(r"(?![\s#>+=*-]|\d+[.)])[^*_`\[\]!<>&\\|~$@:\n\t\r\f\v]*(?<!\s)")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def _plain_tokens(text: str) -> list[Token] | None:
    """The tokens markdown-it would make of plain paragraphs, made directly; else None."""
    if "www." in text.lower():
        return None  # a bare-URL link
    tokens: list[Token] = []
    line = 0
    for paragraph in _BLANK_LINES.split(text.strip("\n")):
        lines = paragraph.split("\n")
        if not all(_PLAIN_LINE.fullmatch(one) for one in lines) or not paragraph:
            return None
        children: list[Token] = []
        for index, one in enumerate(lines):
            if index:
                children.append(Token("softbreak", "br", 0))
            children.append(Token("text", "", 0, content=one))
        span = [line, line + len(lines)]
        tokens += [Token("paragraph_open", "p", 1, map=span, block=True),
                   Token("inline", "", 0, map=span, content=paragraph, children=children, block=True),
                   Token("paragraph_close", "p", -1, block=True)]
        line += len(lines) + 1
    return tokens


def parse(text: str) -> SyntaxTreeNode:
    """The tree of one field's Markdown; MarkupError when a limit is passed."""
    problem = check(text)
    if problem is not None:
        raise MarkupError(problem)
    plain = _plain_tokens(text) if text.strip() else None
    if plain is not None:
        return build_tree(plain)
    tokens = parser().parse(text, {})
    deep = next((t for t in tokens if t.level >= MAX_DEPTH and t.type in _CONTAINERS), None)
    if deep is not None:
        offset = sum(len(line) + 1 for line in text.split("\n")[:deep.map[0]])
        raise MarkupError(MarkupProblem(offset, f"lists or quotes nested more than {MAX_DEPTH} "
                                                "levels deep; flatten them"))
    _check_inline_depth(text, tokens)
    return build_tree(tokens)


# Emphasis is paired after the inline rules ran, out of maxNesting's reach: "*" * 500 + "a"
# + "*" * 500 nests 250 levels, and the renderers walk the tree recursively.
MAX_INLINE_DEPTH = 32


def _check_inline_depth(text: str, tokens: list[Token]) -> None:
    for token in tokens:
        depth = 0
        for child in token.children or ():
            depth += child.nesting
            if depth > MAX_INLINE_DEPTH:
                line = token.map[0] if token.map else 0
                offset = sum(len(part) + 1 for part in text.split("\n")[:line])
                raise MarkupError(MarkupProblem(offset, f"emphasis, links or inline HTML nested more "
                                                        f"than {MAX_INLINE_DEPTH} levels deep; "
                                                        "unnest them"))


def build_tree(tokens: list[Token]) -> SyntaxTreeNode:
    """markdown-it's SyntaxTreeNode, built in one pass: its own constructor copies the tokens
    of every container once per level (a third of all parsing time on a real bank)."""
    root = _node(None)
    _fill(root, tokens)
    # The stream it was built from, for renderers (root.to_tokens() gives the same list, slower).
    root.source_tokens = tokens
    return root


def _node(parent: SyntaxTreeNode | None) -> SyntaxTreeNode:
    node = SyntaxTreeNode.__new__(SyntaxTreeNode)
    node.token, node.nester_tokens, node._parent, node._children = None, None, parent, []
    if parent is not None:
        parent._children.append(node)
    return node


def _fill(root: SyntaxTreeNode, tokens: list[Token]) -> None:
    # _node inlined, and a container's nester pair made once, at its close: a tenth of the
    # parse is spent here, one node per token.
    new = SyntaxTreeNode.__new__
    stack = [root]
    parent, siblings = root, root._children
    for token in tokens:
        nesting = token.nesting
        if nesting == 1:
            node = new(SyntaxTreeNode)
            node.token, node.nester_tokens, node._parent, node._children = None, token, parent, []
            siblings.append(node)
            stack.append(node)
            parent, siblings = node, node._children
        elif nesting == -1:
            if len(stack) == 1:
                raise ValueError(f"unbalanced token stream at {token.type}")
            node = stack.pop()
            node.nester_tokens = _NesterTokens(node.nester_tokens, token)
            parent = stack[-1]
            siblings = parent._children
        else:
            node = new(SyntaxTreeNode)
            node.token, node.nester_tokens, node._parent, node._children = token, None, parent, []
            siblings.append(node)
            if token.children:
                _fill(node, token.children)
    if len(stack) != 1:
        raise ValueError("unclosed tokens in the stream")
