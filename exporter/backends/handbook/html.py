"""Tree nodes as the sanitised HTML GitHub keeps, where Markdown has no form: summaries, spanned tables."""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it.tree import SyntaxTreeNode

from .escape import html_attribute, html_text, safe_href

# Tree types written as the HTML tag of the same meaning (GitHub's sanitiser keeps them all).
_TAGS = {"strong": "strong", "em": "em", "s": "del", "sub": "sub", "sup": "sup", "kbd": "kbd",
         "code_inline": "code"}
_INLINE = frozenset(("text", "html_inline", "softbreak", "hardbreak", "code_inline", "link",
                     "image", "math_inline", "math_inline_double", *_TAGS))
_CELL_ATTRIBUTES = ("colspan", "rowspan")
_ALIGN = {"text-align:left": "left", "text-align:center": "center", "text-align:right": "right"}


def inline_html(nodes: Sequence[SyntaxTreeNode]) -> str:
    """Inline nodes as HTML on one line: inside an HTML block GitHub parses no Markdown,
    and a blank line would end the block."""
    return "".join(_node(node) for node in nodes)


def _node(node: SyntaxTreeNode) -> str:
    kind = node.type
    if kind in ("text", "html_inline"):
        return html_text(" ".join(node.content.splitlines()))
    if kind == "softbreak":
        return " "
    if kind == "hardbreak":
        return "<br>"
    if kind == "code_inline":
        return f"<code>{html_text(' '.join(node.content.splitlines()))}</code>"
    if kind.startswith("math"):
        return html_text("$" + " ".join(node.content.splitlines()) + "$")
    if kind == "link":
        href = str(node.attrs.get("href", ""))
        inner = inline_html(node.children)
        return f'<a href="{html_attribute(href)}">{inner}</a>' if safe_href(href) else inner
    if kind == "image":
        src, alt = str(node.attrs.get("src", "")), html_attribute(_alt(node.children))
        return f'<img src="{html_attribute(src)}" alt="{alt}">' if safe_href(src, ("http", "https")) else alt
    if kind in _TAGS:
        return f"<{_TAGS[kind]}>{inline_html(node.children)}</{_TAGS[kind]}>"
    if kind in ("fence", "code_block"):
        return f"<code>{html_text(' '.join(node.content.splitlines()))}</code>"
    if kind == "inline":
        return inline_html(node.children)
    if any(child.type not in _INLINE for child in node.children):
        # Blocks inside a cell (an HTML table's paragraphs or lists): one line each.
        return "<br>".join(p for p in map(_node, node.children) if p)
    if node.children:
        return inline_html(node.children)
    return html_text(" ".join(node.content.splitlines()))


def _alt(nodes: Sequence[SyntaxTreeNode]) -> str:
    return "".join(_alt(n.children) if n.children else n.content for n in nodes)


def table_html(table: SyntaxTreeNode) -> str:
    """A table as HTML, one row a line: for spans and block content GFM tables cannot hold."""
    lines = ["<table>"]
    for section in table.children:
        rows = section.children if section.type in ("thead", "tbody") else [section]
        if section.type in ("thead", "tbody"):
            lines.append(f"<{section.type}>")
        for row in rows:
            lines.append("<tr>" + "".join(_cell(cell) for cell in row.children) + "</tr>")
        if section.type in ("thead", "tbody"):
            lines.append(f"</{section.type}>")
    lines.append("</table>")
    return "\n".join(lines)


def _cell(cell: SyntaxTreeNode) -> str:
    tag = "th" if cell.type == "th" else "td"
    attributes = "".join(f' {name}="{html_attribute(str(cell.attrs[name]))}"'
                         for name in _CELL_ATTRIBUTES if name in cell.attrs)
    align = _ALIGN.get(str(cell.attrs.get("style", "")).replace(" ", ""))
    if align:
        attributes += f' align="{align}"'
    return f"<{tag}{attributes}>{_node(cell) if cell.children else ''}</{tag}>"
