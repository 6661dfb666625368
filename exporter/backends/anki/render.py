"""Parse tree -> field HTML written as the sanitiser would write it: fixed tags, escaped text."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from markdown_it.token import Token

# What nh3 (html5ever) writes: in text & < > and no-break spaces are escaped, quotes are not;
# in attribute values quotes are escaped too.
_TEXT_SPECIAL = re.compile("[&<>\xa0]")
_ATTR_SPECIAL = re.compile("[&<>\xa0\"]")

ALLOWED_TAGS = frozenset({
    "a", "b", "blockquote", "br", "code", "del", "details", "div", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"}, "img": {"src", "alt", "title"}, "div": {"class"}, "span": {"class"},
    "code": {"class"}, "td": {"align"}, "th": {"align"}, "ol": {"start"},
}
LINK_REL = ' rel="noopener noreferrer"'
# Inline elements written as a bare tag when they have no attributes (emphasis and the like).
_PLAIN_INLINE = frozenset({"strong", "em", "s", "sub", "sup", "kbd", "b", "i", "del", "code"})

# Where an HTML parser would move or close an element written elsewhere: a tree that puts
# one there is left to the sanitiser. Markdown never does; raw HTML might.
_PARENTS = {"li": {"ul", "ol"}, "thead": {"table"}, "tbody": {"table"}, "tr": {"thead", "tbody"},
            "th": {"tr"}, "td": {"tr"}, "summary": {"details"}}
_CHILDREN = {"ul": {"li"}, "ol": {"li"}, "table": {"thead", "tbody"}, "thead": {"tr"},
             "tbody": {"tr"}, "tr": {"th", "td"}}
_HOLDS_INLINE = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "summary", "th", "td", "a"})
# URLs whose fate under the sanitiser is certain: a web or mail scheme with a plain host, or
# no scheme at all (relative). Anything else (other schemes, hosts a URL parser might refuse,
# spaces or control characters) goes through it.
_KEPT_URL = re.compile(r"(?:https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z]"
                       r"(?:[A-Za-z0-9-]*[A-Za-z0-9])?(?::\d{1,4})?(?:[/?#][!-~]*)?"
                       r"|mailto:[!-~]*|(?![A-Za-z][A-Za-z0-9+.-]*:)[!-~]*)", re.IGNORECASE)
# Characters an HTML parser drops or rewrites (controls, CR, non-characters, surrogates).
_ODD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def escape_text(text: str) -> str:
    if _TEXT_SPECIAL.search(text) is None:
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\xa0", "&nbsp;")


def escape_attribute(value: str) -> str:
    if _ATTR_SPECIAL.search(value) is None:
        return value
    return escape_text(value).replace('"', "&quot;")


def kept_url(url: str) -> bool:
    """Whether the sanitiser certainly keeps this href or src as it is."""
    return _KEPT_URL.fullmatch(url) is not None and "--" not in url.partition("//")[2].partition("/")[0]


class Writer:
    """Writes one field's tokens; `checked` turns False at anything only the sanitiser can vouch for."""

    def __init__(self, media_names: Mapping[str, str], rules: Mapping[str, Callable]) -> None:
        self.media_names = media_names
        self.rules = rules
        self.out: list[str] = []
        self.open: list[str] = []  # the elements written and not yet closed, innermost last
        self.checked = True

    def html(self) -> str:
        html = "".join(self.out)
        if self.open or _ODD.search(html):
            self.checked = False
        return html

    def blocks(self, tokens: Sequence[Token]) -> None:
        for index, token in enumerate(tokens):
            if token.type == "inline":
                if token.children:
                    if self.open and self.open[-1] in _CHILDREN:
                        self.checked = False
                    self.inline(token.children)
            elif token.type in self.rules:
                self.out.append(self.rules[token.type](self, tokens, index))
            else:
                self.out.append(self.tag(tokens, index))

    def inline(self, tokens: Sequence[Token]) -> None:
        out, rules, opened = self.out, self.rules, self.open
        for index, token in enumerate(tokens):
            kind = token.type
            if kind == "text":
                out.append(escape_text(token.content))
            elif kind == "softbreak":
                out.append("\n")
            elif kind in rules:
                out.append(rules[kind](self, tokens, index))
            elif token.nesting == -1 and opened and opened[-1] == token.tag:
                opened.pop()  # the usual close, as tag() would write it
                out.append(f"</{token.tag}>")
            elif token.nesting == 1 and not token.attrs and token.tag in _PLAIN_INLINE:
                self.enter(token.tag, False)
                opened.append(token.tag)
                out.append(f"<{token.tag}>")
            else:
                out.append(self.tag(tokens, index))

    def tag(self, tokens: Sequence[Token], index: int) -> str:
        """markdown-it's RendererHTML.renderToken, with the sanitiser's way of writing tags."""
        token = tokens[index]
        if token.hidden:
            return ""
        lead = "\n" if token.block and token.nesting != -1 and index and tokens[index - 1].hidden else ""
        name = token.tag
        if token.nesting == -1:
            if self.open and self.open[-1] == name:
                self.open.pop()
            else:
                self.checked = False
            result = f"{lead}</{name}"
        else:
            self.enter(name, token.block)
            attributes = self.attributes(name, token.attrs) if token.attrs or name == "a" else ""
            result = f"{lead}<{name}{attributes}"
            if token.nesting == 1:
                self.open.append(name)
        if token.block and not (token.nesting == 1 and index + 1 < len(tokens) and (
                tokens[index + 1].type == "inline" or tokens[index + 1].hidden
                or (tokens[index + 1].nesting == -1 and tokens[index + 1].tag == name))):
            return f"{result}>\n"
        return f"{result}>"

    def enter(self, name: str, block: bool) -> None:
        """Note an element about to be written where an HTML parser would not leave it."""
        parent = self.open[-1] if self.open else None
        if name not in ALLOWED_TAGS or (name in _PARENTS and parent not in _PARENTS[name]) \
                or (parent in _CHILDREN and name not in _CHILDREN[parent]) \
                or (block and parent in _HOLDS_INLINE) or (name == "a" and "a" in self.open):
            self.checked = False

    def attributes(self, name: str, attrs: Mapping) -> str:
        allowed = ALLOWED_ATTRIBUTES.get(name, ())
        parts = []
        for key, value in attrs.items():
            value = str(value)
            if key not in allowed or (key in ("href", "src") and not kept_url(value)):
                self.checked = False
            parts.append(f' {key}="{escape_attribute(value)}"')
        if name == "a":
            parts.append(LINK_REL)
        return "".join(parts)
