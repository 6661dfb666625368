"""Parse tree -> the HTML of one Anki field: MathJax delimiters, highlighted code, flat media names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from html import escape

import nh3
from markdown_it.renderer import RendererHTML
from markdown_it.tree import SyntaxTreeNode

from ...markup.images import local_path
from ...markup.tex import disallowed
from ...markup.tree import parser

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "del", "details", "div", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"}, "img": {"src", "alt", "title"}, "div": {"class"}, "span": {"class"},
    "code": {"class"}, "td": {"align"}, "th": {"align"}, "ol": {"start"},
}
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
    tokens = getattr(tree, "source_tokens", None) or tree.to_tokens()
    html = _renderer().render(tokens, parser().options, {"media_names": media_names})
    return neutralise_anki(sanitise(html))


def inline_html(tree: SyntaxTreeNode, media_names: Mapping[str, str]) -> str:
    """One-line fields (question, answer): the paragraph wrapper is dropped."""
    html = block_html(tree, media_names)
    match = _SINGLE_PARAGRAPH.match(html.strip())
    return match.group(1) if match and "<p>" not in match.group(1) else html


@lru_cache(maxsize=1)
def _renderer() -> RendererHTML:
    renderer = RendererHTML()
    rules = {"math_inline": _math_inline, "math_block": _math_block, "fence": _fence,
             "code_block": _fence, "image": _image, "th_open": _cell, "td_open": _cell}
    renderer.rules.update({name: rule.__get__(renderer) for name, rule in rules.items()})
    return renderer


def _math(content: str, display: bool, source: str) -> str:
    if disallowed(content):
        return f"<code>{escape(source, quote=False)}</code>"  # validate warned: shown as written
    opener, closer = (r"\[", r"\]") if display else (r"\(", r"\)")
    return f"{opener}{escape(content, quote=False)}{closer}"


_CLOSERS = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]", "```": "```"}


def _math_inline(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    source = f"{token.markup}{token.content}{_CLOSERS.get(token.markup, '')}"
    return _math(token.content, token.markup in ("$$", "\\["), source)


def _math_block(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    source = f"{token.markup}\n{token.content}\n{_CLOSERS.get(token.markup, '')}"
    return f'<div class="sp-math">{_math(token.content, True, source)}</div>\n'


def _fence(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    language = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
    return highlight(token.content, language)


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


def _image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    alt = escape(self.renderInlineAsText(token.children or [], options, env))
    src = str(token.attrs.get("src", ""))
    local = local_path(src)
    if local is None:  # remote: never fetched from a card, a link at most (nh3 drops other schemes)
        return f'<a href="{escape(src)}">{alt or escape(src, quote=False)}</a>'
    name = env["media_names"].get(local)
    if name is None:
        return alt
    title = f' title="{escape(str(token.attrs["title"]))}"' if token.attrs.get("title") else ""
    return f'<img alt="{alt}" src="{escape(name)}"{title}>'


def _cell(self, tokens, idx, options, env) -> str:
    """align="…" as GitHub writes it, instead of a style attribute the sanitiser drops."""
    token = tokens[idx]
    align = str(token.attrs.get("style", "")).removeprefix("text-align:")
    return f'<{token.tag} align="{align}">' if align else f"<{token.tag}>"
