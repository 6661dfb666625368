"""Markdown conversion at 10 000 questions: Python-Markdown (the old converter, from git) vs markdown-it-py.

    python benchmarks/markup_speed.py [--count 10000] [--runs 3] [--old-ref main]

Times, in one process and serially, the job both do: every question's three fields from text
to the sanitised HTML of the Anki fields. The old converter is read from git (`--old-ref`,
default main, else the commit before the engine change) and needs the `markdown` package.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# benchmarks/profile.py would shadow the stdlib's (Pygments' plugin lookup imports cProfile).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(REPO))
_spec = importlib.util.spec_from_file_location("generate", HERE / "generate.py")
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)
deck_path, messy_deck = generate.deck_path, generate.messy_deck

OLD_PATH = "exporter/markup/__init__.py"
FALLBACK_REF = "c811dc9"  # the last commit with the Python-Markdown converter


def old_converter(ref: str):
    """The old module's `_convert`, loaded from git with its one relative import made absolute."""
    for candidate in (ref, FALLBACK_REF):
        shown = subprocess.run(["git", "show", f"{candidate}:{OLD_PATH}"], cwd=REPO,
                               capture_output=True, text=True)
        if shown.returncode == 0 and "import markdown" in shown.stdout:
            break
    else:
        sys.exit(f"no Python-Markdown converter at {ref} or {FALLBACK_REF}")
    source = shown.stdout.replace("from ..model import", "from exporter.model import")
    folder = Path(tempfile.mkdtemp())
    (folder / "old_markup.py").write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_markup", folder / "old_markup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._convert, candidate


def new_convert(questions) -> list[tuple[str, str, str]]:
    """The trees, then the Anki fields' HTML from them (the old converter's output)."""
    from exporter.backends.anki.fields import block_html, inline_html

    trees = new_parse(questions)
    return [(inline_html(t.question, {}), inline_html(t.answer, {}), block_html(t.details, {}))
            for t in trees]


def new_parse(questions) -> list:
    """What the build does once for every backend: DeckMarkup(eager=True)."""
    from exporter.markup import QuestionMarkup

    trees = [QuestionMarkup(q) for q in questions]
    gc.disable()
    try:
        for tree in trees:
            tree.parse_all()
    finally:
        gc.freeze()  # as DeckMarkup.parse_all does; best_of unfreezes after each run
        gc.enable()
    return trees


def best_of(runs: int, job, questions) -> float:
    """CPU seconds (steadier than the wall clock on a shared machine): best, median."""
    times = []
    for _ in range(runs):
        started = time.process_time()
        job(questions)
        times.append(time.process_time() - started)
        gc.unfreeze()
    return min(times), statistics.median(times)


def load(path: Path):
    from exporter.validate import load_deck

    deck, diagnostics = load_deck(path)
    assert deck is not None, diagnostics[:3]
    return deck.questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--old-ref", default="main")
    args = parser.parse_args()
    old, ref = old_converter(args.old_ref)
    messy = Path(tempfile.mkdtemp()) / "messy.yaml"
    messy.write_text(messy_deck(args.count)[0], encoding="utf-8")
    print(f"old converter from {ref}; best and median of {args.runs} runs, CPU seconds")
    print("| deck | old: Python-Markdown → HTML | new: trees (shared) | speed-up | new: trees + Anki HTML "
          "| speed-up |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, path in (("benchmark deck", deck_path(args.count)), ("real-bank mix", messy)):
        questions = load(path)
        old_best, old_median = best_of(args.runs, old, questions)
        new_best, new_median = best_of(args.runs, new_convert, questions)
        tree_best, _ = best_of(args.runs, new_parse, questions)
        print(f"| {name}, {len(questions)} questions | {old_best:.2f} ({old_median:.2f}) | "
              f"{tree_best:.2f} | {old_best / tree_best:.2f}× | {new_best:.2f} ({new_median:.2f}) | "
              f"{old_best / new_best:.2f}× |")


if __name__ == "__main__":
    main()
