"""Walk the YAML nodes into a Deck, reporting every problem at once with its position."""

from __future__ import annotations

import difflib
import gc
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from . import ledger
from .diagnostics import Diagnostic, error, shown, warning
from .media import check_image, find_images
from .model import DIFFICULTIES, Deck, Loc, Question, Topic
from .sources.yaml_loader import Mapping, Node, Scalar, Sequence, load_file

SCHEMA_VERSION = "1"
MAX_ANSWER_CHARS = 300
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_EMPTY_PLAIN = {"", "~", "null", "Null", "NULL"}
# C0 and C1 controls other than tab and newline, and the non-characters U+FFFE/U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")

# Each section's keys: True when required. Order is the order the README documents.
ROOT_KEYS = {"schema": True, "deck": True, "topics": True, "questions": True}
DECK_KEYS = {"id": True, "title": True, "description": False, "author": False, "version": False}
TOPIC_KEYS = {"id": True, "title": True}
QUESTION_KEYS = {
    "id": True, "topic": True, "question": True, "answer": True, "details": False,
    "tags": False, "difficulty": False, "related": False,
}


@dataclass
class _Checker:
    """Collects diagnostics for one file while the nodes are walked."""

    display: str
    content_dir: Path
    text: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @cached_property
    def lines(self) -> list[str]:
        """The source's lines, split once, for positions inside block scalars."""
        return self.text.split("\n")

    def error(self, loc: Loc, message: str) -> None:
        self.diagnostics.append(error(self.display, loc, message))

    def warn(self, loc: Loc, message: str) -> None:
        self.diagnostics.append(warning(self.display, loc, message))


def load_deck(path: Path, display: str | None = None) -> tuple[Deck | None, list[Diagnostic]]:
    """Load, validate and build the model; the Deck is None when there is any error."""
    # Loading creates millions of objects and no cycles: the cyclic collector would scan
    # them again and again (40 % of a 10 000-question load). Pause it, then freeze what
    # was built, since the model lives as long as the process.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_deck(path, display)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _load_deck(path: Path, display: str | None) -> tuple[Deck | None, list[Diagnostic]]:
    display = display if display is not None else str(path)
    loaded = load_file(path, display)
    if loaded.root is None:
        return None, loaded.diagnostics
    checker = _Checker(display, path.resolve().parent, loaded.text)
    deck = _read_root(checker, loaded.root)
    if deck is not None:
        _check_deck(checker, deck)
        checker.diagnostics.extend(ledger.check(path, display, deck))
    diagnostics = sorted(checker.diagnostics, key=Diagnostic.sort_key)
    has_errors = any(d.is_error for d in diagnostics)
    return (None if has_errors else deck), diagnostics


# --- structure ---


def _fields(c: _Checker, node: Node, keys: dict[str, bool], what: str) -> dict[str, Node] | None:
    """Check a mapping's keys: duplicates, unknown (with a hint) and missing ones."""
    if type(node) is not Mapping:
        c.error(node.loc, f"{what} must be a mapping with keys {_quoted(keys)}, not {_kind(node)}")
        return None
    found: dict[str, Node] = {}
    first_line: dict[str, int] = {}
    for key, value in node.pairs:
        name = key.value
        if name in found:
            c.error(key.loc, f"duplicate key '{shown(name)}' in {what} (first on line {first_line[name]})")
        elif name not in keys:
            c.error(key.loc, f"unknown key '{shown(name)}' in {what}{_did_you_mean(name, keys)}")
        else:
            found[name], first_line[name] = value, key.loc.line
    for name, required in keys.items():
        if required and name not in found:
            c.error(node.loc, f"missing required key '{name}' in {what}")
    return found


def _string(c: _Checker, fields: dict[str, Node], name: str, what: str) -> str | None:
    node = fields.get(name)
    if node is None:
        return None
    if type(node) is not Scalar:
        c.error(node.loc, f"'{name}' in {what} must be text, not {_kind(node)}")
        return None
    if not node.value.strip() or (node.plain and node.value in _EMPTY_PLAIN):
        c.error(node.loc, f"'{name}' in {what} must not be empty")
        return None
    control = _CONTROL.search(node.value)
    if control:
        # Reachable through double-quoted escapes ("\x00"); no output can show them.
        c.error(node.loc, f"'{name}' in {what} contains the control character "
                          f"U+{ord(control.group()):04X}; remove it")
        return None
    return node.value


