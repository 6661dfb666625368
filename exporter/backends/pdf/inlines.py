"""A tree's inline nodes -> runs of (text, face); images and $$…$$ inside a paragraph become blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from markdown_it.tree import SyntaxTreeNode

from .blocks import BREAK, Block, Face, Image, Math, Run, face
from .fields import written_as_display
from .formulas import BadTex, Formula, typeset
from .styles import LINK

_SCHEME = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")
_WRAPPERS = {"strong": {"bold": True}, "em": {"italic": True}, "s": {"strike": True},
             "code_inline": {"mono": True}, "kbd": {"mono": True},
             "sup": {"script": 1}, "sub": {"script": -1}}


@dataclass(frozen=True)
class Inline:
    """The styles in force at an inline node."""

    bold: bool = False
    italic: bool = False
    mono: bool = False
    href: str = ""
    strike: bool = False
    script: int = 0

    def face(self) -> Face:
        return face(self.bold, self.italic, self.mono, LINK if self.href else None, self.href,
                    self.strike, self.script)

    def math_face(self, formula: Formula) -> Face:
        """A fresh face per formula: runs in one face object merge, formulas never may."""
        base = self.face()
        return Face(base.role, base.color, base.href, base.strike, base.script, formula)


Segment = Run | Block  # a run of text, or a block that interrupts the paragraph


def is_remote(src: str) -> bool:
    """An image anywhere but the content folder: never fetched, printed as its link."""
    return bool(_SCHEME.match(src))


def segments(nodes: list[SyntaxTreeNode], state: Inline, blocks: bool = True) -> list[Segment]:
    """Runs of the nodes; with blocks=False, local images print as [alt] and $$…$$ inline."""
    out: list[Segment] = []
    for node in nodes:
        out += _node(node, state, blocks)
    return out


def _node(node: SyntaxTreeNode, state: Inline, blocks: bool) -> list[Segment]:
    kind = node.type
    if kind in ("text", "html_inline"):  # raw HTML that reaches a backend is text, never live
        return [(node.content, state.face())] if node.content else []
    if kind == "softbreak":
        return [(" ", state.face())]
    if kind == "hardbreak":
        return [(BREAK, state.face())]
    if kind == "code_inline":
        return [(node.content, replace(state, mono=True).face())]
    if kind in ("math_inline", "math_inline_double"):
        return _math(node.content, state, display=blocks and written_as_display(node))
    if kind == "image":
        return _image(node, state, blocks)
    if kind == "link":
        return segments(node.children, replace(state, href=str(node.attrs.get("href", ""))), blocks)
    return segments(node.children, replace(state, **_WRAPPERS.get(kind, {})), blocks)


def _math(tex: str, state: Inline, display: bool) -> list[Segment]:
    made = typeset(tex, display)
    if isinstance(made, BadTex):  # printed as written, in the code face; validate reports it
        return [(tex, replace(state, mono=True).face())]
    if display:
        return [Math(made)]
    return [(made.tex, state.math_face(made))]


def _image(node: SyntaxTreeNode, state: Inline, blocks: bool) -> list[Segment]:
    src = str(node.attrs.get("src", ""))
    alt = "".join(c.content for c in node.walk() if c.type in ("text", "code_inline")).strip()
    if is_remote(src):
        return [(alt or src, replace(state, href=src).face())]
    if blocks:
        return [Image(src)]
    return [(f"[{alt}]", state.face())] if alt else []


def runs_only(items: list[Segment]) -> tuple[Run, ...]:
    return strip(tuple(s for s in items if isinstance(s, tuple)))


def strip(runs: tuple[Run, ...] | list[Run]) -> tuple[Run, ...]:
    """Leading and trailing whitespace dropped, as a paragraph would."""
    runs = list(runs)
    while runs and not runs[0][1].formula and not runs[0][0].strip() and runs[0][0] != BREAK:
        runs = runs[1:]
    while runs and not runs[-1][1].formula and not runs[-1][0].strip() and runs[-1][0] != BREAK:
        runs = runs[:-1]
    if runs and not runs[0][1].formula:
        runs[0] = (runs[0][0].lstrip(), runs[0][1])
    if runs and not runs[-1][1].formula:
        runs[-1] = (runs[-1][0].rstrip(), runs[-1][1])
    return tuple(runs)
