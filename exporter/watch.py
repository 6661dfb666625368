"""`studypack watch`: rebuild on every save of the source, its media or the templates."""

from __future__ import annotations

import time
from pathlib import Path
from threading import Event

import click
import watchfiles

from . import ledger
from .backends import BuildOptions, default_templates_dir
from .build import run_build


def run_watch(source: Path, out_dir: Path, only: tuple[str, ...], options: BuildOptions,
              *, stop_event: Event | None = None, debounce_ms: int = 300) -> int:
    """Build now, then after every change; errors are printed and the watch goes on."""
    watched = [source.resolve().parent, options.templates_dir or default_templates_dir()]
    _build_and_report(source, out_dir, only, options)
    click.echo(f"watching {', '.join(str(p) for p in watched)} (Ctrl-C to stop)", err=True)
    changes = watchfiles.watch(
        *watched, stop_event=stop_event, debounce=debounce_ms, raise_interrupt=False,
        watch_filter=lambda change, path: not is_build_output(Path(path), source, out_dir),
    )
    for _ in changes:
        _build_and_report(source, out_dir, only, options)
    return 0


OUTPUT_SUFFIXES = (".apkg", "-cheatsheet.pdf", "-flashcards.pdf", "-handbook.md")


def is_build_output(path: Path, source: Path, out_dir: Path) -> bool:
    """A file the build writes itself (watching it would rebuild in a loop): the ledger, a
    staged temp file, or an output in the output folder. Not the whole folder: with `-o .`
    the source and its images live there too, and their edits must still rebuild."""
    path = path.resolve()
    staged = path.name.startswith(".") and path.name.endswith(".tmp")
    if staged or path == ledger.path_for(source.resolve()):
        return True
    out = out_dir.resolve()
    if path.parent == out and path.name.endswith(OUTPUT_SUFFIXES):
        return True
    # The handbook's images copied into out/media, unless that is where the images live.
    return path.is_relative_to(out / "media") and not path.is_relative_to(source.resolve().parent / "media")


def _build_and_report(source: Path, out_dir: Path, only: tuple[str, ...], options: BuildOptions) -> None:
    started = time.perf_counter()
    code = run_build(source, out_dir, only, options, per_output_lines=False)
    elapsed = time.perf_counter() - started
    state = "ok" if code == 0 else "failed"
    click.echo(f"[{time.strftime('%H:%M:%S')}] {state} in {elapsed:.2f} s", err=True)
