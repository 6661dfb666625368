"""The Markdown handbook, rendered by GitHub's own engine (cmarkgfm) and checked as a reader would."""

from __future__ import annotations

import os
import re
import time
import unicodedata
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import cmarkgfm
import pytest
import yaml
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st

from exporter.backends import BuildOptions
from exporter.backends.handbook import render
from exporter.backends.handbook.anchors import slugify
from exporter.backends.handbook.blocks import render_blocks
from exporter.backends.handbook.escape import escape_text
from exporter.backends.handbook.inline import display_inline
from exporter.build import make_context
from exporter.markup.tree import parse
from exporter.model import Deck, Loc, Question, Topic
from exporter.validate import load_deck

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "minimal.yaml"
GOLDEN = ROOT / "tests" / "golden"
REAL_DECK = ROOT / "content" / "questions.yaml"


# --- GitHub's rendering, and an independent model of GitHub's anchors ---


def github_html(markdown: str, safe: bool = False) -> str:
    # UNSAFE: GitHub's engine would otherwise drop raw HTML itself, hiding our own escaping.
    return cmarkgfm.github_flavored_markdown_to_html(
        markdown, options=0 if safe else Options.CMARK_OPT_UNSAFE)


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
        # An anchor may spell "javascript" (a heading about it): a fragment is never a script.
        assert not [v for _, v in attrs if v and "javascript" in v.lower()
                    and not v.startswith("#")], (tag, attrs)
        assert tag not in ("script", "iframe", "object", "embed", "style"), (tag, attrs)
        # An image is a relative path (validation checks it) or a web URL GitHub proxies.
        src = dict(attrs).get("src") or ""
        assert tag != "img" or not re.match(r"[a-z][a-z0-9+.-]*:", src, re.I) or src.startswith(
            ("http:", "https:")), (tag, attrs)


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
    # The fixture's path only dates the build and names the content folder: these decks
    # use no images.
    context = make_context(deck, FIXTURE, BuildOptions(handbook_style=style))
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


# --- what a field's tree means, as HTML: the oracle the handbook is compared with ---

CORPUS = ROOT / "tests" / "corpus" / "messy.yaml"
DISPLAY = "\\displaystyle "
_LANGUAGE = re.compile(r"[\w+#.\-]+")


