"""Allow-listed raw HTML becomes ordinary tree nodes; any other tag is shown as text."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

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
# Closing these ends an open table cell or row, as a browser would.
_TABLE_PARTS = {"table": 0, "thead": 1, "tbody": 1, "tfoot": 1, "tr": 2, "th": 3, "td": 3}
LINK_SCHEMES = ("http:", "https:", "mailto:")
# HTML elements opened inside one another beyond this are dropped (their text stays): the
# tree, and every backend walking it, stays shallow whatever the input.
MAX_HTML_DEPTH = 16

_TAG = re.compile(f"{comment}|{open_tag}|{close_tag}")
_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
_ATTRIBUTE = re.compile(r"""([A-Za-z_:][A-Za-z0-9:._-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_SPACES = re.compile(r"\s+")


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
        out.append(Token("code_inline", "code", 0, markup="`", content=_plain(inner)))
        return
    tag = {"link": "a", "strong": "strong", "em": "em", "s": "s"}.get(node, node)
    out.append(Token(f"{node}_close", tag, -1))


def _plain(tokens: list[Token]) -> str:
    parts = []
    for token in tokens:
        if token.type in ("text", "code_inline", "math_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


# --- HTML blocks: allow-listed structure among the block tokens ---


@dataclass
class _Element:
    tag: str
    node: str
    depth: int                 # how many Markdown containers were open when it opened
    inline: Token | None = None  # the inline token being filled, for holders
    needs_summary: bool = False
    implicit: bool = False     # opened for stray text, not by a tag


@dataclass
class BlockConverter:
    """Walks the block tokens once, replacing html_block tokens by nodes."""

    md: object
    out: list[Token] = field(default_factory=list)
    open: list[_Element] = field(default_factory=list)
    depth: int = 0

    def run(self, tokens: list[Token]) -> list[Token]:
        for token in tokens:
            if token.type == "html_block":
                self.html_block(token)
                continue
            if token.nesting == -1:
                self.close_until(lambda e: e.depth < self.depth)
                self.depth -= 1
            if self.open and self.open[-1].inline is not None:
                self.merge(token, self.open[-1].inline)
            else:
                self.emit(token)
            if token.nesting == 1:
                self.depth += 1
        self.close_until(lambda e: False)
        return self.out

    def emit(self, token: Token) -> None:
        top = self.open[-1] if self.open else None
        if top is not None and top.needs_summary:
            top.needs_summary = False
            if token.type != "summary_open":
                self.out.extend(_summary("Details"))
        self.out.append(token)

    def close_until(self, stop) -> None:
        while self.open and not stop(self.open[-1]):
            self.close_top()

    def close_top(self) -> None:
        element = self.open.pop()
        if element.needs_summary:
            self.out.extend(_summary("Details"))
        if element.inline is not None:
            element.inline.children = convert_inline(element.inline.children, self.md)
            element.inline.content = _plain(element.inline.children)
        self.out.append(Token(f"{element.node}_close", _close_tag(element), -1, block=True))

    def merge(self, token: Token, inline: Token) -> None:
        """Markdown blocks inside an HTML cell, summary or paragraph: their inline content
        joins it (a cell holds one line of inline nodes), a line break between blocks."""
        if token.type == "inline":
            addition = token.children or []
        elif token.type in ("fence", "code_block"):
            addition = [Token("code_inline", "code", 0, markup="`", content=token.content.strip())]
        elif token.type == "math_block":
            addition = [Token("math_inline", "math", 0, markup="$$", content=token.content)]
        else:
            return
        if any(c.type != "text" or c.content.strip() for c in inline.children):
            inline.children.append(Token("hardbreak", "br", 0))
        inline.children.extend(addition)

    def html_block(self, token: Token) -> None:
        verbatim: list[str] | None = None  # the text of an open <pre>
        for part in split_html(token.content):
            if verbatim is not None:
                if isinstance(part, Tag) and part.name == "pre" and part.closing:
                    self.pre(verbatim, token)
                    verbatim = None
                elif isinstance(part, str):
                    verbatim.append(part)
            elif isinstance(part, Tag) and part.name == "pre" and not part.closing:
                verbatim = []
            elif isinstance(part, str):
                self.text(part, token)
            else:
                self.tag(part, token)
        if verbatim is not None:
            self.pre(verbatim, token)
        # Stray text makes a paragraph of its own; it never runs into the next block.
        self.close_until(lambda e: not e.implicit)

    def pre(self, parts: list[str], source: Token) -> None:
        self.close_until(lambda e: e.inline is None)
        content = "".join(parts).strip("\n") + "\n"
        self.emit(Token("code_block", "code", 0, block=True, content=content, map=source.map))

    def text(self, text: str, source: Token) -> None:
        text = _SPACES.sub(" ", text)
        if not text.strip() and (not self.open or self.open[-1].inline is None):
            return
        self.holder(source).inline.children.append(text_token(text))

    def holder(self, source: Token) -> _Element:
        """The element that takes inline content now: opened implicitly when needed."""
        top = self.open[-1] if self.open else None
        if top is not None and top.inline is not None:
            return top
        if top is not None and top.node in ("table", "thead", "tbody", "tr"):
            self.open_element(Tag("", "td", False, {}), source)
        else:
            self.open_element(Tag("", "p", False, {}), source)
        self.open[-1].implicit = True
        return self.open[-1]

    def tag(self, tag: Tag, source: Token) -> None:
        name = tag.name
        if name in INLINE_TAGS or name in ("br", "img"):
            self.holder(source).inline.children.append(
                Token("html_inline", "", 0, content=tag.source))
        elif name in TRANSPARENT:
            return
        elif name not in HOLDERS and name not in CONTAINERS and name not in LEAVES:
            self.text(tag.source, source)
        elif tag.closing:
            self.close_tag(name)
        elif len(self.open) >= MAX_HTML_DEPTH:
            return
        elif name == "hr":
            self.close_until(lambda e: e.inline is None)
            self.emit(Token("hr", "hr", 0, block=True, markup="---", map=source.map))
        else:
            self.open_element(tag, source)

    def open_element(self, tag: Tag, source: Token) -> None:
        name = tag.name
        top = self.open[-1] if self.open else None
        if top is not None and top.inline is not None:
            if name in ("p", "div") and top.node != "paragraph":
                return  # a paragraph inside a cell or summary: its text joins the cell
            self.close_top()
        if name in _TABLE_PARTS:
            self.close_table_parts(_TABLE_PARTS[name])
        if name in ("th", "td") and not (self.open and self.open[-1].node == "tr"):
            self.open_element(Tag("", "tr", False, {}), source)
        if name == "tr" and not (self.open and self.open[-1].node in ("thead", "tbody")):
            self.open_element(Tag("", "tbody", False, {}), source)
        node = HOLDERS.get(name) or CONTAINERS[name]
        token = Token(f"{node}_open", _open_tag(name, node), 1, block=True, map=source.map)
        if node == "ordered_list" and tag.attrs.get("start", "").isdigit():
            token.attrs = {"start": int(tag.attrs["start"])}
        if node in ("th", "td") and tag.attrs.get("align") in ("left", "right", "center"):
            token.attrs = {"style": f"text-align:{tag.attrs['align']}"}
        self.emit(token)
        element = _Element(name, node, self.depth, needs_summary=node == "details")
        if name in HOLDERS:
            if node == "paragraph" and self.open and self.open[-1].node == "list_item":
                token.hidden = True
            element.inline = Token("inline", "", 0, children=[], map=source.map)
            self.out.append(element.inline)
        self.open.append(element)

    def close_table_parts(self, level: int) -> None:
        """A new row closes the open cell and row, a new cell the open cell."""
        while self.open and _TABLE_PARTS.get(self.open[-1].tag, -1) >= level \
                and self.open[-1].depth == self.depth and self.open[-1].tag != "table":
            self.close_top()

    def close_tag(self, name: str) -> None:
        for element in reversed(self.open):
            if element.depth != self.depth:
                return  # never close across a Markdown container
            if element.tag == name:
                self.close_until(lambda e, element=element: e is element)
                self.close_top()
                return


def _open_tag(name: str, node: str) -> str:
    return {"paragraph": "p", "heading": name, "bullet_list": "ul", "ordered_list": "ol",
            "list_item": "li"}.get(node, name if name != "tfoot" else "tbody")


def _close_tag(element: _Element) -> str:
    return _open_tag(element.tag, element.node)


def _summary(text: str) -> list[Token]:
    inline = Token("inline", "", 0, content=text, children=[text_token(text)])
    return [Token("summary_open", "summary", 1, block=True), inline,
            Token("summary_close", "summary", -1, block=True)]


def convert(state) -> None:
    """Core rule: every html_inline and html_block token becomes nodes or text."""
    if "<" not in state.src:
        return
    md = state.md
    for token in state.tokens:
        if token.type == "inline" and token.children and any(
                c.type == "html_inline" for c in token.children):
            token.children = convert_inline(token.children, md)
    if any(t.type == "html_block" for t in state.tokens):
        state.tokens = BlockConverter(md).run(state.tokens)
