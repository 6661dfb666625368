"""Walk the sanitised HTML of a field and build reportlab flowables, re-escaping every text run."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Indenter, Paragraph, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from .pdf_fonts import FontSet
from .pdf_styles import ALIGNMENTS, CODE_BACK, INK, LINK, MUTED, RULE, TABLE_HEAD_BACK, Styles

VOID_TAGS = frozenset({"br", "img", "hr"})
INLINE_TAGS = frozenset({"a", "b", "br", "code", "del", "em", "i", "img", "kbd", "s", "span",
                         "strong", "sub", "sup"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BULLETS = ("•", "◦", "▪")
CONTINUATION = "↪"
CODE_PAD = 3.0


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> list[Node | str]:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root.children


def text_of(node: Node | str) -> str:
    if isinstance(node, str):
        return node
    return "".join(text_of(c) for c in node.children)


def _is_block(node: Node | str) -> bool:
    return isinstance(node, Node) and node.tag not in INLINE_TAGS


def _blank(nodes: list[Node | str]) -> bool:
    return all(isinstance(n, str) and not n.strip() for n in nodes)


def text_role(bold: bool, italic: bool, mono: bool) -> str:
    """The FontSet role a run is set in: what glyph coverage is checked against."""
    if mono:
        return "monobold" if bold else "mono"
    return {(False, False): "regular", (True, False): "bold",
            (False, True): "italic", (True, True): "bolditalic"}[(bold, italic)]


@lru_cache(maxsize=512)
def indented(base: ParagraphStyle, left: float, bullet_left: float, align: str = "") -> ParagraphStyle:
    """A cached variant of a style with a hanging indent (bullet at bullet_left, text at left)."""
    extra = {"alignment": ALIGNMENTS[align]} if align in ALIGNMENTS else {}
    return ParagraphStyle(f"{base.name}-{left}-{bullet_left}-{align}", parent=base,
                          leftIndent=left, bulletIndent=bullet_left, **extra)


# Pygments short class names -> (bold, colour); muted colours that survive greyscale printing.
_KEYWORD = (True, HexColor("#1f4e79"))
_TOKEN_STYLES: dict[str, tuple[bool, Color]] = {
    "k": _KEYWORD, "kd": _KEYWORD, "kn": _KEYWORD, "kr": _KEYWORD, "kc": _KEYWORD,
    "kt": _KEYWORD, "kp": _KEYWORD, "ow": _KEYWORD,
    "c": (False, HexColor("#6a737d")), "m": (False, HexColor("#8a3b12")),
    "s": (False, HexColor("#2e6b30")), "nf": (False, HexColor("#5c2d91")),
    "nc": (True, HexColor("#5c2d91")), "nb": (False, HexColor("#1f4e79")),
}


def token_style(cls: str) -> tuple[bool, Color]:
    if cls in _TOKEN_STYLES:
        return _TOKEN_STYLES[cls]
    # Families share their first letter: c1/cm are comments, s2/sd strings, mi/mf numbers.
    head = cls[:1]
    return _TOKEN_STYLES.get(head, (False, INK)) if head in "csm" else (False, INK)


@dataclass(frozen=True)
class CodeFace:
    regular: str
    bold: str
    size: float
    leading: float
    marker: str  # drawn before a wrapped line's continuation


@dataclass(frozen=True)
class CodeRow:
    indent: float  # the source line's own indentation, kept for its continuations
    continued: bool
    runs: tuple[tuple[str, str], ...]  # (text, pygments class)


class CodeBlock(Flowable):
    """A monospace block that wraps long lines, marking continuations, and splits across frames."""

    def __init__(self, lines: list[list[tuple[str, str]]], face: CodeFace, left: float = 0.0,
                 rows: list[CodeRow] | None = None, width: float | None = None) -> None:
        super().__init__()
        self.lines, self.face, self.left = lines, face, left
        self._rows, self._laid_width = rows, width
        self.spaceBefore = self.spaceAfter = face.size * 0.35

    def _layout(self, aw: float) -> list[CodeRow]:
        if self._rows is None or (self.lines and self._laid_width != aw):
            self._rows = wrap_code(self.lines, aw - self.left - 2 * CODE_PAD, self.face)
            self._laid_width = aw
        return self._rows

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        self.height = len(self._layout(aw)) * self.face.leading + 2 * CODE_PAD
        return aw, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        rows = self._layout(aw)
        fit = int((ah - 2 * CODE_PAD) // self.face.leading)
        if fit < 2 or len(rows) < 4:
            return []
        return [CodeBlock([], self.face, self.left, rows[:fit], aw),
                CodeBlock([], self.face, self.left, rows[fit:], aw)]

    def draw(self) -> None:
        canv, face = self.canv, self.face
        canv.setFillColor(CODE_BACK)
        canv.rect(self.left, 0, self.width - self.left, self.height, stroke=0, fill=1)
        y = self.height - CODE_PAD - face.size * 0.93
        for row in self._rows or []:
            x = self.left + CODE_PAD + row.indent
            text = canv.beginText(x, y)
            if row.continued:
                text.setFont(face.regular, face.size)
                text.setFillColor(MUTED)
                text.textOut(face.marker + " ")
            for chunk, cls in row.runs:
                bold, color = token_style(cls)
                text.setFont(face.bold if bold else face.regular, face.size)
                text.setFillColor(color)
                text.textOut(chunk)
            canv.drawText(text)
            y -= face.leading


def _char_width(face: CodeFace, bold: bool, ch: str, cache: dict[tuple[bool, str], float]) -> float:
    key = (bold, ch)
    if key not in cache:
        cache[key] = stringWidth(ch, face.bold if bold else face.regular, face.size)
    return cache[key]


def wrap_code(lines: list[list[tuple[str, str]]], width: float, face: CodeFace) -> list[CodeRow]:
    """Greedy wrap by measured width, preferring a break after a space; continuations keep indent."""
    widths: dict[tuple[bool, str], float] = {}
    marker_w = stringWidth(face.marker + " ", face.regular, face.size)
    rows: list[CodeRow] = []
    for line in lines:
        chars = [(ch, cls) for chunk, cls in line for ch in chunk]
        lead = len(chars) - len("".join(ch for ch, _ in chars).lstrip(" "))
        indent = min(lead * _char_width(face, False, " ", widths), width / 2)
        start, continued = 0, False
        while True:
            room = width - (indent + marker_w if continued else 0)
            end, used, last_space = start, 0.0, -1
            while end < len(chars):
                w = _char_width(face, token_style(chars[end][1])[0], chars[end][0], widths)
                if used + w > room and end > start:
                    break
                if chars[end][0] == " ":
                    last_space = end
                used += w
                end += 1
            if end < len(chars) and last_space > start + (end - start) // 2:
                end = last_space + 1
            piece = chars[start:end]
            if continued:
                piece = piece[len(piece) - len(_lstrip_chars(piece)):]
            rows.append(CodeRow(indent if continued else 0.0, continued, _runs(piece)))
            if end >= len(chars):
                break
            start, continued = end, True
    return rows


def _lstrip_chars(chars: list[tuple[str, str]]) -> list[tuple[str, str]]:
    i = 0
    while i < len(chars) - 1 and chars[i][0] == " ":
        i += 1
    return chars[i:]


def _runs(chars: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    runs: list[tuple[str, str]] = []
    for ch, cls in chars:
        if runs and runs[-1][1] == cls:
            runs[-1] = (runs[-1][0] + ch, cls)
        else:
            runs.append((ch, cls))
    return tuple(runs)


class Para(Paragraph):
    """A paragraph that keeps its line breaks when wrapped again at the same width.

    keepWithNext groups and shrink-to-fit wrap each paragraph more than once; breaking
    lines is most of the cost of a page.
    """

    _wrapped_at: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        # split() deletes blPara when it declines to split: wrap again then.
        if self._wrapped_at != availWidth or not hasattr(self, "blPara"):
            super().wrap(availWidth, availHeight)
            self._wrapped_at = availWidth
        return self.width, self.height


class ScaledImage(Flowable):
    """An image at its natural size (96 dpi), shrunk to the width and a height cap.

    At the bottom of a column or card it shrinks further, to half that size at most,
    rather than leaving a gap or being cut.
    """

    def __init__(self, path: Path, size_px: tuple[int, int], max_height: float,
                 left: float = 0.0) -> None:
        super().__init__()
        self.path, self.left, self.max_height = path, left, max_height
        self.natural = (size_px[0] * 0.75, size_px[1] * 0.75)
        self.spaceBefore = self.spaceAfter = 2.0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        w, h = self.natural
        scale = min(1.0, (aw - self.left) / w, self.max_height / h)
        if ah < h * scale:
            scale = max(scale / 2, ah / h)
        self.draw_size = (w * scale, h * scale)
        self.width, self.height = aw, self.draw_size[1]
        return aw, self.height

    def draw(self) -> None:
        # An ImageReader, not the path: reportlab names the image after what it is given,
        # and a name made from the path would make the PDF depend on the folder it was built in.
        image = ImageReader(str(self.path))
        self.canv.drawImage(image, self.left, 0, *self.draw_size, mask="auto")


class HtmlFlowables:
    """Converts one render's fields; records the characters each font role must cover."""

    def __init__(self, fonts: FontSet, styles: Styles, width: float, content_dir: Path,
                 max_image_height: float) -> None:
        self.fonts, self.st, self.width = fonts, styles, width
        self.content_dir, self.max_image_height = content_dir, max_image_height
        self.used: dict[str, set[str]] = {}
        self.missing_images: list[str] = []
        self._image_sizes: dict[str, tuple[int, int]] = {}
        self.code_face = CodeFace(fonts["mono"], fonts["monobold"], styles.code_size,
                                  styles.code_leading,
                                  CONTINUATION if fonts.has("mono", CONTINUATION) else ">")
        self.bullets = tuple(b if fonts.has("regular", b) else "-" for b in BULLETS)

    def reset_usage(self) -> dict[str, set[str]]:
        used, self.used = self.used, {}
        return used

    def escaped(self, text: str, role: str = "regular") -> str:
        """Plain text (titles) for paragraph markup: recorded for coverage, then escaped."""
        self.used.setdefault(role, set()).update(text)
        return escape(text)

    # Inline content -> paragraph markup

    def inline_html(self, html: str, *, bold: bool = False) -> str:
        return self.inline(parse(html), bold, False, False)

    def inline(self, nodes: list[Node | str], bold: bool, italic: bool, mono: bool) -> str:
        return "".join(self.escaped(n, text_role(bold, italic, mono)) if isinstance(n, str)
                       else self._inline_node(n, bold, italic, mono) for n in nodes)

    def _inline_node(self, node: Node, bold: bool, italic: bool, mono: bool) -> str:
        tag, kids = node.tag, node.children
        if tag in ("strong", "b"):
            return f"<b>{self.inline(kids, True, italic, mono)}</b>"
        if tag in ("em", "i"):
            return f"<i>{self.inline(kids, bold, True, mono)}</i>"
        if tag in ("code", "kbd"):
            inner = self.inline(kids, bold, italic, True)
            # The monospace face alone marks code: a background box per run costs ~10% of a page.
            return f'<font face="{self.fonts.mono_family}">{inner}</font>'
        if tag in ("del", "s"):
            return f"<strike>{self.inline(kids, bold, italic, mono)}</strike>"
        if tag in ("sup", "sub"):
            wrapper = "super" if tag == "sup" else "sub"
            return f"<{wrapper}>{self.inline(kids, bold, italic, mono)}</{wrapper}>"
        if tag == "a" and node.attrs.get("href"):
            href = escape(node.attrs["href"], {'"': "&quot;"})
            return f'<a href="{href}" color="{LINK.hexval()}">{self.inline(kids, bold, italic, mono)}</a>'
        if tag == "br":
            return "<br/>"
        if tag == "img":
            alt = node.attrs.get("alt", "")
            return self.escaped(f"[{alt}]", text_role(bold, italic, mono)) if alt else ""
        return self.inline(kids, bold, italic, mono)

    # Block content -> flowables

    def blocks_html(self, html: str) -> list[Flowable]:
        return self.blocks(parse(html), 0.0, 0) if html else []

    def blocks(self, nodes: list[Node | str], left: float, depth: int) -> list[Flowable]:
        out: list[Flowable] = []
        run: list[Node | str] = []
        for node in nodes:
            if _is_block(node):
                out += self.paragraphs(run, self.st.body, left)
                run = []
                out += self.block(node, left, depth)  # type: ignore[arg-type]
            else:
                run.append(node)
        return out + self.paragraphs(run, self.st.body, left)

    def block(self, node: Node, left: float, depth: int) -> list[Flowable]:
        tag = node.tag
        if tag == "p":
            return self.paragraphs(node.children, self.st.body, left)
        if tag in HEADINGS:
            return self.paragraphs(node.children, self.st.heading, left, bold=True)
        if tag in ("ul", "ol"):
            return self.list_(node, left, depth)
        if tag == "table":
            return self.table(node, left)
        if tag == "pre":
            return [self.code(node, left)]
        if tag == "hr":
            return [HRFlowable(width="100%", thickness=0.4, color=RULE, spaceBefore=2, spaceAfter=2)]
        if tag == "img":
            return self.image(node, left)
        if tag == "blockquote":
            return self.blocks(node.children, left + self.st.size, depth)
        return self.blocks(node.children, left, depth)  # div.highlight, tbody strays, etc.

    def paragraphs(self, nodes: list[Node | str], base: ParagraphStyle, left: float, *,
                   bold: bool = False, bullet: tuple[str, float] | None = None) -> list[Flowable]:
        """Inline nodes as one paragraph, split around images (markdown puts them inside <p>)."""
        out: list[Flowable] = []
        run: list[Node | str] = []
        for node in [*nodes, None]:
            if node is None or (isinstance(node, Node) and node.tag == "img"):
                if not _blank(run) or (bullet and not out):
                    text = self.inline(run, bold, False, False).strip()
                    bullet_left = bullet[1] if bullet and not out else 0.0
                    style = indented(base, left, bullet_left)
                    out.append(Para(text, style, bulletText=bullet[0] if bullet and not out
                                         else None))
                    if bullet and len(out) == 1:
                        bullet = None
                run = []
                if node is not None:
                    out += self.image(node, left)
            else:
                run.append(node)
        return out

    def list_(self, node: Node, left: float, depth: int) -> list[Flowable]:
        items = [c for c in node.children if isinstance(c, Node) and c.tag == "li"]
        size = self.st.size
        if node.tag == "ol":
            start = int(node.attrs["start"]) if node.attrs.get("start", "").isdigit() else 1
            labels = [f"{start + i}." for i in range(len(items))]
        else:
            labels = [self.bullets[depth % len(self.bullets)]] * len(items)
        self.used.setdefault("regular", set()).update("".join(labels))
        step = max(size * 1.3, max((stringWidth(lb, self.fonts["regular"], size) for lb in labels),
                                   default=0) + size * 0.45)
        out: list[Flowable] = []
        for item, label in zip(items, labels, strict=True):
            out += self.list_item(item, left, step, label, depth)
        return out

    def list_item(self, item: Node, left: float, step: float, label: str, depth: int
                  ) -> list[Flowable]:
        kids = item.children
        split = next((i for i, k in enumerate(kids) if _is_block(k)), len(kids))
        lead, rest = kids[:split], kids[split:]
        if _blank(lead) and rest and isinstance(rest[0], Node) and rest[0].tag == "p":
            lead, rest = rest[0].children, rest[1:]  # a loose list wraps items in <p>
        first = self.paragraphs(lead, self.st.body, left + step, bullet=(label, left))
        return first + self.blocks(rest, left + step, depth + 1)

    def table(self, node: Node, left: float) -> list[Flowable]:
        rows = [r for r in _descendants(node, "tr")]
        cells = [[c for c in r.children if isinstance(c, Node) and c.tag in ("th", "td")]
                 for r in rows]
        ncols = max((len(r) for r in cells), default=0)
        if not ncols:
            return []
        data = [[self._cell(c) for c in r] + [""] * (ncols - len(r)) for r in cells]
        header = bool(cells[0]) and all(c.tag == "th" for c in cells[0])
        widths = column_widths(cells, ncols, self.width - left, self.fonts,
                               self.st.cell.fontSize)
        commands = [
            ("FONTNAME", (0, 0), (-1, -1), self.fonts["regular"]),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ]
        if header:
            commands += [("BACKGROUND", (0, 0), (-1, 0), TABLE_HEAD_BACK)]
        table = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT",
                      style=TableStyle(commands))
        table.spaceBefore = table.spaceAfter = self.st.size * 0.35
        return [Indenter(left), table, Indenter(-left)] if left else [table]

    def _cell(self, cell: Node) -> Para:
        bold = cell.tag == "th"
        base = self.st.head_cell if bold else self.st.cell
        return Para(self.inline(cell.children, bold, False, False).strip(),
                         indented(base, 0.0, 0.0, cell.attrs.get("align", "")))

    def code(self, pre: Node, left: float) -> CodeBlock:
        lines: list[list[tuple[str, str]]] = [[]]
        for text, cls in _code_runs(pre, ""):
            role = "monobold" if token_style(cls)[0] else "mono"
            self.used.setdefault(role, set()).update(text)
            for i, part in enumerate(text.split("\n")):
                if i:
                    lines.append([])
                if part:
                    lines[-1].append((part.replace("\t", "    "), cls))
        while lines and not lines[-1]:
            lines.pop()
        return CodeBlock(lines, self.code_face, left)

    def image(self, node: Node, left: float) -> list[Flowable]:
        src = node.attrs.get("src", "")
        path = self.content_dir / src
        if "://" in src or src.startswith("mailto:"):
            alt = node.attrs.get("alt", "")
            return self.paragraphs([f"[{alt}]"], self.st.body, left) if alt else []
        if src not in self._image_sizes:
            try:
                self._image_sizes[src] = ImageReader(str(path)).getSize()
            except OSError:
                self.missing_images.append(src)
                return []
        return [ScaledImage(path, self._image_sizes[src], self.max_image_height, left)]


