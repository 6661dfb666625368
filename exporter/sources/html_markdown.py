"""Anki's HTML fields -> the content format's Markdown (markdownify); math, code and span tables kept."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache

from bs4 import Tag
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
_PRE = re.compile(r"<pre\b[^>]*>.*?</pre>", re.DOTALL | re.IGNORECASE)
_SPAN = re.compile(r"</?span\b[^>]*>", re.IGNORECASE)


class _Tag(Tag):
    """bs4's Tag with a quick path for `find_parent(name)`: markdownify asks it of every tag
    ("am I inside <pre>?"), and bs4's general matcher made that a fifth of an import."""

    def find_parent(self, name=None, attrs={}, **kwargs):  # noqa: B006 (bs4's own signature)
        if isinstance(name, str) and not attrs and not kwargs:
            parent = self.parent
            while parent is not None:
                if parent.name == name:
                    return parent
                parent = parent.parent
            return None
        return super().find_parent(name, attrs, **kwargs)


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


@lru_cache(maxsize=1)
def _converter() -> _Converter:
    """One converter per process: building one costs as much as converting a short field."""
    return _Converter(lambda src: src, bs4_options={"element_classes": {Tag: _Tag}},
                      heading_style="ATX", bullets="-", escape_underscores=False,
                      escape_asterisks=False, code_language_callback=_language,
                      sub_symbol="<sub>", sup_symbol="<sup>", newline_style="backslash")


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
    return to_markdown_many([fragment], media)[0]


# Fields parsed as one document: BeautifulSoup's set-up costs as much as converting a
# short field, so a batch pays it once.
_BATCH = 200
_WRAPPER = "studypack-field"


def to_markdown_many(fragments: list[str],
                     media: Callable[[str], str | None] = lambda src: src) -> list[str]:
    """to_markdown of each fragment, converted in batches."""
    results: list[str | None] = [_plain(f) for f in fragments]
    pending = [i for i, r in enumerate(results) if r is None]
    converter = _converter()
    converter.media = media
    for start in range(0, len(pending), _BATCH):
        indexes = pending[start:start + _BATCH]
        for index, text in zip(indexes, _convert_batch(converter, [fragments[i] for i in indexes]),
                               strict=True):
            results[index] = text
    return results  # type: ignore[return-value]


def _plain(fragment: str) -> str | None:
    """Text without markup: what markdownify would return (whitespace collapsed, as HTML
    shows it) at a hundredth of the cost; most questions of most decks are such text."""
    if "<" in fragment or "&" in fragment or "\\" in fragment or "[" in fragment:
        return None
    return " ".join(fragment.split())


def _convert_batch(converter: _Converter, fragments: list[str]) -> list[str]:
    from bs4 import BeautifulSoup

    maths: list[str] = []

    def hold(match: re.Match) -> str:
        maths.append(_math_markdown(match))
        return _PLACEHOLDER.format(len(maths) - 1)

    held = [_PRE.sub(_unspanned, _MATH.sub(hold, fragment)) for fragment in fragments]
    soup = BeautifulSoup("".join(f"<{_WRAPPER}>{h}</{_WRAPPER}>" for h in held), "html.parser",
                         element_classes={Tag: _Tag})
    wrappers = soup.find_all(_WRAPPER, recursive=False)
    if len(wrappers) != len(held) or any(w.find(_WRAPPER) for w in wrappers):
        # A field with unbalanced tags swallowed its neighbour: parse each on its own.
        texts = [converter.convert(h) for h in held]
    else:
        texts = [converter.process_tag(w, parent_tags=set()) for w in wrappers]
    return [_tidy(_PLACEHOLDER_BACK.sub(lambda m: maths[int(m.group(1))], t.replace("\xa0", " ")))
            for t in texts]


def _unspanned(match: re.Match) -> str:
    """Syntax-highlighting spans say nothing Markdown keeps, and cost most of a code block's time."""
    return _SPAN.sub("", match.group())


def _tidy(text: str) -> str:
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
