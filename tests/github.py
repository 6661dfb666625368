"""GitHub's own engine (cmarkgfm) and one normal form to compare its HTML with the Anki fields'."""

from __future__ import annotations

import re

import cmarkgfm
from cmarkgfm.cmark import Options

from exporter.backends.anki.fields import sanitise

_MATH = re.compile(r'<div class="sp-math">\\\[.*?\\\]</div>|\\\(.*?\\\)|\\\[.*?\\\]', re.DOTALL)
_REWRITES = [
    (re.compile(r'<div class="highlight"><pre><span></span>'), "<pre><code>"),
    (re.compile(r"</pre></div>"), "</code></pre>"),
    (re.compile(r"</?span[^>]*>"), ""),
    (re.compile(r'<code class="[^"]*">'), "<code>"),
    (re.compile(r"<(/?)b>"), r"<\1strong>"),
    (re.compile(r"<(/?)i>"), r"<\1em>"),
    (re.compile(r"<(/?)(?:del|strike)>"), r"<\1s>"),
    (re.compile(r'\ssrc="[^"]*"'), ' src=""'),  # Anki's flat media names
    (re.compile(r"\s+"), " "),
    (re.compile(r">\s+<"), "><"),
    (re.compile(r"\s+<"), "<"),
    (re.compile(r">\s+"), ">"),
]


def github_html(markdown: str) -> str:
    """GitHub's engine with the extensions GitHub enables for comments and READMEs."""
    return cmarkgfm.markdown_to_html_with_extensions(
        markdown, options=Options.CMARK_OPT_UNSAFE, extensions=["table", "strikethrough", "autolink"])


_TAG = re.compile(r"<([a-z0-9]+)((?:\s+[a-z-]+(?:=\"[^\"]*\")?)*)\s*/?>")
_ATTRIBUTE = re.compile(r'[a-z-]+(?:="[^"]*")?')


def _sorted_attributes(match: re.Match) -> str:
    attributes = sorted(_ATTRIBUTE.findall(match.group(2)))
    return "<" + " ".join([match.group(1), *attributes]) + ">"


def normal_form(html: str) -> str:
    """Sanitised the same way, highlighting and synonyms (<b>/<strong>) folded, attributes
    sorted, space collapsed."""
    html = sanitise(html)
    for pattern, replacement in _REWRITES:
        html = pattern.sub(replacement, html)
    return _TAG.sub(_sorted_attributes, html).strip()


def anki_normal_form(html: str) -> str:
    """An Anki field's HTML with each formula replaced by the word MATHX (GitHub's engine has
    no math: it is compared on the same text with MATHX written in place of each formula)."""
    html = _MATH.sub(lambda m: "<p>MATHX</p>" if m.group().startswith("<div") else "MATHX", html)
    return normal_form(html)
