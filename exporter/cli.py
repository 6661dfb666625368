"""The `studypack` command line; heavy libraries are imported inside commands so --help is instant."""

from __future__ import annotations

import atexit
import gc
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from . import __version__
from .backends import BACKEND_NAMES, FLASHCARDS_OVERFLOW, HANDBOOK_STYLES, PAPER_SIZES
from .diagnostics import FORMAT_NAMES

DEFAULT_SOURCE = Path("content/questions.yaml")

# The interpreter's last garbage collections walk every object a build made: ~80 ms after
# a 30-question build, a seventh of it. Nothing needs them: outputs are written and closed
# before exit, and the operating system frees the memory.
atexit.register(gc.freeze)

_source_argument = click.argument(
    "source", required=False, default=DEFAULT_SOURCE,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)

_sources_argument = click.argument(
    "sources", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path),
)


class _Group(click.Group):
    """Ctrl-C exits 130 and SIGTERM 143, as shells expect, after `finally` blocks ran (no
    temporary file left); a plain click group reports Ctrl-C as exit 1, like a content error."""

    def invoke(self, ctx: click.Context):
        received: list[int] = []
        previous = _handle_signals(received)
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            received.append(2)  # SIGINT; reported below
        finally:
            _restore(previous)
            # Also when the exception was swallowed on its way (a library's bare `except:`,
            # or a fork hook, where Python can only print "Exception ignored").
            if received:
                click.echo("interrupted", err=True)
                sys.exit(128 + received[0])


def _handle_signals(received: list[int]) -> dict:
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}

    def interrupt(signum, frame):
        received.append(signum)
        raise KeyboardInterrupt if signum == signal.SIGINT else SystemExit(128 + signum)

    return {s: signal.signal(s, interrupt) for s in (signal.SIGINT, signal.SIGTERM)}


