"""The `studypack` command line; heavy libraries are imported inside commands so --help is instant."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .backends import BACKEND_NAMES, FLASHCARDS_OVERFLOW, HANDBOOK_STYLES, PAPER_SIZES
from .diagnostics import FORMATTERS

DEFAULT_SOURCE = Path("content/questions.yaml")

_source_argument = click.argument(
    "source", required=False, default=DEFAULT_SOURCE,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="studypack")
def main() -> None:
    """Compile one YAML question bank into an Anki deck, printable PDFs and a Markdown handbook.

    \b
    Examples:
      studypack validate                      # check content/questions.yaml
      studypack build                         # every output into build/
      studypack build --only anki -o dist     # just the .apkg, into dist/
      studypack build --check                 # are the files in build/ up to date?
      studypack validate --format github      # annotations for GitHub Actions

    Exit codes: 0 ok, 1 content or output errors, 2 usage errors.
    """


@main.command()
@_source_argument
@click.option("--format", "fmt", type=click.Choice(tuple(FORMATTERS)), default="text",
              show_default=True, help="How to print problems.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option("--verbose", "-v", is_flag=True,
              help="Also list the flashcard backs too long for their card.")
def validate(source: Path, fmt: str, strict: bool, verbose: bool) -> None:
    """Check SOURCE (default content/questions.yaml) and report every problem at once."""
    from .validate import load_deck

    deck, diagnostics = load_deck(source)
    _report(diagnostics, fmt, sys.stdout)
    if verbose and deck is not None and not any(d.is_error for d in diagnostics):
        from .backends.pdf import shortened_backs
        from .build import make_context

        for line in shortened_backs(deck, make_context(deck, source)):
            click.echo(line)
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    if fmt == "text":
        counts = f": {len(deck.questions)} questions in {len(deck.topics)} topics" if deck else ""
        summary = f"{source}{counts}"
        click.echo(f"{summary}; {_plural(errors, 'error')}, {_plural(warnings, 'warning')}", err=True)
    sys.exit(1 if errors or (strict and warnings) else 0)


def _output_options(command):
    """The options build and watch share: where outputs go and how they look."""
    options = [
        click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
                     default=Path("build"), show_default=True, help="Where the outputs go."),
        click.option("--only", multiple=True, type=click.Choice(BACKEND_NAMES),
                     help="Build only this output (repeatable)."),
        click.option("--paper", type=click.Choice(PAPER_SIZES), default="a4",
                     show_default=True, help="Paper size of the PDFs."),
        click.option("--anki-flat", is_flag=True,
                     help="One Anki deck instead of one sub-deck per topic."),
        click.option("--handbook-style", type=click.Choice(HANDBOOK_STYLES), default="plain",
                     show_default=True, help="quiz hides each answer in a collapsible block."),
        click.option("--font-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                     help="A folder with another font family for the PDFs (TrueType or OpenType)."),
        click.option("--flashcards-overflow", type=click.Choice(FLASHCARDS_OVERFLOW),
                     default="shorten", show_default=True,
                     help="A back too long for its card: shorten it (the rest is on the cheat "
                          "sheet, whose page it names) or continue it on the next card."),
        click.option("--templates", "templates_dir",
                     type=click.Path(exists=True, file_okay=False, path_type=Path),
                     help="A folder laid out like templates/ (anki/front.html, anki/back.html, "
                          "anki/style.css, handbook.md.j2); its files replace the built-in ones."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _build_options(paper: str, anki_flat: bool, handbook_style: str, font_dir: Path | None,
                   templates_dir: Path | None, flashcards_overflow: str = "shorten"):
    from .backends import BuildOptions

    return BuildOptions(paper=paper, anki_flat=anki_flat, handbook_style=handbook_style,
                        font_dir=font_dir, templates_dir=templates_dir,
                        flashcards_overflow=flashcards_overflow)


@main.command()
@_source_argument
@_output_options
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 if any output in the folder is stale or missing.")
def build(source: Path, output_dir: Path, only: tuple[str, ...], check: bool, **style) -> None:
    """Validate SOURCE, then build every output (or those named by --only)."""
    from .build import run_build

    sys.exit(run_build(source, output_dir, only, _build_options(**style), check=check))


@main.command()
@_source_argument
@_output_options
def watch(source: Path, output_dir: Path, only: tuple[str, ...], **style) -> None:
    """Rebuild whenever SOURCE, its images or the templates change (Ctrl-C to stop)."""
    from .watch import run_watch

    sys.exit(run_watch(source, output_dir, only, _build_options(**style)))


@main.command()
def schema() -> None:
    """Print the JSON Schema of the source format (for editor validation and completion)."""
    from importlib.resources import files

    click.echo(files("exporter").joinpath("schema.json").read_text(encoding="utf-8"), nl=False)


def _report(diagnostics, fmt: str, stream) -> None:
    formatter = FORMATTERS[fmt]
    for diagnostic in diagnostics:
        click.echo(formatter(diagnostic), file=stream)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
