"""The fix for the YAML mistakes newcomers make, read from the line where the parser stopped."""

from __future__ import annotations

import re

import yaml

# `key: value` or `- key: value` at the start of a line; group 1 is the indentation up to the key.
_KEY_LINE = re.compile(r"^(\s*(?:-\s+)*)([^\s#'\"][^:#]*?):(?:\s+(.*?))?\s*$")


def syntax_help(text: str, exc: yaml.MarkedYAMLError) -> str:
    """One sentence that alone lets a newcomer fix the error, or "" when there is no usual cause."""
    mark = exc.problem_mark
    lines = text.split("\n")
    if mark is None or mark.line >= len(lines):
        return ""
    line = lines[mark.line]
    problem = exc.problem or ""
    if "cannot start any token" in problem and line[mark.column : mark.column + 1] in ("`", "@", "%"):
        return _quote_help(line, f"a YAML value cannot start with '{line[mark.column]}'")
    if "mapping values are not allowed" in problem:
        owner = _continued_key(lines, mark.line)
        if owner is not None:
            return (f"text over several lines needs '|': write '{owner}: |' and indent every line "
                    f"of the text below it by the same number of spaces")
        return _quote_help(line, "YAML reads ': ' inside a value as the start of another key")
    if "tab" in problem:
        return "indent with spaces only; replace each tab at the start of the line with spaces"
    return ""


def _quote_help(line: str, why: str) -> str:
    match = _KEY_LINE.match(line)
    if not match or not match.group(3):
        return f"{why}; put the whole value in quotes"
    key, value = match.group(2), match.group(3)
    return f"{why}; put the whole value in quotes: {key}: {quoted(value)}"


def quoted(value: str) -> str:
    """The value as a YAML quoted scalar: single quotes unless it holds one, then double."""
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _continued_key(lines: list[str], index: int) -> str | None:
    """The key whose plain value this line continues, when it is a continuation line."""
    indent = _indent(lines[index])
    for previous in reversed(lines[:index]):
        if not previous.strip() or previous.lstrip().startswith("#"):
            continue
        if _indent(previous) >= indent:
            continue
        match = _KEY_LINE.match(previous)
        if match and len(match.group(1)) < indent:
            return match.group(2).strip()
        return None
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))
