"""Diagnostics users can act on: FILE:LINE:COL messages with a code, a source excerpt and a help line."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

from . import codes
from .model import Loc


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int
    col: int
    severity: str  # "error" | "warning"
    message: str
    code: str = ""  # "SP201"; see codes.py
    help: str = ""  # one sentence that says how to fix it, when a fix is known

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def name(self) -> str:
        known = codes.lookup(self.code)
        return known.name if known else ""

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.col, self.severity, self.message)


def _make(path: str, loc: Loc, severity: str, message: str, code: str, help: str) -> Diagnostic:
    known = codes.lookup(code)
    return Diagnostic(path, loc.line, loc.col, severity, message, known.code if known else code, help)


def error(path: str, loc: Loc, message: str, code: str = "", help: str = "") -> Diagnostic:
    """An error; `code` is a code's number or name from codes.py."""
    return _make(path, loc, "error", message, code, help)


def warning(path: str, loc: Loc, message: str, code: str = "", help: str = "") -> Diagnostic:
    return _make(path, loc, "warning", message, code, help)


def coded(diagnostics: list[Diagnostic], code: str) -> list[Diagnostic]:
    """The diagnostics, those without a code given `code` (a backend's own errors)."""
    fallback = codes.lookup(code)
    return [d if d.code else replace(d, code=fallback.code) for d in diagnostics]


class ContentError(Exception):
    """Raised by a backend when the content cannot be rendered (e.g. a glyph is missing).

    It carries diagnostics so the CLI reports them like validation errors, exit 1.
    """

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics

    def __reduce__(self):
        # Rebuilt from its diagnostics when it crosses from a worker process.
        return (ContentError, (self.diagnostics,))


def shown(value: str, limit: int = 60) -> str:
    """A user's value as it may appear inside a one-line message: short, controls escaped."""
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    if value.isprintable():  # nearly always: no character to look at one by one
        return value
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in value)


# --- text ---


def _one_line(text: str) -> str:
    # A diagnostic's first line is one line whatever the content: editors and CI parse it that way.
    return text.replace("\r", "\\r").replace("\n", "\\n")


def format_concise(d: Diagnostic) -> str:
    """The single line editors' problem matchers read: FILE:LINE:COL: severity: message."""
    return f"{d.path}:{d.line}:{d.col}: {d.severity}: {_one_line(d.message)}"


class SourceLines:
    """The lines of the files diagnostics point into, read once each and only when shown."""

    def __init__(self, texts: dict[str, str] | None = None):
        self._lines = {path: text.split("\n") for path, text in (texts or {}).items()}

    def line(self, path: str, number: int) -> str | None:
        if path not in self._lines:
            try:
                text = Path(path).read_bytes().decode("utf-8", "replace")
            except OSError:
                text = ""
            self._lines[path] = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        lines = self._lines[path]
        return lines[number - 1] if 0 < number <= len(lines) else None


def format_text(d: Diagnostic, sources: SourceLines | None = None, color: bool = False) -> str:
    """rustc/ruff style: the message, the source line, a caret under the span, the code, the help."""
    paint = _painter(color)
    tone = "red" if d.is_error else "yellow"
    header = (f"{paint(d.path, bold=True)}:{d.line}:{d.col}: {paint(d.severity, fg=tone, bold=True)}: "
              f"{_one_line(d.message)}")
    label = f"{d.code} {d.name}".strip()
    source = sources.line(d.path, d.line) if sources is not None else None
    lines = [header]
    if source is not None and d.col >= 1:
        number = str(d.line)
        gutter = " " * len(number)
        shown_line, start, width = _excerpt(source, d.col - 1)
        bar = paint("|", fg="blue", bold=True)
        caret = paint("^" * width + (" " + label if label else ""), fg=tone)
        lines += [f"{gutter} {bar}", f"{paint(number, fg='blue', bold=True)} {bar} {shown_line}",
                  f"{gutter} {bar} {' ' * start}{caret}"]
    elif label:
        lines.append(f"  = {label}")
    if d.help:
        indent = " " * (len(str(d.line)) + 1) if source is not None else "  "
        lines.append(f"{indent}{paint('= help:', fg='cyan', bold=True)} {_one_line(d.help)}")
    return "\n".join(lines)


EXCERPT_CHARS = 100


