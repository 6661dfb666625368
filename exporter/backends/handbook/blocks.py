"""Block nodes of the parse tree as GitHub Markdown: safe by construction, headings demoted."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.tree import SyntaxTreeNode

from .escape import code_span, escape_line_start, escape_text, no_closing_hashes
from .html import inline_html, table_html
from .inline import BREAKS, Mode, display_inline, markdown, plain

_ALIGN = {"text-align:left": ":---", "text-align:center": ":---:", "text-align:right": "---:"}
_LANGUAGE = re.compile(r"[\w+#.\-]+")
ONE_LINE = Mode(one_line=True)


@dataclass(frozen=True)
class Blocks:
    markdown: str
    headings: tuple[str, ...]  # the text of each heading, in document order (for anchors)


def render_blocks(root: SyntaxTreeNode, shift: int) -> Blocks:
    """A field's blocks as Markdown, its headings `shift` levels deeper (at most `######`)."""
    writer = _Writer(shift)
    return Blocks(writer.blocks(root.children), tuple(writer.headings))


def heading_markdown(nodes: Sequence[SyntaxTreeNode], mode: Mode = ONE_LINE) -> str:
    """Inline nodes for an ATX heading line (or a contents entry): one line, no closing `#`."""
    return no_closing_hashes(markdown(nodes, mode).strip(" \t"))


def field_inline(root: SyntaxTreeNode, mode: Mode = ONE_LINE) -> tuple[str, str]:
    """A whole field on one line, as (Markdown, shown text): a question as a heading."""
    markdowns, texts = [], []
    for node in root.walk():
        if node.type == "inline":
            markdowns.append(heading_markdown(node.children, mode))
            texts.append(plain(node.children).strip(" \t"))
        elif node.type in ("fence", "code_block"):
            markdowns.append(code_span(node.content.strip("\n")))
            texts.append(" ".join(node.content.strip("\n").splitlines()))
        elif node.type.startswith("math_block"):
            markdowns.append("$" + code_span(node.content.strip()) + "$")
            texts.append("$" + " ".join(node.content.strip().splitlines()) + "$")
        elif node.type == "html_block":  # raw HTML the sanitiser left: shown as text
            text = " ".join(node.content.split())
            markdowns.append(no_closing_hashes(escape_text(text)))
            texts.append(text)
    return " ".join(m for m in markdowns if m), " ".join(t for t in texts if t)


def _inline_children(node: SyntaxTreeNode) -> list[SyntaxTreeNode]:
    nodes = [grand for child in node.children
             for grand in (child.children if child.type == "inline" else [child])]
    while nodes and nodes[0].type in BREAKS:  # a break at either end of a block shows nothing
        nodes.pop(0)
    while nodes and nodes[-1].type in BREAKS:
        nodes.pop()
    return nodes


def _fenced(content: str, info: str = "") -> str:
    char = "~" if "`" in info else "`"
    longest = max((len(run) for run in re.findall(re.escape(char) + "+", content)), default=0)
    fence = char * max(3, longest + 1)
    body = content if content.endswith("\n") or not content else content + "\n"
    return f"{fence}{info}\n{body}{fence}"


def _indent(text: str, first: str, rest: str) -> str:
    lines = text.split("\n")
    return "\n".join([first + lines[0]] + [rest + line if line else rest.rstrip() for line in lines[1:]])


