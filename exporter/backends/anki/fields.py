"""Parse tree -> the HTML of one Anki field: MathJax delimiters, highlighted code, flat media names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

import nh3
from markdown_it.tree import SyntaxTreeNode

from ...markup.images import local_path
from ...markup.tex import disallowed
from .render import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, Writer, escape_attribute, escape_text

URL_SCHEMES = {"http", "https", "mailto"}

# Text Anki itself would act on: [sound:…] plays (and once passed options to mpv),
# [latex]/[$]/[$$] run LaTeX, [anki:tts] speaks, {{…}} looks like a template field.
_ANKI_SYNTAX = re.compile(r"\[(?=/?(?:sound:|latex\]|\$\$?\]|anki:))|\{\{", re.IGNORECASE)
_ENTITIES = {"[": "&#91;", "{{": "&#123;&#123;"}
_SINGLE_PARAGRAPH = re.compile(r"\A<p>(.*)</p>\Z", re.DOTALL)


def sanitise(html: str) -> str:
    """The allow-list again on the finished HTML: a second line of defence behind the tree."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", strip_comments=True)


def neutralise_anki(html: str) -> str:
    """Write Anki's own markup as entities: the card shows it as typed and Anki ignores it."""
    return _ANKI_SYNTAX.sub(lambda m: _ENTITIES[m.group()], html)


def block_html(tree: SyntaxTreeNode, media_names: Mapping[str, str]) -> str:
    """The HTML of a multi-paragraph field (details, description)."""
    if not tree.children:
        return ""
    writer = Writer(media_names, _RULES)
    writer.blocks(getattr(tree, "source_tokens", None) or tree.to_tokens())
    html = writer.html()
    # The writer escapes every text and attribute and writes only allow-listed tags, as the
    # sanitiser would (tests/test_field_html.py checks it on hostile input): the sanitiser runs
    # only on what the writer cannot vouch for (an odd URL, raw HTML an HTML parser would
    # rearrange), not on every field (it was half of the Anki HTML's time).
    return neutralise_anki(html if writer.checked else sanitise(html))


def inline_html(tree: SyntaxTreeNode, media_names: Mapping[str, str]) -> str:
    """One-line fields (question, answer): the paragraph wrapper is dropped."""
    html = block_html(tree, media_names)
    match = _SINGLE_PARAGRAPH.match(html.strip())
    return match.group(1) if match and "<p>" not in match.group(1) else html


def _math(content: str, display: bool, source: str) -> str:
    if disallowed(content):
        return f"<code>{escape_text(source)}</code>"  # validate warned: shown as written
    opener, closer = (r"\[", r"\]") if display else (r"\(", r"\)")
    return f"{opener}{escape_text(content)}{closer}"


_CLOSERS = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]", "```": "```"}


def _math_inline(writer: Writer, tokens, index: int) -> str:
    token = tokens[index]
    source = f"{token.markup}{token.content}{_CLOSERS.get(token.markup, '')}"
    return _math(token.content, token.markup in ("$$", "\\["), source)


def _math_block(writer: Writer, tokens, index: int) -> str:
    token = tokens[index]
    writer.enter("div", True)
    source = f"{token.markup}\n{token.content}\n{_CLOSERS.get(token.markup, '')}"
    return f'<div class="sp-math">{_math(token.content, True, source)}</div>\n'


def _fence(writer: Writer, tokens, index: int) -> str:
    token = tokens[index]
    writer.enter("div", True)
    language = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
    html = highlight(token.content, language)
    if "<pre>\n" in html:
        writer.checked = False  # an HTML parser drops a newline right after <pre>
    # Pygments escapes quotes in text, the sanitiser does not; and escapes no no-break space.
    return html.replace("&#39;", "'").replace("&quot;", '"').replace("\xa0", "&nbsp;")


def highlight(code: str, language: str) -> str:
    """Pygments with CSS classes, not inline colours: the card's CSS has a night-mode variant."""
    from pygments import highlight as pygmentize

    return pygmentize(code, _lexer(language), _formatter())


@lru_cache(maxsize=1)
def _formatter():
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(cssclass="highlight")  # building one costs more than a small block


@lru_cache(maxsize=64)
def _lexer(language: str):
    from pygments.lexers import TextLexer, get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language) if language else TextLexer()
    except ClassNotFound:
        return TextLexer()


def _alt_text(tokens) -> str:
    """markdown-it's renderInlineAsText: an image's alt, markup stripped."""
    parts = []
    for token in tokens or ():
        if token.type in ("text", "code_inline", "html_inline", "html_block"):
            parts.append(token.content)
        elif token.type == "image":
            parts.append(_alt_text(token.children))
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def _image(writer: Writer, tokens, index: int) -> str:
    token = tokens[index]
    alt = _alt_text(token.children)
    src = str(token.attrs.get("src", ""))
    local = local_path(src)
    if local is None:  # remote: never fetched from a card, a link at most (the sanitiser drops other schemes)
        writer.enter("a", False)
        return f'<a{writer.attributes("a", {"href": src})}>{escape_text(alt or src)}</a>'
    name = writer.media_names.get(local)
    if name is None:
        return escape_text(alt)
    writer.enter("img", False)
    attrs = {"alt": alt, "src": name}
    if token.attrs.get("title"):
        attrs["title"] = str(token.attrs["title"])
    return f"<img{writer.attributes('img', attrs)}>"


def _cell(writer: Writer, tokens, index: int) -> str:
    """align="…" as GitHub writes it, instead of a style attribute the sanitiser drops."""
    token = tokens[index]
    writer.enter(token.tag, True)
    writer.open.append(token.tag)
    align = str(token.attrs.get("style", "")).removeprefix("text-align:")
    return f'<{token.tag} align="{escape_attribute(align)}">' if align else f"<{token.tag}>"


def _code_inline(writer: Writer, tokens, index: int) -> str:
    token = tokens[index]
    writer.enter("code", False)
    if token.attrs:
        writer.checked = False
    return f"<code{writer.attributes('code', token.attrs)}>{escape_text(token.content)}</code>"


def _hardbreak(writer: Writer, tokens, index: int) -> str:
    return "<br>\n"


def _raw_html(writer: Writer, tokens, index: int) -> str:
    writer.checked = False  # never in a tree (rawhtml.py converts it): the sanitiser decides
    return tokens[index].content


_RULES = {"math_inline": _math_inline, "math_block": _math_block, "fence": _fence, "code_block": _fence,
          "image": _image, "th_open": _cell, "td_open": _cell, "code_inline": _code_inline,
          "hardbreak": _hardbreak, "html_inline": _raw_html, "html_block": _raw_html}
