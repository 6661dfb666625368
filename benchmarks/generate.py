"""Seeded synthetic decks in schema 1, for timing studypack at every size."""

from __future__ import annotations

import argparse
import json
import random
import re
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


# --- a "real bank" mix, modelled on public interview-question banks (issue 20) ---------------
# Math in every form, HTML tables and <b>, code in lists, 2-space nesting, fences indented by
# one to three spaces, bare URLs, lists and tables glued to text, money, hard breaks. Math is
# written through markers so a test can also get the same text with each formula replaced by
# the word MATHX (what GitHub's engine, which has no math, is compared on).

_INLINE_MATH = ("$", "$"), ("\\(", "\\)"), ("$$", "$$")
TEX = (
    r"x_i^2 + y_{i,j}", r"\sum_{i=1}^{n} w_i x_i", r"\|A\|_F", r"\{a, b\}", r"\frac{1}{1+e^{-z}}",
    r"\mathbb{E}[X] = \mu", r"\alpha_t \cdot \nabla L", r"p(y \mid x)", r"\sigma^2 = \frac{1}{n}",
    r"a_1 * b_1 * c_1", r"\hat{\theta}_{MLE}", r"\operatorname{softmax}(z)_i", r"\lVert w \rVert_2^2",
)
DISPLAY_TEX = (
    r"\| A \|_F = \sqrt{\sum_{i,j} a_{ij}^2}",
    r"A = \begin{pmatrix} a_{11} & a_{12} \\ a_{21} & a_{22} \end{pmatrix}",
    r"f(x) = \begin{cases} 0 & x < 0 \\ x & x \ge 0 \end{cases}",
    r"\mathcal{L} = -\sum_i y_i \log \hat{y}_i",
)


def math_inline(rng: random.Random) -> str:
    opener, closer = rng.choice(_INLINE_MATH)
    return f"\u27e6{opener}{rng.choice(TEX)}{closer}\u27e7"


def math_display(rng: random.Random, indent: str = "") -> list[str]:
    tex = rng.choice(DISPLAY_TEX)
    form = rng.randrange(3)
    if form == 0:
        lines = ["$$", tex, "$$"]
    elif form == 1:
        lines = ["\\[", tex, "\\]"]
    else:
        lines = ["```math", tex, "```"]
    return [f"{indent}\u27e6\u27e6{lines[0]}", *(indent + line for line in lines[1:-1]),
            f"{indent}{lines[-1]}\u27e7\u27e7"]


def materialise(text: str, math: bool = True) -> str:
    """The text as a user writes it, or with every formula replaced by the word MATHX."""
    if math:
        return text.replace("\u27e6", "").replace("\u27e7", "")
    text = re.sub("\u27e6\u27e6.*?\u27e7\u27e7", "MATHX", text, flags=re.DOTALL)
    return re.sub("\u27e6.*?\u27e7", "MATHX", text, flags=re.DOTALL)


def messy_sentence(rng: random.Random) -> str:
    words = sentence(rng, rng.randint(6, 10))[:-1].split()
    roll = rng.random()
    if roll < 0.35:
        words.insert(rng.randrange(len(words)), math_inline(rng))
    elif roll < 0.45:
        words.insert(rng.randrange(len(words)), f"costs ${rng.randint(2, 90)} and ${rng.randint(2, 90)}")
    elif roll < 0.55:
        words.insert(rng.randrange(len(words)), f"<b>{rng.choice(WORDS)}</b>")
    elif roll < 0.62:
        words.append(f"(see https://example.com/{rng.choice(WORDS)}_{rng.randrange(99)})")
    elif roll < 0.66:
        words.append(f"or www.{rng.choice(WORDS)}.org")
    return " ".join(words) + "."