def _descendants(node: Node, tag: str) -> list[Node]:
    found: list[Node] = []
    for child in node.children:
        if isinstance(child, Node):
            found += [child] if child.tag == tag else _descendants(child, tag)
    return found


def _code_runs(node: Node, cls: str) -> list[tuple[str, str]]:
    runs: list[tuple[str, str]] = []
    for child in node.children:
        if isinstance(child, str):
            runs.append((child, cls))
        else:
            runs += _code_runs(child, child.attrs.get("class", cls) if child.tag == "span" else cls)
    return runs


def column_widths(cells: list[list[Node]], ncols: int, avail: float, fonts: FontSet,
                  size: float) -> list[float]:
    """Natural widths when they fit; else each column keeps its longest word, the rest is shared."""
    pad = 7.0
    natural, least = [pad] * ncols, [pad] * ncols
    for row in cells:
        for i, cell in enumerate(row):
            font = fonts["bold"] if cell.tag == "th" else fonts["regular"]
            text = text_of(cell).strip()
            natural[i] = max(natural[i], stringWidth(text, font, size) + pad)
            words = text.split() or [""]
            least[i] = max(least[i], max(stringWidth(w, font, size) for w in words) + pad)
    if sum(natural) <= avail:
        return natural
    least = [min(w, avail / ncols) for w in least] if sum(least) > avail else least
    # Share what is left beyond the minimums in proportion to how much more each column wants.
    spare = avail - sum(least)
    wants = [n - m for n, m in zip(natural, least, strict=True)]
    total = sum(wants) or 1.0
    return [m + spare * w / total for m, w in zip(least, wants, strict=True)]