def _slug(c: _Checker, fields: dict[str, Node], name: str, what: str) -> str | None:
    value = _string(c, fields, name, what)
    if value is not None and not SLUG.match(value):
        c.error(fields[name].loc, f"'{name}' in {what} is '{shown(value)}', not a slug: use lower-case "
                                  f"letters, digits and single hyphens (e.g. '{_slugify(value)}')")
        return None
    return value


def _slug_list(c: _Checker, fields: dict[str, Node], name: str, what: str) -> tuple[str, ...]:
    node = fields.get(name)
    if node is None:
        return ()
    if type(node) is not Sequence:
        c.error(node.loc, f"'{name}' in {what} must be a list like [a, b], not {_kind(node)}")
        return ()
    values: list[str] = []
    for item in node.items:
        value = _slug(c, {name: item}, name, what)
        if value is not None and value in values:
            c.error(item.loc, f"'{shown(value)}' appears twice in '{name}' of {what}")
        elif value is not None:
            values.append(value)
    return tuple(values)


def _read_root(c: _Checker, root: Node) -> Deck | None:
    fields = _fields(c, root, ROOT_KEYS, "the file")
    if fields is None:
        return None
    schema = fields.get("schema")
    if schema is not None and (type(schema) is not Scalar or schema.value != SCHEMA_VERSION):
        value = shown(schema.value) if type(schema) is Scalar else _kind(schema)
        c.error(schema.loc, f"unsupported schema '{value}': this studypack reads schema {SCHEMA_VERSION}")
    deck_fields = _fields(c, fields["deck"], DECK_KEYS, "'deck'") if "deck" in fields else None
    topics = _read_list(c, fields.get("topics"), "topics", _read_topic)
    questions = _read_list(c, fields.get("questions"), "questions", _read_question)
    if deck_fields is None:
        return None
    deck_id = _slug(c, deck_fields, "id", "'deck'")
    title = _string(c, deck_fields, "title", "'deck'")
    optional = {k: _string(c, deck_fields, k, "'deck'") or "" for k in ("description", "author", "version")}
    if deck_id is None or title is None or topics is None or questions is None:
        return None
    return Deck(deck_id, title, optional["description"], optional["author"], optional["version"],
                topics, questions, root.loc)


def _read_list(c: _Checker, node: Node | None, name: str, read: Callable) -> tuple | None:
    if node is None:
        return None
    if type(node) is not Sequence:
        c.error(node.loc, f"'{name}' must be a list, not {_kind(node)}")
        return None
    if not node.items:
        c.error(node.loc, f"'{name}' must not be empty")
        return None
    items = [read(c, item) for item in node.items]
    return None if any(i is None for i in items) else tuple(items)


def _read_topic(c: _Checker, node: Node) -> Topic | None:
    fields = _fields(c, node, TOPIC_KEYS, "a topic")
    if fields is None:
        return None
    what = f"topic '{_peek(fields, 'id')}'"
    topic_id, title = _slug(c, fields, "id", what), _string(c, fields, "title", what)
    return None if topic_id is None or title is None else Topic(topic_id, title, node.loc)


def _read_question(c: _Checker, node: Node) -> Question | None:
    fields = _fields(c, node, QUESTION_KEYS, "a question")
    if fields is None:
        return None
    what = f"question '{_peek(fields, 'id')}'"
    values = {k: _slug(c, fields, k, what) for k in ("id", "topic")}
    values.update({k: _string(c, fields, k, what) for k in ("question", "answer")})
    details = _string(c, fields, "details", what) if "details" in fields else ""
    difficulty = _difficulty(c, fields, what)
    tags, related = _slug_list(c, fields, "tags", what), _slug_list(c, fields, "related", what)
    if None in values.values() or details is None or difficulty is False:
        return None
    media = _check_details(c, fields.get("details"), details, what)
    return Question(values["id"], values["topic"], values["question"], values["answer"], details,
                    tags, difficulty, related, node.loc, media)


def _difficulty(c: _Checker, fields: dict[str, Node], what: str) -> str | None | bool:
    """The level, None when absent, False when invalid (already reported)."""
    if "difficulty" not in fields:
        return None
    value = _string(c, fields, "difficulty", what)
    if value is None:
        return False
    if value not in DIFFICULTIES:
        c.error(fields["difficulty"].loc, f"difficulty of {what} must be one of "
                f"{', '.join(DIFFICULTIES)}, not '{shown(value)}'{_did_you_mean(value, DIFFICULTIES)}")
        return False
    return value


