"""A field's parse tree -> blocks: the walk over markdown-it-py's nodes that the PDFs lay out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from markdown_it.tree import SyntaxTreeNode

from .blocks import BREAK, Block, Code, Math, Rule, Table, Text
from .formulas import BadTex, typeset
from .highlight import code_lines
from .inlines import Inline, Segment, segments, strip

_TEXT_CONTAINERS = frozenset({"paragraph", "heading", "th", "td", "summary", "inline"})


Nodes = list[SyntaxTreeNode | None]  # None: a line break between joined paragraphs


def inline_nodes(node: SyntaxTreeNode) -> Nodes:
    """The inline nodes under a paragraph, heading or cell; nested paragraphs (HTML cells,
    summaries) are joined by a line break."""
    out: Nodes = []
    for child in node.children:
        if child.type in _TEXT_CONTAINERS:
            if out:
                out.append(None)
            out += inline_nodes(child)
        else:
            out.append(child)
    return out


def field_runs(root: SyntaxTreeNode, bold: bool = False) -> tuple:
    """A question or answer as one run list: its paragraphs joined by line breaks."""
    nodes: Nodes = []
    for block in root.children:
        if nodes:
            nodes.append(None)
        nodes += inline_nodes(block) if block.type in _TEXT_CONTAINERS else [block]
    return strip(tuple(s for s in _segments(nodes, Inline(bold=bold), blocks=False)
                       if isinstance(s, tuple)))


def _segments(nodes: Nodes, state: Inline, blocks: bool) -> list[Segment]:
    out: list[Segment] = []
    for node in nodes:
        if node is None:
            out.append((BREAK, state.face()))
        elif node.type in ("math_block", "fence", "code_block", "html_block"):
            text = node.content.strip()
            if text:
                out.append(_block_as_run(node, text, state))
        else:
            out += segments([node], state, blocks)
    return out


def _block_as_run(node: SyntaxTreeNode, text: str, state: Inline) -> Segment:
    """A block inside a question or answer, which are one line of runs: math inline, code mono."""
    if node.type == "math_block":
        made = typeset(text, False)
        if not isinstance(made, BadTex):
            return (text, state.math_face(made))
    return (text, replace(state, mono=node.type != "html_block").face())


class BlockBuilder:
    """Walks a tree; label_width(text) is the regular face's width of a list label at size 1."""

    def __init__(self, bullets: tuple[str, ...], label_width: Callable[[str], float]) -> None:
        self.bullets, self.label_width = bullets, label_width

    def tree(self, root: SyntaxTreeNode | None) -> list[Block]:
        return self.blocks(root.children, 0.0, 0) if root is not None else []

    def blocks(self, nodes: list[SyntaxTreeNode], left: float, depth: int) -> list[Block]:
        out: list[Block] = []
        for node in nodes:
            out += self.block(node, left, depth)
        return out

    def block(self, node: SyntaxTreeNode, left: float, depth: int) -> list[Block]:
        kind = node.type
        if kind in ("paragraph", "summary"):
            return self.paragraph(inline_nodes(node), left, bold=kind == "summary")
        if kind == "heading":
            return self.paragraph(inline_nodes(node), left, kind="heading", bold=True)
        if kind in ("bullet_list", "ordered_list"):
            return self.list_(node, left, depth)
        if kind == "table":
            return self.table(node, left)
        if kind in ("fence", "code_block"):
            language = (node.info or "").split(maxsplit=1)[0] if kind == "fence" and node.info else ""
            return [Code(code_lines(node.content, language), left)]
        if kind == "math_block":
            return self.display_math(node.content, left)
        if kind == "hr":
            return [Rule()]
        if kind == "html_block":  # raw HTML that reaches a backend is text, never live
            text = node.content.strip()
            return [Text(strip(((text, Inline().face()),)), "body", left)] if text else []
        if kind == "blockquote":
            return self.blocks(node.children, left + 1.0, depth)
        return self.blocks(node.children, left, depth)  # details, root, stray containers

    def paragraph(self, nodes: Nodes, left: float, *, kind: str = "body",
                  bold: bool = False, bullet: tuple[str, float] | None = None) -> list[Block]:
        """Inline nodes as text, split around the images and display math they hold."""
        out: list[Block] = []
        run: list = []
        for seg in [*_segments(nodes, Inline(bold=bold), blocks=True), None]:
            if seg is None or not isinstance(seg, tuple):
                runs = strip(run)
                if runs or (bullet and not out):
                    first = bullet if bullet and not out else None
                    out.append(Text(runs, kind, left, first[0] if first else None,
                                    first[1] if first else 0.0))
                run = []
                if seg is not None:
                    out.append(_indented(seg, left))
            else:
                run.append(seg)
        return out

    def display_math(self, tex: str, left: float) -> list[Block]:
        made = typeset(tex, True)
        if isinstance(made, BadTex):  # printed as written, in the code face; validate reports it
            return [Code(code_lines(tex.strip(), ""), left)]
        return [Math(made, left)]

    def list_(self, node: SyntaxTreeNode, left: float, depth: int) -> list[Block]:
        items = [c for c in node.children if c.type == "list_item"]
        if node.type == "ordered_list":
            start = node.attrs.get("start", 1)
            start = int(start) if str(start).isdigit() else 1
            labels = [f"{start + i}." for i in range(len(items))]
        else:
            labels = [self.bullets[depth % len(self.bullets)]] * len(items)
        step = max(1.3, max((self.label_width(lb) for lb in labels), default=0) + 0.45)
        out: list[Block] = []
        for item, label in zip(items, labels, strict=True):
            kids = item.children
            if kids and kids[0].type == "paragraph":
                out += self.paragraph(inline_nodes(kids[0]), left + step, bullet=(label, left))
                kids = kids[1:]
            else:  # an item that opens with a fence or a list: the label stands alone
                out.append(Text((), "body", left + step, label, left))
            out += self.blocks(kids, left + step, depth + 1)
        return out

    def table(self, node: SyntaxTreeNode, left: float) -> list[Block]:
        rows = [[c for c in r.children if c.type in ("th", "td")]
                for r in node.walk() if r.type == "tr"]
        ncols = max((len(r) for r in rows), default=0)
        if not ncols:
            return []
        cells = tuple(tuple(self._cell(c) for c in r) + (Text((), "cell"),) * (ncols - len(r))
                      for r in rows)
        header = bool(rows[0]) and all(c.type == "th" for c in rows[0])
        return [Table(cells, header, left)]

    def _cell(self, cell: SyntaxTreeNode) -> Text:
        bold = cell.type == "th"
        runs = strip(tuple(s for s in _segments(inline_nodes(cell), Inline(bold=bold), blocks=False)
                           if isinstance(s, tuple)))
        return Text(runs, "headcell" if bold else "cell", align=_align(cell))


def _align(cell: SyntaxTreeNode) -> str:
    style = str(cell.attrs.get("style", "")).replace(" ", "")
    for align in ("center", "right", "left"):
        if f"text-align:{align}" in style or cell.attrs.get("align") == align:
            return align
    return "left"


def _indented(block: Block, left: float) -> Block:
    return replace(block, indent=left) if hasattr(block, "indent") else block
