"""Profile `studypack build` with cProfile (one run per output) and `--help` with -X importtime.

    python benchmarks/profile.py [--size 10000] [--only anki,pdf,...] [--top 15]

cProfile sees only the main process: if the build renders in worker processes,
profile `--only X` runs, which stay in one process.
"""

from __future__ import annotations

import argparse
import io
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from generate import CACHE, deck_path  # noqa: E402


def profile_build(deck: Path, only: str | None, top: int, reuse: bool) -> str:
    label = only or "all"
    stats_file = CACHE / f"profile-{deck.stem}-{label}.prof"
    if not (reuse and stats_file.exists()):
        with tempfile.TemporaryDirectory(prefix="profile-") as out:
            argv = [sys.executable, "-m", "cProfile", "-o", str(stats_file), "-m", "exporter",
                    "build", str(deck), "-o", out, *(["--only", only] if only else [])]
            subprocess.run(argv, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return summarise(stats_file, f"build --only {label}", top)


def summarise(stats_file: Path, label: str, top: int) -> str:
    """studypack's own functions by cumulative time (where), every function by own time (what)."""
    text = io.StringIO()
    stats = pstats.Stats(str(stats_file), stream=text)
    text.write(f"\n===== {label}: {stats.total_tt:.2f} s profiled ({stats_file.name}) =====\n")
    text.write(f"\n--- studypack functions, top {top} by cumulative ---\n")
    stats.sort_stats("cumulative").print_stats(r"/exporter/(?!__main__|cli)", top)
    text.write(f"\n--- all functions, top {top} by own time ---\n")
    stats.sort_stats("tottime").print_stats(top)
    return text.getvalue()


def import_times(top: int) -> str:
    """The slowest imports of `--help`, by cumulative microseconds."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "exporter", "--help"],
                            cwd=REPO, capture_output=True, text=True, check=True)
    rows = []
    for line in result.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    total = max(us for us, _ in rows)
    lines = [f"\n===== python -X importtime -m exporter --help: {len(rows)} modules, "
             f"largest cumulative {total / 1000:.1f} ms ====="]
    lines += [f"{us / 1000:8.1f} ms  {name}" for us, name in sorted(rows, reverse=True)[:top]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--only", default="all,anki,pdf,flashcards,handbook",
                        help="profiles to take: 'all' and/or output names (default: %(default)s)")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="summarise existing .prof files in .cache/")
    args = parser.parse_args()
    print(import_times(args.top))
    deck = deck_path(args.size)
    for only in args.only.split(","):
        print(profile_build(deck, None if only == "all" else only, args.top, args.reuse), flush=True)


if __name__ == "__main__":
    main()
