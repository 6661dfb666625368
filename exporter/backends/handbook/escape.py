"""Characters as GitHub Markdown that shows exactly them: text, code spans, URLs, HTML text."""

from __future__ import annotations

import re

# Inline markup characters, escaped wherever they appear in text. `<` becomes an entity, not
# `\<`: GFM's bare-URL autolink would swallow the backslash and leave a live `<`. `&` only
# needs escaping where it starts an entity; `$` opens math on GitHub (written in a span);
# `|` splits table cells; a `!` ending the text would make a link after it an image.
_INLINE_SPECIAL = re.compile(r"[\\`*\[\]~|$]|<|&(?=#?[0-9A-Za-z]+;)|_|!\Z")
# What starts a block at the beginning of a line: a heading, quote, list item, setext
# underline or thematic break. Text on that line gets its first character escaped.
_BLOCK_START = re.compile(r">|#{1,6}(?=[ \t]|$)|[-+](?=[ \t]|$)|[=-]+[ \t]*$|(\d{1,9})[.)](?=[ \t]|$)")
# Where GFM's extended autolink starts a link in text: a scheme's `:` (http, https, ftp,
# mailto, xmpp) not glued to a word, or `www.` after a space, an emphasis mark or `(`. Text
# the tree holds as text stays text, so that `:` or `.` is escaped: GitHub then sees no URL.
_URL_START = re.compile(r"(?i)(?<![a-z])(?:https?|ftp|mailto|xmpp)(?=:)|(?<![^\s*_~(])www(?=\.)")
_EMAIL_AT = re.compile(r"(?<=[\w.+\-])@(?=[\w\-])")
_MAYBE_SPECIAL = re.compile(r"[\\`*\[\]~|$<&_@:]|(?i:www)|!\Z")
_CLOSING_HASHES = re.compile(r"(^|[ \t])(#+)$")
_SAFE_AUTOLINK = re.compile(r"[^\s<>&\\\x00-\x1f\x7f]+")
_DESTINATION_SPECIAL = re.compile(r"[\\<>]|&(?=#?[0-9A-Za-z]+;)")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
LINK_SCHEMES = ("http", "https", "mailto")


def _escape_special(match: re.Match) -> str:
    char = match.group(0)
    if char == "<":
        return "&lt;"
    if char == "$":
        # GitHub's documented way to show a dollar on a line that may hold math: `\$` is
        # not enough where its math detection sees the text after Markdown.
        return "<span>$</span>"
    if char == "_":
        text, i = match.string, match.start()
        # `_` between two letters or digits can neither open nor close emphasis.
        if 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum():
            return "_"
    return "\\" + char


def escape_text(text: str) -> str:
    """Text that renders as exactly these characters wherever inline Markdown is parsed."""
    if not _MAYBE_SPECIAL.search(text):
        return text  # most text: one scan instead of three substitutions
    escaped = _INLINE_SPECIAL.sub(_escape_special, text)
    escaped = _URL_START.sub(lambda m: m.group(0) + "\\", escaped)
    # GFM links e-mail addresses after parsing, in whole text runs: escapes cannot stop it,
    # an empty comment (invisible, and not text for the anchor) splits the run.
    return _EMAIL_AT.sub("@<!-- -->", escaped)


def no_closing_hashes(heading: str) -> str:
    """A heading's Markdown whose trailing run of `#` stays text (not the ATX closing sequence)."""
    return _CLOSING_HASHES.sub(lambda m: m.group(1) + "\\#" * len(m.group(2)), heading)


def escape_line_start(line: str) -> str:
    """A line of a paragraph that must not start a block: its first marker escaped."""
    line = line.lstrip(" \t")
    match = _BLOCK_START.match(line)
    if match is None:
        return line
    if match.group(1):  # "1." -> "1\." ; "1" alone is fine
        end = match.end(1)
        return line[:end] + "\\" + line[end:]
    return "\\" + line


def autolink(text: str, href: str) -> str | None:
    """`<href>` when that shows `text` and links to `href`, else None."""
    if text == href or href == "mailto:" + text:
        if _SAFE_AUTOLINK.fullmatch(text) and _SCHEME.match(href):
            return f"<{text}>"
    return None


def destination(href: str) -> str:
    """A link destination that GitHub reads back as exactly `href`."""
    if href and not re.search(r"[\s()<>\\&\x00-\x1f]", href):
        return href
    return "<" + _DESTINATION_SPECIAL.sub(_escape_in_url, href) + ">"


def title(text: str) -> str:
    """A link title in double quotes."""
    return '"' + _DESTINATION_SPECIAL.sub(_escape_in_url, " ".join(text.splitlines())).replace(
        '"', '\\"') + '"'


def _escape_in_url(match: re.Match) -> str:
    # cmark decodes entities in a destination or title before backslash escapes, so
    # `\&amp;` would come back as `&`: an entity-like `&` is written as `&amp;` instead.
    return "&amp;" if match.group(0) == "&" else "\\" + match.group(0)


def safe_href(href: str, schemes: tuple[str, ...] = LINK_SCHEMES) -> bool:
    """A relative reference, or a URL in one of `schemes` (what the cards' sanitiser keeps)."""
    match = _SCHEME.match(href)
    return match is None or match.group(1).lower() in schemes


def code_span(content: str, table: bool = False) -> str:
    """`content` as a code span: a backtick run longer than any inside, padded when needed."""
    content = " ".join(content.splitlines())
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * (longest + 1)
    if content.startswith("`") or content.endswith("`") or (
        content.startswith(" ") and content.endswith(" ") and content.strip(" ")
    ):
        content = f" {content} "
    if table:  # GFM splits cells before it parses code: `\|` is a pipe inside the span
        content = content.replace("|", "\\|")
    return fence + content + fence


def html_text(text: str) -> str:
    """Text inside raw HTML: no Markdown applies there, only entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def html_attribute(value: str) -> str:
    return html_text(value).replace('"', "&quot;")