class _Writer:
    def __init__(self, shift: int) -> None:
        self.shift = shift
        self.headings: list[str] = []
        self.previous_marker = ""  # of the list just before, at the level being written
        self.list_marker = ""  # of the last list written

    def blocks(self, nodes: Sequence[SyntaxTreeNode], tight: bool = False) -> str:
        # A tight list keeps its items' blocks on adjacent lines; a blank line would loosen it.
        parts, previous = [], ""
        for node in nodes:
            self.previous_marker = previous if node.type.endswith("_list") else ""
            parts.append(self.block(node))
            previous = self.list_marker if node.type.endswith("_list") else ""
        return ("\n" if tight else "\n\n").join(filter(None, parts))

    def block(self, node: SyntaxTreeNode) -> str:
        kind = node.type
        method = getattr(self, "_" + kind, None)
        if method is not None:
            return method(node)
        if kind.startswith("math_block"):
            return _fenced(node.content.strip("\n"), "math")
        if node.children:  # an unknown container: its content still shows
            return self.blocks(node.children)
        return self._text_paragraphs(node.content)

    def _paragraph(self, node: SyntaxTreeNode) -> str:
        nodes = _inline_children(node)
        if len(nodes) == 1 and display_inline(nodes[0]):
            return _fenced(nodes[0].content.strip("\n"), "math")  # `$$…$$` alone: display math
        # Spaces ending a line would make a hard break of the soft one; a line left empty
        # would end the paragraph. (A no-break space is neither: it stays.)
        lines = (escape_line_start(line).rstrip(" \t") for line in markdown(nodes).split("\n"))
        return "\n".join(line for line in lines if line)

    def _heading(self, node: SyntaxTreeNode) -> str:
        nodes = _inline_children(node)
        level = min(6, int(node.tag[1:] or 1) + self.shift)
        self.headings.append(plain(nodes).strip(" \t"))
        text = heading_markdown(nodes)
        return "#" * level + (" " + text if text else "")

    def _blockquote(self, node: SyntaxTreeNode) -> str:
        return _indent(self.blocks(node.children), "> ", "> ") or ">"

    def _bullet_list(self, node: SyntaxTreeNode) -> str:
        bullet = self._marker(node, ("-", "*", "+"))
        return self._list(node, bullet, lambda i: bullet)

    def _ordered_list(self, node: SyntaxTreeNode) -> str:
        start = int(str(node.attrs.get("start", 1)))
        delimiter = self._marker(node, (".", ")"))
        return self._list(node, delimiter, lambda i: f"{start + i}{delimiter}")

    def _marker(self, node: SyntaxTreeNode, choices: tuple[str, ...]) -> str:
        """The list's own marker, unless the list just before used it: the two would merge."""
        first = node.children[0].markup if node.children else ""
        marker = first if first in choices else choices[0]
        if marker == self.previous_marker:
            marker = choices[(choices.index(marker) + 1) % len(choices)]
        return marker

    def _list(self, node: SyntaxTreeNode, kind: str, marker) -> str:
        paragraphs = [child for item in node.children for child in item.children
                      if child.type == "paragraph"]
        # markdown-it marks a tight list's paragraphs hidden; without any, tight or loose
        # mean the same, and tight keeps GitHub from adding paragraphs of its own.
        tight = not paragraphs or paragraphs[0].hidden
        items = []
        for i, item in enumerate(node.children):
            mark = marker(i)
            body = self.blocks(item.children, tight)
            items.append(_indent(body, mark + " ", " " * (len(mark) + 1)) if body else mark)
        self.list_marker = kind  # after the items: their own lists have set it meanwhile
        return ("\n" if tight else "\n\n").join(items)

    def _fence(self, node: SyntaxTreeNode) -> str:
        words = node.info.split()
        info = words[0] if words and _LANGUAGE.fullmatch(words[0]) else ""
        return _fenced(node.content, info)

    def _code_block(self, node: SyntaxTreeNode) -> str:
        # Fenced, not indented: after a list, indented code would join the last item.
        return _fenced(node.content)

    def _hr(self, node: SyntaxTreeNode) -> str:
        return "___"  # `---` under text is a heading; `- ***` under `*` items a rule in a list

    def _html_block(self, node: SyntaxTreeNode) -> str:
        return self._text_paragraphs(node.content)  # raw HTML the sanitiser left: shown as text

    def _text_paragraphs(self, content: str) -> str:
        paragraphs = re.split(r"\n[ \t]*\n", content.strip("\n"))
        return "\n\n".join("\n".join(escape_line_start(escape_text(line)) for line in p.split("\n")
                                     if line.strip(" \t")) for p in paragraphs if p.strip(" \t\n"))

    def _table(self, node: SyntaxTreeNode) -> str:
        rows = [row for section in node.children for row in
                (section.children if section.type in ("thead", "tbody") else [section])]
        cells = [cell for row in rows for cell in row.children]
        gfm = (node.children and node.children[0].type == "thead" and rows
               and not any("colspan" in c.attrs or "rowspan" in c.attrs for c in cells)
               and all(grand.type == "inline" or grand.type not in _BLOCK_IN_CELL
                       for c in cells for grand in c.children))
        if not gfm:
            return table_html(node)
        width = len(rows[0].children)
        lines = [self._row(rows[0].children, width),
                 "|" + "|".join(_ALIGN.get(str(c.attrs.get("style", "")).replace(" ", ""), "---")
                                for c in rows[0].children) + "|"]
        lines += [self._row(row.children, width) for row in rows[1:]]
        return "\n".join(lines)

    def _row(self, cells: Sequence[SyntaxTreeNode], width: int) -> str:
        texts = [markdown(_inline_children(c), Mode(one_line=True, table=True)).strip() for c in cells]
        texts += [""] * (width - len(texts))
        return "| " + " | ".join(texts[:width]) + " |"

    def _details(self, node: SyntaxTreeNode) -> str:
        kids = list(node.children)
        summary = ""
        if kids and kids[0].type == "summary":
            # The summary sits in the HTML block GitHub does not parse: it is written as HTML.
            summary = f"<summary>{inline_html(_inline_nodes(kids.pop(0)))}</summary>\n"
        body = self.blocks(kids)
        return f"<details>\n{summary}\n{body}\n\n</details>" if body else f"<details>\n{summary}</details>"


_BLOCK_IN_CELL = frozenset(("paragraph", "bullet_list", "ordered_list", "blockquote", "fence",
                            "code_block", "table", "heading", "details", "math_block"))


def _inline_nodes(node: SyntaxTreeNode) -> list[SyntaxTreeNode]:
    if node.type == "inline":
        return list(node.children)
    if node.type in ("summary", "paragraph"):
        return [n for child in node.children for n in _inline_nodes(child)]
    return [node]