def tree_html(node, shift: int = 0, tight: bool = False) -> str:
    """The HTML a parse tree means, in cmark's format: what GitHub must show for the handbook."""
    kind, kids = node.type, node.children

    def inner(children=None, tight_=False) -> str:
        return "".join(tree_html(c, shift, tight_) for c in (kids if children is None else children))

    if kind == "root":
        return inner()
    if kind == "paragraph":
        nodes = [n for c in kids for n in (c.children if c.type == "inline" else [c])]
        while nodes and nodes[0].type in ("softbreak", "hardbreak"):
            nodes.pop(0)
        while nodes and nodes[-1].type in ("softbreak", "hardbreak"):
            nodes.pop()
        if len(nodes) == 1 and display_inline(nodes[0]):
            return f"<mathd>{escape(nodes[0].content.strip())}</mathd>"
        body = inner(nodes)
        return body if tight else f"<p>{body}</p>"
    if kind == "inline":
        return inner()
    if kind == "heading":  # one line on GitHub (ATX): a line break in it shows as a space
        level = min(6, int(node.tag[1]) + shift)
        text = re.sub(r"^(?:<br>|\s)+|(?:<br>|\s)+$", "", inner()).replace("<br>", " ")
        return f"<h{level}>{text}</h{level}>"
    if kind in ("bullet_list", "ordered_list"):
        paragraphs = [c for item in kids for c in item.children if c.type == "paragraph"]
        tight_ = not paragraphs or paragraphs[0].hidden
        start = int(node.attrs.get("start", 1)) if kind == "ordered_list" else 1
        tag = "ul" if kind == "bullet_list" else "ol"
        items = "".join(f"<li>{inner(item.children, tight_)}</li>" for item in kids)
        return f"<{tag}{f' start={chr(34)}{start}{chr(34)}' if start != 1 else ''}>{items}</{tag}>"
    if kind in ("fence", "code_block"):
        words = node.info.split() if kind == "fence" else []
        lang = f' class="language-{words[0]}"' if words and _LANGUAGE.fullmatch(words[0]) else ""
        return f"<pre><code{lang}>{escape(node.content)}</code></pre>"
    if kind.startswith("math_block"):
        return f"<mathd>{escape(node.content.strip())}</mathd>"
    if kind.startswith("math_inline"):
        tag = "mathd" if display_inline(node) else "math"
        return f"<{tag}>{escape(node.content.strip())}</{tag}>"
    if kind in ("th", "td"):
        style = str(node.attrs.get("style", "")).replace("text-align:", "")
        spans = "".join(f' {k}="{node.attrs[k]}"' for k in ("colspan", "rowspan") if k in node.attrs)
        return f"<{kind}{spans}{f' align={chr(34)}{style}{chr(34)}' if style else ''}>{inner()}</{kind}>"
    if kind == "text":
        return escape(node.content)
    if kind in ("html_inline", "html_block"):  # raw HTML the tree still holds: shown as text
        return escape(node.content) if kind == "html_inline" else "".join(
            escape(p.strip()) if tight else f"<p>{escape(p.strip())}</p>"
            for p in re.split(r"\n[ \t]*\n", node.content) if p.strip())
    if kind == "softbreak":
        return "\n"
    if kind == "hardbreak":
        return "<br>"
    if kind == "code_inline":
        return f"<code>{escape(node.content)}</code>"
    if kind == "hr":
        return "<hr>"
    if kind == "link":
        href = str(node.attrs["href"])
        if re.match(r"[a-z][a-z0-9+.\-]*:", href, re.I) and not re.match(r"(https?|mailto):", href, re.I):
            return inner()
        title = f' title="{escape(str(node.attrs["title"]))}"' if node.attrs.get("title") else ""
        return f'<a href="{escape(href)}"{title}>{inner()}</a>'
    if kind == "image":
        src = str(node.attrs["src"])
        alt = escape("".join(n.content for n in node.walk() if n.type in ("text", "code_inline")))
        if re.match(r"[a-z][a-z0-9+.\-]*:", src, re.I) and not re.match(r"https?:", src, re.I):
            return alt
        title = f' title="{escape(str(node.attrs["title"]))}"' if node.attrs.get("title") else ""
        return f'<img src="{escape(src)}" alt="{alt}"{title}>'
    tag = {"em": "em", "strong": "strong", "s": "del"}.get(kind, node.tag or kind)
    return f"<{tag}>{inner()}</{tag}>"


def tree_text(root) -> str:
    """The text of a field's tree on one line, as a heading shows it (images silent)."""
    def leaves(node):
        if node.type in ("text", "html_inline", "code_inline"):
            yield node.content
        elif node.type.startswith("math"):
            yield f"${node.content}$"
        elif node.type in ("softbreak", "hardbreak"):
            yield " "
        elif node.type != "image":
            for child in node.children:
                yield from leaves(child)
    return " ".join("".join(leaves(n)).strip() for n in root.children)


def normalise(html: str) -> str:
    """cmark's HTML and the oracle's in one form: math as <math>, whitespace and entities evened."""
    html = re.sub(r'<pre lang="math"><code>(.*?)</code></pre>',
                  lambda m: f"<mathd>{m.group(1).strip()}</mathd>", html, flags=re.S)
    html = re.sub(r'<pre lang="([^"]*)"><code>', r'<pre><code class="language-\1">', html)
    html = re.sub(r"\$<code>(.*?)</code>\$", _math, html)
    html = re.sub(r"\s*/>", ">", html)
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)  # invisible: what splits e-mail text
    html = re.sub(r"</?span>", "", html)  # how a literal $ is written next to math
    html = re.sub(r"\s+", " ", html)
    html = re.sub(r"\s*(<[^>]+>)\s*", r"\1", html)
    html = re.sub(r"<p>(<mathd>.*?</mathd>)</p>", r"\1", html)
    empty = re.compile(r"<(strong|em|del|sub|sup|kbd)></\1>")
    while empty.search(html):  # empty emphasis shows nothing (the handbook leaves it out)
        html = empty.sub("", html)
    html = html.replace("<p></p>", "")
    return unescape(html).strip()