def messy_blocks(rng: random.Random) -> list[list[str]]:
    kinds = ["glued-list", "nested-2", "code-in-list", "indented-fence", "html-table", "md-table",
             "glued-table", "display", "breaks", "ordered", "quote", "plain"]
    blocks = []
    for kind in rng.sample(kinds, rng.randint(2, 4)):
        if kind == "glued-list":
            blocks.append([f"{messy_sentence(rng)} Key points:",
                           *(f"- {messy_sentence(rng)}" for _ in range(rng.randint(2, 4)))])
        elif kind == "nested-2":
            blocks.append([f"- {messy_sentence(rng)}", f"  - {messy_sentence(rng)}",
                           f"  - {messy_sentence(rng)}", f"    - {messy_sentence(rng)}",
                           f"- {messy_sentence(rng)}"])
        elif kind == "code-in-list":
            blocks.append([f"1. {messy_sentence(rng)}", "", "   ```python",
                           f"   x = {rng.randint(1, 9)} * y  # {rng.choice(WORDS)}", "   ```", "",
                           f"2. {messy_sentence(rng)}", "   ```bash", "   pip install studypack",
                           "   ```"])
        elif kind == "indented-fence":
            pad = " " * rng.randint(1, 3)
            blocks.append([f"{pad}```", f"{pad}print({rng.choice(WORDS)!r})",
                           f"{pad}  return x", f"{pad}```"])
        elif kind == "html-table":
            rows = "".join(f"<tr><td><b>{rng.choice(WORDS)}</b></td><td>{rng.random():.2f}</td></tr>"
                           for _ in range(rng.randint(2, 4)))
            blocks.append(["<table>", "  <tr><th>Model</th><th>Score</th></tr>", f"  {rows}",
                           "</table>"])
        elif kind in ("md-table", "glued-table"):
            head = [f"{messy_sentence(rng)}"] if kind == "glued-table" else []
            blocks.append([*head, *table(rng)])
        elif kind == "display":
            blocks.append([messy_sentence(rng)])
            blocks.append(math_display(rng))
        elif kind == "breaks":
            blocks.append([f"{messy_sentence(rng)}  ", f"{messy_sentence(rng)}\\", messy_sentence(rng)])
        elif kind == "ordered":
            blocks.append([f"{i}. {messy_sentence(rng)}" for i in range(1, rng.randint(3, 5))])
        elif kind == "quote":
            blocks.append([f"> {messy_sentence(rng)}", f"> {messy_sentence(rng)}"])
        else:
            blocks.append([" ".join(messy_sentence(rng) for _ in range(3))])
    return blocks


def messy_question(rng: random.Random, index: int, count: int) -> dict:
    subject = rng.choice(SUBJECTS)
    question_text = f"How does {subject} behave in case {index}?"
    if rng.random() < 0.4:
        question_text = f"What is {math_inline(rng)} for {subject} (case {index})?"
    lines: list[str] = []
    for block in messy_blocks(rng):
        lines += [*block, ""]
    return {
        "id": f"q{index:05d}", "topic": TOPICS[index * len(TOPICS) // count][0],
        "question": question_text, "answer": messy_sentence(rng), "details": lines[:-1],
        "tags": sorted(set(rng.sample(TAGS, rng.randint(1, 2)))),
        "difficulty": rng.choice(DIFFICULTIES), "related": [],
    }


def messy_deck(count: int, seed: int = 0) -> tuple[str, list[dict]]:
    """(the deck's YAML, its questions with math markers) of a real-bank mix."""
    rng = random.Random(f"messy:{seed}:{count}")
    questions = [messy_question(rng, i, count) for i in range(count)]
    head = ["# A real-bank mix: generated by benchmarks/generate.py, do not edit.", "schema: 1",
            "deck:", f"  id: messy-{count}", f"  title: Messy Bank ({count} questions)",
            "topics:", *(f"  - id: {tid}\n    title: {json.dumps(title, ensure_ascii=False)}"
                         for tid, title in TOPICS), "questions:"]
    body = []
    for q in questions:
        plain = {**q, "question": materialise(q["question"]), "answer": materialise(q["answer"]),
                 "details": materialise("\n".join(q["details"])).split("\n")}
        # |2: a details field may start with an indented fence
        body.append(question_yaml(plain).replace("    details: |\n", "    details: |2\n", 1))
    return "\n".join(head) + "\n" + "".join(body), questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("counts", nargs="*", type=int, default=[30, 1000, 10000, 50000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=CACHE, help="folder for the decks (default: %(default)s)")
    parser.add_argument("--messy", action="store_true", help="the real-bank mix (math, HTML, GitHub lists)")
    args = parser.parse_args()
    if args.messy:
        for count in args.counts:
            path = args.out / f"messy-{count}-s{args.seed}.yaml"
            args.out.mkdir(parents=True, exist_ok=True)
            path.write_text(messy_deck(count, args.seed)[0], encoding="utf-8")
            print(path)
        return
    for count in args.counts:
        path = deck_path(count, args.seed, args.out)
        print(f"{path}  {path.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
