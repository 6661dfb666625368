"""Seeded synthetic decks in schema 1, for timing studypack at every size."""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"

TOPICS = (
    ("fundamentals", "ML Fundamentals"),
    ("evaluation", "Evaluation & Metrics"),
    ("deep-learning", "Neural Networks & Deep Learning"),
    ("transformers", "Attention & Transformers"),
    ("generative-ai", "LLMs & Generative AI"),
    ("applied-ml", "Applied ML & System Design"),
    ("mlops", "Production & MLOps"),
    ("data", "Data Engineering für ML"),
)
SUBJECTS = (
    "gradient descent", "batch normalisation", "dropout", "the bias–variance tradeoff",
    "cross-validation", "precision and recall", "the ROC curve", "attention heads",
    "positional encodings", "beam search", "retrieval-augmented generation", "feature stores",
    "data drift", "model distillation", "quantisation", "early stopping", "weight decay",
    "the softmax function", "k-means clustering", "principal component analysis",
    "gradient boosting", "random forests", "embedding tables", "tokenisation",
    "learning-rate warm-up", "class imbalance", "A/B tests", "canary releases",
)
VERBS = ("explain", "compare", "justify", "debug", "tune", "monitor", "choose", "scale")
CONTEXTS = (
    "a small tabular dataset", "a café's demand forecast", "a search ranking model",
    "a fraud detector", "a speech model in Zürich", "a recommender with cold users",
    "a chatbot for support tickets", "an image classifier on the edge",
)
WORDS = (
    "loss", "signal", "variance", "batch", "label", "feature", "weight", "layer", "error",
    "metric", "sample", "token", "vector", "budget", "latency", "gradient", "prior", "noise",
)
SYMBOLS = ("→", "≈", "²", "é", "ü", "±", "≤", "×")
DIFFICULTIES = ("easy", "medium", "hard")
TAGS = ("definitions", "math", "practice", "interview", "pitfalls", "tooling", "theory", "ops")


def sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    chosen[rng.randrange(words)] = f"**{rng.choice(WORDS)}**"
    chosen[rng.randrange(words)] = f"`{rng.choice(WORDS)}_{rng.randrange(100)}`"
    chosen[rng.randrange(words)] = rng.choice(SYMBOLS)
    return " ".join(chosen).capitalize() + "."


def bullets(rng: random.Random) -> list[str]:
    lines = []
    for _ in range(rng.randint(3, 4)):
        lines.append(f"- **{rng.choice(WORDS).title()}** — {sentence(rng, rng.randint(5, 8))}")
        if rng.random() < 0.3:  # one nested level, indented four spaces as sane_lists expects
            lines += [f"    - {sentence(rng, rng.randint(4, 7))}" for _ in range(2)]
    return lines


def code_block(rng: random.Random) -> list[str]:
    name = rng.choice(WORDS)
    return [
        "```python",
        f"def {name}_score(xs, alpha={rng.randint(1, 9)}):",
        "    # a comment with ≈ non-ASCII",
        f"    return sum(x ** 2 for x in xs) / (len(xs) + alpha)  # {rng.choice(WORDS)}",
        "```",
    ]


def table(rng: random.Random) -> list[str]:
    rows = [f"| {rng.choice(WORDS)} | {rng.random():.3f} | {rng.choice(SYMBOLS)} |" for _ in range(3)]
    return ["| Term | Value | Note |", "|:-----|------:|------|", *rows]


def details(rng: random.Random, index: int) -> list[str]:
    """A paragraph, a list, sometimes code or a table, and a closing paragraph."""
    blocks = [[" ".join(sentence(rng, rng.randint(8, 12)) for _ in range(2))], bullets(rng)]
    if index % 10 == 3:
        blocks.append(code_block(rng))
    if index % 20 == 7:
        blocks.append(table(rng))
    blocks.append([sentence(rng, rng.randint(8, 12))])
    lines: list[str] = []
    for block in blocks:
        lines += [*block, ""]  # a blank line before every list, fence and table
    return lines[:-1]


def question(rng: random.Random, index: int, count: int) -> dict:
    subject, verb, where = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(CONTEXTS)
    related = sorted({f"q{rng.randrange(count):05d}" for _ in range(rng.randint(0, 3))} - {f"q{index:05d}"})
    return {
        "id": f"q{index:05d}",
        "topic": TOPICS[index * len(TOPICS) // count][0],
        # The number keeps questions distinct, so validate has no near-duplicate warnings.
        "question": f"How would you {verb} *{subject}* for {where} (case {index})?",
        "answer": f"{sentence(rng, rng.randint(10, 16))} {sentence(rng, rng.randint(5, 8))}",
        "details": details(rng, index),
        "tags": sorted(set(rng.sample(TAGS, rng.randint(1, 3)))),
        "difficulty": rng.choice(DIFFICULTIES),
        "related": related,
    }


def question_yaml(q: dict) -> str:
    # JSON strings are valid double-quoted YAML scalars, and need no escaping rules of our own.
    lines = [
        f"  - id: {q['id']}",
        f"    topic: {q['topic']}",
        f"    question: {json.dumps(q['question'], ensure_ascii=False)}",
        f"    answer: {json.dumps(q['answer'], ensure_ascii=False)}",
        "    details: |",
        *(f"      {line}" if line else "" for line in q["details"]),
        f"    tags: [{', '.join(q['tags'])}]",
        f"    difficulty: {q['difficulty']}",
    ]
    if q["related"]:
        lines.append(f"    related: [{', '.join(q['related'])}]")
    return "\n".join(lines) + "\n"


def deck_yaml(count: int, seed: int = 0) -> str:
    rng = random.Random(f"{seed}:{count}")
    head = [
        "# Synthetic benchmark deck: generated by benchmarks/generate.py, do not edit.",
        "schema: 1",
        "deck:",
        f"  id: bench-{count}",
        f"  title: Benchmark Deck ({count} questions)",
        "  description: |",
        "    A seeded synthetic deck for **timing** studypack; the text is nonsense → by design.",
        "  author: benchmarks/generate.py",
        '  version: "1.0"',
        "topics:",
        *(f"  - id: {tid}\n    title: {json.dumps(title, ensure_ascii=False)}" for tid, title in TOPICS),
        "questions:",
    ]
    body = (question_yaml(question(rng, i, count)) for i in range(count))
    return "\n".join(head) + "\n" + "".join(body)


def deck_path(count: int, seed: int = 0, folder: Path = CACHE) -> Path:
    """Write the deck once per (count, seed); the same seed always gives the same bytes."""
    path = folder / f"bench-{count}-s{seed}.yaml"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(deck_yaml(count, seed), encoding="utf-8")
        tmp.replace(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("counts", nargs="*", type=int, default=[30, 1000, 10000, 50000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=CACHE, help="folder for the decks (default: %(default)s)")
    args = parser.parse_args()
    for count in args.counts:
        path = deck_path(count, args.seed, args.out)
        print(f"{path}  {path.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
