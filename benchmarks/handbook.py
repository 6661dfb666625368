"""Handbook render time: `build --only handbook` as a process, and render() alone, per deck size.

    python benchmarks/handbook.py                         # 1 000 and 10 000 questions
    python benchmarks/handbook.py --sizes 1000 --runs 5
    python benchmarks/handbook.py --tree /tmp/old-checkout  # the same against another checkout
    python benchmarks/handbook.py --shapes                 # renderer time vs size, pathological fields

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


SHAPES = {
    # Nested as deep as the parser keeps (markdown-it drops what lies past its maxNesting).
    "quotes": lambda n: ("> " * 8 + "x\n\n") * (n // 19),
    "bullets": lambda n: "".join("  " * (i % 8) + "- x\n" for i in range(n // 12)),
    "brackets": lambda n: "[" * n,
    "emphasis": lambda n: "***a" * (n // 4),
    "images": lambda n: "![" * (n // 2),
    "ordered": lambda n: "".join("   " * (i % 8) + "1. x\n" for i in range(n // 16)),
    "backticks": lambda n: "`a``b" * (n // 5),
    "dollars": lambda n: "$a" * (n // 2),
}


def shapes() -> None:
    """The handbook renderer's time against field size: linear means the ratio stays flat.

    Trees come from the markup parser without its field limits (those refuse fields over
    20 000 characters before any backend runs): this measures the renderer alone.
    """
    sys.path.insert(0, str(ROOT))
    from markdown_it.tree import SyntaxTreeNode

    from exporter.backends.handbook.blocks import render_blocks
    from exporter.markup.tree import parser

    sizes = (16_384, 65_536, 262_144, 1_048_576)
    print("| shape | " + " | ".join(f"{s // 1024} KiB" for s in sizes) + " | µs per KiB at 1 MiB |")
    print("|---|" + "---:|" * (len(sizes) + 1))
    for name, make in SHAPES.items():
        cells = []
        for size in sizes:
            tree = SyntaxTreeNode(parser().parse(make(size)))
            started = time.perf_counter()
            render_blocks(tree, 3)
            cells.append(time.perf_counter() - started)
        print(f"| {name} | " + " | ".join(f"{c * 1000:.0f} ms" for c in cells)
              + f" | {cells[-1] * 1e6 / 1024:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tree", type=Path, default=ROOT, help="source tree to measure")
    parser.add_argument("--shapes", action="store_true", help="renderer time vs size instead")
    args = parser.parse_args()
    if args.shapes:
        shapes()
        return
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