# --- details: code fences and images ---

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _check_details(c: _Checker, node: Node | None, details: str, what: str) -> tuple[str, ...]:
    if node is None or not details:
        return ()
    has_fence = "```" in details or "~~~" in details
    if not has_fence and not _SPACING_SUSPECT.search(details):
        return _media(c, node, details, what)  # most details: nothing to scan line by line
    prose, unclosed = _scan_lines(details)
    if unclosed is not None:
        fence, offset = unclosed
        c.warn(_loc_in_scalar(c, node, offset),
               f"code fence '{fence}' in {what} is never closed; the rest of the details becomes code")
    _check_block_spacing(c, node, prose, what)
    return _media(c, node, details, what)


def _media(c: _Checker, node: Node, details: str, what: str) -> tuple[str, ...]:
    media = []
    for offset, target in find_images(details):
        problem, relative = check_image(c.content_dir, target)
        if problem:
            c.error(_loc_in_scalar(c, node, offset), f"image '{shown(target)}' in {what}: {problem}")
        elif relative not in media:
            media.append(relative)
    return tuple(media)


def _scan_lines(details: str) -> tuple[list[tuple[int, str | None]], tuple[str, int] | None]:
    """(offset, line) of every line outside fenced code (None for a line of code), and the
    fence left open at the end with its offset, if any."""
    lines: list[tuple[int, str | None]] = []
    open_fence, open_offset, offset = None, 0, 0
    for line in details.splitlines(keepends=True):
        match = _FENCE.match(line)
        if match and open_fence is None:
            open_fence, open_offset = match.group(1), offset
        elif match and match.group(1)[0] == open_fence[0] and len(match.group(1)) >= len(open_fence):
            open_fence = None
        lines.append((offset, None if match or open_fence else line.rstrip("\n")))
        offset += len(line)
    return lines, ((open_fence, open_offset) if open_fence is not None else None)


# A list or table line right below a line that is neither blank nor a list item, table row or
# heading, or a list item indented by one to three spaces: the only places where
# _check_block_spacing can find something. Without either, the line-by-line scan is skipped.
_SPACING_SUSPECT = re.compile(
    r"^(?! *(?:[-*+]|\d+[.)])[ \t]| {0,3}[|#]|[ \t]*$).*\n {0,3}(?:(?:[-*+]|\d+[.)])[ \t]|\|)"
    r"|^ {1,3}(?:[-*+]|\d+[.)])[ \t]", re.MULTILINE)
_LIST_ITEM = re.compile(r"( *)(?:[-*+]|\d+[.)])[ \t]+\S")
_TABLE_ROW = re.compile(r" {0,3}\|")
_HEADING = re.compile(r" {0,3}#{1,6}(?:\s|$)")
_SPACING_ADVICE = {
    "list": "a list right after a line of text needs a blank line before it: the Anki cards "
            "and the PDFs (Python-Markdown) would show it as plain text, GitHub as a list",
    "table": "a table right after a line of text needs a blank line before it: the Anki cards "
             "and the PDFs (Python-Markdown) would show it as plain text, GitHub as a table",
    "nested": "indent a nested list item by 4 spaces: with fewer, the Anki cards and the PDFs "
              "(Python-Markdown) flatten it into the outer list, GitHub nests it",
}


def _check_block_spacing(c: _Checker, node: Node, lines: list[tuple[int, str | None]],
                         what: str) -> None:
    """Where Python-Markdown and GitHub read the same text differently, say so once per kind."""
    found: dict[str, int] = {}
    state, in_list = "blank", False
    for offset, line in lines:
        if line is None or not line.strip():
            state = "other" if line is None else "blank"
            continue
        item = _LIST_ITEM.match(line)
        if item:
            indent = len(item.group(1))
            if state == "paragraph" and indent < 4:
                found.setdefault("list", offset + indent)
            elif in_list and 0 < indent < 4:
                found.setdefault("nested", offset + indent)
            state, in_list = "list", True
        elif _TABLE_ROW.match(line):
            if state == "paragraph":
                found.setdefault("table", offset)
            state = "table"
        elif _HEADING.match(line):
            state = "other"
        else:
            indented = line.startswith((" ", "\t"))
            in_list = in_list and (indented or state == "list")
            state = "list" if in_list else "paragraph"
    for kind, offset in sorted(found.items(), key=lambda kv: kv[1]):
        c.warn(_loc_in_scalar(c, node, offset), f"{_SPACING_ADVICE[kind]} (details of {what})")