def _math(match: re.Match) -> str:
    tex = match.group(1)
    if tex.startswith(DISPLAY):
        return f"<mathd>{tex[len(DISPLAY):].strip()}</mathd>"
    return f"<math>{tex.strip()}</math>"


def handbook_field(text: str, shift: int = 0) -> str:
    return render_blocks(parse(text), shift).markdown


def assert_faithful(text: str) -> None:
    """GitHub's rendering of the handbook's Markdown for a field means what the field's tree means."""
    expected = normalise(tree_html(parse(text)))
    written = handbook_field(text)
    assert normalise(github_html(written)) == expected, written


def corpus_decks() -> list[Deck]:
    """The fixture and the messy corpus, read without validation (their images may not pass yet)."""
    decks = []
    for path in (FIXTURE, CORPUS):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        topics = tuple(Topic(t["id"], t["title"], Loc(1, 1)) for t in data["topics"])
        questions = tuple(
            Question(q["id"], q["topic"], str(q["question"]), str(q["answer"]), q.get("details", ""),
                     tuple(q.get("tags", ())), q.get("difficulty"), tuple(q.get("related", ())), Loc(1, 1))
            for q in data["questions"])
        d = data["deck"]
        decks.append(Deck(d["id"], d["title"], d.get("description", ""), d.get("author", ""),
                          str(d.get("version", "")), topics, questions, Loc(1, 1)))
    return decks


CORPUS_FIELDS = [
    pytest.param(getattr(q, field), id=f"{deck.id}:{q.id}:{field}")
    for deck in corpus_decks() for q in deck.questions for field in ("question", "answer", "details")
] + [pytest.param(deck.description, id=f"{deck.id}:description") for deck in corpus_decks()]


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
    assert questions == [tree_text(parse(q.question)) for q in deck.questions]


def test_fixture_markup_is_shown_as_text_never_live():
    html = github_html(fixture_handbook().decode("utf-8"))
    page = Page(html)
    assert_inert(html, page)
    assert "javascript:" not in html
    headings = [t for _, t in page.headings]
    assert any(t.endswith("& <script>alert(1)</script> print?") for t in headings), headings
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
    assert (5, "A heading inside details") in page.headings


def test_unclosed_fence_is_closed_before_the_next_question():
    page = Page(github_html(render_deck_handbook(HOSTILE)))
    assert (3, "Emoji 🎉 and ünïcödé — “quotes” #") in page.headings


def test_slugs_match_github_examples():
    assert slugify("Hello World!") == "hello-world"
    assert slugify("Evaluation & Imbalanced Data") == "evaluation--imbalanced-data"
    assert slugify("snake_case (v2.0)") == "snake_case-v20"
    assert slugify("Über café — naïve") == "über-café--naïve"
    assert slugify("Party 🎉 time") == "party--time"
    assert slugify("Ⓐ ½ ²") == "ⓐ--"


def test_titles_with_no_break_spaces_and_markup_link_to_their_headings():
    # A no-break space stays in the heading (GitHub drops it from the anchor, never makes it
    # a `-`); math, code, emphasis and a link in a question keep their anchors right.
    deck = deck_of(
        [("nb", "Costs\u00a0in\u00a0€ \u00a0#"), ("t", "  Spaced   topic  ")],
        [question("a", "nb", "What is\u00a0$x_1$ in `a  b` and **bold** [here](https://e.com)?",
                  related=("b",)),
         question("b", "t", "<b> x</b> and *y*\u00a0#", related=("a",)),
         question("c", "t", "Line one\nline two\\\nthree", related=("a", "b")),
         question("d", "t", "<div>A block</div>", related=("c",))],
        description="Intro\u00a0text",
    )
    markdown = render_deck_handbook(deck)
    page = Page(github_html(markdown))
    assert_links_resolve(page)
    headings = [t for _, t in page.headings]
    assert "Costs\u00a0in\u00a0€ \u00a0#" in headings
    assert "Line one line two three" in headings
    assert any("A block" in h for h in headings), headings  # as text, or a paragraph once merged


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


