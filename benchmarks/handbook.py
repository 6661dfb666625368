"""Handbook render time: `build --only handbook` as a process, and render() alone, per deck size.

    python benchmarks/handbook.py                         # 1 000 and 10 000 questions
    python benchmarks/handbook.py --sizes 1000 --runs 5
    python benchmarks/handbook.py --tree /tmp/old-checkout  # the same against another checkout

`--tree` runs the measurement from another source tree (e.g. `git archive <commit> | tar -x -C
DIR`), so before and after come from one invocation each, on the same decks.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import deck_path  # noqa: E402

ROOT = HERE.parent
RENDER_ONLY = """
import sys, time
from pathlib import Path
from exporter.backends.handbook import render
from exporter.build import make_context
from exporter.validate import load_deck
source = Path(sys.argv[1])
deck, _ = load_deck(source)
context = make_context(deck, source)
started = time.perf_counter()
render(deck, context)
print(time.perf_counter() - started)
"""


def build_seconds(tree: Path, source: Path) -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "exporter", "build", str(source), "--only", "handbook",
                        "-o", out], cwd=tree, check=True, capture_output=True)
        return time.perf_counter() - started


def render_seconds(tree: Path, source: Path) -> float:
    done = subprocess.run([sys.executable, "-c", RENDER_ONLY, str(source)], cwd=tree, check=True,
                          capture_output=True, text=True)
    return float(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tree", type=Path, default=ROOT, help="source tree to measure")
    args = parser.parse_args()
    print("| questions | build --only handbook | render() alone | runs |")
    print("|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        source = deck_path(size)
        builds = [build_seconds(args.tree, source) for _ in range(args.runs)]
        renders = [render_seconds(args.tree, source) for _ in range(args.runs)]
        print(f"| {size} | {statistics.median(builds):.2f} s | {statistics.median(renders):.2f} s "
              f"| {args.runs} |")


if __name__ == "__main__":
    main()