def _loc_in_scalar(c: _Checker, node: Node, offset: int) -> Loc:
    """The source position of a character of a block scalar (`|`), else the scalar's start."""
    if type(node) is not Scalar or node.style != "|":
        return node.loc
    lines = c.lines
    first = node.loc.line  # 0-based index of the first content line, just below the '|'
    line_index = first + node.value.count("\n", 0, offset)
    if line_index >= len(lines):
        return node.loc
    # A block scalar's indentation is that of its first non-blank line; deeper lines keep
    # their extra spaces as content.
    block_indent = next((len(line) - len(line.lstrip(" ")) for line in lines[first:line_index + 1]
                         if line.strip()), 0)
    line_start = node.value.rfind("\n", 0, offset) + 1
    return Loc(line_index + 1, block_indent + (offset - line_start) + 1)


# --- cross-references and warnings ---


def _check_deck(c: _Checker, deck: Deck) -> None:
    topic_ids = _unique_ids(c, deck.topics, "topic")
    question_ids = _unique_ids(c, deck.questions, "question")
    for q in deck.questions:
        if q.topic not in topic_ids:
            hint = _did_you_mean(q.topic, topic_ids)
            c.error(q.loc, f"question '{q.id}' names unknown topic '{q.topic}'{hint}")
        for ref in q.related:
            if ref == q.id:
                c.error(q.loc, f"question '{q.id}' lists itself in 'related'")
            elif ref not in question_ids:
                hint = _did_you_mean(ref, question_ids)
                c.error(q.loc, f"question '{q.id}' is related to unknown question '{ref}'{hint}")
        if len(q.answer) > MAX_ANSWER_CHARS:
            c.warn(q.loc, f"answer of '{q.id}' is {len(q.answer)} characters; keep the short answer under "
                          f"{MAX_ANSWER_CHARS} and move the rest to 'details'")
    used = {q.topic for q in deck.questions}
    for topic in deck.topics:
        if topic.id not in used:
            c.warn(topic.loc, f"topic '{topic.id}' has no questions")
    _warn_near_duplicates(c, deck)
    # TeX the PDFs cannot typeset (printed there as written); typesetting here also fills
    # the formula cache that build's PDFs then read. Loads no typesetter for a deck without math.
    from .backends.pdf.mathcheck import check_math

    c.diagnostics.extend(check_math(deck, c.display))


def _unique_ids(c: _Checker, items, kind: str) -> dict[str, int]:
    first: dict[str, int] = {}
    for item in items:
        if item.id in first:
            c.error(item.loc, f"duplicate {kind} id '{item.id}' (first on line {first[item.id]})")
        else:
            first[item.id] = item.loc.line
    return first


_WORD = re.compile(r"\w+")
_FILLER = {"a", "an", "the"}


def _warn_near_duplicates(c: _Checker, deck: Deck) -> None:
    """Same letters in the same order, ignoring case, spacing, punctuation and articles
    ("trade-off" and "tradeoff" are the same word to a reader)."""
    seen: dict[str, Question] = {}
    for q in deck.questions:
        key = "".join(w for w in _WORD.findall(q.question.lower()) if w not in _FILLER)
        if key in seen:
            first = seen[key]
            c.warn(q.loc, f"question '{q.id}' reads like '{first.id}' (line {first.loc.line}); "
                          "is it a duplicate?")
        else:
            seen[key] = q


# --- small helpers ---


def _did_you_mean(value: str, choices) -> str:
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{matches[0]}'?" if matches else ""


def _kind(node: Node) -> str:
    if type(node) is Mapping:
        return "a mapping"
    if type(node) is Sequence:
        return "a list"
    return f"'{shown(node.value)}'" if node.value else "an empty value"


def _quoted(keys) -> str:
    return ", ".join(f"'{k}'" for k in keys)


def _peek(fields: dict[str, Node], name: str) -> str:
    node = fields.get(name)
    return shown(node.value) if type(node) is Scalar else "?"


def _slugify(value: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", value.lower())) or "my-id"
