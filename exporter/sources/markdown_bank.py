"""Markdown question banks (a heading per question, the answer below or in <details>) -> Bank."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..markup.images import SUFFIXES as IMAGE_SUFFIXES
from ..markup.tree import parser
from .bank import Bank, Item, slugify
from .split import split_answer

_NUMBERING = re.compile(r"\A\s*(?:(?:Q(?:uestion)?|#)\s*)?\d+(?:\.\d+)*\s*[.):\-–]?\s+", re.IGNORECASE)
_WRAPPED = re.compile(r"\A(\*\*|__)(.+)\1\Z")
# Difficulty markers interview repositories put in their headings.
_DIFFICULTY = [
    (re.compile(r"🟢|🟩|🌱|[\[(]\s*easy\s*[\])]|\beasy\s*:", re.IGNORECASE), "easy"),
    (re.compile(r"🟡|🟠|🟨|🟧|[\[(]\s*(?:medium|intermediate)\s*[\])]|\bmedium\s*:",
                re.IGNORECASE), "medium"),
    (re.compile(r"🔴|🟥|[\[(]\s*(?:hard|advanced)\s*[\])]|\bhard\s*:", re.IGNORECASE), "hard"),
]
_STARS = re.compile(r"(⭐|★)+")
_DETAILS = re.compile(r"</?details[^>]*>|<summary[^>]*>.*?</summary>", re.IGNORECASE | re.DOTALL)
# A line that only links back somewhere ("⬆ Back to top", "Table of contents").
_ANCHOR_LINE = re.compile(r"\A\s*(?:\*\*|__)?\s*\[[^\]]*\]\(#[^)]*\)\s*(?:\*\*|__)?\s*\Z")
_RULE = re.compile(r"\A\s{0,3}(?:-{3,}|\*{3,}|_{3,})\s*\Z")
_LINK_ITEM = re.compile(r"\A\s*(?:[-*+]|\d+[.)])\s+\[[^\]]*\]\(#[^)]*\)\s*\Z")
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*?\bsrc=\"([^\"]+)\"[^>]*>", re.IGNORECASE)
_HTML_ALT = re.compile(r"\balt=\"([^\"]*)\"", re.IGNORECASE)


@dataclass(frozen=True)
class _Heading:
    level: int
    start: int  # 0-based line of the heading
    end: int  # the line after it
    text: str


def read(paths: list[Path]) -> Bank:
    bank = Bank()
    titles = []
    for path in paths:
        titles.append(_read_file(path, bank))
    bank.title = titles[0] if len(paths) == 1 and titles[0] else (
        paths[0].parent.resolve().name.replace("-", " ").replace("_", " ").strip().title() or "Imported")
    bank.topic_order = list(dict.fromkeys(item.topic for item in bank.items))
    return bank


def _read_file(path: Path, bank: Bank) -> str:
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    lines = text.split("\n")
    headings = _headings(text)
    level = _question_level(headings, lines)
    title = next((h.text for h in headings if h.level == 1), "")
    default_topic = title or path.stem.replace("-", " ").replace("_", " ").strip().capitalize()
    topic = default_topic
    for index, heading in enumerate(headings):
        if heading.level < level:
            topic = _question_text(heading.text)[0] if heading.level > 1 or level == 2 else topic
            continue
        if heading.level > level:
            continue  # part of the answer above
        following = next((h.start for h in headings[index + 1:] if h.level <= level), len(lines))
        origin = f"{path.name}:{heading.start + 1}"
        item = _item(heading, "\n".join(lines[heading.end:following]), topic, origin, path, bank)
        if item is not None:
            bank.items.append(item)
    return title


def _headings(text: str) -> list[_Heading]:
    tokens = parser().parse(text)
    return [_Heading(int(tok.tag[1]), tok.map[0], tok.map[1], tokens[i + 1].content.strip())
            for i, tok in enumerate(tokens) if tok.type == "heading_open" and tok.map]


def _body_lines(body: str) -> list[str]:
    return [line for line in body.split("\n")
            if line.strip() and not _ANCHOR_LINE.match(line) and not _RULE.match(line)]


def _question_level(headings: list[_Heading], lines: list[str]) -> int:
    """The level of the headings that have an answer below them, the most common one."""
    counts: Counter[int] = Counter()
    for index, heading in enumerate(headings):
        end = headings[index + 1].start if index + 1 < len(headings) else len(lines)
        body = _body_lines("\n".join(lines[heading.end:end]))
        if body and not all(_LINK_ITEM.match(line) for line in body):
            counts[heading.level] += 1
    if not counts:
        return 2
    top = max(counts.values())
    return max(level for level, count in counts.items() if count == top)


def _item(heading: _Heading, body: str, topic: str, origin: str, path: Path, bank: Bank) -> Item | None:
    question, difficulty = _question_text(heading.text)
    lines = _body_lines(body)
    if lines and all(_LINK_ITEM.match(line) for line in lines):
        bank.skipped.append(f"{origin}: '{heading.text}' is a list of links (a table of contents)")
        return None
    answer_md = _DETAILS.sub("", "\n".join(_trim(body.split("\n"))))
    answer_md = _dedent("\n".join(_trim(answer_md.split("\n"))))
    answer_md = _images(answer_md, path, origin, bank)
    if not question:
        bank.skipped.append(f"{origin}: heading with no question text")
        return None
    if not answer_md.strip():
        bank.skipped.append(f"{origin}: '{question}' has no answer below it")
        return None
    answer, details = split_answer(answer_md)
    return Item(question, answer, details, topic, origin, difficulty=difficulty)


def _question_text(text: str) -> tuple[str, str | None]:
    difficulty = None
    for pattern, level in _DIFFICULTY:
        if pattern.search(text):
            difficulty = difficulty or level
            text = pattern.sub("", text)
    stars = _STARS.search(text)
    if stars:
        difficulty = difficulty or ("easy", "medium", "hard")[min(len(stars.group()), 3) - 1]
        text = _STARS.sub("", text)
    text = _NUMBERING.sub("", text.strip(), count=1).strip()
    wrapped = _WRAPPED.match(text)
    return (wrapped.group(2).strip() if wrapped else text), difficulty


def _trim(lines: list[str]) -> list[str]:
    """Drop back-to-top links and rules, and blank lines at both ends."""
    kept = [line for line in lines if not _ANCHOR_LINE.match(line)]
    while kept and (not kept[-1].strip() or _RULE.match(kept[-1])):
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    return kept


def _dedent(text: str) -> str:
    """Text inside <details> is often indented as a whole; code blocks would come of it."""
    lines = text.split("\n")
    indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines)


def _images(markdown: str, path: Path, origin: str, bank: Bank) -> str:
    """Local images copied under media/; the others become links (the format shows only local ones)."""

    def html_image(match: re.Match) -> str:
        alt = _HTML_ALT.search(match.group())
        return f"![{alt.group(1) if alt else ''}]({match.group(1)})"

    def local(match: re.Match) -> str:
        alt, target = match.group(1), match.group(2)
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target):
            bank.notes.append(f"{origin}: remote image '{target}' kept as a link")
            return f"[{alt or target}]({target})"
        source = (path.parent / target).resolve()
        suffix = source.suffix.lower()
        if not source.is_file() or suffix not in IMAGE_SUFFIXES:
            why = "not found" if not source.is_file() else f"{suffix or 'no'} type is not supported"
            bank.notes.append(f"{origin}: image '{target}' {why}; left out")
            return alt
        data = source.read_bytes()
        stem, n = slugify(source.stem, 60) or "image", 1
        name = f"{stem}{suffix}"
        while name in bank.media and bank.media[name] != data:
            n += 1
            name = f"{stem}-{n}{suffix}"
        bank.media[name] = data
        return f"![{alt}](media/{name})"

    return _IMAGE.sub(local, _HTML_IMAGE.sub(html_image, markdown))
