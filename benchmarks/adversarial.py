"""Validate and build time against input size for the pathological shapes (issue 18).

Each shape of tests/adversarial.py is made into decks of 16 KB to 1 MB (as many full-sized
questions as fit: every field stays under the markup layer's per-field limit, so the whole
pipeline runs on it) and validated and built in a fresh process. A linear stage shows a
flat ms-per-KB column.

    python benchmarks/adversarial.py                      # every shape, 16 KB .. 1 MB
    python benchmarks/adversarial.py --sizes 64,256 --shapes run-links,nest-blockquotes
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from adversarial import SHAPES, largest_deck  # noqa: E402


def timed(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "exporter", *args], cwd=ROOT, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="16,64,256,1024", help="deck sizes in KB")
    parser.add_argument("--shapes", default=",".join(sorted(SHAPES)))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print("| shape | KB | validate s | build s | build ms/KB |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for shape in args.shapes.split(","):
            for kb in sizes:
                source = Path(folder) / f"{shape}-{kb}.yaml"
                source.write_text(largest_deck(SHAPES[shape], kb * 1024), encoding="utf-8")
                check = timed("validate", str(source))
                build = timed("build", str(source), "-o", str(Path(folder) / "out"), "--no-ledger")
                print(f"| {shape} | {kb} | {check:.2f} | {build:.2f} | {build / kb * 1e3:.1f} |",
                      flush=True)


if __name__ == "__main__":
    main()
