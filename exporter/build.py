"""The orchestrator: pick backends, render in memory, then write atomically or compare (--check)."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import ledger
from .backends import BACKENDS, Backend, BuildContext, BuildOptions, default_templates_dir
from .config import Config
from .diagnostics import ContentError, Diagnostic, coded
from .markup import DeckMarkup
from .model import Deck
from .outputs import Output, OutputError, overwritten_input, stale_outputs, write_outputs
from .report import Reporter, plural
from .timestamps import deck_digest, digest, media_digests, now, question_digest


def make_context(deck: Deck, source_path: Path, options: BuildOptions | None = None,
                 templates_dir: Path | None = None, plan: ledger.Plan | None = None,
                 markup: DeckMarkup | None = None) -> BuildContext:
    """Everything the backends read: every field parsed once, every image read once, the times.
    markup: the trees the backend checks already parsed, parsed no second time."""
    options = options or BuildOptions()
    templates = templates_dir or options.templates_dir or default_templates_dir()
    content_dir = source_path.resolve().parent
    plan = plan or plan_times(deck, source_path, templates)
    return BuildContext(timestamp=plan.times.deck, content_dir=content_dir,
                        markup=_parsed(deck, source_path, markup),
                        media=_read_media(deck, content_dir, source_path),
                        options=options, templates_dir=templates, source_path=source_path,
                        times=plan.times)


def _parsed(deck: Deck, source_path: Path, markup: DeckMarkup | None = None) -> DeckMarkup:
    """Every field's tree; a field past a markup limit that validation let through (it
    parses only fields that look able to pass one) is a located error, not a traceback."""
    from .markup import QuestionMarkup
    from .markup.tree import MarkupError

    try:
        markup = markup or DeckMarkup(deck)
        markup.parse_all()
        return markup
    except MarkupError as first:
        problems = []
        for question in deck.questions:
            try:
                QuestionMarkup(question).parse_all()
            except MarkupError as exc:
                problems.append(Diagnostic(str(source_path), question.loc.line, question.loc.col, "error",
                                           f"question '{question.id}': {exc}", code="SP116"))
        raise ContentError(problems or [Diagnostic(str(source_path), deck.loc.line, deck.loc.col,
                                                   "error", f"the deck's description: {first}",
                                                   code="SP116")]) from first


def _read_media(deck: Deck, content_dir: Path, source_path: Path) -> dict[str, bytes]:
    """Each image once, through the same checks validation ran (the file may have changed
    since): the backends render these bytes and never open a path the deck names."""
    from .diagnostics import Diagnostic
    from .markup.images import ImageError, load_image

    media, problems = {}, []
    for relative in deck.media:
        try:
            media[relative] = load_image(content_dir, relative)
        except ImageError as exc:
            problems.append(Diagnostic(str(source_path), deck.loc.line, deck.loc.col, "error",
                                       f"image '{relative}': {exc}"))
    if problems:
        raise ContentError(problems)
    return media


NOTETYPE_FILES = ("anki/front.html", "anki/back.html", "anki/reverse_front.html", "anki/reverse_back.html",
                  "anki/cloze_front.html", "anki/cloze_back.html", "anki/style.css")


def plan_times(deck: Deck, source_path: Path, templates_dir: Path | None = None,
               environ: dict[str, str] | None = None) -> ledger.Plan:
    """The build's times from the ledger beside the source; new ones from timestamps.now()."""
    from .backends.anki.ids import NOTETYPE_VERSION

    content_dir = source_path.resolve().parent
    media = media_digests(deck, content_dir)
    folders = [templates_dir or default_templates_dir(), default_templates_dir()]
    texts = [next((f / name for f in folders if (f / name).is_file()), folders[-1] / name)
             .read_text(encoding="utf-8") for name in NOTETYPE_FILES]
    return ledger.plan(ledger.read(source_path), deck, (f"v{NOTETYPE_VERSION}", digest(texts)),
                       {q.id: question_digest(deck, q, media) for q in deck.questions},
                       deck_digest(deck), now(environ))


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
PDFS = ("pdf", "flashcards")
# Below this much text (the questions' fields, in characters) both PDFs render in this
# process and the worker renders the rest: the second PDF reuses what the first warmed (the
# highlighter, measured words, the cheat sheet's page map), which outweighs sharing out their
# work. CPU on the longer of the two paths, benchmarks' decks (~790 characters a question)
# on 2 cores, PDFs apart vs together: 30 questions 606 vs 577 ms, 60: 751 vs 768, 120: 998
# vs 1087. Text, not questions, since a few long questions cost as much as many short ones.
PDFS_APART_FROM = 36_000


