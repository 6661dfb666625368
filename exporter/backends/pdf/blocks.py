"""A field's HTML as a compact, size-independent block list: parsed once, laid out at any size."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from reportlab.lib.colors import Color

from .html import Node, code_runs, descendants, parse
from .styles import LINK

INLINE_TAGS = frozenset({"a", "b", "br", "code", "del", "em", "i", "img", "kbd", "s", "span",
                         "strong", "sub", "sup"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BREAK = "\n"  # a run of exactly this text is a <br>


class Face(NamedTuple):
    role: str  # FontSet role: what glyph coverage is checked against
    color: Color | None  # None: the paragraph's colour
    href: str = ""
    strike: bool = False
    script: int = 0  # 1 superscript, -1 subscript


@lru_cache(maxsize=256)
def face(bold: bool, italic: bool, mono: bool, color: Color | None = None, href: str = "",
         strike: bool = False, script: int = 0) -> Face:
    return Face(text_role(bold, italic, mono), color, href, strike, script)


def text_role(bold: bool, italic: bool, mono: bool) -> str:
    if mono:
        return "monobold" if bold else "mono"
    return {(False, False): "regular", (True, False): "bold",
            (False, True): "italic", (True, True): "bolditalic"}[(bold, italic)]


Run = tuple[str, Face]


@dataclass(frozen=True)
class Text:
    runs: tuple[Run, ...]
    kind: str = "body"
    indent: float = 0.0  # in body sizes, like every length here
    bullet: str | None = None
    bullet_at: float = 0.0
    align: str = "left"


@dataclass(frozen=True)
class Code:
    lines: tuple[tuple[tuple[str, str], ...], ...]  # per source line: (text, pygments class)
    indent: float = 0.0


@dataclass(frozen=True)
class Image:
    src: str
    indent: float = 0.0


@dataclass(frozen=True)
class Rule:
    pass


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[Text, ...], ...]  # every row padded to the same number of cells
    header: bool
    indent: float = 0.0


Block = Text | Code | Image | Rule | Table


@dataclass(frozen=True)
class Inline:
    bold: bool = False
    italic: bool = False
    mono: bool = False
    href: str = ""
    strike: bool = False
    script: int = 0

    def face(self) -> Face:
        return face(self.bold, self.italic, self.mono, LINK if self.href else None, self.href,
                    self.strike, self.script)

    def but(self, **changes) -> Inline:
        return Inline(**{**self.__dict__, **changes})


def inline_runs(nodes: list[Node | str], state: Inline) -> list[Run]:
    runs: list[Run] = []
    for node in nodes:
        if isinstance(node, str):
            runs.append((node, state.face()))
        else:
            runs += _inline_node(node, state)
    return runs


def _inline_node(node: Node, state: Inline) -> list[Run]:
    tag, kids = node.tag, node.children
    if tag in ("strong", "b"):
        return inline_runs(kids, state.but(bold=True))
    if tag in ("em", "i"):
        return inline_runs(kids, state.but(italic=True))
    if tag in ("code", "kbd"):
        return inline_runs(kids, state.but(mono=True))
    if tag in ("del", "s"):
        return inline_runs(kids, state.but(strike=True))
    if tag in ("sup", "sub"):
        return inline_runs(kids, state.but(script=1 if tag == "sup" else -1))
    if tag == "a" and node.attrs.get("href"):
        return inline_runs(kids, state.but(href=node.attrs["href"]))
    if tag == "br":
        return [(BREAK, state.face())]
    if tag == "img":
        alt = node.attrs.get("alt", "")
        return [(f"[{alt}]", state.face())] if alt else []
    return inline_runs(kids, state)


def inline_html(html: str, bold: bool = False) -> tuple[Run, ...]:
    return _strip(inline_runs(parse(html), Inline(bold=bold)))


def _strip(runs: list[Run]) -> tuple[Run, ...]:
    """Leading and trailing whitespace dropped, as a paragraph would."""
    while runs and not runs[0][0].strip() and runs[0][0] != BREAK:
        runs = runs[1:]
    while runs and not runs[-1][0].strip() and runs[-1][0] != BREAK:
        runs = runs[:-1]
    if runs:
        runs = [(runs[0][0].lstrip(), runs[0][1]), *runs[1:]]
        runs[-1] = (runs[-1][0].rstrip(), runs[-1][1])
    return tuple(runs)


def _is_block(node: Node | str) -> bool:
    return isinstance(node, Node) and node.tag not in INLINE_TAGS


def _blank(nodes: list[Node | str]) -> bool:
    return all(isinstance(n, str) and not n.strip() for n in nodes)


class BlockBuilder:
    """Walks block HTML; label_width(text) is the regular face's width of a list label at size 1."""

    def __init__(self, bullets: tuple[str, ...], label_width) -> None:
        self.bullets, self.label_width = bullets, label_width

    def html(self, html: str) -> list[Block]:
        return self.blocks(parse(html), 0.0, 0) if html else []

    def blocks(self, nodes: list[Node | str], left: float, depth: int) -> list[Block]:
        out: list[Block] = []
        run: list[Node | str] = []
        for node in nodes:
            if _is_block(node):
                out += self.paragraphs(run, left)
                run = []
                out += self.block(node, left, depth)  # type: ignore[arg-type]
            else:
                run.append(node)
        return out + self.paragraphs(run, left)

    def block(self, node: Node, left: float, depth: int) -> list[Block]:
        tag = node.tag
        if tag == "p":
            return self.paragraphs(node.children, left)
        if tag in HEADINGS:
            return self.paragraphs(node.children, left, kind="heading", bold=True)
        if tag in ("ul", "ol"):
            return self.list_(node, left, depth)
        if tag == "table":
            return self.table(node, left)
        if tag == "pre":
            return [self.code(node, left)]
        if tag == "hr":
            return [Rule()]
        if tag == "img":
            return self.image(node, left)
        if tag == "blockquote":
            return self.blocks(node.children, left + 1.0, depth)
        return self.blocks(node.children, left, depth)  # div.highlight, tbody strays, etc.

    def paragraphs(self, nodes: list[Node | str], left: float, *, kind: str = "body",
                   bold: bool = False, bullet: tuple[str, float] | None = None) -> list[Block]:
        """Inline nodes as one paragraph, split around images (markdown puts them inside <p>)."""
        out: list[Block] = []
        run: list[Node | str] = []
        for node in [*nodes, None]:
            if node is None or (isinstance(node, Node) and node.tag == "img"):
                if not _blank(run) or (bullet and not out):
                    runs = _strip(inline_runs(run, Inline(bold=bold)))
                    if bullet and not out:
                        out.append(Text(runs, kind, left, bullet[0], bullet[1]))
                    else:
                        out.append(Text(runs, kind, left))
                run = []
                if node is not None:
                    out += self.image(node, left)
            else:
                run.append(node)
        return out

    def list_(self, node: Node, left: float, depth: int) -> list[Block]:
        items = [c for c in node.children if isinstance(c, Node) and c.tag == "li"]
        if node.tag == "ol":
            start = int(node.attrs["start"]) if node.attrs.get("start", "").isdigit() else 1
            labels = [f"{start + i}." for i in range(len(items))]
        else:
            labels = [self.bullets[depth % len(self.bullets)]] * len(items)
        step = max(1.3, max((self.label_width(lb) for lb in labels), default=0) + 0.45)
        out: list[Block] = []
        for item, label in zip(items, labels, strict=True):
            out += self.list_item(item, left, step, label, depth)
        return out

    def list_item(self, item: Node, left: float, step: float, label: str, depth: int
                  ) -> list[Block]:
        kids = item.children
        split = next((i for i, k in enumerate(kids) if _is_block(k)), len(kids))
        lead, rest = kids[:split], kids[split:]
        if _blank(lead) and rest and isinstance(rest[0], Node) and rest[0].tag == "p":
            lead, rest = rest[0].children, rest[1:]  # a loose list wraps items in <p>
        first = self.paragraphs(lead, left + step, bullet=(label, left))
        return first + self.blocks(rest, left + step, depth + 1)

    def table(self, node: Node, left: float) -> list[Block]:
        cells = [[c for c in r.children if isinstance(c, Node) and c.tag in ("th", "td")]
                 for r in descendants(node, "tr")]
        ncols = max((len(r) for r in cells), default=0)
        if not ncols:
            return []
        rows = tuple(tuple(self._cell(c) for c in r) + (Text((), "cell"),) * (ncols - len(r))
                     for r in cells)
        header = bool(cells[0]) and all(c.tag == "th" for c in cells[0])
        return [Table(rows, header, left)]

    def _cell(self, cell: Node) -> Text:
        bold = cell.tag == "th"
        return Text(_strip(inline_runs(cell.children, Inline(bold=bold))),
                    "headcell" if bold else "cell", align=cell.attrs.get("align", "left"))

    def code(self, pre: Node, left: float) -> Code:
        lines: list[list[tuple[str, str]]] = [[]]
        for text, cls in code_runs(pre):
            for i, part in enumerate(text.split("\n")):
                if i:
                    lines.append([])
                if part:
                    lines[-1].append((part.replace("\t", "    "), cls))
        while lines and not lines[-1]:
            lines.pop()
        return Code(tuple(tuple(line) for line in lines), left)

    def image(self, node: Node, left: float) -> list[Block]:
        src = node.attrs.get("src", "")
        if "://" in src or src.startswith("mailto:"):
            alt = node.attrs.get("alt", "")
            return [Text(((f"[{alt}]", face(False, False, False)),), "body", left)] if alt else []
        return [Image(src, left)]