# --- faithful: GitHub's rendering of the handbook means what each field's tree means ---


@pytest.mark.parametrize("text", CORPUS_FIELDS)
def test_corpus_fields_render_on_github_as_their_tree_means(text):
    assert_faithful(text)


@pytest.mark.parametrize("text", [
    "1. Install:\n\n   ```bash\n   pip install x\n   ```\n\n2. Run:\n   ```python\n   print(1)\n   ```\n",
    " ```python\n x = 1\n ```\n\n   ~~~\n   three\n   ~~~\n",
    "- outer\n  - inner\n    - innermost\n- two\n  1. n\n  2. m\n",
    "Reasons:\n- first\n- second\nMetrics:\n| a | b |\n|---|--:|\n| 1 | 2 |\n",
    "Line with spaces  \nnext\\\nand more",
    "> quote with `code` and [link](https://e.com \"t\")\n\n---\n\nsnake_case_words and 2*3*4",
    "* a\n\n  b\n* c\n\n- x\n+ y\n\n1) one\n2) two\n\n7. seven\n8. eight",
    "    indented code\n\n- item\n\n      code in item\n",
    "# H1\n\nSetext\n---\n\n###### H6 #\n\n####### not a heading",
    "a *b* **c** ***d*** ~~e~~ f**g**h a**(b)**c *(x)* **`code`** *[l](https://x.y)*",
    "<b>bold</b> <i>it</i> <sub>s</sub> <kbd>k</kbd> <script>x</script> <!-- c -->",
    "<table><tr><td>a</td></tr></table>\n\n<details>\n<summary>S</summary>\n\nBody\n\n</details>",
    "![alt *x*](media/a.png \"T\") ![r][ref] [t](<a b>) [u](x(y)z) <https://a.b/c?d=1&e=2>\n\n"
    "[ref]: media/b.png",
    "| `a\\|b` | $\\|v\\|$ | [x](https://a.b/c|d) |\n|---|:-:|---|\n| a \\| b | \\$5 | **b** |",
    "$E = mc^2$ and $$\\sum_i x_i$$ and \\(a_1 * b_1\\) cost $5 and $10.\n\n$$\nA \\\\ B\n$$\n\n"
    "\\[\nf(x) = \\{x\\}\n\\]\n\n```math\n\\frac{1}{2}\n```",
    "$$\\| A \\|_F = \\sqrt{\\sum_{i,j} a_{ij}^2}$$",
    "text http://a.com/x_y*z and www.b.org\\_c and a@b.co <http://c.d> [www.e.f](http://g.h)",
    "&amp; &lt;b&gt; &#42;not em&#42; \\*x\\* \\_y\\_ \\# z \\` \\\\ \\[ \\] 1\\. 2\\)",
    "- [ ] task\n- [x] done\n\n[^1] and [^1]: note",
    "```\nunclosed <b>",
    "`` a`b `` ` `` ` and ```` ``` ````",
    "x\n=\n\n- ---\n\n* * *\n\n+ +\n\n- # h\n\n> > > deep\n> > quote",
    "Wow\\![link](https://x.y) and ![img](a.png)!",
    "<b>a  </b>\nb <i>c </i>\n  d",
    "\\\n<\n---\n\na\\\nb\n===",
    "- <b>\n- <div>\n\n*\n\n\n*\n\n1. a\n\n\n1. b\n\n- a\n  * x\n\n\n- b",
])
def test_constructs_render_on_github_as_their_tree_means(text):
    assert_faithful(text)


