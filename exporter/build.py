"""The orchestrator: pick backends, render in memory, then write atomically or compare (--check)."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import ledger
from .backends import BACKENDS, Backend, BuildContext, BuildOptions, default_templates_dir
from .diagnostics import ContentError
from .markup import render_deck
from .model import Deck
from .timestamps import build_timestamp


class OutputError(Exception):
    """A file could not be written; every previous output is left as it was."""


@dataclass(frozen=True)
class Output:
    backend: str
    path: Path
    data: bytes


def make_context(deck: Deck, source_path: Path, options: BuildOptions | None = None,
                 templates_dir: Path | None = None, eager_html: bool = True) -> BuildContext:
    options = options or BuildOptions()
    templates = templates_dir or options.templates_dir or default_templates_dir()
    content_dir = source_path.resolve().parent
    inputs = [source_path, *(content_dir / m for m in deck.media), *_files(templates)]
    if templates != default_templates_dir():
        inputs += _files(default_templates_dir())  # the files the user's folder does not replace
    return BuildContext(timestamp=build_timestamp(inputs), content_dir=content_dir,
                        html=render_deck(deck, eager_html), options=options, templates_dir=templates,
                        source_path=source_path)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


# Rendering the two PDFs in different processes pays even for the 30-question deck
# (0.55 s -> 0.49 s for the whole build, measured on 2 cores); the variable lets the
# benchmarks compare with a serial build.
PARALLEL_MIN_QUESTIONS = int(os.environ.get("STUDYPACK_PARALLEL_MIN", "1"))


def select_backends(names: tuple[str, ...]) -> tuple[Backend, ...]:
    """Every backend by default; otherwise those named, in the registry's order."""
    return tuple(b for b in BACKENDS if not names or b.name in names)


def render_outputs(deck: Deck, context: BuildContext, backends: tuple[Backend, ...],
                   out_dir: Path, progress: Callable[[str], None] | None = None) -> list[Output]:
    """Render every selected backend in memory; a ContentError propagates before any write."""
    from . import parallel

    if len(backends) > 1 and len(deck.questions) >= PARALLEL_MIN_QUESTIONS and parallel.can_fork_workers():
        if progress:
            progress(" + ".join(b.name for b in backends))
        rendered = render_in_parallel(deck, context, backends)
    else:
        rendered = {}
        for backend in backends:
            if progress:
                progress(backend.name)
            rendered[backend.name] = backend.render(deck, context)
    outputs = [Output(b.name, out_dir / b.output_name(deck), rendered[b.name]) for b in backends]
    if any(b.name == "handbook" for b in backends):
        outputs.extend(_handbook_media(deck, context, out_dir))
    return outputs


# Rough relative cost of each backend, measured on synthetic decks (benchmarks/): the
# flashcards and the cheat sheet are the two heavy ones, so they go to different processes.
COST = {"flashcards": 5, "pdf": 4, "anki": 1, "handbook": 1}

def split(backends: tuple[Backend, ...]) -> tuple[list[Backend], list[Backend]]:
    """Two groups of about equal cost: (rendered here, rendered in the worker)."""
    here: list[Backend] = []
    there: list[Backend] = []
    for backend in sorted(backends, key=lambda b: -COST.get(b.name, 1)):
        cost_here = sum(COST.get(b.name, 1) for b in here)
        cost_there = sum(COST.get(b.name, 1) for b in there)
        (there if cost_there < cost_here else here).append(backend)
    return here, there


def render_in_parallel(deck: Deck, context: BuildContext,
                       backends: tuple[Backend, ...]) -> dict[str, bytes]:
    """Bytes per backend name.

    Both groups run to the end and the first failure in the backends' own order is raised,
    so the error a user sees is the one a serial build reports, whichever process found it.
    """
    from . import parallel

    here, there = split(backends)
    mine, theirs = parallel.run_beside(lambda: _render_each(deck, context, there),
                                       lambda: _render_each(deck, context, here))
    results = {**mine, **theirs}
    for backend in backends:
        if isinstance(results[backend.name], ContentError):
            raise results[backend.name]
    return results


def _render_each(deck: Deck, context: BuildContext,
                 backends: list[Backend]) -> dict[str, bytes | ContentError]:
    results: dict[str, bytes | ContentError] = {}
    for backend in backends:
        try:
            results[backend.name] = backend.render(deck, context)
        except ContentError as problem:
            results[backend.name] = problem
    return results


def _handbook_media(deck: Deck, context: BuildContext, out_dir: Path) -> list[Output]:
    """The handbook links images as written (media/x.png), so they travel beside it."""
    return [Output("media", out_dir / name, (context.content_dir / name).read_bytes())
            for name in deck.media]


def stale_outputs(outputs: list[Output]) -> list[Output]:
    return [o for o in outputs if _read_or_none(o.path) != o.data]


def write_outputs(outputs: list[Output]) -> list[Output]:
    """Write the changed outputs: all temp files first, then os.replace each.

    A failure while staging (unwritable folder, full disk) removes the temp files and
    leaves every previous output intact. An unchanged file is not touched, so its mtime
    stays and make-like tools see no change.
    """
    changed = stale_outputs(outputs)
    for output in changed:
        _remove_leftover_temps(output.path)
    staged: list[tuple[str, Output]] = []
    try:
        for output in changed:
            staged.append((_stage(output), output))
    except OSError as exc:
        for temp, _ in staged:
            _remove_quietly(temp)
        failed = _failed_path(exc, changed, staged)
        raise OutputError(f"cannot write {failed}: {exc.strerror or exc}") from exc
    for temp, output in staged:
        os.replace(temp, output.path)
    return changed


