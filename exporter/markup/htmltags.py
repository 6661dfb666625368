"""Raw HTML tags read and checked, and the allow-listed inline ones turned into nodes (or text)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markdown_it.common.html_re import close_tag, comment, open_tag
from markdown_it.token import Token

# tag -> node type. Inline ones become inline containers; `code`, `br`, `img` are leaves.
INLINE_TAGS = {
    "b": "strong", "strong": "strong", "i": "em", "em": "em", "del": "s", "s": "s", "strike": "s",
    "sub": "sub", "sup": "sup", "kbd": "kbd", "a": "link", "code": "code_inline",
}
# Block elements that hold inline content directly, and those that hold blocks.
HOLDERS = {"p": "paragraph", "div": "paragraph", "th": "th", "td": "td", "summary": "summary",
           **{f"h{n}": "heading" for n in range(1, 7)}}
CONTAINERS = {"details": "details", "blockquote": "blockquote", "table": "table", "thead": "thead",
              "tbody": "tbody", "tfoot": "tbody", "tr": "tr", "ul": "bullet_list",
              "ol": "ordered_list", "li": "list_item"}
LEAVES = {"br", "img", "hr", "pre"}
TRANSPARENT = {"span", "font", "center", "small", "big", "u", "abbr", "cite", "mark", "q"}
LINK_SCHEMES = ("http:", "https:", "mailto:")
# HTML elements opened inside one another beyond this are dropped (their text stays): the
# tree, and every backend walking it, stays shallow whatever the input.
MAX_HTML_DEPTH = 16

_TAG = re.compile(f"{comment}|{open_tag}|{close_tag}")
_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
_ATTRIBUTE = re.compile(r"""([A-Za-z_:][A-Za-z0-9:._-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")


@dataclass
class Tag:
    """One tag as written: its name, whether it closes, and its attributes."""

    source: str
    name: str
    closing: bool
    attrs: dict[str, str]


def read_tag(source: str) -> Tag | None:
    """The tag of an html_inline token, or None for a comment or declaration."""
    match = _NAME.match(source)
    if match is None:
        return None
    attrs: dict[str, str] = {}
    inner = source[match.end():].rstrip(">").rstrip("/")
    for name, value in _ATTRIBUTE.findall(inner):
        attrs.setdefault(name.lower(), html.unescape(value[1:-1] if value[:1] in "\"'" else value))
    return Tag(source, match.group(1).lower(), source.startswith("</"), attrs)


def split_html(source: str) -> list[str | Tag]:
    """Text and tags of an HTML block, in order; comments are dropped."""
    parts: list[str | Tag] = []
    position = 0
    for match in _TAG.finditer(source):
        if match.start() > position:
            parts.append(html.unescape(source[position:match.start()]))
        tag = read_tag(match.group())
        if tag is not None:
            parts.append(tag)
        position = match.end()
    if position < len(source):
        parts.append(html.unescape(source[position:]))
    return parts


def safe_link(href: str, md) -> str | None:
    """The normalised href of a link worth keeping: web, mail or relative; else None."""
    href = href.strip()
    scheme = re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", href)
    if (scheme and not href.lower().startswith(LINK_SCHEMES)) or not md.validateLink(href):
        return None
    return md.normalizeLink(href)


def image_token(tag: Tag, md) -> Token | None:
    src = tag.attrs.get("src", "").strip()
    if not src or not md.validateLink(src):
        return None
    token = Token("image", "img", 0)
    alt = tag.attrs.get("alt", "")
    token.attrs = {"src": md.normalizeLink(src), "alt": ""}
    if tag.attrs.get("title"):
        token.attrs["title"] = tag.attrs["title"]
    token.content, token.children = alt, [Token("text", "", 0, content=alt)] if alt else []
    return token


def text_token(content: str) -> Token:
    return Token("text", "", 0, content=content)


# --- inline HTML inside a paragraph ---


@dataclass
class _Open:
    tag: str | None  # None: a Markdown token's own open (em, strong, link…)
    start: int       # index in the output where it opened


def convert_inline(children: list[Token], md) -> list[Token]:
    """Inline children with their html_inline tags turned into nodes, balanced."""
    out: list[Token] = []
    stack: list[_Open] = []
    for token in children:
        if token.type != "html_inline":
            if token.nesting == -1:
                _close_html_above_markdown(out, stack)
                stack.pop() if stack else None
            out.append(token)
            if token.nesting == 1:
                stack.append(_Open(None, len(out)))
            continue
        tag = read_tag(token.content)
        if tag is not None:
            _inline_tag(tag, out, stack, md)
    while stack:
        _close(out, stack) if stack[-1].tag else stack.pop()
    return out


def _inline_tag(tag: Tag, out: list[Token], stack: list[_Open], md) -> None:
    if tag.name in ("br", "img"):
        leaf = Token("hardbreak", "br", 0) if tag.name == "br" else image_token(tag, md)
        out.append(leaf if leaf is not None else text_token(tag.source))
    elif tag.name in INLINE_TAGS and tag.closing:
        _close_matching(tag.name, out, stack)
    elif tag.name in INLINE_TAGS and len(stack) < MAX_HTML_DEPTH:
        _open_inline(tag, out, stack, md)
    elif tag.name not in TRANSPARENT and tag.name not in ("p", "div"):
        out.append(text_token(tag.source))
    # <p>, <div> and transparent tags inside a line are dropped: their text stays. Other
    # block tags (a table, <details>) cannot sit in a line: shown as written.


def _open_inline(tag: Tag, out: list[Token], stack: list[_Open], md) -> None:
    node = INLINE_TAGS[tag.name]
    if node == "link":
        if not tag.attrs.get("href", "").strip():
            return  # an anchor without a target (<a name=…>): its text stays, plain
        href = safe_link(tag.attrs["href"], md)
        if href is None:
            out.append(text_token(tag.source))
            return
        token = Token("link_open", "a", 1, attrs={"href": href})
    elif node == "code_inline":
        token = None  # collapsed into one code_inline when it closes
    else:
        token = Token(f"{node}_open", tag.name if node in ("sub", "sup", "kbd") else
                      {"strong": "strong", "em": "em", "s": "s"}[node], 1)
    if token is not None:
        out.append(token)
    stack.append(_Open(tag.name, len(out)))


def _close_matching(name: str, out: list[Token], stack: list[_Open]) -> None:
    """Close the innermost open `name` unless a Markdown element opened after it is still
    open: then it closes with that element's parent, and this stray close is dropped."""
    for record in reversed(stack):
        if record.tag is None:
            return
        if record.tag == name:
            while stack[-1] is not record:
                _close(out, stack)
            _close(out, stack)
            return


def _close_html_above_markdown(out: list[Token], stack: list[_Open]) -> None:
    while stack and stack[-1].tag is not None:
        _close(out, stack)


def _close(out: list[Token], stack: list[_Open]) -> None:
    record = stack.pop()
    node = INLINE_TAGS[record.tag]
    if node == "code_inline":
        inner = out[record.start:]
        del out[record.start:]
        out.append(Token("code_inline", "code", 0, markup="`", content=plain_text(inner)))
        return
    tag = {"link": "a", "strong": "strong", "em": "em", "s": "s"}.get(node, node)
    out.append(Token(f"{node}_close", tag, -1))


def plain_text(tokens: list[Token]) -> str:
    parts = []
    for token in tokens:
        if token.type in ("text", "code_inline", "math_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)
