"""Diagnostics users can act on: FILE:LINE:COL messages, text and GitHub formats."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Loc


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int
    col: int
    severity: str  # "error" | "warning"
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.col, self.severity, self.message)


def error(path: str, loc: Loc, message: str) -> Diagnostic:
    return Diagnostic(path, loc.line, loc.col, "error", message)


def warning(path: str, loc: Loc, message: str) -> Diagnostic:
    return Diagnostic(path, loc.line, loc.col, "warning", message)


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
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in value)


def format_text(d: Diagnostic) -> str:
    # A diagnostic is one line whatever the content: editors and CI parse it that way.
    message = d.message.replace("\r", "\\r").replace("\n", "\\n")
    return f"{d.path}:{d.line}:{d.col}: {d.severity}: {message}"


def _escape_github(value: str, *, is_property: bool) -> str:
    # GitHub's workflow-command escaping: %, CR, LF always; ':' and ',' in properties.
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if is_property:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(d: Diagnostic) -> str:
    path = _escape_github(d.path, is_property=True)
    message = _escape_github(d.message, is_property=False)
    return f"::{d.severity} file={path},line={d.line},col={d.col}::{message}"


FORMATTERS = {"text": format_text, "github": format_github}