def ledger_output(source_path: Path, deck: Deck) -> Output:
    path = ledger.path_for(source_path)
    return Output("ledger", path, ledger.updated_text(source_path, deck).encode("utf-8"))


def _stage(output: Output) -> str:
    output.path.parent.mkdir(parents=True, exist_ok=True)
    if output.path.is_dir():  # os.replace would fail only after other outputs were replaced
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(output.path))
    fd, temp = tempfile.mkstemp(dir=output.path.parent, prefix=f".{output.path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(output.data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o666 & ~_umask())
    except BaseException:
        _remove_quietly(temp)
        raise
    return temp


def _remove_leftover_temps(path: Path) -> None:
    """Temp files of a build that was killed (SIGKILL) before it could clean up."""
    if path.parent.is_dir():
        for leftover in path.parent.glob(f".{path.name}.*.tmp"):
            _remove_quietly(str(leftover))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _failed_path(exc: OSError, changed: list[Output], staged: list) -> Path | str:
    return changed[len(staged)].path if len(staged) < len(changed) else (exc.filename or "output")


# --- the build command ---


def run_build(source: Path, out_dir: Path, only: tuple[str, ...], options: BuildOptions,
              *, check: bool = False, per_output_lines: bool = True) -> int:
    """Validate, render, then write or compare; returns the exit code and reports as it goes."""
    import click

    from .diagnostics import ContentError, format_text
    from .timestamps import TimestampError
    from .validate import load_deck

    deck, diagnostics = load_deck(source)
    for d in diagnostics:
        click.echo(format_text(d), err=True)
    if deck is None:
        click.echo(f"{source}: not built: fix the errors above", err=True)
        return 1
    try:
        backends = select_backends(only)
        # The handbook reads only the questions' HTML; every other backend reads every field.
        context = make_context(deck, source, options,
                               eager_html=any(b.name != "handbook" for b in backends))
        with _progress_bar(deck, backends) as progress:
            outputs = render_outputs(deck, context, backends, out_dir, progress)
    except TimestampError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    except ContentError as exc:
        for d in exc.diagnostics:
            click.echo(format_text(d), err=True)
        click.echo(f"{source}: not built: fix the errors above", err=True)
        return 1
    if any(o.backend == "anki" for o in outputs):
        _warn_if_in_the_future(context.timestamp)
    if check:
        # The id ledger counts too: a contribution that adds questions without committing
        # the ledger would leave their ids unguarded.
        return _report_check([*outputs, ledger_output(source, deck)])
    try:
        changed = write_outputs([*outputs, ledger_output(source, deck)])
    except OutputError as exc:
        click.echo(f"error: {exc}; previous outputs are unchanged", err=True)
        return 1
    if per_output_lines:
        for output in outputs:
            click.echo(_summary(output, deck, output in changed))
    else:
        rebuilt = sum(output in changed for output in outputs)
        click.echo(f"built {len(deck.questions)} questions: {rebuilt} of {len(outputs)} outputs changed")
    return 0


PROGRESS_MIN_QUESTIONS = 500  # below this a build takes well under a second


@contextlib.contextmanager
def _progress_bar(deck: Deck, backends: tuple[Backend, ...]):
    """A bar on stderr for large decks, only when a person is watching the terminal."""
    import click

    if len(deck.questions) < PROGRESS_MIN_QUESTIONS or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=len(backends), label=f"building {len(deck.questions)} questions",
                           file=sys.stderr, item_show_func=lambda name: name) as bar:
        started = False

        def advance(name: str) -> None:
            nonlocal started
            bar.update(1 if started else 0, name)
            started = True

        yield advance
        bar.update(1, "done")


def _warn_if_in_the_future(timestamp: int) -> None:
    # The clock is read only to warn, never written into an output: Anki refuses a
    # package whose ids (derived from the build time) lie more than a day ahead.
    import time

    import click

    if timestamp > time.time() + 86_400:
        click.echo("warning: the build time (SOURCE_DATE_EPOCH or file times) is more than a day "
                   "in the future; Anki will refuse to import the deck", err=True)


def _report_check(outputs: list[Output]) -> int:
    import click

    stale = stale_outputs(outputs)
    for output in stale:
        click.echo(f"would rebuild {output.path}")
    if stale:
        click.echo(f"{len(stale)} of {len(outputs)} outputs are stale or missing", err=True)
        return 1
    click.echo(f"all {len(outputs)} outputs are up to date", err=True)
    return 0


def _summary(output: Output, deck: Deck, changed: bool) -> str:
    size = f"{len(output.data) / 1024:.1f} KiB"
    if output.backend == "media":
        count = "image for the handbook"
    elif output.backend in ("pdf", "flashcards"):
        count = f"{output.data.count(b'/Type /Page') - output.data.count(b'/Type /Pages')} pages"
        if output.backend == "flashcards":
            from .backends.pdf.flashcards import shortened_backs

            count += f", {shortened_backs(output.data)} backs too long for their card"
    elif output.backend == "anki":
        count = f"{len(deck.questions)} notes"
    else:
        count = f"{len(deck.questions)} questions"
    state = "wrote" if changed else "unchanged"
    return f"{state:9} {output.path}  {size}, {count}"
