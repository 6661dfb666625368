"""Validation time against deck size for the shapes that used to be quadratic (issue 18).

    python benchmarks/validate_shapes.py [--sizes 1000,2000,4000,8000]

Each shape is a deck of N questions: every question related to a misspelled id (did-you-mean
over all ids), or carrying 60 tags. Linear means the seconds per question stay flat.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from exporter.validate import load_deck  # noqa: E402

SHAPES = {
    "misspelled-related": lambda i: f"    related: [questoin-{i}]\n",
    "misspelled-topic": lambda i: "    topic: tt\n",
    "60-tags": lambda i: "    tags: [" + ", ".join(f"tag-{j}" for j in range(60)) + "]\n",
}


def deck(size: int, extra) -> str:
    head = "schema: 1\ndeck:\n  id: d\n  title: D\ntopics:\n  - id: t\n    title: T\nquestions:\n"
    return head + "".join(
        f"  - id: question-{i}\n" + (extra(i) if "topic" in extra(i) else "    topic: t\n" + extra(i))
        + f"    question: Q{i}?\n    answer: A.\n" for i in range(size))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,2000,4000,8000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    print(f"{'shape':20} {'questions':>9} {'seconds':>8} {'µs/question':>12} {'problems':>9}")
    with tempfile.TemporaryDirectory() as folder:
        for shape, extra in SHAPES.items():
            for size in sizes:
                path = Path(folder) / f"{shape}-{size}.yaml"
                path.write_text(deck(size, extra), "utf-8")
                started = time.perf_counter()
                _, found = load_deck(path)
                elapsed = time.perf_counter() - started
                print(f"{shape:20} {size:9} {elapsed:8.2f} {elapsed / size * 1e6:12.0f} {len(found):9}")


if __name__ == "__main__":
    main()
