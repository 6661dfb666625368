"""The push command: validate and render as build does, read the collection, plan, then apply."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from ..backends import BuildOptions
from .ankiconnect import AnkiConnect, AnkiConnectError
from .plan import PlanError, make_plan
from .push import PushFailed, apply, steps
from .remote import read_collection
from .report import plan_lines, summary

PROGRESS_MIN_ACTIONS = 200  # below this a push takes a moment; no bar


def run_push(source: Path, client: AnkiConnect, options: BuildOptions, *, dry_run: bool = False,
             prune: str | None = None, yes: bool = False, force: bool = False) -> int:
    """Returns the exit code; prints the plan (dry run) or what was done."""
    from . import state

    _status(f"rendering {source} as `build` does")
    built = _build(source, options)
    if built is None:
        return 1
    record_path = state.path_for(source)
    pushed_before = state.load(record_path)
    try:
        client.check_version()
        _status(f"reading the collection through AnkiConnect at {client.url}")
        plan = make_plan(built, read_collection(client, built), pushed_before, prune, force)
    except (AnkiConnectError, PlanError) as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    if dry_run:
        for line in plan_lines(plan):
            click.echo(line)
        click.echo(summary(plan, done=False), err=True)
        return 0
    for line in plan_lines(plan):
        if line.startswith(("edited in Anki", "removed")):
            click.echo(line)  # what push leaves alone is always shown; the rest only counted
    if plan.to_delete and not _confirm_delete(len(plan.to_delete), yes):
        return 1
    try:
        with _progress(len(steps(built, plan))) as advance:
            record = apply(client, built, plan, pushed_before, advance)
    except PushFailed as exc:
        _save_record(record_path, exc.record)
        click.echo(f"error: {exc}", err=True)
        click.echo(f"{exc.completed} changes were made before it stopped; push again to finish", err=True)
        return 1
    if record != pushed_before:
        _save_record(record_path, record)
    click.echo(summary(plan, done=True))
    return 0


def _save_record(path: Path, record) -> None:
    from . import state

    try:
        state.save(path, record)
    except OSError as exc:
        # Anki is up to date either way; without the record, the next push cannot tell
        # an edit made in Anki from an older version of the source.
        click.echo(f"warning: cannot write {path} ({exc.strerror or exc}); edits made in Anki "
                   "will not be detected on the next push", err=True)


def _build(source: Path, options: BuildOptions):
    """The Anki structure `build` would package, or None after printing why not."""
    from ..backends.anki import anki_deck
    from ..build import make_context
    from ..diagnostics import ContentError, format_text
    from ..timestamps import TimestampError
    from ..validate import load_deck

    deck, diagnostics = load_deck(source)
    for d in diagnostics:
        click.echo(format_text(d), err=True)
    if deck is None:
        click.echo(f"{source}: not pushed: fix the errors above", err=True)
        return None
    try:
        return anki_deck(deck, make_context(deck, source, options))
    except TimestampError as exc:
        click.echo(f"error: {exc}", err=True)
    except ContentError as exc:
        for d in exc.diagnostics:
            click.echo(format_text(d), err=True)
        click.echo(f"{source}: not pushed: fix the errors above", err=True)
    return None


def _confirm_delete(count: int, yes: bool) -> bool:
    if yes:
        return True
    question = f"Delete {count} note{'s' if count != 1 else ''} and their review history from Anki?"
    if not sys.stdin.isatty():
        click.echo(f"error: {question} Refusing without --yes (standard input is not a terminal)", err=True)
        return False
    if click.confirm(question, default=False, err=True):
        return True
    click.echo("nothing changed", err=True)
    return False


def _status(message: str) -> None:
    """A line of progress for a person at a terminal; scripts and logs get only the result."""
    if sys.stderr.isatty():
        click.echo(f"{message}…", err=True)


@contextlib.contextmanager
def _progress(total: int):
    if total < PROGRESS_MIN_ACTIONS or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label="pushing to Anki", file=sys.stderr) as bar:
        yield bar.update
