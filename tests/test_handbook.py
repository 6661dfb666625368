"""The Markdown handbook, rendered by GitHub's own engine (cmarkgfm) and checked as a reader would."""

from __future__ import annotations

import os
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st

from exporter.backends import BuildContext, BuildOptions
from exporter.backends.handbook import render
from exporter.backends.handbook.anchors import slugify
from exporter.backends.handbook.markdown import sanitise_block, sanitise_inline
from exporter.build import make_context
from exporter.diagnostics import ContentError
from exporter.markup import DeckMarkup
from exporter.model import Deck, Loc, Question, Topic
from exporter.validate import load_deck

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "minimal.yaml"
GOLDEN = ROOT / "tests" / "golden"
REAL_DECK = ROOT / "content" / "questions.yaml"


# --- GitHub's rendering, and an independent model of GitHub's anchors ---


def github_html(markdown: str) -> str:
    # UNSAFE: GitHub's engine would otherwise drop raw HTML itself, hiding our own escaping.
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def github_slug(text: str) -> str:
    """github-slugger, written from its spec: keep letters, marks, Nd/Nl, `_`, `-`, space."""

    def keep(c: str) -> bool:
        category = unicodedata.category(c)
        return (c in "- " or category[0] in "LM" or category in ("Nd", "Nl", "Pc")
                or "LETTER" in unicodedata.name(c, ""))

    return "".join(filter(keep, text.lower())).replace(" ", "-")


