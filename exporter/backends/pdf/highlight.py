"""Fenced code as lines of (text, pygments short class): the colours code.py gives each class."""

from __future__ import annotations

from functools import lru_cache

Line = tuple[tuple[str, str], ...]


def code_lines(code: str, language: str) -> tuple[Line, ...]:
    """Lines of the code, highlighted when pygments knows the language (tabs as four spaces)."""
    code = code.replace("\t", "    ").rstrip("\n")
    runs = _highlighted(code, language) if language else None
    if runs is None:
        runs = [(code, "")]
    lines: list[list[tuple[str, str]]] = [[]]
    for text, cls in runs:
        for i, part in enumerate(text.split("\n")):
            if i:
                lines.append([])
            if part:
                lines[-1].append((part, cls))
    while lines and not lines[-1]:
        lines.pop()
    return tuple(tuple(line) for line in lines)


def _highlighted(code: str, language: str) -> list[tuple[str, str]] | None:
    # Imported only for a fence that names a language: most fields have none.
    from pygments.lexers import get_lexer_by_name
    from pygments.token import STANDARD_TYPES

    # Only pygments' own lexers: for a name it lacks it would load every installed plugin
    # (IPython's, say), slow and making the output depend on what else is installed.
    if language.lower() not in _builtin_aliases():
        return None
    lexer = get_lexer_by_name(language.lower(), stripnl=False, ensurenl=False)
    runs: list[tuple[str, str]] = []
    for token, text in lexer.get_tokens(code):
        while token not in STANDARD_TYPES:
            token = token.parent
        cls = STANDARD_TYPES[token]
        if runs and runs[-1][1] == cls:
            runs[-1] = (runs[-1][0] + text, cls)
        else:
            runs.append((text, cls))
    return runs


@lru_cache(maxsize=1)
def _builtin_aliases() -> frozenset[str]:
    from pygments.lexers import LEXERS

    return frozenset(alias for entry in LEXERS.values() for alias in entry[2])
