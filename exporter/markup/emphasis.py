"""markdown-it's emphasis rule (`*`, `_`) with its flanking test memoised and its tokens pushed directly."""

from __future__ import annotations

from functools import lru_cache

from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline.state_inline import Delimiter, StateInline
from markdown_it.token import Token


@lru_cache(maxsize=4096)
def flanking(last: str, following: str, can_split_word: bool) -> tuple[bool, bool]:
    """(can open, can close) of a delimiter run between two characters: StateInline.scanDelims,
    which asks unicodedata about both on every run (a third of the rule's time)."""
    last_punct = isMdAsciiPunct(ord(last)) or isPunctChar(last)
    next_punct = isMdAsciiPunct(ord(following)) or isPunctChar(following)
    last_space, next_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(following))
    left = not (next_space or (next_punct and not (last_space or last_punct)))
    right = not (last_space or (last_punct and not (next_space or next_punct)))
    return (left and (can_split_word or not right or last_punct),
            right and (can_split_word or not left or next_punct))


def emphasis(state: StateInline, silent: bool) -> bool:
    """Each marker of the run becomes a text token and a delimiter, as in markdown-it's
    rules_inline/emphasis.tokenize; ~12 µs a run there, most of the parse of bold-heavy prose."""
    start = state.pos
    src = state.src
    marker = src[start]
    if silent or marker not in ("_", "*"):
        return False
    end, limit = start, state.posMax
    while end < limit and src[end] == marker:
        end += 1
    length = end - start
    can_open, can_close = flanking(src[start - 1] if start > 0 else " ",
                                    src[end] if end < limit else " ", marker == "*")
    if state.pending:
        state.pushPending()
    tokens, meta, delimiters, level = state.tokens, state.tokens_meta, state.delimiters, state.level
    code = ord(marker)
    for _ in range(length):
        token = Token("text", "", 0, level=level, content=marker)
        tokens.append(token)
        meta.append(None)
        delimiters.append(Delimiter(code, length, len(tokens) - 1, -1, can_open, can_close))
    state.pendingLevel = level
    state.pos = end
    return True