def github_anchors(headings: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    anchors = []
    for text in headings:
        base = candidate = github_slug(text)
        while candidate in seen:
            seen[base] += 1
            candidate = f"{base}-{seen[base]}"
        seen[candidate] = 0
        anchors.append(candidate)
    return anchors


class Page(HTMLParser):
    """Headings (level, text), links and every tag with its attributes, in order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[int, str]] = []
        self.hrefs: list[str] = []
        self.tags: list[tuple[str, list]] = []
        self._heading: list[str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = []
            self.headings.append((int(tag[1]), ""))
        self.hrefs += [v for k, v in attrs if k == "href"]

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            level, _ = self.headings[-1]
            self.headings[-1] = (level, "".join(self._heading).strip())
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)

    @property
    def anchors(self) -> list[str]:
        return github_anchors([text for _, text in self.headings])


def assert_links_resolve(page: Page) -> None:
    anchors = set(page.anchors)
    # GitHub's engine percent-encodes non-ASCII; the browser decodes it to find the anchor.
    internal = [unquote(h[1:]) for h in page.hrefs if h.startswith("#")]
    assert internal, "no internal links at all"
    broken = [a for a in internal if a not in anchors]
    assert not broken, f"links to missing anchors: {broken}"


def assert_inert(html: str, page: Page) -> None:
    assert "<script" not in html.lower()
    # "javascript:" may be shown as text; it must never be inside a tag.
    assert not re.search(r"<[^>]*javascript:", html, re.IGNORECASE)
    assert not re.search(r"<[^>]*\son\w+\s*=", html, re.IGNORECASE)
    for tag, attrs in page.tags:
        assert not [k for k, _ in attrs if k.startswith("on")], (tag, attrs)
        assert not [v for _, v in attrs if v and "javascript" in v.lower()], (tag, attrs)
        assert tag not in ("script", "iframe", "img") or tag == "img" and dict(attrs).get(
            "src", "").startswith("media/"), (tag, attrs)


# --- decks ---


def fixture_handbook(style: str = "plain") -> bytes:
    deck, diagnostics = load_deck(FIXTURE)
    assert deck is not None, diagnostics
    return render(deck, make_context(deck, FIXTURE, BuildOptions(handbook_style=style)))


def question(id_: str, topic: str, text: str, answer: str = "An answer.", details: str = "",
             related: tuple[str, ...] = ()) -> Question:
    return Question(id_, topic, text, answer, details, ("t",), "easy", related, Loc(1, 1))


def deck_of(topics: list[tuple[str, str]], questions: list[Question],
            description: str = "A deck.") -> Deck:
    return Deck("test-deck", "Test Deck", description, "tests", "1",
                tuple(Topic(i, t, Loc(1, 1)) for i, t in topics), tuple(questions), Loc(1, 1))


def render_deck_handbook(deck: Deck, style: str = "plain") -> str:
    context = BuildContext(timestamp=0, content_dir=ROOT, markup=DeckMarkup(deck),
                           options=BuildOptions(handbook_style=style))
    return render(deck, context).decode("utf-8")


HOSTILE = deck_of(
    [("contents", "Contents"), ("web", "Web <i>tags</i> & `code`")],
    [
        question("raw", "contents", "Is <img src=x onerror=alert(1)> shown?",
                 "Yes: <script>alert(1)</script> <iframe src=//evil> <!-- c --> <?php ?>",
                 "<div onclick=alert(1)>raw block</div>\n\n<script>\nalert(2)\n</script>\n",
                 related=("links",)),
        question("links", "web", "Which links survive [me](javascript:alert(1))?",
                 "[a](JAVASCRIPT:alert(1)) [b](java&#115;cript:x) [c]( <javascript:x> )",
                 "![i](javascript:alert(1)) <javascript:alert(1)> [ref][r] [d](&#106;avascript:y)"
                 "\n\n[r]: javascript:alert(3)\n\n[e](vbscript:x) [ok](https://example.com)\n",
                 related=("raw", "ticks")),
        question("ticks", "web", "What about `<b>` in code and ``a`b``?",
                 "`x\ny` <script>z</script> `w`",
                 "`a\nb` <img src=y onerror=alert(1)> `c`\n\n| `a | <b onmouseover=x>` |\n"
                 "|---|\n\n```html\n<script>kept as code</script>\n```\n"),
        question("dup", "web", "Contents", details="# Overview\n\nText.\n\nOverview\n===\n"),
        question("dup2", "web", "Overview", details="## Overview\n\n```\nnever closed <b>\n",
                 related=("dup",)),
        question("emoji", "web", "Emoji 🎉 and ünïcödé — “quotes” #", related=("dup2", "url")),
        question("url", "web", "Is http://x.com<b>bold</b> a link?", "See www.x.org\\<i>."),
    ],
    description="# About\n\nDescription with <style>body{}</style>.",
)


# --- the tests ---


@pytest.mark.parametrize("style", ["plain", "quiz"])
def test_fixture_links_resolve_on_github(style):
    page = Page(github_html(fixture_handbook(style).decode("utf-8")))
    assert_links_resolve(page)


@pytest.mark.parametrize("style", ["plain", "quiz"])
def test_every_question_appears_as_a_third_level_heading(style):
    deck, _ = load_deck(FIXTURE)
    page = Page(github_html(fixture_handbook(style).decode("utf-8")))
    questions = [text for level, text in page.headings if level == 3]
    expected = [re.sub(r"[*`]", "", q.question) for q in deck.questions]
    assert questions == expected


def test_fixture_markup_is_shown_as_text_never_live():
    html = github_html(fixture_handbook().decode("utf-8"))
    page = Page(html)
    assert_inert(html, page)
    assert "javascript:" not in html
    assert "What does <b>bold</b> & <script>alert(1)</script> print?" in [
        t for _, t in page.headings]
    assert "<code>&lt;script&gt;</code>" in html  # code spans stay untouched, hence literal


@pytest.mark.parametrize("style", ["plain", "quiz"])
def test_hostile_deck_is_inert_and_its_links_resolve(style):
    html = github_html(render_deck_handbook(HOSTILE, style))
    page = Page(html)
    assert_inert(html, page)
    assert_links_resolve(page)
    assert '<a href="https://example.com">ok</a>' in html
    assert "&lt;script&gt;kept as code&lt;/script&gt;" in html


def test_repeated_headings_get_numbered_anchors_in_document_order():
    markdown = render_deck_handbook(HOSTILE)
    page = Page(github_html(markdown))
    assert page.anchors[:4] == ["test-deck", "about", "contents", "contents-1"]
    assert page.anchors.count("overview") == 1
    assert {"overview-1", "overview-2", "overview-3", "contents-2"} <= set(page.anchors)
    # Links use the numbered anchors: the "Contents" question and back to the real contents.
    assert "](#contents-2)" in markdown and "[↑ Back to contents](#contents)" in markdown
    assert "(#emoji--and-ünïcödé--quotes-)" in markdown


def test_details_headings_nest_under_their_question():
    page = Page(github_html(fixture_handbook().decode("utf-8")))
    levels = [level for level, _ in page.headings]
    first_question = levels.index(3)
    assert min(levels[first_question:]) == 2  # topics
    assert ("A heading inside details" in dict((t, lv) for lv, t in page.headings))
    assert (5, "A heading inside details") in page.headings


def test_unclosed_fence_is_closed_before_the_next_question():
    page = Page(github_html(render_deck_handbook(HOSTILE)))
    assert (3, "Emoji 🎉 and ünïcödé — “quotes” #") in page.headings


def test_ambiguous_code_fence_is_a_content_error():
    deck = deck_of([("a", "A")], [question("q", "a", "Q?", details="  ```\ncode\n  ```\n")])
    with pytest.raises(ContentError) as raised:
        render_deck_handbook(deck)
    (diagnostic,) = raised.value.diagnostics
    assert (diagnostic.line, diagnostic.col) == (1, 1) and "'q'" in diagnostic.message


def test_slugs_match_github_examples():
    assert slugify("Hello World!") == "hello-world"
    assert slugify("Evaluation & Imbalanced Data") == "evaluation--imbalanced-data"
    assert slugify("snake_case (v2.0)") == "snake_case-v20"
    assert slugify("Über café — naïve") == "über-café--naïve"
    assert slugify("Party 🎉 time") == "party--time"
    assert slugify("Ⓐ ½ ²") == "ⓐ--"


@pytest.mark.parametrize("style", ["plain", "quiz"])
def test_golden(style):
    suffix = "" if style == "plain" else "-quiz"
    golden = GOLDEN / f"minimal-deck-handbook{suffix}.md"
    data = fixture_handbook(style)
    if os.environ.get("STUDYPACK_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(data)
    assert data == golden.read_bytes()


def test_bytes_are_deterministic_utf8_with_one_final_newline():
    first, second = fixture_handbook(), fixture_handbook()
    assert first == second
    assert first.endswith(b"\n") and not first.endswith(b"\n\n") and b"\r" not in first


def test_quiz_hides_every_answer_in_details():
    html = github_html(fixture_handbook("quiz").decode("utf-8"))
    assert html.count("<summary>Answer</summary>") == 4
    hidden = re.findall(r"<details>(.*?)</details>", html, re.DOTALL)
    assert all("<strong>Answer:</strong>" in h for h in hidden)
    assert "<table>" in hidden[2] and "<h5>" in hidden[2]  # markdown inside still rendered


@pytest.mark.skipif(not REAL_DECK.exists(), reason="the real deck is not in this checkout")
def test_real_deck_links_resolve():
    deck, diagnostics = load_deck(REAL_DECK)
    assert deck is not None, diagnostics
    markdown = render(deck, make_context(deck, REAL_DECK)).decode("utf-8")
    html = github_html(markdown)
    page = Page(html)
    assert_links_resolve(page)
    assert_inert(html, page)
    assert len([1 for level, _ in page.headings if level == 3]) == len(deck.questions)


def test_bare_url_inside_plain_text_still_distrusts_later_code_spans():
    # The scanner copies plain runs in one slice; a URL start in mid-run must still be seen.
    assert sanitise_inline("x `<b>`") == "x `<b>`"
    assert sanitise_inline("see WWW.a.b then `<b>`") == "see WWW.a.b then <code>&lt;b&gt;</code>"
    assert sanitise_inline("wordhttps://a.b `<i>`") == "wordhttps://a.b <code>&lt;i&gt;</code>"


# --- property: whatever the content, nothing GitHub renders is live ---

_PIECES = st.sampled_from([
    "<", ">", "`", "``", "[", "]", "(", ")", "!", "\\", "&", "#", ":", "|", "\n", " ", "a",
    "<b>", "<script>", "<img src=x onerror=y>", "javascript:x", "](", "](javascript:y)",
    "<https://ok>", "<javascript:z>", "&#106;", "```", "~~~", "\n\n", "- ", "> ", "x]: ",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_property_no_live_html_from_inline_content(text):
    # Placed as the template places questions and answers.
    safe = sanitise_inline(text)
    html = github_html(f"### {safe}\n\n> **Answer:** {safe}\n")
    page = Page(html)
    assert {t for t, _ in page.tags} <= {"h3", "blockquote", "p", "code", "a", "strong", "em",
                                              "img"}
    assert not [v for _, a in page.tags for k, v in a if k in ("href", "src")
                and re.match(r"[a-z][a-z0-9+.-]*:", v, re.IGNORECASE)
                and not v.startswith(("http:", "https:", "mailto:"))], safe


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_property_no_live_html_from_block_content(text):
    try:
        block = sanitise_block(text, 3)
    except ValueError:
        return  # ambiguous fences are refused with a ContentError, never rendered
    page = Page(github_html(block.markdown + "\n\n### after\n"))
    live = {t for t, _ in page.tags} - {
        "h3", "h4", "h5", "h6", "p", "code", "pre", "a", "ul", "ol", "li", "blockquote", "table",
        "thead", "tbody", "tr", "th", "td", "hr", "br", "em", "strong", "del", "img",
    }
    assert not live, block.markdown
    assert not [v for _, a in page.tags for k, v in a if k in ("href", "src")
                and re.match(r"[a-z][a-z0-9+.-]*:", v, re.IGNORECASE)
                and not v.startswith(("http:", "https:", "mailto:"))], block.markdown
    assert page.headings[-1] == (3, "after"), block.markdown  # no fence swallows what follows

