"""The Anki fields' HTML is what the sanitiser would write: the writer vouches for it, or the sanitiser runs.

The writer (backends/anki/render.py) escapes every text and attribute and writes only
allow-listed tags; nh3 runs only on fields it cannot vouch for. Here, on the hostile corpus,
the decks in the repository and random hostile Markdown: whatever the writer vouches for,
nh3 leaves unchanged, and every field is what always running nh3 would give.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from exporter.backends.anki.fields import _RULES, block_html, neutralise_anki, sanitise
from exporter.backends.anki.render import Writer, kept_url
from exporter.markup.tree import MarkupError, parse

TESTS = Path(__file__).parent
MEDIA = {"media/diagram.png": "diagram.png", "x.png": "x.png", "a b.png": "a b&\"<>.png"}


def strings(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for key, value in data.items() for s in strings(key) + strings(value)]
    if isinstance(data, list):
        return [s for item in data for s in strings(item)]
    return []


def corpus() -> list[str]:
    texts = []
    for path in [*sorted((TESTS / "inputs").glob("*.yaml")), TESTS / "corpus" / "messy.yaml",
                 TESTS / "fixtures" / "minimal.yaml", TESTS.parent / "content" / "questions.yaml"]:
        try:
            texts += strings(yaml.safe_load(path.read_text(encoding="utf-8-sig")))
        except yaml.YAMLError:
            continue
    return sorted(set(texts))


def check(text: str) -> bool:
    """Asserts the contract on one field; whether the writer vouched for it."""
    try:
        tree = parse(text)
    except MarkupError:
        return False
    if not tree.children:
        return True
    writer = Writer(MEDIA, _RULES)
    writer.blocks(tree.source_tokens)
    html = writer.html()
    if writer.checked:
        assert sanitise(html) == html
    assert block_html(tree, MEDIA) == neutralise_anki(sanitise(html))
    return writer.checked


def test_every_field_of_the_corpus_is_what_the_sanitiser_writes():
    texts = corpus()
    vouched = [check(text) for text in texts]
    assert len(texts) > 300 and sum(vouched) > len(texts) // 2  # the fast path is the usual one


HOSTILE = st.lists(st.sampled_from([
    *"a <>&\"'`*_[]()!|~$\\\n\t:#-", "\xa0", "\x01", "\x0c", "\ufffe", "é", "&amp;", "&quot;", "&#0;",
    "&nbsp;", "&#13;", "<b>", "</b>", "<i>", "<a href=x>", "<a href='javascript:alert(1)'>", "</a>",
    "[l](http://x.org)", "[l](javascript:alert(1))", "[l](ftp://x)", "[l](http://1.2.3.999)",
    "[l](HTTP://X--Y.org)", "![i](x.png \"t\")", "![i](a%20b.png)", "![i](https://e.org/x.png)",
    "<img src=x.png alt='\"q\"'>", "<table>", "<tr>", "<td>", "</table>", "<tbody>", "<li>", "<ul>",
    "<details>", "<summary>", "</details>", "<p>", "</p>", "<h1>", "<pre>", "</pre>", "<code>",
    "<span onclick=x>", "<script>", "www.x.org", "http://x.org/a?b=1&c=2", "a@b.org", "$x<y$",
    "$$\\href{x}{y}$$", "```js\n'q' \"d\" <b>\n```\n", "- ", "1. ", "> ", "| a |\n|---|\n| b |\n",
]), max_size=40).map("".join)


@settings(max_examples=300)  # ~5 ms each
@given(HOSTILE)
def test_random_hostile_fields_are_what_the_sanitiser_writes(text: str):
    check(text)


@pytest.mark.parametrize("text", [
    "[l](ftp://x.org)", "[l](http://1.2.3.999)", "[a <a href='y'>b</a>](x)",
    "<tr><td>cell</td></tr>", "<tbody><tr><td>x</td></tr></tbody>", "a\x01b", "<li>item</li>",
])
def test_what_the_writer_cannot_vouch_for_goes_to_the_sanitiser(text: str):
    assert check(text) is False


def test_kept_urls_are_those_the_sanitiser_keeps_as_they_are():
    for url in ("http://x.org/a?b=1", "https://www.e.org:8080/p#f", "mailto:a@b.org", "x.png",
                "media/a%20b.png", "#top", "/abs", "x/y:z", "?q=1"):
        assert kept_url(url), url
    for url in ("javascript:alert(1)", "ftp://x", "c:x", "http://1.2.3.999", "http://xn--zz.org",
                "http://a b", "http://x.org.%5C", " x.png", "data:image/png;base64,AA"):
        assert not kept_url(url), url
