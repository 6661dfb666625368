"""Inline text of words, `code`, math and unnested **strong** or *em* made into tokens directly."""

from __future__ import annotations

import re
from types import MethodType

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .emphasis import flanking
from .math import dollar_closes

# Characters some inline rule other than text, emphasis, backticks and math acts on
# (escapes, entities, links, images, HTML, strikethrough; a colon or an at sign only where
# an autolink could end or start, after a scheme or a word), "_" outside math and code (its
# intraword rules), "www.", and a line break with spaces around it (a hard break, or spaces
# markdown-it strips). Anywhere: a run of two backticks, a carriage return. Any of them and
# markdown-it decides.
_OTHER_RULES = re.compile(r"[~\[\]!&<>]|(?:https?|mailto|xmpp):|\w@|www\.|[ \t]\n|\n[ \t]")
# The same but brackets and angle brackets, which math and tags may hold: asked of the whole
# text first, so that most refusals (links) come before any token is made.
_EARLY = re.compile(r"[~!&]|(?:https?|mailto|xmpp):|\w@|www\.|[ \t]\n|\n[ \t]")
_ANYWHERE = re.compile(r"``|\r")
_CODE_SPAN = re.compile(r"`[^`]*`")
# A tag without attributes other than <a> (whose html_inline counts link levels): the
# raw-HTML rule (rawhtml.py) turns it into nodes, as it does markdown-it's html_inline.
_PIECE = re.compile(r"(\*+)|`([^`]*)`|(\\[(\[]|\$\$?)|(</?(?![Aa]>)[A-Za-z][A-Za-z0-9]*>)|([^*`$\\<]+)")
_MATH_CLOSERS = {"$$": "$$", "\\(": "\\)", "\\[": "\\]"}


def simple_tokens(src: str) -> list[Token] | None:
    """What markdown-it's inline parser makes of `src`, when it is simple enough; else None.
    Most sentences of real decks are words with some bold, code and math: the parser spends
    ~12 µs on each run of `*`, ~5 µs on each code span or formula, this ~1 µs."""
    if not src or _ANYWHERE.search(src) \
            or _EARLY.search(_CODE_SPAN.sub("x", src) if "`" in src else src):
        return None  # most refusals (links, HTML) before any token is made
    tokens: list[Token] = []
    opened: str | None = None  # the run of an open emphasis
    level = pos = 0
    while pos < len(src):
        match = _PIECE.match(src, pos)
        if match is None:
            return None  # an unclosed backtick, a backslash escape
        pos = match.end()
        stars, code, math, tag, text = match.groups()
        if text is not None:
            if "_" in text or _OTHER_RULES.search(text):
                return None
            for index, line in enumerate(text.split("\n")):
                if index:
                    tokens.append(Token("softbreak", "br", 0, level=level))
                if line:
                    _text(tokens, line, level)
        elif code is not None:
            if not code or (code[0] == " " and code[-1] == " ") or "\n" in code:
                return None  # markdown-it strips a space from each end, makes breaks spaces
            tokens.append(Token("code_inline", "code", 0, level=level, markup="`", content=code))
        elif tag is not None:
            tokens.append(Token("html_inline", "", 0, level=level, content=tag))
        elif math is not None:
            close = _math_close(src, match.start(), math)
            if close == -1 and math[0] == "$":
                pos = match.start() + 1  # math_inline refuses: the $ is text
                _text(tokens, "$", level)
                continue
            if close is None or close == -1:
                return None  # a refused backslash opener is the escape rule's
            tokens.append(Token("math_inline", "math", 0, level=level, markup=math,
                                content=src[pos:close]))
            pos = close + len(math)
        else:
            can_open, can_close = flanking(src[match.start() - 1] if match.start() else " ",
                                           src[pos] if pos < len(src) else " ", True)
            if len(stars) > 2 or can_open == can_close or can_open != (opened is None) \
                    or (opened is not None and stars != opened):
                return None  # nested, ambiguous or unpaired: the delimiter algorithm decides
            kind = "strong" if len(stars) == 2 else "em"
            if can_open:
                if kind == "strong":
                    _text(tokens, "", 0)
                tokens.append(Token(f"{kind}_open", kind, 1, level=0, markup=stars))
                opened, level = stars, 1
            else:
                tokens.append(Token(f"{kind}_close", kind, -1, level=0, markup=stars))
                if kind == "strong":
                    _text(tokens, "", 0)
                opened, level = None, 0
    return None if opened is not None else tokens


def _math_close(src: str, at: int, opener: str) -> int | None:
    """Where math.math_inline closes the formula opened at `at`; -1 where that rule refuses
    it (the opener is text), None where this path leaves it to markdown-it."""
    start = at + len(opener)
    if opener[0] == "$":
        following = src[start] if start < len(src) else " "
        if following == "]" or (opener == "$" and (following.isspace() or following == "$")):
            return -1
    if opener == "$":
        close = src.find("$", start + 1)
        while close > 0 and src[close - 1] == "\\":  # an escaped dollar never closes
            close = src.find("$", close + 1)
        if close < 0 or not dollar_closes(src, close):
            return -1
    else:
        close = src.find(_MATH_CLOSERS[opener], start + 1)
        if close < 0:
            return -1
    return None if "\n" in src[start:close] else close


def _text(tokens: list[Token], content: str, level: int) -> None:
    """A text token, joined to the text before it as fragments_join would. A strong run
    leaves an empty one on its outer side (the marker its pair did not become), which
    survives where no text is next to it."""
    if tokens and tokens[-1].type == "text":
        tokens[-1].content += content
    else:
        tokens.append(Token("text", "", 0, level=level, content=content))


def install(md: MarkdownIt) -> None:
    """md.inline.parse takes simple text directly; anything else goes to markdown-it."""
    parse = md.inline.parse

    def simple_or_parse(self, src: str, md: MarkdownIt, env, tokens: list[Token]) -> list[Token]:
        simple = simple_tokens(src)
        if simple is None:
            return parse(src, md, env, tokens)
        tokens.extend(simple)
        return tokens

    md.inline.parse = MethodType(simple_or_parse, md.inline)