def text_size(deck: Deck) -> int:
    """Characters in the questions' fields: what the PDFs' work grows with."""
    return sum(len(q.question) + len(q.answer) + len(q.details or "") for q in deck.questions)


def split(backends: tuple[Backend, ...],
          text: int = PDFS_APART_FROM) -> tuple[list[Backend], list[Backend]]:
    """Two groups: (rendered here, rendered in the worker); of about equal cost, or for a
    deck of little text the PDFs here and the rest there."""
    if text < PDFS_APART_FROM and any(b.name in PDFS for b in backends):
        return [b for b in backends if b.name in PDFS], [b for b in backends if b.name not in PDFS]
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

    here, there = split(backends, text_size(deck))
    # What both groups would start with is done once, here, and inherited by the worker.
    shared = {p for b in here for p in b.prepare} & {p for b in there for p in b.prepare}
    for prepare in dict.fromkeys(p for b in backends for p in b.prepare if p in shared):
        with contextlib.suppress(ContentError):  # render meets it again, and reports it in order
            prepare(deck, context)
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
    """The handbook links images as written (media/x.png), so they travel beside it;
    with the outputs in the content folder (`-o .`) they are already there."""
    return [Output("media", out_dir / name, context.media[name]) for name in deck.media
            if (out_dir / name).resolve() != (context.content_dir / name).resolve()]


def build_inputs(source: Path, deck: Deck, context: BuildContext) -> list[Path]:
    """Every file a build reads: the source, its images and the templates."""
    folders = dict.fromkeys(context.template_dirs)
    templates = [p for folder in folders if folder.is_dir() for p in folder.rglob("*") if p.is_file()]
    return [source, *(context.content_dir / m for m in deck.media), *templates]


def ledger_output(source_path: Path, plan: ledger.Plan) -> Output:
    return Output("ledger", ledger.path_for(source_path), plan.text.encode("utf-8"))


# --- the build command ---


def backend_problems(deck: Deck | None, source: Path, options: BuildOptions,
                     backends: tuple[Backend, ...], markup: DeckMarkup | None = None) -> list[Diagnostic]:
    """What build would refuse besides the content: the templates folder, then each selected
    backend's own check, run with the options build would use (markup: the deck's trees, for
    build to reuse what a check parsed)."""
    from .template_check import check_folder

    problems = check_folder(options.templates_dir) if options.templates_dir else []
    if deck is None:
        return problems
    # The trees are parsed only if a check reads them: most never do, and parsing 10 000
    # questions up front would cost more than the rest of a validation.
    context = BuildContext(timestamp=0, content_dir=source.resolve().parent,
                           markup=markup or DeckMarkup(deck), options=options,
                           templates_dir=options.templates_dir or default_templates_dir(), source_path=source)
    # Backends may share a check (both PDFs): each distinct one runs once.
    for check in dict.fromkeys(b.check for b in backends if b.check is not None):
        try:
            problems += check(deck, context)
        except ContentError as exc:
            problems += exc.diagnostics
    return coded(problems, "backend-error")


def validate_source(source: Path, reporter: Reporter, config: Config, config_problems: list[Diagnostic],
                    options: BuildOptions, only: tuple[str, ...], *, strict: bool = False,
                    verbose: bool = False) -> bool:
    """Report every problem of one source; True when it fails (errors, or warnings if strict).
    verbose: also list the flashcard backs too long for their card (a deck without errors)."""
    from .validate import load_deck

    deck, diagnostics = load_deck(source, config=config)
    diagnostics += config_problems + backend_problems(deck, source, options, select_backends(only))
    diagnostics.sort(key=Diagnostic.sort_key)
    reporter.problems(diagnostics)
    errors = sum(d.is_error for d in diagnostics)
    if verbose and deck is not None and not errors:
        import click

        from .backends.pdf import shortened_backs

        for line in shortened_backs(deck, make_context(deck, source, options)):
            click.echo(line)
    warnings = len(diagnostics) - errors
    used = f" (config {config.display})" if config.path else ""
    counts = (f": {plural(len(deck.questions), 'question')} in {plural(len(deck.topics), 'topic')}"
              if deck and not errors else "")
    reporter.summary(f"{source}{used}{counts}; {plural(errors, 'error')}, {plural(warnings, 'warning')}")
    reporter.file(str(source), config=config.display if config.path else None, errors=errors,
                  warnings=warnings)
    return bool(errors or (strict and warnings))