def _restore(previous: dict) -> None:
    import signal

    for signum, handler in previous.items():
        signal.signal(signum, handler)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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
      studypack validate a.yaml b.yaml -q     # several decks, errors only
      studypack push --dry-run                # what would change in a running Anki (AnkiConnect)

    Exit codes: 0 ok, 1 content or output errors, 2 usage errors, 130 interrupted.
    """


def _report_options(command):
    """How problems are printed; validate and build share them."""
    options = [
        click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), default="text", show_default=True,
                     help="text: message, source line and help; concise: one line each; github: "
                          "annotations; json, sarif: one document on standard output."),
        click.option("-q", "--quiet", is_flag=True, help="Print errors only: no warnings, no summary."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _style_options(command):
    """What the outputs look like and which are made; validate takes them too, to check
    what build would refuse with the same options."""
    options = [
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


def _output_options(command):
    """The options build and watch share: where outputs go and how they look."""
    command = _style_options(command)
    return click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
                        default=Path("build"), show_default=True, help="Where the outputs go.")(command)


@main.command()
@_sources_argument
@_report_options
@_style_options
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option("--verbose", "-v", is_flag=True,
              help="Also list the flashcard backs too long for their card.")
def validate(sources: tuple[Path, ...], verbose: bool, **given) -> None:
    """Check SOURCE... (default content/questions.yaml) and report every problem at once.

    Defaults come from studypack.toml beside the source (or [tool.studypack] in a
    pyproject.toml above it); options on the command line win. Problems and the summary
    go to standard output.
    """
    from .build import validate_source
    from .report import Reporter

    sources = _sources_or_default(sources)
    run, _ = _settings(sources[0], given)
    reporter = Reporter(run["fmt"], run["quiet"])
    failed = False
    for source in sources:
        values, (config, problems) = _settings(source, given)
        failed |= validate_source(source, reporter, config, problems, _build_options(values),
                                  values["only"], strict=values["strict"], verbose=verbose)
    reporter.finish()
    sys.exit(1 if failed else 0)


@main.command()
@_sources_argument
@_output_options
@_report_options
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 if any output in the folder is stale or missing.")
@click.option("--locked", is_flag=True,
              help="Fail if the ledger (SOURCE with .lock) is out of date instead of updating it (CI).")
@click.option("--no-ledger", is_flag=True,
              help="Do not write the ledger (a read-only source folder); the times it records "
                   "are still used.")
@click.option("--allow-id-change", is_flag=True,
              help="Accept a changed deck id or note type version: Anki then imports a new deck "
                   "and users start without review history.")
def build(sources: tuple[Path, ...], locked: bool, no_ledger: bool, allow_id_change: bool,
          **given) -> None:
    """Validate SOURCE..., then build every output (or those named by --only)."""
    from .build import LedgerPolicy, run_build
    from .report import Reporter

    policy = LedgerPolicy(write=not no_ledger, locked=locked, allow_id_change=allow_id_change)
    sources = _sources_or_default(sources)
    run, _ = _settings(sources[0], given)
    reporter = Reporter(run["fmt"], run["quiet"])
    code = 0
    for source in sources:
        values, (config, problems) = _settings(source, given)
        code = max(code, run_build(source, values["output_dir"], values["only"], _build_options(values),
                                   check=values["check"], reporter=reporter, config=config,
                                   config_problems=problems, policy=policy))
    reporter.finish()
    sys.exit(code)


@main.command()
@_source_argument
@_output_options
def watch(source: Path, **given) -> None:
    """Rebuild whenever SOURCE, its images or the templates change (Ctrl-C to stop)."""
    from .watch import run_watch

    values, _ = _settings(source, given)
    sys.exit(run_watch(source, values["output_dir"], values["only"], _build_options(values)))


def _sources_or_default(sources: tuple[Path, ...]) -> tuple[Path, ...]:
    if sources:
        return sources
    if not DEFAULT_SOURCE.is_file():
        raise click.UsageError(f"no SOURCE given and {DEFAULT_SOURCE} does not exist")
    return (DEFAULT_SOURCE,)


# Config keys whose parameter name is not the key with '_' for '-'.
_PARAMETERS = {"format": "fmt", "templates": "templates_dir"}


def _settings(source: Path, given: dict) -> tuple[dict, tuple]:
    """The command line's values, with the config file's where the user gave none; and the
    config with its problems."""
    from .config import load

    config, problems = load(source)
    context = click.get_current_context()
    values = dict(given)
    for key, value in config.options.items():
        name = _PARAMETERS.get(key, key.replace("-", "_"))
        if name in values and context.get_parameter_source(name) in (None, ParameterSource.DEFAULT):
            values[name] = tuple(value) if name == "only" else value
    return values, (config, problems)


def _build_options(values: dict):
    from .backends import BuildOptions

    return BuildOptions(paper=values["paper"], anki_flat=values["anki_flat"],
                        handbook_style=values["handbook_style"], font_dir=values["font_dir"],
                        templates_dir=values["templates_dir"],
                        flashcards_overflow=values["flashcards_overflow"])


# --- push (issue 13): a self-contained block; everything heavy is imported inside ---


@main.command()
@_source_argument
@click.option("--url", default="http://127.0.0.1:8765", show_default=True, envvar="ANKICONNECT_URL",
              help="Where AnkiConnect listens (env ANKICONNECT_URL).")
@click.option("--api-key", envvar="ANKICONNECT_API_KEY",
              help="AnkiConnect's apiKey, when its config sets one (env ANKICONNECT_API_KEY).")
@click.option("--dry-run", is_flag=True, help="Print what would change in Anki; change nothing.")
@click.option("--prune", type=click.Choice(("suspend", "delete")),
              help="What to do with notes whose question left the source (default: only report).")
@click.option("--yes", is_flag=True, help="Do not ask before --prune delete deletes notes.")
@click.option("--force", is_flag=True, help="Overwrite notes edited in Anki since the last push.")
@click.option("--anki-flat", is_flag=True, help="One Anki deck instead of one sub-deck per topic.")
@click.option("--templates", "templates_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder laid out like templates/; its anki/ files replace the built-in ones.")
def push(source: Path, url: str, api_key: str | None, dry_run: bool, prune: str | None, yes: bool,
         force: bool, anki_flat: bool, templates_dir: Path | None) -> None:
    """Make the Anki collection match SOURCE through the AnkiConnect add-on.

    \b
    Adds new notes, updates changed ones (found by the same identity as the .apkg's,
    so a deck first imported from the .apkg is updated, not duplicated), moves cards
    whose topic changed, restyles the note type and uploads media. Review history is
    never touched. Notes edited in Anki since the last push are reported, not overwritten.
    """
    from .backends import BuildOptions
    from .sinks.ankiconnect import AnkiConnect
    from .sinks.command import run_push

    options = BuildOptions(anki_flat=anki_flat, templates_dir=templates_dir)
    sys.exit(run_push(source, AnkiConnect(url, api_key), options, dry_run=dry_run, prune=prune,
                      yes=yes, force=force))


@main.command()
@click.argument("folder", required=False, default=Path("."),
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--topic", default="My topic", show_default=True,
              help="What the deck is about: its title, and the subject of the example questions.")
@click.option("--action", default=None,
              help="The action the workflow uses, as OWNER/studypack@REF (pin a commit).")
def init(folder: Path, topic: str, action: str | None) -> None:
    """Start a deck repository in FOLDER: an example deck, its workflow, pre-commit and README.

    Refuses to overwrite any file. Afterwards `studypack build` (in FOLDER) builds the deck.
    """
    from .build import ledger_output, plan_times
    from .init import DEFAULT_ACTION, InitError, create, starter_for
    from .outputs import OutputError, write_outputs
    from .validate import load_deck

    try:
        written = create(folder, starter_for(topic, action or DEFAULT_ACTION))
        source = folder / DEFAULT_SOURCE
        deck, _ = load_deck(source)
        if deck is not None:  # the ledger too, so the first commit has every file CI needs
            record = ledger_output(source, plan_times(deck, source))
            write_outputs([record])
            written.append(record.path)
    except (InitError, OSError, OutputError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    for path in written:
        click.echo(f"created {path}")
    if not action:
        click.echo("next: in .github/workflows/studypack.yml, replace OWNER/studypack@main by where "
                   "studypack lives, pinned to a commit", err=True)


@main.command()
@_source_argument
@click.option("--templates", "templates_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The templates folder the deck is built with, if any.")
def tracked(source: Path, templates_dir: Path | None) -> None:
    """Fail if a file SOURCE needs (itself, its ledger, images, templates) is not tracked by git.

    For a pre-commit hook: a commit that removes or forgets an image would break the next build.
    """
    from .tracked import GitError, needed_files, untracked
    from .validate import load_deck

    deck, _ = load_deck(source)
    media = deck.media if deck else ()
    try:
        missing = untracked(needed_files(source, media, templates_dir))
    except GitError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    for path in missing:
        click.echo(f"{path}: error: not tracked by git, but the deck needs it (git add it, or "
                   "remove its use)")
    sys.exit(1 if missing else 0)


@main.command("import")
@click.argument("sources", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("questions.yaml"), show_default=True,
              help="The YAML file to write; images go to media/ beside it.")
@click.option("--deck-id", help="The deck's id (a slug); default: from the deck's name.")
@click.option("--format", "fmt", type=click.Choice(("apkg", "colpkg", "csv", "markdown")),
              help="The sources' format; default: guessed from each file.")
@click.option("--map", "field_map", default="", metavar="ROLE=FIELD,…",
              help="Which note field or column holds what, e.g. question=Front,answer=Back,details=Extra.")
@click.option("--force", is_flag=True, help="Overwrite the output and its media files.")
def import_(sources: tuple[Path, ...], output: Path, deck_id: str | None, fmt: str | None,
            field_map: str, force: bool) -> None:
    """Turn Anki packages, Anki text exports, CSV/TSV or Markdown question banks into one YAML file.

    \b
    Examples:
      studypack import MyDeck.apkg -o content/questions.yaml
      studypack import notes.txt --map question=Term,answer=Definition
      studypack import questions/*.md --deck-id python-interview
    """
    from .sources.apkg import FieldMap
    from .sources.importing import ImportProblem, read_sources, summary, write
    from .validate import SLUG, load_deck

    if deck_id is not None and not SLUG.match(deck_id):
        raise click.BadParameter(f"'{deck_id}' is not a slug (lower-case letters, digits, hyphens)",
                                 param_hint="--deck-id")
    try:
        mapping = FieldMap.parse(field_map)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--map") from None
    try:
        result = write(read_sources(list(sources), fmt, mapping), output, deck_id, force)
    except ImportProblem as error:
        message = str(error)
        click.echo(message if ": error: " in message else f"error: {message}", err=True)
        sys.exit(1)
    for line in summary(result):
        click.echo(line)
    from .report import Reporter

    _, diagnostics = load_deck(output)
    reporter = Reporter()
    reporter.problems(diagnostics)
    reporter.finish()
    sys.exit(1 if any(d.is_error for d in diagnostics) else 0)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the source format (for editor validation and completion)."""
    from importlib.resources import files

    click.echo(files("exporter").joinpath("schema.json").read_text(encoding="utf-8"), nl=False)
