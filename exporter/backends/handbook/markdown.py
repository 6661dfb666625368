"""Content Markdown made safe for GitHub: raw HTML shown as text, js: links dropped, headings demoted."""

from __future__ import annotations

import html
import re
import string
from dataclasses import dataclass

_ASCII_PUNCT = frozenset(string.punctuation)
# A `<` followed by one of these can open a tag, comment, declaration or autolink.
_TAG_START = frozenset(string.ascii_letters + "/!?")
_SAFE_AUTOLINK = re.compile(r"<(?:https?|mailto):[^\s<>`\x00-\x1f]*>", re.IGNORECASE)
_BARE_URL = re.compile(r"https?://|www\.|mailto:|xmpp:", re.IGNORECASE)
# Where `_InlineScanner._step` may do more than copy one character: everything between
# two matches is copied in one slice, so the state machine runs only where it matters.
_TRIGGER = re.compile(r"[\\`<\[\]!]|" + _BARE_URL.pattern, re.IGNORECASE)
_SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")

_FENCE = re.compile(r"^( *)(`{3,}|~{3,})(.*)$")
_LIST_FENCE = re.compile(r"^( {0,3}(?:[-+*]|\d{1,9}[.)]) +)(`{3,}|~{3,})(.*)$")
# Blockquote markers and list markers, nested in any order ("- > # x").
_CONTAINER = r"(?: {0,3}(?:> ?|(?:[-+*]|\d{1,9}[.)]) +))*"
_ATX = re.compile(r"^(" + _CONTAINER + r" {0,3})(#{1,6})(?=[ \t]|$)(.*)$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_NOT_PARAGRAPH = re.compile(r"^(?: {4}| {0,3}(?:[>#|]|[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)))")


class AmbiguousMarkdown(ValueError):
    """Content whose code blocks GitHub could read in two ways, so it cannot be made safe."""


@dataclass(frozen=True)
class Block:
    markdown: str
    headings: tuple[str, ...]  # each heading's inline markdown, in document order


# --- inline: one run of lines without blank lines ---


def _link_destination(text: str, start: int) -> tuple[int, int]:
    """Span of the destination after `](` or `]:`, CommonMark-style (whitespace, one newline)."""
    i = start
    while i < len(text) and text[i] in " \t":
        i += 1
    if i < len(text) and text[i] == "\n":
        i += 1
        while i < len(text) and text[i] in " \t":
            i += 1
    begin, depth = i, 0
    if i < len(text) and text[i] == "<":
        end = text.find(">", i)
        newline = text.find("\n", i)
        return (begin, end + 1) if end != -1 and (newline == -1 or end < newline) else (begin, begin)
    while i < len(text) and text[i] > " ":
        if text[i] == "\\" and i + 1 < len(text):
            i += 2
            continue
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth < 0:
            break
        i += 1
    return begin, i


def is_dangerous_url(url: str) -> bool:
    """True unless the URL is relative or uses http, https or mailto (after the decoding
    a browser would do: backslash escapes, entities, stripped whitespace and controls)."""
    url = html.unescape(_BACKSLASH_ESCAPE.sub(r"\1", url.strip("<>")))
    url = "".join(c for c in url if c > " " and c != "\x7f").lower()
    match = _SCHEME.match(url)
    return bool(match) and match.group(1) not in _SAFE_SCHEMES


def _code_html(content: str) -> str:
    """A code span as raw HTML whose text is inert whether or not GitHub parses it as code."""
    content = content.replace("\n", " ")
    if content.startswith(" ") and content.endswith(" ") and content.strip():
        content = content[1:-1]
    entities = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
    body = "".join(
        entities.get(c) or ("\\" + c if c in _ASCII_PUNCT else c) for c in content
    )
    return f"<code>{body}</code>"


class _InlineScanner:
    """Left to right like CommonMark's inline parser: escapes, code spans, links, `<`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[str] = []
        self.brackets: list[int] = []  # indexes in out of unmatched `[` / `![`
        # Once backticks may pair differently on GitHub (an unmatched run, a span over
        # lines, a link destination that may hold backticks), no later span is trusted.
        self.unsure = False

    def run(self) -> str:
        text, out, i = self.text, self.out, 0
        while (trigger := _TRIGGER.search(text, i)) is not None:
            if trigger.start() > i:
                out.append(text[i : trigger.start()])
            i = self._step(trigger.start())
        out.append(text[i:])
        return "".join(out)

    def _step(self, i: int) -> int:
        text, char = self.text, self.text[i]
        if _BARE_URL.match(text, i):
            self.unsure = True  # GFM's extended autolink runs to whitespace, backticks included
        if char == "\\" and i + 1 < len(text) and text[i + 1] in _ASCII_PUNCT:
            # A bare URL just before (GFM's extended autolink) swallows the backslash,
            # so `\<` must not rely on it.
            self.out.append("&lt;" if text[i + 1] == "<" else text[i : i + 2])
            return i + 2
        if char == "`":
            return self._backticks(i)
        if char == "<":
            return self._angle(i)
        if text.startswith("![", i) or char == "[":
            self.brackets.append(len(self.out))
            self.out.append("![" if char == "!" else "[")
            return i + (2 if char == "!" else 1)
        if char == "]" and text[i + 1 : i + 2] in ("(", ":"):
            return self._link_tail(i)
        if char == "]" and self.brackets:
            self.brackets.pop()
        self.out.append(char)
        return i + 1

    def _backticks(self, i: int) -> int:
        text = self.text
        end = i
        while end < len(text) and text[end] == "`":
            end += 1
        fence = text[i:end]
        close = re.compile(r"(?<!`)" + fence + r"(?!`)").search(text, end)
        if close is None:
            self.unsure = True
            self.out.append(fence)
            return end
        content = text[end : close.start()]
        risky = "<" in content or "](" in content or "]:" in content
        # Only a risky span needs the look at its line (most spans are not: skip it).
        kept = not risky or (
            not self.unsure and "\n" not in content and "|" not in self._line(i, close.end())
        )
        if "\n" in content:
            self.unsure = True
        self.out.append(text[i : close.end()] if kept else _code_html(content))
        return close.end()

    def _line(self, start: int, end: int) -> str:
        """The whole line (or lines) around text[start:end]."""
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", end)
        return self.text[line_start : None if line_end == -1 else line_end]

    def _angle(self, i: int) -> int:
        autolink = _SAFE_AUTOLINK.match(self.text, i)
        if autolink:
            self.out.append(autolink.group(0))
            return autolink.end()
        following = self.text[i + 1 : i + 2]
        self.out.append(escape_angle(self.text, i) if following and following in _TAG_START else "<")
        return i + 1

    def _link_tail(self, i: int) -> int:
        self.unsure = True
        begin, end = _link_destination(self.text, i + 2)
        destination = self.text[begin:end]
        if not is_dangerous_url(destination):
            # Scan on through the destination: it may hide another `](`.
            self.out.append(self.text[i : i + 2])
            if self.brackets and self.text[i + 1] == "(":
                self.brackets.pop()
            return i + 2
        # Keep the text, drop the destination. The brackets stay, escaped: deleting them
        # could splice neighbours into new markup (`<[b](…)>` would become `<b>`).
        if self.brackets:
            opening = self.brackets.pop()
            self.out[opening] = "\\!\\[" if self.out[opening] == "![" else "\\["
        self.out.append("\\]" + self.text[i + 1 : i + 2].replace("(", ""))
        return _skip_title_and_paren(self.text, end) if self.text[i + 1] == "(" else end


def escape_angle(text: str, i: int) -> str:
    """`<` at text[i] shown as itself, never opening a tag."""
    word = text[: i].rsplit(None, 1)[-1] if text[: i].strip() else ""
    if _BARE_URL.search(word):
        # GFM's extended autolink would swallow `&lt;` into the URL; a raw `<` ends it,
        # and an invisible word joiner keeps `<b` from being a tag (slugs drop it too).
        return "<\u2060"
    return "&lt;"


def _skip_title_and_paren(text: str, i: int) -> int:
    match = re.compile(r"""[ \t\n]*(?:"[^"]*"|'[^']*'|\([^()]*\))?[ \t\n]*\)""").match(text, i)
    return match.end() if match else i


def sanitise_inline(text: str) -> str:
    """One-line Markdown (a question, an answer) safe to place in a heading or a line."""
    one_line = re.sub(r"[ \t]*\r?\n[ \t]*", " ", text.strip())
    safe = _InlineScanner(one_line).run()
    # A trailing run of `#` would be read as the closing sequence of an ATX heading.
    return re.sub(r"(^|[ \t])(#+)$", lambda m: m.group(1) + "\\#" * len(m.group(2)), safe)


# --- blocks: fences, headings, runs of text ---


@dataclass
class _Fence:
    char: str
    length: int
    indent: int


def _demote_run(lines: list[str], shift: int, headings: list[str]) -> list[str]:
    """Demote ATX headings and turn simple setext headings into deeper ATX ones."""
    result: list[str] = []
    paragraph: list[str] = []  # the plain paragraph a setext underline would turn into a heading
    fresh = True  # the next line starts a new block
    for line in lines:
        atx, setext = _ATX.match(line), _SETEXT.match(line)
        if setext and paragraph:
            del result[-len(paragraph) :]
            inline = " ".join(p.strip() for p in paragraph)
            level = 1 if setext.group(1)[0] == "=" else 2
            result.append("#" * min(6, level + shift) + " " + inline)
            headings.append(inline)
        elif atx:
            prefix, hashes, rest = atx.groups()
            result.append(prefix + "#" * min(6, len(hashes) + shift) + rest)
            headings.append(_CLOSING_HASHES.sub("", rest).strip())
        else:
            result.append(line)
            if fresh:
                paragraph = [] if _NOT_PARAGRAPH.match(line) else [line]
            elif paragraph:
                paragraph.append(line)
            fresh = False
            continue
        paragraph, fresh = [], True
    return result


def _opener(line: str) -> tuple[_Fence, bool] | None:
    """A fence opening on this line, and whether it is unambiguous (top level, column 0-3)."""
    for pattern, plain in ((_FENCE, True), (_LIST_FENCE, False)):
        match = pattern.match(line)
        if match and not (match.group(2)[0] == "`" and "`" in match.group(3)):
            indent = len(match.group(1))
            return _Fence(match.group(2)[0], len(match.group(2)), indent), plain and indent <= 3
    return None


def _closes(fence: _Fence, line: str) -> bool:
    """A closing fence for `fence`; raises if GitHub might read the line differently."""
    stripped = line.lstrip(" ")
    indent = len(line) - len(stripped)
    run = len(stripped) - len(stripped.lstrip(fence.char))
    if run < fence.length or stripped[run:].strip():
        if stripped and indent < fence.indent:
            raise AmbiguousMarkdown("a line inside a fenced code block is indented less than its fence")
        return False
    if fence.indent <= indent <= 3:
        return True
    if fence.indent == 0:
        return False  # at top level a fence indented by 4+ is plain code text
    raise AmbiguousMarkdown("indent the closing code fence exactly like the opening one")


def sanitise_block(text: str, shift: int) -> Block:
    """Block Markdown (details, a description) made safe, with its headings `shift` deeper."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n")
    out: list[str] = []
    headings: list[str] = []
    run: list[str] = []
    fence: _Fence | None = None

    def flush() -> None:
        if run:
            demoted = _demote_run(run, shift, headings)
            out.append(_InlineScanner("\n".join(demoted)).run())
            run.clear()

    for line in lines:
        if fence is not None:
            out.append(line)
            fence = None if _closes(fence, line) else fence
            continue
        opened = _opener(line)
        if opened is not None:
            fence, unambiguous = opened
            if not unambiguous:
                raise AmbiguousMarkdown(
                    "a code fence inside a list item or indented by 4+ spaces; "
                    "indent it by 0-3 spaces"
                )
            flush()
            out.append(line)
        elif not line.strip():
            flush()
            out.append("")
        elif _FENCE.match(line) and len(_FENCE.match(line).group(1)) <= 3:
            # Not a fence only because its info string has a backtick; escaped so that it
            # cannot become one once the inline pass rewrites a code span.
            indent = len(_FENCE.match(line).group(1))
            run.append(line[:indent] + "\\" + line[indent:])
        else:
            run.append(line)
    flush()
    if fence is not None:
        if fence.indent:
            raise AmbiguousMarkdown("an indented code fence is never closed")
        out.append(fence.char * fence.length)  # else the rest of the handbook becomes code
    return Block("\n".join(out).strip("\n"), tuple(headings))
