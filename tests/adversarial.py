"""Pathological deck content: the shapes that made parsers backtrack, recurse or read forever.

Shared by the adversarial property test and benchmarks/adversarial.py, so the benchmark
measures exactly the inputs the test bounds.
"""

from __future__ import annotations

# Each shape repeats one unit; n copies of it make an input of about n * len(unit) bytes.
# Containers nest (every level inside the previous one); runs repeat a markup character
# that opens something and never closes it, the classic trigger of quadratic scans.
NESTING = {
    "blockquotes": "> ",
    "bullets": "- ",
    "numbered": "1. ",
    "stars": "* ",
    "indented-bullets": "  - ",
    "emphasis-in-quote": "> *",
}
RUNS = {
    "brackets": "[",
    "closing-brackets": "]",
    "image-openers": "![",
    "stars-a": "***a",
    "underscores": "_a",
    "backticks": "`",
    "dollars": "$",
    "escaped-parens": "\\(",
    "angle": "<",
    "html-tags": "<b>",
    "links": "[a](",
    "reference-defs": "[r]: x\n",
    "pipes": "|",
    "tildes": "~~",
    "anki-braces": "{{c1::",
    "sound": "[sound:",
    "entities": "&#",
    "backslashes": "\\",
    "table-rows": "| a | b |\n|---|---|\n",
}
SHAPES = {**{f"nest-{k}": v for k, v in NESTING.items()}, **{f"run-{k}": v for k, v in RUNS.items()}}


def field(unit: str, size: int) -> str:
    """About `size` bytes of the unit repeated, ending in text so every opener has content."""
    return unit * max(1, size // len(unit)) + "x"


def deck_yaml(details: str, answer: str = "short", question: str = "Q?", copies: int = 1) -> str:
    """A deck of `copies` questions whose fields hold the given (untrusted) text, quoted safely."""
    import json  # JSON strings are valid YAML double-quoted scalars

    head = ("schema: 1\n"
            "deck: {id: hostile, title: Hostile, author: a, version: '1'}\n"
            "topics:\n  - {id: t, title: T}\n"
            "questions:\n")
    return head + "".join(
        f"  - id: q{n}\n    topic: t\n    question: {json.dumps(f'{n} {question}')}\n"
        f"    answer: {json.dumps(answer)}\n    details: {json.dumps(details)}\n"
        for n in range(copies))


# Each field stays under the markup layer's per-field limit (20 000 characters, a located
# error beyond), so the whole pipeline runs on the shape instead of refusing it at once.
FIELD_SIZES = {"question": 1_500, "answer": 4_000, "details": 15_000}


def largest_deck(unit: str, max_bytes: int) -> str:
    """As many full-sized questions of the shape as fit in max_bytes of YAML (at least one,
    shrunk until it fits)."""
    def deck(copies: int, scale: float) -> str:
        sizes = {name: int(size * scale) for name, size in FIELD_SIZES.items()}
        return deck_yaml(**{name: field(unit, size) for name, size in sizes.items()}, copies=copies)

    copies = 1
    while len(deck(copies + 1, 1.0).encode()) <= max_bytes:
        copies += 1
    scale = 1.0
    while len(deck(copies, scale).encode()) > max_bytes:
        scale *= 0.8
    return deck(copies, scale)
