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
    ignored = _ignored_paths(source, out_dir)
    _build_and_report(source, out_dir, only, options)
    click.echo(f"watching {', '.join(str(p) for p in watched)} (Ctrl-C to stop)", err=True)
    changes = watchfiles.watch(
        *watched, stop_event=stop_event, debounce=debounce_ms, raise_interrupt=False,
        watch_filter=lambda change, path: not any(Path(path).is_relative_to(i) for i in ignored),
    )
    for _ in changes:
        _build_and_report(source, out_dir, only, options)
    return 0


def _ignored_paths(source: Path, out_dir: Path) -> list[Path]:
    # The build writes these itself; watching them would rebuild in a loop.
    return [out_dir.resolve(), ledger.path_for(source.resolve())]


def _build_and_report(source: Path, out_dir: Path, only: tuple[str, ...], options: BuildOptions) -> None:
    started = time.perf_counter()
    code = run_build(source, out_dir, only, options, per_output_lines=False)
    elapsed = time.perf_counter() - started
    state = "ok" if code == 0 else "failed"
    click.echo(f"[{time.strftime('%H:%M:%S')}] {state} in {elapsed:.2f} s", err=True)
