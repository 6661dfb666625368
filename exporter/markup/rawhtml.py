"""Allow-listed raw HTML becomes ordinary tree nodes; any other tag is shown as text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it.token import Token

from .htmltags import (
    CONTAINERS,
    HOLDERS,
    INLINE_TAGS,
    LEAVES,
    MAX_HTML_DEPTH,
    TRANSPARENT,
    Tag,
    convert_inline,
    plain_text,
    split_html,
    text_token,
)

# Closing these ends an open table cell or row, as a browser would.
_TABLE_PARTS = {"table": 0, "thead": 1, "tbody": 1, "tfoot": 1, "tr": 2, "th": 3, "td": 3}
_SPACES = re.compile(r"\s+")


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
            element.inline.content = plain_text(element.inline.children)
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