def _excerpt(line: str, index: int) -> tuple[str, int, int]:
    """The line as displayed (tabs expanded, controls escaped), and the caret's start and width."""
    index = min(index, len(line))
    end = _token_end(line, index)
    if len(line) > EXCERPT_CHARS:  # a long line is cut around the caret, as rustc does
        left = max(0, index - EXCERPT_CHARS // 4)
        right = min(len(line), left + EXCERPT_CHARS)
        prefix = "…" if left else ""
        line = prefix + line[left:right] + ("…" if right < len(line) else "")
        index, end = index - left + len(prefix), min(end, right) - left + len(prefix)
    shown_line = "".join(_display(ch) for ch in line)
    start = sum(len(_display(ch)) + _wide(ch) for ch in line[:index])
    width = sum(len(_display(ch)) + _wide(ch) for ch in line[index:end])
    return shown_line, start, max(width, 1)


def _display(ch: str) -> str:
    if ch == "\t":
        return "    "
    return ch if ch.isprintable() else ascii(ch)[1:-1]


def _wide(ch: str) -> int:
    # Wide characters take two columns on a terminal: one more than their one-character display.
    return 1 if unicodedata.east_asian_width(ch) in ("W", "F") else 0


def _token_end(line: str, start: int) -> int:
    """Where the YAML token at `start` ends: a quoted string, a flow item, a key or a plain value."""
    if start >= len(line):
        return start
    quote_char = line[start]
    if quote_char in "\"'":
        i = start + 1
        while i < len(line):
            if quote_char == '"' and line[i] == "\\":
                i += 2
                continue
            if line[i] == quote_char:
                if quote_char == "'" and line[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                return i + 1
            i += 1
        return len(line)
    if quote_char in "|>&*!-[{":
        return start + 1 if quote_char in "|>-[{" else _plain_end(line, start, flow=False)
    in_flow = "[" in line[:start] or "{" in line[:start]
    return _plain_end(line, start, flow=in_flow)


def _plain_end(line: str, start: int, *, flow: bool) -> int:
    end = start
    while end < len(line):
        ch = line[end]
        if ch == ":" and (end + 1 == len(line) or line[end + 1] in " \t"):
            break
        if ch == "#" and line[end - 1] in " \t":
            break
        if flow and ch in ",]}":
            break
        end += 1
    return len(line[:end].rstrip()) if end > start else start + 1


def _painter(color: bool):
    import click

    def paint(text: str, **style) -> str:
        return click.style(text, **style) if color else text

    return paint


def use_color(stream) -> bool:
    """Colour on a terminal; NO_COLOR (any value) turns it off, FORCE_COLOR (non-empty) on."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


# --- GitHub Actions ---


def _escape_github(value: str, *, is_property: bool) -> str:
    # GitHub's workflow-command escaping: %, CR, LF always; ':' and ',' in properties.
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if is_property:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(d: Diagnostic) -> str:
    path = _escape_github(d.path, is_property=True)
    title = f",title={_escape_github(f'{d.code} {d.name}', is_property=True)}" if d.code else ""
    text = d.message + (f" (help: {d.help})" if d.help else "")
    message = _escape_github(text, is_property=False)
    return f"::{d.severity} file={path},line={d.line},col={d.col}{title}::{message}"


# --- JSON and SARIF: one document for the whole run ---


def _as_dict(d: Diagnostic) -> dict:
    return {"path": d.path, "line": d.line, "column": d.col, "severity": d.severity,
            "code": d.code, "name": d.name, "message": d.message, "help": d.help}


def format_json(diagnostics: Iterable[Diagnostic], summary: dict) -> str:
    import json

    items = [_as_dict(d) for d in diagnostics]
    return json.dumps({"diagnostics": items, **summary}, ensure_ascii=False, indent=2)


def format_sarif(diagnostics: Iterable[Diagnostic], version: str) -> str:
    import json

    rules = [{"id": c.code, "name": c.name, "shortDescription": {"text": c.message},
              "help": {"text": c.fix}, "defaultConfiguration": {"level": c.severity}}
             for c in codes.CODES]
    index = {c.code: i for i, c in enumerate(codes.CODES)}
    results = [_sarif_result(d, index) for d in diagnostics]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "studypack", "version": version, "rules": rules}},
            # Our columns count characters, not UTF-16 units.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, ensure_ascii=False, indent=2)


def _sarif_result(d: Diagnostic, index: dict[str, int]) -> dict:
    text = d.message + (f"\nhelp: {d.help}" if d.help else "")
    result: dict = {"level": d.severity, "message": {"text": text}, "locations": [{
        "physicalLocation": {"artifactLocation": {"uri": _uri(d.path)},
                             "region": {"startLine": max(d.line, 1), "startColumn": max(d.col, 1)}}}]}
    if d.code in index:
        result = {"ruleId": d.code, "ruleIndex": index[d.code], **result}
    return result


def _uri(path: str) -> str:
    from urllib.parse import quote

    # Relative paths stay relative (GitHub resolves them against the repository root).
    return quote(PurePath(path).as_posix(), safe="/:")


TEXT_FORMATS = ("text", "concise", "github")
DOCUMENT_FORMATS = ("json", "sarif")
FORMAT_NAMES = (*TEXT_FORMATS, *DOCUMENT_FORMATS)
