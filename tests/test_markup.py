"""Markdown conversion: the fast path for plain text agrees with Python-Markdown exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from exporter.markup import MarkdownRenderer, plain_paragraphs

# Letters, digits, punctuation that may or may not be markup, non-ASCII, spaces, newlines.
ALPHABET = st.sampled_from([*"aZ09 .,;:?'\"()/-+=#>*_`[]!<>&|~\n\t", "é", "→", "中", "²"])
RENDERER = MarkdownRenderer()


def slow_block(text: str) -> str:
    from exporter.markup import sanitise

    return sanitise(RENDERER._md.reset().convert(text)) if text.strip() else ""


@given(st.text(ALPHABET, max_size=40))
def test_fast_path_matches_markdown_whenever_it_applies(text: str):
    fast = plain_paragraphs(text)
    if fast is not None and text.strip():
        assert fast == slow_block(text)


def test_fast_path_applies_to_ordinary_prose_and_not_to_markup():
    assert plain_paragraphs("What is overfitting, and why does it matter?") is not None
    assert plain_paragraphs("Line one\nline two\n\nSecond paragraph é → ²") is not None
    for markup in ("a *b*", "# Title", "- item", "1. first", "a `code`", "x < y", "a  \nb", "    code"):
        assert plain_paragraphs(markup) is None, markup


def test_inline_drops_the_paragraph_and_keeps_markup_escaped():
    renderer = MarkdownRenderer()
    assert renderer.inline("Plain question?") == "Plain question?"
    assert renderer.inline("What does <b>x</b> do?") == "What does &lt;b&gt;x&lt;/b&gt; do?"
    assert renderer.inline("**Bold** and `code`") == "<strong>Bold</strong> and <code>code</code>"


# Mostly prose: the fast path applies often, and block markers still appear at line starts.
PROSE = st.lists(st.sampled_from([*"abc xyz 0129 .,;:?'\"()/-+=#>\n", "é", "→", "²", "  ", "\n\n",
                                   "word ", "Word. "]), min_size=1, max_size=30).map("".join)


@given(PROSE)
def test_fast_path_matches_markdown_on_prose(text: str):
    fast = plain_paragraphs(text)
    if fast is not None and text.strip():
        assert fast == slow_block(text)


# Lines made of the pieces that decide block structure: markers, indents, pipes, text.
BLOCK_LINES = st.lists(st.sampled_from(["", "text", "  text", "- item", "  - item", "    - item",
                                        "1. item", "   2) item", "| a |", "# head", "* x", "+ y"]),
                       max_size=8).map("\n".join)


@given(BLOCK_LINES)
def test_spacing_precheck_skips_only_details_without_findings(details: str):
    from pathlib import Path

    from exporter import validate
    from exporter.sources.yaml_loader import Scalar

    checker = validate._Checker("x.yaml", Path("."), "")
    node = Scalar(details, 0, 0, "")
    lines, _ = validate._scan_lines(details)
    validate._check_block_spacing(checker, node, lines, "question 'q'")
    if not validate._SPACING_SUSPECT.search(details):
        assert checker.diagnostics == []