def test_handbook_sections_hold_each_field_as_its_tree_means():
    for deck in corpus_decks():
        markdown = render_deck_handbook(deck)
        html = github_html(markdown)
        # Each question's section runs from its <h3> to the next <h3> or <h2>.
        sections = re.split(r"<h3>", html)[1:]
        assert len(sections) == len(deck.questions)
        for q, section in zip(deck.questions, sections, strict=True):
            section = normalise(re.split(r"<h[23]>", section)[0])
            for field in (q.answer, q.details):
                expected = normalise(tree_html(parse(field), shift=3))
                expected = re.sub(r"^<p>", "", expected)  # the answer shares "Answer:"'s line
                assert expected in section, (q.id, expected, section)


def test_math_in_the_forms_github_typesets():
    written = handbook_field("A $x_1 * y$ and \\(\\alpha\\) then $$\\sum$$ here.\n\n\\[\na \\\\ b\n\\]\n")
    assert "$`x_1 * y`$" in written and "$`\\alpha`$" in written
    assert "$`\\displaystyle \\sum`$" in written
    assert "```math\na \\\\ b\n```" in written
    # Dollars that are not math are escaped, so GitHub cannot pair them into math.
    assert handbook_field("costs $5 and $10") == "costs <span>$</span>5 and <span>$</span>10"
    # In a table the TeX's pipes are escaped for the row, and come back as pipes.
    # (GFM and the tree both unescape `\|` in a cell first: the TeX `\|` is written `\\|`.)
    cell = handbook_field("| n |\n|---|\n| $\\\\|v\\\\|$ |")
    assert "$`\\\\|v\\\\|`$" in cell
    assert "<td>$<code>\\|v\\|</code>$</td>" in github_html(cell)


def test_sanitised_html_nodes_are_written_as_github_html():
    from markdown_it.token import Token
    from markdown_it.tree import SyntaxTreeNode

    def inline(*children: Token) -> list[Token]:
        token = Token("inline", "", 0, children=list(children))
        return [token]

    text = lambda s: Token("text", "", 0, content=s)  # noqa: E731
    tokens = [
        Token("details_open", "details", 1), Token("summary_open", "summary", 1),
        *inline(text("Show <it>"), Token("strong_open", "strong", 1), text("now"),
                Token("strong_close", "strong", -1)),
        Token("summary_close", "summary", -1),
        Token("paragraph_open", "p", 1),
        *inline(text("H"), Token("sub_open", "sub", 1), text("2"), Token("sub_close", "sub", -1),
                text("O "), Token("kbd_open", "kbd", 1), text("Ctrl"), Token("kbd_close", "kbd", -1),
                text(" x"), Token("sup_open", "sup", 1), text(" 2"), Token("sup_close", "sup", -1)),
        Token("paragraph_close", "p", -1), Token("details_close", "details", -1),
        Token("table_open", "table", 1), Token("tbody_open", "tbody", 1), Token("tr_open", "tr", 1),
        Token("td_open", "td", 1, attrs={"colspan": "2"}), *inline(text("wide | <b>")),
        Token("td_close", "td", -1), Token("tr_close", "tr", -1), Token("tbody_close", "tbody", -1),
        Token("table_close", "table", -1),
    ]
    root = SyntaxTreeNode(tokens)
    written = render_blocks(root, 0).markdown
    html = github_html(written)
    assert "<details>\n<summary>Show &lt;it&gt;<strong>now</strong></summary>" in html
    assert "H<sub>2</sub>O <kbd>Ctrl</kbd> x <sup>2</sup>" in html
    assert '<td colspan="2">wide | &lt;b&gt;</td>' in html
    assert normalise(html) == normalise(tree_html(root))


