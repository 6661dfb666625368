"""Time `studypack import` of a large .apkg (issue 17's target: 10 000 notes in at most 15 s).

    python benchmarks/import_apkg.py [--size 10000] [--runs 3]

Two packages of `--size` notes: one studypack built from the synthetic deck of generate.py
(HTML with lists, code, tables), one made with genanki as third-party decks are (Basic notes,
HTML, a sub-deck per 500 notes). Each import is a whole process, like a user's run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from generate import CACHE, deck_path  # noqa: E402
from run import child_env  # noqa: E402

TARGET_SECONDS = 15.0


def studypack_apkg(size: int) -> Path:
    source = deck_path(size)
    out = CACHE / f"import-studypack-{size}"
    apkg = out / next(iter([p.name for p in out.glob("*.apkg")]), "missing.apkg")
    if not apkg.exists():
        subprocess.run([sys.executable, "-m", "exporter", "build", str(source), "--only", "anki",
                        "-o", str(out)], check=True, cwd=REPO, env=child_env(), stdout=subprocess.DEVNULL)
        apkg = next(out.glob("*.apkg"))
    return apkg


def genanki_apkg(size: int) -> Path:
    import genanki

    path = CACHE / f"import-genanki-{size}.apkg"
    if path.exists():
        return path
    model = genanki.Model(1_500_000_001, "Basic", fields=[{"name": "Front"}, {"name": "Back"}],
                          templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}])
    decks = {}
    for i in range(size):
        name = f"Big::Part {i // 500:03d}"
        deck = decks.setdefault(name, genanki.Deck(1_600_000_000 + i // 500, name))
        deck.add_note(genanki.Note(model, [
            f"What is <b>item {i}</b> in \\(x_{{{i}}}\\)?",
            f"It is the {i}th thing. <ul><li>one <code>x = {i}</code></li><li>two</li></ul>"
            f"<table><tr><th>a</th><th>b</th></tr><tr><td>{i}</td><td>{i + 1}</td></tr></table>"],
            guid=f"g{i}", tags=["big", f"part::p{i // 500}"]))
    CACHE.mkdir(exist_ok=True)
    genanki.Package(list(decks.values())).write_to_file(str(path), timestamp=1_700_000_000)
    return path


def time_import(apkg: Path, runs: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of each run; CPU (user + system, the worker included) swings
    less than wall time on a shared machine."""
    samples = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            child = subprocess.Popen([sys.executable, "-m", "exporter", "import", str(apkg), "-o",
                                      os.path.join(folder, "questions.yaml")], cwd=REPO,
                                     env=child_env(), stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - started
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"import of {apkg} failed")
            samples.append((wall, usage.ru_utime + usage.ru_stime))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for label, apkg in (("studypack-built", studypack_apkg(args.size)), ("genanki", genanki_apkg(args.size))):
        samples = time_import(apkg, args.runs)
        median = statistics.median(wall for wall, _ in samples)
        cpu = statistics.median(cpu for _, cpu in samples)
        verdict = "pass" if median <= TARGET_SECONDS else "FAIL"
        runs = ", ".join(f"{wall:.2f}" for wall, _ in samples)
        print(f"import {label} .apkg, {args.size} notes: median {median:.2f} s wall, {cpu:.2f} s CPU "
              f"(runs {runs}); target ≤ {TARGET_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
