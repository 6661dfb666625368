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


def deck_yaml(details: str, answer: str = "short", question: str = "Q?") -> str:
    """A one-question deck whose fields hold the given (untrusted) text, quoted safely."""
    import json  # JSON strings are valid YAML double-quoted scalars

    return (
        "schema: 1\n"
        "deck: {id: hostile, title: Hostile, author: a, version: '1'}\n"
        "topics:\n  - {id: t, title: T}\n"
        "questions:\n"
        f"  - id: q\n    topic: t\n    question: {json.dumps(question)}\n"
        f"    answer: {json.dumps(answer)}\n    details: {json.dumps(details)}\n"
    )