@dataclass(frozen=True)
class LedgerPolicy:
    """What the build may do with the ledger (build flags)."""

    write: bool = True  # False: --no-ledger, for a read-only source folder
    locked: bool = False  # --locked: fail when the committed ledger is out of date
    allow_id_change: bool = False  # --allow-id-change: accept a new deck id or note type


def run_build(source: Path, out_dir: Path, only: tuple[str, ...], options: BuildOptions,
              *, check: bool = False, per_output_lines: bool = True, reporter: Reporter | None = None,
              config: Config | None = None, config_problems: list[Diagnostic] = (),
              policy: LedgerPolicy = LedgerPolicy()) -> int:
    """Validate, render, then write or compare; returns the exit code and reports as it goes."""
    import click

    from .timestamps import TimestampError
    from .validate import load_deck

    reporter = reporter or Reporter()
    deck, diagnostics = load_deck(source, config=config)
    backends = select_backends(only)
    markup = DeckMarkup(deck) if deck is not None else None  # the PDFs' math check parses some
    diagnostics = sorted([*config_problems, *diagnostics,
                          *backend_problems(deck, source, options, backends, markup)],
                         key=Diagnostic.sort_key)
    reporter.problems(diagnostics)
    errors = sum(d.is_error for d in diagnostics)
    reporter.file(str(source), config=config.display if config and config.path else None, errors=errors,
                  warnings=len(diagnostics) - errors)
    if deck is None or errors:
        reporter.summary(f"{source}: not built: fix the errors above")
        return 1
    try:
        plan = plan_times(deck, source, options.templates_dir)
    except TimestampError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    except OSError as exc:  # an image or template vanished or became unreadable since validation
        click.echo(f"error: cannot read {exc.filename or 'an input'}: {exc.strerror or exc}", err=True)
        return 1
    refused = _ledger_refusal(source, plan, policy)
    if refused:
        click.echo(f"{ledger.path_for(source)}: error: {refused}", err=True)
        return 1
    try:
        context = make_context(deck, source, options, plan=plan, markup=markup)
        with _progress_bar(deck, backends) as progress, _reportlab_time(context.timestamp), \
                _collector_paused(text_size(deck) < PDFS_APART_FROM):
            outputs = render_outputs(deck, context, backends, out_dir, progress)
    except ContentError as exc:
        reporter.problems(coded(exc.diagnostics, "backend-error"))
        reporter.summary(f"{source}: not built: fix the errors above")
        return 1
    except OSError as exc:  # an input vanished or became unreadable since validation
        click.echo(f"error: cannot read {exc.filename or 'an input'}: {exc.strerror or exc}", err=True)
        return 1
    finally:
        gc.unfreeze()  # DeckMarkup froze the trees for the render: a `watch` session drops them
    record = ledger_output(source, plan)
    clash = overwritten_input([*outputs, record], build_inputs(source, deck, context))
    if clash:
        output, target = clash
        click.echo(f"error: refusing to write {output.path}: it is the input {target}; "
                   "choose another output folder (-o) or name the source *.yaml", err=True)
        return 1
    if any(o.backend == "anki" for o in outputs):
        _warn_if_in_the_future(context.timestamp)
    if check:
        # The ledger counts too: a contribution that changes questions without committing
        # the ledger would build different bytes on every machine.
        return _report_check(outputs, record if policy.write else None, plan, reporter)
    try:
        changed = write_outputs(outputs)
    except OutputError as exc:
        click.echo(f"error: {exc}; previous outputs are unchanged", err=True)
        return 1
    if policy.write:
        _write_ledger(record, plan)
    if per_output_lines:
        for output in outputs:
            reporter.info(_summary(output, deck, output in changed))
    else:
        rebuilt = sum(output in changed for output in outputs)
        reporter.info(f"built {len(deck.questions)} questions: {rebuilt} of {len(outputs)} outputs changed")
    return 0


