"""Sanitised HTML of a field as a small node tree: a regex tokenizer, since nh3's output is regular."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape

VOID_TAGS = frozenset({"br", "img", "hr", "wbr", "col", "input"})
# A tag, or a run of text; a '<' that starts no tag is text (nh3 escapes them, this is a guard).
_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s[^>]*?)?)(/?)>|<!--.*?-->|([^<]+|<)", re.S)
_ATTR = re.compile(r"""([^\s=/"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)


def _attrs(text: str) -> dict[str, str]:
    return {m[1].lower(): unescape(m[2] or m[3] or m[4] or "") for m in _ATTR.finditer(text)}


def parse(html: str) -> list[Node | str]:
    """The top-level nodes of html; an end tag closes up to its nearest open match, else is ignored."""
    root = Node("root", {})
    stack = [root]
    for m in _TOKEN.finditer(html):
        closing, tag, attrs, selfclose, text = m.groups()
        if text is not None:
            stack[-1].children.append(unescape(text))
        elif tag is None:
            continue  # a comment
        elif closing:
            tag = tag.lower()
            for i in range(len(stack) - 1, 0, -1):
                if stack[i].tag == tag:
                    del stack[i:]
                    break
        else:
            tag = tag.lower()
            node = Node(tag, _attrs(attrs) if attrs else {})
            stack[-1].children.append(node)
            if tag not in VOID_TAGS and not selfclose:
                stack.append(node)
    return root.children


def text_of(node: Node | str) -> str:
    if isinstance(node, str):
        return node
    return "".join(text_of(c) for c in node.children)


def descendants(node: Node, tag: str) -> list[Node]:
    found: list[Node] = []
    for child in node.children:
        if isinstance(child, Node):
            found += [child] if child.tag == tag else descendants(child, tag)
    return found


def code_runs(node: Node, cls: str = "") -> list[tuple[str, str]]:
    """(text, pygments class) runs of a highlighted block, innermost span class winning."""
    runs: list[tuple[str, str]] = []
    for child in node.children:
        if isinstance(child, str):
            runs.append((child, cls))
        else:
            runs += code_runs(child, child.attrs.get("class", cls) if child.tag == "span" else cls)
    return runs
