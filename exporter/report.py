"""Where problems and summaries go: standard output, in the chosen format, errors only with --quiet."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import click

from . import __version__
from .diagnostics import (
    DOCUMENT_FORMATS,
    Diagnostic,
    SourceLines,
    format_concise,
    format_github,
    format_json,
    format_sarif,
    format_text,
    use_color,
)


@dataclass
class Reporter:
    """One per command run. Text formats print as they go; json and sarif print one document
    at the end, and then everything else (summaries, progress) goes to standard error."""

    fmt: str = "text"
    quiet: bool = False
    color: bool | None = None  # None: decide from the stream and NO_COLOR / FORCE_COLOR
    collected: list[Diagnostic] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    sources: SourceLines = field(default_factory=SourceLines)

    @property
    def is_document(self) -> bool:
        return self.fmt in DOCUMENT_FORMATS

    def _color(self) -> bool:
        return use_color(sys.stdout) if self.color is None else self.color

    def problems(self, diagnostics: list[Diagnostic]) -> None:
        shown = [d for d in diagnostics if d.is_error or not self.quiet]
        self.collected.extend(shown)
        if self.is_document:
            return
        color = self._color()
        for d in shown:
            if self.fmt == "github":
                text = format_github(d)
            elif self.fmt == "concise":
                text = format_concise(d)
            else:
                text = format_text(d, self.sources, color)
            click.echo(text, color=color)

    def summary(self, text: str) -> None:
        """A closing line: with the problems in text formats, apart from the document otherwise."""
        if not self.quiet:
            click.echo(text, err=self.is_document)

    def info(self, text: str) -> None:
        """What was written or would be: standard output unless it carries a document."""
        click.echo(text, err=self.is_document)

    def file(self, path: str, **facts) -> None:
        self.files.append({"path": path, **facts})

    def finish(self) -> None:
        if self.fmt == "json":
            errors = sum(d.is_error for d in self.collected)
            click.echo(format_json(self.collected, {"files": self.files, "errors": errors,
                                                    "warnings": len(self.collected) - errors}))
        elif self.fmt == "sarif":
            click.echo(format_sarif(self.collected, __version__))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
