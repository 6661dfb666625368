"""Math in the PDFs: a full build of a bank with ~2 600 formulas, cold and warm cache, against the
same bank with its math stripped (issue 20: warm <= 1.15x, cold <= 2x). Not a timed test.

    python benchmarks/mathbank.py [--questions 1000] [--runs 3]

The bank is benchmarks/generate.py's synthetic deck with math added, written twice from one
seed: with formulas (inline in answers and details, one display formula in most details,
numbers varied so nearly every formula is distinct: the cold cache's worst case) and with
every formula left out. Each build is a whole `python -m exporter build` process into a fresh
folder; "cold" points STUDYPACK_CACHE_DIR at an empty folder every run, "warm" at one a
previous build filled.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import CACHE, TOPICS, question  # noqa: E402
from run import PY, Sample, run_once  # noqa: E402

INLINE = (
    r"x_{%d}^2 + y_{%d}", r"\frac{%d}{n}", r"\alpha_{%d} \le \beta", r"\| w \|_{%d}",
    r"e^{-%d t}", r"\sum_{i=1}^{%d} x_i", r"\sqrt{%d + x^2}", r"P(y = %d \mid x)",
    r"\theta_{t+1} = \theta_t - \eta \nabla L_{%d}", r"\{x : x > %d\}",
)
DISPLAY = (
    r"\sigma(z_{%d}) = \frac{1}{1 + e^{-z_{%d}}}",
    r"\mathrm{softmax}(z)_{%d} = \frac{e^{z_{%d}}}{\sum_j e^{z_j}}",
    r"\begin{pmatrix} a_{%d} & b \\ c & d_{%d} \end{pmatrix}",
    r"L = -\frac{1}{N}\sum_{i=1}^{N} y_i \log \hat{y}_{%d}",
    r"\| A \|_F = \sqrt{\sum_{i,j} a_{ij}^{%d}}",
)
MARK = re.compile(r"\x00(.*?)\x01", re.S)


def formula(rng: random.Random, templates: tuple[str, ...]) -> str:
    template = rng.choice(templates)
    return template.replace("%d", str(rng.randrange(1000)))


def math_question(rng: random.Random, index: int, count: int) -> dict:
    """A generated question with formulas marked \\x00…\\x01, so both variants share the text."""
    q = question(rng, index, count)
    q["answer"] += f" It is \x00${formula(rng, INLINE)}$\x01 here."
    details = list(q["details"])
    details[0] += f" With \x00${formula(rng, INLINE)}$\x01 inline."
    if rng.random() < 0.6:
        details += ["", f"\x00$${formula(rng, DISPLAY)}$$\x01"]
    q["details"] = details
    return q


def bank_yaml(count: int, with_math: bool, seed: int = 0) -> str:
    rng = random.Random(f"math:{seed}:{count}")
    lines = ["schema: 1", "deck:", f"  id: math-bank-{count}", f"  title: Math Bank ({count})",
             '  version: "1.0"', "topics:",
             *(f"  - id: {tid}\n    title: {json.dumps(title, ensure_ascii=False)}"
               for tid, title in TOPICS), "questions:"]
    def keep(text: str) -> str:
        return MARK.sub(lambda m: m[1] if with_math else "", text)

    for i in range(count):
        q = math_question(rng, i, count)
        q["answer"], q["details"] = keep(q["answer"]), [keep(line) for line in q["details"]]
        lines += [f"  - id: {q['id']}", f"    topic: {q['topic']}",
                  f"    question: {json.dumps(q['question'], ensure_ascii=False)}",
                  f"    answer: {json.dumps(q['answer'], ensure_ascii=False)}", "    details: |",
                  *(f"      {line}" if line else "" for line in q["details"])]
    return "\n".join(lines) + "\n"


def bank(count: int, with_math: bool) -> Path:
    path = CACHE / f"math-bank-{count}-{'math' if with_math else 'stripped'}.yaml"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        path.write_text(bank_yaml(count, with_math), encoding="utf-8")
    return path


def build(deck: Path, cache: Path, sample: Sample) -> None:
    os.environ["STUDYPACK_CACHE_DIR"] = str(cache)  # run_once's child inherits it
    run_once([PY, "-m", "exporter", "build", str(deck), "-o", "{out}"], sample)


def measure(count: int, runs: int) -> dict[str, Sample]:
    with_math, stripped = bank(count, True), bank(count, False)
    text = with_math.read_text(encoding="utf-8")
    formulas = re.findall(r"\$\$?(.+?)\$\$?", text)
    print(f"{with_math.name}: {len(formulas)} formulas, {len(set(formulas))} distinct")
    samples = {name: Sample() for name in ("stripped", "warm", "cold")}
    with tempfile.TemporaryDirectory() as tmp:
        warm_cache = Path(tmp) / "warm"
        build(with_math, warm_cache, Sample())  # fills the warm cache; also warms the OS caches
        build(stripped, Path(tmp) / "unused", Sample())
        for run in range(runs):  # alternating, so load on the machine hits all three alike
            build(stripped, Path(tmp) / f"stripped-{run}", samples["stripped"])
            build(with_math, warm_cache, samples["warm"])
            build(with_math, Path(tmp) / f"cold-{run}", samples["cold"])
            print(f"  run {run + 1}: " + ", ".join(
                f"{k} {v.seconds[-1]:.2f} s" for k, v in samples.items() if v.seconds))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    samples = measure(args.questions, args.runs)
    for name, sample in samples.items():
        if sample.failure:
            sys.exit(f"{name} build failed: {sample.failure}")
    base = samples["stripped"].median
    print("| build | wall (median) | CPU (median) | / stripped (wall) | / stripped (CPU) | target |")
    print("|---|---:|---:|---:|---:|---|")
    limits = {"stripped": None, "warm": 1.15, "cold": 2.0}
    for name, sample in samples.items():
        wall, cpu = sample.median, sample.cpu_median
        ratio = wall / base
        cpu_ratio = cpu / samples["stripped"].cpu_median
        limit = limits[name]
        target = "" if limit is None else f"≤ {limit}× {'met' if ratio <= limit else 'MISSED'}"
        print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {ratio:.2f}× | {cpu_ratio:.2f}× | {target} |")
    print(f"(runs: {args.runs}; {statistics.median(samples['stripped'].rss) / 2**20:.0f} MiB peak RSS "
          f"stripped, {statistics.median(samples['cold'].rss) / 2**20:.0f} MiB cold)")


if __name__ == "__main__":
    main()