@contextlib.contextmanager
def _collector_paused(pause: bool):
    """No cyclic garbage collection while rendering a small deck: what a render discards is
    nearly all acyclic, so the collector's passes over young objects cost ~5 % of a
    30-question build's CPU and freed nothing (peak RSS unchanged at 30 and 1 000 questions).
    Large decks keep it: at 10 000 questions peak RSS grew 868 -> 882 MiB without it."""
    enabled = gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _reportlab_time(timestamp: int):
    """reportlab reads SOURCE_DATE_EPOCH itself for the PDF's /ID: while rendering it must
    see the deck's time, so PDFs do not depend on whether (or how) the variable is set."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(timestamp)
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def _ledger_refusal(source: Path, plan: ledger.Plan, policy: LedgerPolicy) -> str | None:
    if plan.guard and not policy.allow_id_change:
        return plan.guard
    if policy.locked and plan.changes:
        return (f"out of date ({ledger.summary(plan.changes)}); run `studypack build` and commit "
                f"{ledger.path_for(source).name} (--locked forbids recording new times)")
    return None


def _write_ledger(record: Output, plan: ledger.Plan) -> None:
    """The ledger is written last and its failure is a warning: the outputs are built, only
    the times of changed parts will be recorded again by the next build."""
    import click

    try:
        write_outputs([record])
    except OutputError as exc:
        click.echo(f"warning: the ledger was not updated ({exc}); outputs are built, but "
                   "changed questions get new times on every build until it is: make the "
                   "folder writable, or pass --no-ledger to skip it", err=True)
        return
    legacy = plan.migrated_from
    if legacy is not None and legacy.exists() and legacy != record.path:
        with contextlib.suppress(OSError):
            legacy.unlink()
        click.echo(f"note: {legacy.name} is now {record.path.name}; commit both changes", err=True)


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
        click.echo("warning: the build time (SOURCE_DATE_EPOCH or the ledger's) is more than a day "
                   "in the future; Anki will refuse to import the deck", err=True)


def _report_check(outputs: list[Output], record: Output | None, plan: ledger.Plan,
                  reporter: Reporter) -> int:
    """One line per stale file, saying why (black's "would reformat" style)."""
    import click

    checked = [*outputs, record] if record else outputs
    stale = stale_outputs(checked)
    for output in stale:
        reporter.info(f"would rebuild {output.path}: {_why_stale(output, plan)}")
    if stale:
        click.echo(f"{len(stale)} of {len(checked)} outputs are stale or missing", err=True)
        return 1
    click.echo(f"all {len(checked)} outputs are up to date", err=True)
    return 0


def _why_stale(output: Output, plan: ledger.Plan) -> str:
    if output.backend == "ledger" and plan.changes:
        return f"the ledger is out of date: {ledger.summary(plan.changes)}"
    if not output.path.exists():
        return "missing"
    if plan.changes:
        return f"changed since it was built: {ledger.summary(plan.changes)}"
    return ("differs from a build of these sources and ledger (other options, another "
            "studypack version, or edited by hand)")


def _summary(output: Output, deck: Deck, changed: bool) -> str:
    size = f"{len(output.data) / 1024:.1f} KiB"
    if output.backend == "media":
        count = "image for the handbook"
    elif output.backend in ("pdf", "flashcards"):
        pages = output.data.count(b"/Type /Page") - output.data.count(b"/Type /Pages")
        count = plural(pages, "page")
        if output.backend == "flashcards":
            from .backends.pdf.flashcards import shortened_backs

            long = shortened_backs(output.data)
            count += f", {plural(long, 'back')} too long for {'its' if long == 1 else 'their'} card"
    elif output.backend == "anki":
        count = plural(len(deck.questions), "note")
    else:
        count = plural(len(deck.questions), "question")
    state = "wrote" if changed else "unchanged"
    return f"{state:9} {output.path}  {size}, {count}"
