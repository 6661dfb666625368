"""A long answer -> the short answer (its first sentence) and the rest, for `details`."""

from __future__ import annotations

import re

MAX_SHORT = 300  # validate warns above this
# Spans a sentence never ends inside: code, math, links and images, HTML tags.
_PROTECTED = re.compile(
    r"`+[^`]*`+|\$\$.*?\$\$|\$[^$\n]+\$|\\\(.*?\\\)|\\\[.*?\\\]|!?\[[^\]]*\]\([^)]*\)|<[^>]+>", re.DOTALL)
# A full stop after these is not the end of a sentence.
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "cf", "approx", "dr", "mr", "mrs", "ms", "prof", "fig",
                  "no", "vol", "al", "st", "jr", "sr", "inc", "ltd", "u.s", "e.x", "resp", "incl"}
_END = re.compile(r"(?<=[.!?])[\"')\]]*(?=\s+[\"'(\[*_]*[A-Z0-9`$\\])")
_BLOCK_START = re.compile(r"\A(?: {0,3}(?:[-*+]|\d+[.)])\s| {0,3}[#>|]| {0,3}(?:```|~~~)| {4}|<)")


def split_answer(markdown: str) -> tuple[str, str]:
    """(short answer, rest). The short answer is the first sentence of the first paragraph
    when it is prose; a text that starts with a list, code or table stays whole in the rest
    and its first line's words become the answer."""
    text = markdown.strip()
    if not text:
        return "", ""
    paragraph, _, after = text.partition("\n\n")
    if _BLOCK_START.match(paragraph):
        return _first_words(paragraph), text
    end = _sentence_end(paragraph)
    if end is None or end >= len(paragraph.rstrip()):
        short, rest = paragraph, after
    else:
        short, rest = paragraph[:end], "\n\n".join(p for p in (paragraph[end:].strip(), after) if p)
    short = " ".join(short.split())
    return short, rest.strip()


def _sentence_end(paragraph: str) -> int | None:
    masked = _PROTECTED.sub(lambda m: "x" * len(m.group()), paragraph)
    for match in _END.finditer(masked):
        before = masked[: match.start()].rstrip(".!?")
        word = re.search(r"[\w.]+\Z", before)
        if word and word.group().lower() in _ABBREVIATIONS:
            continue
        if word and len(word.group()) == 1 and word.group().isupper():  # an initial: "J. Smith"
            continue
        return match.end()
    return None


def _first_words(block: str) -> str:
    if block.lstrip().startswith(("```", "~~~", "|", "<")) or block.startswith("    "):
        return "See the details."
    line = re.sub(r"\A\s*(?:[-*+]|\d+[.)]|#+|>)\s*", "", block.split("\n", 1)[0])
    line = line.strip("`|~ ").strip()
    return line[:MAX_SHORT] if line else "See the details."
