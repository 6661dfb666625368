"""Anki's HTML fields -> the content format's Markdown (markdownify); math, code and span tables kept."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from markdownify import MarkdownConverter

# MathJax as Anki writes it, and Anki's older LaTeX tags (rendered to images by Anki, but
# their source is TeX all the same).
_MATH = re.compile(
    r"\\\((?P<inline>.+?)\\\)|\\\[(?P<display>.+?)\\\]"
    r"|\[\$\](?P<tex_inline>.+?)\[/\$\]|\[\$\$\](?P<tex_display>.+?)\[/\$\$\]"
    r"|\[latex\](?P<latex>.+?)\[/latex\]",
    re.DOTALL,
)
_PLACEHOLDER = "STUDYPACKMATH{}X"
_PLACEHOLDER_BACK = re.compile(r"STUDYPACKMATH(\d+)X")
_LANGUAGE = re.compile(r"\b(?:language|lang)-([\w+#-]+)")
_BLANK_RUNS = re.compile(r"\n{3,}")
_TAGS = re.compile(r"<[^>]+>")


class _Converter(MarkdownConverter):
    """markdownify, with the content format's preferences where Markdown has a choice."""

    def __init__(self, media: Callable[[str], str | None], **options) -> None:
        super().__init__(**options)
        self.media = media

    def convert_img(self, el, text, parent_tags):
        target = self.media(el.get("src", ""))
        if target is None:  # not a usable image: the caller reports it
            return ""
        alt = (el.get("alt") or "").replace("]", "")
        return f"![{alt}]({target})"

    def convert_li(self, el, text, parent_tags):
        converted = super().convert_li(el, text, parent_tags)
        if el.find(("ul", "ol")) is None:
            return converted
        # Python-Markdown nests a list only under four spaces; GitHub accepts them too.
        marker, _, rest = converted.partition(" ")
        width = len(marker) + 1
        lines = rest.split("\n")
        lines = [lines[0]] + [" " * (4 - width) + line if line.strip() else line for line in lines[1:]]
        return f"{marker}{' ' * (4 - len(marker))}" + "\n".join(lines)

    def convert_table(self, el, text, parent_tags):
        # Markdown has no row or column spans: keep such a table as HTML, which the
        # content format's sanitiser keeps.
        if el.find(lambda tag: tag.name in ("td", "th") and (tag.get("rowspan") or tag.get("colspan"))):
            for tag in el.find_all(True):
                tag.attrs = {k: v for k, v in tag.attrs.items() if k in ("rowspan", "colspan")}
            return f"\n\n{el}\n\n"
        return super().convert_table(el, text, parent_tags)


def _language(el) -> str:
    for node in (el, el.find("code"), el.parent):
        classes = " ".join(node.get("class") or ()) if node is not None and hasattr(node, "get") else ""
        found = _LANGUAGE.search(classes)
        if found:
            return found.group(1)
    return ""


def to_markdown(fragment: str, media: Callable[[str], str | None] = lambda src: src) -> str:
    """The Markdown of one field's HTML. `media` maps an image's src to its path in the
    content folder, or None to drop it."""
    maths: list[str] = []

    def hold(match: re.Match) -> str:
        maths.append(_math_markdown(match))
        return _PLACEHOLDER.format(len(maths) - 1)

    held = _MATH.sub(hold, fragment)
    converter = _Converter(media, heading_style="ATX", bullets="-", escape_underscores=False,
                           escape_asterisks=False, code_language_callback=_language,
                           sub_symbol="<sub>", sup_symbol="<sup>", newline_style="backslash")
    text = converter.convert(held).replace("\xa0", " ")
    text = _PLACEHOLDER_BACK.sub(lambda m: maths[int(m.group(1))], text)
    lines = [line.rstrip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")


def _math_markdown(match: re.Match) -> str:
    kind = match.lastgroup
    tex = html.unescape(_TAGS.sub("", match.group(kind).replace("<br>", "\n"))).strip()
    if kind in ("display", "tex_display"):
        return f"\n\n$$\n{tex}\n$$\n\n"
    # $…$ when GitHub would read it as math too; else the bracket form, also math.
    if tex and "$" not in tex and not tex[0].isdigit() and not tex[-1].isdigit():
        return f"${tex}$"
    return f"\\({tex}\\)"


def to_text(fragment: str) -> str:
    """Plain text of a field: for ids, titles and matching, never for content."""
    return html.unescape(_TAGS.sub(" ", fragment)).replace("\xa0", " ").strip()