@pytest.mark.parametrize("text, shown", [
    ("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
    ("mail a.b@c.de now", "mail a.b@<!-- -->c.de now"),
    ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
    ("see http://a.b/<b>x</b>", "see http\\://a.b/&lt;b>x&lt;/b>"),
    ("www.x.org_ and WWW.y.z", "www\\.x.org\\_ and WWW\\.y.z"),
    ("**a** _b_ `c` ~d~ |e| $f$ #g &amp; \\h ![i]", "\\*\\*a\\*\\* \\_b\\_ \\`c\\` \\~d\\~ \\|e\\| "
     "<span>$</span>f<span>$</span> #g \\&amp; \\\\h !\\[i\\]"),
    ("snake_case_name", "snake_case_name"),
])
def test_text_is_escaped_so_it_never_becomes_markup(text, shown):
    assert escape_text(text) == shown
    html = github_html(shown)
    assert "<a" not in html and "<b>" not in html and "<script" not in html and "<code" not in html
    assert unescape(re.sub(r"</?p>|<!-- raw HTML omitted -->", "", github_html(shown, safe=True))
                    ).strip() == text


# --- property: any input is inert on GitHub and means what its tree means ---

_PIECES = st.sampled_from([
    "<", ">", "`", "``", "[", "]", "(", ")", "!", "\\", "&", "#", ":", "|", "\n", " ", "a", "1.",
    "<b>", "<script>", "<img src=x onerror=y>", "javascript:x", "](", "](javascript:y)",
    "<https://ok>", "<javascript:z>", "&#106;", "```", "~~~", "\n\n", "- ", "> ", "x]: ", "*",
    "_", "**", "~~", "$", "$$", "\\(", "\\)", "http://a.b", "www.c.d", "  ", "\t", "---", "===",
    "| a |", "|---|", "    ", "![", "&amp;", "\u00a0", "é",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_property_any_field_is_inert_and_faithful(text):
    written = handbook_field(text, 3)
    html = github_html(written + "\n\n### after\n")
    page = Page(html)
    live = {t for t, _ in page.tags} - {
        "h3", "h4", "h5", "h6", "p", "code", "pre", "a", "ul", "ol", "li", "blockquote", "table",
        "thead", "tbody", "tr", "th", "td", "hr", "br", "em", "strong", "del", "img", "sub", "sup",
        "kbd", "details", "summary", "span",
    }
    assert not live, written
    assert not [v for _, a in page.tags for k, v in a if k in ("href", "src")
                and re.match(r"[a-z][a-z0-9+.-]*:", v, re.IGNORECASE)
                and not v.startswith(("http:", "https:", "mailto:"))], written
    assert page.headings[-1] == (3, "after"), written  # nothing swallows what follows
    assert_faithful(text)


# --- denial of service: pathological fields render in linear time ---

_PARSEABLE = 20_000  # the longest field the markup accepts (markup/tree.py, MAX_FIELD_CHARS)
_SHAPES = {
    "quotes": "> " * 32 + "x",
    "quotes-64k": ("> " * 32 + "x\n") * 900,
    "bullets": "- " * 500 + "x",
    "brackets": "[" * 60_000,
    "emphasis": "***a" * 15_000,
    "images": "![" * 30_000,
    "ordered": "".join("   " * (i % 20) + "1. x\n" for i in range(1_900)),
    "backticks": "`a``b" * 12_000,
    "dollars": "$a" * 30_000,
    "pipes": ("| a " * 40 + "|\n") + ("|---" * 40 + "|\n") + ("| `x` " * 40 + "|\n") * 180,
}


@pytest.mark.parametrize("shape", sorted(_SHAPES))
def test_pathological_fields_render_well_under_two_seconds(shape):
    text = _SHAPES[shape]
    assert len(text.encode()) <= 64 * 1024 + 512
    started = time.perf_counter()
    try:
        tree = parse(text)
    except ValueError:  # the markup's limits (length, depth) refuse it: validate reports that
        assert time.perf_counter() - started < 2.0, shape
        try:  # what it still accepts of the shape must render fast too
            tree = parse(text[:_PARSEABLE])
        except ValueError:
            return
    started = time.perf_counter()
    written = render_blocks(tree, 3).markdown
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, (shape, elapsed)
    started = time.perf_counter()
    github_html(written)
    assert time.perf_counter() - started < 2.0, shape
