"""Inline text of words, `code` and unnested **strong** or *em* made into markdown-it's tokens directly."""

from __future__ import annotations

import re
from types import MethodType

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .emphasis import flanking

# Outside code spans: characters some inline rule other than text, emphasis and backticks
# acts on (escapes, entities, links, images, HTML, math, autolinks, strikethrough), "_" (its
# intraword rules), "www.", and a line break with spaces around it (a hard break, or spaces
# markdown-it strips). Anywhere: a run of two backticks, a carriage return. Any of them and
# markdown-it decides.
_OTHER_RULES = re.compile(r"[_~\[\]!\\&<>$:@]|www\.|[ \t]\n|\n[ \t]")
_ANYWHERE = re.compile(r"``|\r")
_CODE_SPAN = re.compile(r"`[^`]*`")  # paired as _PIECE pairs them
_PIECE = re.compile(r"(\*+)|`([^`]*)`|([^*`]+)")


def simple_tokens(src: str) -> list[Token] | None:
    """What markdown-it's inline parser makes of `src`, when it is simple enough; else None.
    Most sentences of real decks are words with some bold and code: the parser spends ~12 µs
    on each run of `*` and ~5 µs on each code span, this ~1 µs."""
    if not src or _ANYWHERE.search(src) \
            or _OTHER_RULES.search(_CODE_SPAN.sub("x", src) if "`" in src else src):
        return None  # checked before any token is made: most refusals are math or links
    tokens: list[Token] = []
    opened: str | None = None  # the run of an open emphasis
    level = 0
    end = 0
    for match in _PIECE.finditer(src):
        if match.start() != end:
            return None  # an unclosed backtick
        end = match.end()
        stars, code, text = match.groups()
        if text is not None:
            for index, line in enumerate(text.split("\n")):
                if index:
                    tokens.append(Token("softbreak", "br", 0, level=level))
                if line:
                    _text(tokens, line, level)
        elif code is not None:
            if not code or (code[0] == " " and code[-1] == " ") or "\n" in code:
                return None  # markdown-it strips a space from each end, makes breaks spaces
            tokens.append(Token("code_inline", "code", 0, level=level, markup="`", content=code))
        else:
            can_open, can_close = flanking(src[match.start() - 1] if match.start() else " ",
                                           src[end] if end < len(src) else " ", True)
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
    if opened is not None or end != len(src):
        return None
    return tokens


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
