"""Math as its own token, found before any Markdown rule, in linear time on any input."""

from __future__ import annotations

import re
from bisect import bisect_left

from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

# Where each inline form may close. `$x$` holds no `$` (as in TeX): it closes at the next
# unescaped `$`, and only when that one has no space before it and no digit or `$` after it,
# so `$5 and $10` stays money (see dollar_closes).
_CLOSERS = {
    "$": re.compile(r"(?<!\\)\$"),
    "$$": re.compile(r"(?=\$\$)"),
    "\\(": re.compile(r"\\\)"),
    "\\[": re.compile(r"\\\]"),
}
_BLOCK_FORMS = (("$$", "$$"), ("\\[", "\\]"))


def _closers(state: StateInline, opener: str) -> list[int]:
    """Every closing position of one form in this inline text, found once: looking ahead
    from each opener instead would be quadratic on a run of unclosed openers."""
    cache = state.env.setdefault("math_closers", {})
    key = (opener, state.src)
    if key not in cache:
        cache[key] = [m.start() for m in _CLOSERS[opener].finditer(state.src)]
    return cache[key]


def _opener(src: str, pos: int, end: int) -> str | None:
    if src[pos] == "$":
        opener = "$$" if src.startswith("$$", pos) else "$"
        following = src[pos + len(opener)] if pos + len(opener) < end else " "
        # `[$]…[/$]` is Anki's LaTeX marker, never math: it stays text (and is neutralised).
        if following == "]" or (opener == "$" and (following.isspace() or following == "$")):
            return None
        return opener
    if src[pos] == "\\" and pos + 1 < end and src[pos + 1] in "([":
        return src[pos:pos + 2]
    return None


def math_inline(state: StateInline, silent: bool) -> bool:
    """`$…$`, `$$…$$`, `\\(…\\)` and `\\[…\\]` inside a line."""
    src, pos, end = state.src, state.pos, state.posMax
    opener = _opener(src, pos, end)
    if opener is None:
        return False
    start = pos + len(opener)
    closers = _closers(state, opener)
    index = bisect_left(closers, start + 1)  # at least one character of TeX
    if index == len(closers) or closers[index] + len(opener) > end:
        return False
    close = closers[index]
    if opener == "$" and not dollar_closes(src, close):
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content, token.markup = src[start:close], opener
    state.pos = close + len(opener)
    return True


def dollar_closes(src: str, at: int) -> bool:
    before, after = src[at - 1], src[at + 1:at + 2]
    return not before.isspace() and before != "$" and not (after.isdigit() or after == "$")


def math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """`$$` or `\\[` at a line's start, closed at the end of that line or a later one;
    a blank line ends the search, so each line is looked at a bounded number of times."""
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if state.src[begin:begin + 1] not in ("$", "\\") or state.sCount[start_line] - state.blkIndent >= 4:
        return False  # most lines (asked at every line of a paragraph); or indented code
    first = state.src[begin:state.eMarks[start_line]].rstrip()
    form = next((f for f in _BLOCK_FORMS if first.startswith(f[0])), None)
    if form is None:
        return False
    opener, closer = form
    last = start_line
    if not (len(first) >= 2 * len(opener) + 1 and first.endswith(closer)):
        if closer in first[len(opener):]:
            return False  # closed mid-line: inline math in a paragraph
        last = _closing_line(state, start_line, end_line, closer)
        if last is None:
            return False
    if silent:
        return True
    text = state.getLines(start_line, last + 1, state.sCount[start_line], False).strip()
    token = state.push("math_block", "math", 0)
    token.block, token.markup = True, opener
    token.content = text[len(opener):len(text) - len(closer)].strip("\n")
    token.map = [start_line, last + 1]
    state.line = last + 1
    return True


def _closing_line(state: StateBlock, start_line: int, end_line: int, closer: str) -> int | None:
    """The line closing a block opened at `start_line`. Every line of a run of unclosed
    openers would scan the same lines again (the paragraph asks at each line): the last
    scan's stop is remembered, so each line is read once."""
    memo = state.env.setdefault("math_block_scans", {})
    key = (closer, state.blkIndent, id(state.bMarks), end_line)
    if key in memo:
        first, stop, found = memo[key]
        if first < start_line < stop:
            return found
    stop, found = end_line, None
    for line in range(start_line + 1, end_line):
        text = state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]].rstrip()
        if not text or state.sCount[line] < state.blkIndent:
            stop = line
            break
        if text.endswith(closer):
            stop, found = line, line
            break
    memo[key] = (start_line, stop, found)
    return found


def math_fences(state) -> None:
    """```math fences are display math, as GitHub treats them."""
    if "math" not in state.src:
        return
    for token in state.tokens:
        if token.type == "fence" and token.info.strip() == "math":
            token.type, token.tag, token.markup = "math_block", "math", "```"
            token.content = token.content.strip("\n")
