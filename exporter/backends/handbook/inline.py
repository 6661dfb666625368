"""Inline nodes of the parse tree as GitHub Markdown, and the text GitHub shows for them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from markdown_it.tree import SyntaxTreeNode

from .escape import autolink, code_span, destination, escape_text, safe_href, title

BREAKS = ("softbreak", "hardbreak")
# Containers written as `*…*`, `**…**`, `~~…~~` when that cannot misparse, else as HTML.
_DELIMITERS = {"em": ("*", "em"), "strong": ("**", "strong"), "s": ("~~", "del")}
_HTML_INLINE = ("sub", "sup", "kbd")
_IMAGE_SCHEMES = ("http", "https")  # GitHub proxies remote images; never data: or file:


@dataclass(frozen=True)
class Mode:
    one_line: bool = False  # a heading or a contents entry: line breaks become spaces
    table: bool = False  # a GFM table cell: pipes escaped everywhere, breaks as <br>
    links: bool = True  # False inside link text, where links cannot nest


def markdown(nodes: Sequence[SyntaxTreeNode], mode: Mode | None = None) -> str:
    """The nodes as Markdown that GitHub parses back into the same inline content."""
    mode = mode or Mode()
    parts: list[str] = []
    for i, node in enumerate(nodes):
        kind = node.type
        if kind == "text":
            parts.append(escape_text(node.content))
        elif kind in _DELIMITERS:
            following = nodes[i + 1] if i + 1 < len(nodes) else None
            parts.append(_emphasis(node, mode, parts[-1][-1:] if parts else "", following))
        else:
            parts.append(_node(node, mode, kind))
    return "".join(parts)


def plain(nodes: Sequence[SyntaxTreeNode]) -> str:
    """The text a reader sees (what GitHub slugs a heading from): markup gone, images silent."""
    out: list[str] = []
    for node in nodes:
        kind = node.type
        if kind in ("text", "html_inline"):
            out.append(" ".join(node.content.splitlines()))
        elif kind == "code_inline":
            out.append(" ".join(node.content.splitlines()))
        elif kind.startswith("math_inline"):
            out.append("$" + " ".join(_tex(node).splitlines()) + "$")
        elif kind in BREAKS:
            out.append(" ")
        elif kind != "image":
            out.append(plain(node.children))
    return "".join(out)


def display_inline(node: SyntaxTreeNode) -> bool:
    """Display math (`$$…$$`, `\\[…\\]`) written inside a line."""
    return node.type == "math_inline_double" or (node.type == "math_inline" and node.markup in ("$$", "\\["))


def _tex(node: SyntaxTreeNode) -> str:
    # Display math in the middle of a line stays inline on GitHub: display style keeps its size.
    return ("\\displaystyle " if display_inline(node) else "") + node.content


def _node(node: SyntaxTreeNode, mode: Mode, kind: str) -> str:
    if kind == "text":
        return escape_text(node.content)
    if kind == "html_inline":  # raw HTML the sanitiser did not turn into nodes: shown as text
        return escape_text(" ".join(node.content.splitlines()) if mode.one_line else node.content)
    if kind == "softbreak":
        return " " if mode.one_line or mode.table else "\n"
    if kind == "hardbreak":
        return "<br>" if mode.table else " " if mode.one_line else "\\\n"
    if kind == "code_inline":
        return code_span(node.content, mode.table)
    if kind.startswith("math_inline"):
        # $`…`$: GitHub's inline math whose TeX Markdown never touches (no escapes needed).
        return "$" + code_span(_tex(node), mode.table) + "$"
    if kind == "link":
        return _link(node, mode)
    if kind == "image":
        return _image(node, mode)
    if kind in _HTML_INLINE:
        lead, inner, trail = _inner(node, mode)
        return lead + (f"<{kind}>{inner}</{kind}>" if inner else "") + trail
    if node.children:
        return markdown(node.children, mode)
    return escape_text(node.content)


def _inner(node: SyntaxTreeNode, mode: Mode) -> tuple[str, str, str]:
    """A container's content, with the spaces and breaks at its edges moved outside.

    `** x**` is no emphasis, and `<b> x</b>` at a heading's start would shift its anchor;
    outside the tags the spaces render the same.
    """
    kids = list(node.children)
    lead = trail = ""
    while kids and kids[0].type in BREAKS:
        first = kids.pop(0)
        lead += _node(first, mode, first.type)
    while kids and kids[-1].type in BREAKS:
        last = kids.pop()
        trail = _node(last, mode, last.type) + trail
    if not kids:
        return lead, "", trail
    inner = markdown(kids, mode)
    # Text renders its spaces and tabs as themselves, so they can be cut off the Markdown.
    if kids[0].type == "text":
        cut = len(inner) - len(inner.lstrip(" \t"))
        lead, inner = lead + inner[:cut], inner[cut:]
    if kids[-1].type == "text":
        cut = len(inner) - len(inner.rstrip(" \t"))
        inner, trail = inner[: len(inner) - cut], inner[len(inner) - cut:] + trail
    return lead, inner, trail


def _emphasis(node: SyntaxTreeNode, mode: Mode, before: str,
              following: SyntaxTreeNode | None) -> str:
    delimiter, tag = _DELIMITERS[node.type]
    lead, inner, trail = _inner(node, mode)
    if not inner:
        return lead + trail
    # The delimiters are certain only around letters or digits, with no other delimiter
    # run touching them (CommonMark's flanking rules); anything else gets the HTML tags,
    # which GitHub renders the same.
    # (Escaped text never starts with a delimiter: only another emphasis can touch this one.)
    touches_before = not lead and before != "" and before in "*_~"
    touches_after = not trail and following is not None and following.type in _DELIMITERS
    simple = inner[0].isalnum() and inner[-1].isalnum() and not touches_before and not touches_after
    return lead + (f"{delimiter}{inner}{delimiter}" if simple else f"<{tag}>{inner}</{tag}>") + trail


def _link(node: SyntaxTreeNode, mode: Mode) -> str:
    href = node.attrs.get("href", "")
    assert isinstance(href, str)
    lead, inner, trail = _inner(node, replace(mode, links=False))
    if not mode.links or not safe_href(href):
        return lead + inner + trail  # the text stays, the link goes (as on the cards)
    # GitHub's autolinks (`<…>` and bare URLs) come back as `<href>` where that shows the same.
    shown = autolink(plain(node.children), href) if node.markup in ("autolink", "linkify") else None
    if shown is None:
        label = node.attrs.get("title")
        suffix = f" {title(str(label))}" if label else ""
        target = destination(href) + suffix
        shown = f"[{inner}]({_in_cell(target, mode)})"
    return lead + shown + trail


def _image(node: SyntaxTreeNode, mode: Mode) -> str:
    src = node.attrs.get("src", "")
    assert isinstance(src, str)
    alt = escape_text(" ".join(plain(node.children).split("\n")))
    if not safe_href(src, _IMAGE_SCHEMES):
        return alt
    label = node.attrs.get("title")
    target = destination(src) + (f" {title(str(label))}" if label else "")
    return f"![{alt}]({_in_cell(target, mode)})"


def _in_cell(target: str, mode: Mode) -> str:
    # GFM splits a table row at every unescaped `|` before it parses links.
    return target.replace("|", "\\|") if mode.table else target
