"""Walk the YAML nodes into a Deck, reporting every problem at once with its position."""

from __future__ import annotations

import bisect
import gc
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote

from . import cloze as cloze_marks
from . import ledger
from .config import Config
from .diagnostics import Diagnostic, error, shown, warning
from .markup.htmltags import MAX_HTML_DEPTH
from .markup.images import ImageError, check_name, find_images, load_image, local_path
from .markup.tex import disallowed as disallowed_tex
from .markup.tree import MAX_DEPTH, MAX_INLINE_DEPTH, MarkupError
from .markup.tree import check as check_markup
from .markup.tree import parse as parse_markup
from .model import DIFFICULTIES, Deck, Loc, Question, Topic
from .sources.yaml_loader import Mapping, Node, Scalar, Sequence, load_file
from .suggest import Suggestions, did_you_mean

SCHEMA_VERSION = "1"
MAX_ANSWER_CHARS = 300
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
# Tags may be hierarchical as in Anki: each `::` level a slug.
TAG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:::[a-z0-9]+(?:-[a-z0-9]+)*)*\Z")
_EMPTY_PLAIN = {"", "~", "null", "Null", "NULL"}
# C0 and C1 controls other than tab and newline, and the non-characters U+FFFE/U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")

# Each section's keys: True when required. Order is the order the README documents.
ROOT_KEYS = {"schema": True, "deck": True, "topics": True, "questions": True}
DECK_KEYS = {
    "id": True, "title": True, "description": False, "author": False, "version": False, "reverse": False,
}
TOPIC_KEYS = {"id": True, "title": True}
# `question` and `answer` are required unless the item is a `cloze:` (checked by hand).
QUESTION_KEYS = {
    "id": True, "topic": True, "question": False, "cloze": False, "answer": False, "details": False,
    "tags": False, "difficulty": False, "related": False, "reverse": False, "anki_guid": False,
}
_TRUE, _FALSE = {"true", "True", "TRUE"}, {"false", "False", "FALSE"}
_GUID_SPACE = re.compile(r"\s")


@dataclass
class _Checker:
    """Collects diagnostics for one file while the nodes are walked."""

    display: str
    content_dir: Path
    text: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # The key -> value nodes of every topic and question read, in order: cross-reference
    # checks point at the value to change, not at the question.
    topic_fields: list[dict[str, Node]] = field(default_factory=list)
    question_fields: list[dict[str, Node]] = field(default_factory=list)
    question_starts: list[tuple[int, str]] = field(default_factory=list)  # (line, id) of each question
    hints_left: int = 100  # did-you-mean searches per file: past that, the message alone
    suggestions: dict[int, Suggestions] = field(default_factory=dict)
    default_reverse: bool = False  # `deck.reverse`, read before the questions

    @cached_property
    def lines(self) -> list[str]:
        """The source's lines, split once, for positions inside block scalars."""
        return self.text.split("\n")

    @cached_property
    def source_has_control(self) -> bool:
        return _CONTROL.search(self.text) is not None

    def error(self, loc: Loc, message: str, code: str, help: str = "") -> None:
        self.diagnostics.append(error(self.display, loc, message, code, help))

    def warn(self, loc: Loc, message: str, code: str, help: str = "") -> None:
        self.diagnostics.append(warning(self.display, loc, message, code, help))

    def did_you_mean(self, value: str, choices: dict[str, int]) -> str:
        """A help line with the closest id; bounded so many misspellings stay linear."""
        if self.hints_left <= 0:
            return ""
        self.hints_left -= 1
        if len(choices) <= 32:
            return did_you_mean(value, choices)
        if id(choices) not in self.suggestions:
            self.suggestions[id(choices)] = Suggestions(choices)
        return self.suggestions[id(choices)].closest(value)


def load_deck(path: Path, display: str | None = None,
              config: Config | None = None) -> tuple[Deck | None, list[Diagnostic]]:
    """Load, validate and build the model; the Deck is None when there is any error.

    `config` drops the warnings it ignores, everywhere or in the questions it names."""
    # Loading creates millions of objects and no cycles: the cyclic collector would scan
    # them again and again (40 % of a 10 000-question load). Pause it, then freeze what
    # was built, since the model lives as long as the process.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_deck(path, display, config or Config())
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _load_deck(path: Path, display: str | None, config: Config) -> tuple[Deck | None, list[Diagnostic]]:
    display = display if display is not None else str(path)
    loaded = load_file(path, display)
    if loaded.root is None:
        return None, loaded.diagnostics
    checker = _Checker(display, path.resolve().parent, loaded.text)
    deck = _read_root(checker, loaded.root)
    if deck is not None:
        _check_deck(checker, deck)
        # The ledger's warnings carry no code of their own yet: give them theirs here.
        checker.diagnostics.extend(d if d.code else replace(d, code="SP409")
                                   for d in ledger.check(path, display, deck))
    diagnostics = sorted(_kept(checker, config), key=Diagnostic.sort_key)
    has_errors = any(d.is_error for d in diagnostics)
    return (None if has_errors else deck), diagnostics


def _kept(c: _Checker, config: Config) -> list[Diagnostic]:
    if not config.ignore and not config.per_question:
        return c.diagnostics
    starts = [line for line, _ in c.question_starts]
    kept = []
    for d in c.diagnostics:
        index = bisect.bisect_right(starts, d.line) - 1 if d.path == c.display else -1
        question_id = c.question_starts[index][1] if index >= 0 else None
        if d.is_error or not config.ignores(d.code, question_id):
            kept.append(d)
    return kept


# --- structure ---

# Limits no real deck comes near; past them a value is an error, not a slow build.
MAX_LIST_ITEMS = 64  # tags or related per question
MAX_CHARS = {"id": 100, "topic": 100, "title": 500, "question": 2_000, "answer": 10_000,
             "details": 200_000, "description": 20_000, "author": 500, "version": 100,
             "tags": 100, "related": 100, "difficulty": 20}


def _fields(c: _Checker, node: Node, keys: dict[str, bool], what: str) -> dict[str, Node] | None:
    """Check a mapping's keys: duplicates, unknown (with a hint) and missing ones."""
    if type(node) is not Mapping:
        c.error(node.loc, f"{what} must be a mapping with keys {_quoted(keys)}, not {_kind(node)}",
                "wrong-type")
        return None
    found: dict[str, Node] = {}
    first_line: dict[str, int] = {}
    for key, value in node.pairs:
        name = key.value
        if name in found:
            c.error(key.loc, f"duplicate key '{shown(name)}' in {what} (first on line {first_line[name]})",
                    "duplicate-key", "remove one of the two")
        elif name not in keys:
            c.error(key.loc, f"unknown key '{shown(name)}' in {what}", "unknown-key",
                    did_you_mean(name, keys) or f"the keys of {what} are {_quoted(keys)}")
        else:
            found[name], first_line[name] = value, key.line + 1
    for name, required in keys.items():
        if required and name not in found:
            c.error(node.loc, f"missing required key '{name}' in {what}", "missing-key",
                    f"add '{name}: …' to {what}")
    return found


def _string(c: _Checker, fields: dict[str, Node], name: str, what: str) -> str | None:
    node = fields.get(name)
    if node is None:
        return None
    if type(node) is not Scalar:
        c.error(node.loc, f"'{name}' in {what} must be text, not {_kind(node)}", "wrong-type",
                "write the text on one line after the key, or after '|' on the lines below it")
        return None
    value = node.value
    if not value or value.isspace() or (node.style == "" and value in _EMPTY_PLAIN):
        c.error(node.loc, f"'{name}' in {what} must not be empty", "empty-value",
                "write a value after the key, or remove the key if it is optional")
        return None
    limit = MAX_CHARS.get(name, MAX_CHARS["details"])
    if len(value) > limit:
        c.error(node.loc, f"'{name}' of {what} is {len(value)} characters; the limit is {limit}",
                "field-too-long", "shorten it" if name in ("id", "topic", "tags", "related", "difficulty")
                else "shorten it; long explanations belong in 'details'")
        return None
    # Reachable through double-quoted escapes ("\x00"), or written raw where YAML lets one
    # through (U+0085): one search of the whole source spares a search per value.
    control = _CONTROL.search(value) if node.style == '"' or c.source_has_control else None
    if control:
        # No output can show them.
        c.error(node.loc, f"'{name}' in {what} contains the control character "
                          f"U+{ord(control.group()):04X}; remove it", "control-character")
        return None
    return value


def _slug(c: _Checker, fields: dict[str, Node], name: str, what: str) -> str | None:
    value = _string(c, fields, name, what)
    if value is not None and not SLUG.match(value):
        c.error(fields[name].loc, f"'{name}' in {what} is '{shown(value)}', not a slug: use lower-case "
                                  f"letters, digits and single hyphens (e.g. '{_slugify(value)}')",
                "not-a-slug", f"write '{_slugify(value)}'")
        return None
    return value


def _tag(c: _Checker, node: Node, what: str) -> str | None:
    """A slug, or Anki's hierarchical form: slugs joined by '::'."""
    value = _string(c, {"tags": node}, "tags", what)
    if value is not None and not TAG.match(value):
        c.error(node.loc, f"'tags' in {what} is '{shown(value)}', not a slug: use lower-case letters, "
                          f"digits and single hyphens (e.g. '{_slugify(value)}')", "not-a-slug",
                f"write '{_slugify(value)}' (levels of a hierarchical tag are joined by '::')")
        return None
    return value


def _slug_list(c: _Checker, fields: dict[str, Node], name: str, what: str) -> tuple[str, ...]:
    node = fields.get(name)
    if node is None:
        return ()
    if type(node) is not Sequence:
        c.error(node.loc, f"'{name}' in {what} must be a list like [a, b], not {_kind(node)}", "wrong-type",
                f"write {name}: [{node.value}]" if type(node) is Scalar and SLUG.match(node.value) else "")
        return ()
    items = node.items
    if len(items) > MAX_LIST_ITEMS:
        c.error(items[MAX_LIST_ITEMS].loc, f"'{name}' of {what} has {len(items)} items; the limit is "
                f"{MAX_LIST_ITEMS}", "too-many-items", f"keep at most {MAX_LIST_ITEMS}")
        items = items[:MAX_LIST_ITEMS]
    values: dict[str, None] = {}  # a dict keeps the order and answers `in` at once
    for item in items:
        value = _tag(c, item, what) if name == "tags" else _slug(c, {name: item}, name, what)
        if value is not None and value in values:
            c.error(item.loc, f"'{shown(value)}' appears twice in '{name}' of {what}", "duplicate-list-item",
                    "remove the second one")
        elif value is not None:
            values[value] = None
    return tuple(values)


def _read_root(c: _Checker, root: Node) -> Deck | None:
    fields = _fields(c, root, ROOT_KEYS, "the file")
    if fields is None:
        return None
    schema = fields.get("schema")
    if schema is not None and (type(schema) is not Scalar or schema.value != SCHEMA_VERSION):
        value = shown(schema.value) if type(schema) is Scalar else _kind(schema)
        c.error(schema.loc, f"unsupported schema '{value}': this studypack reads schema {SCHEMA_VERSION}",
                "unsupported-schema", f"write 'schema: {SCHEMA_VERSION}'")
    deck_fields = _fields(c, fields["deck"], DECK_KEYS, "'deck'") if "deck" in fields else None
    deck_reverse = _boolean(c, deck_fields or {}, "reverse", "'deck'")
    c.default_reverse = bool(deck_reverse)
    topics = _read_list(c, fields.get("topics"), "topics", _read_topic)
    questions = _read_list(c, fields.get("questions"), "questions", _read_question)
    if deck_fields is None:
        return None
    deck_id = _slug(c, deck_fields, "id", "'deck'")
    title = _string(c, deck_fields, "title", "'deck'")
    optional = {k: _string(c, deck_fields, k, "'deck'") or "" for k in ("description", "author", "version")}
    if optional["description"]:
        _tree(c, deck_fields["description"], optional["description"], "the deck's description")
    if deck_id is None or title is None or topics is None or questions is None or deck_reverse is None:
        return None
    return Deck(deck_id, title, optional["description"], optional["author"], optional["version"],
                topics, questions, root.loc, reverse=bool(deck_reverse))


def _read_list(c: _Checker, node: Node | None, name: str, read: Callable) -> tuple | None:
    if node is None:
        return None
    if type(node) is not Sequence:
        c.error(node.loc, f"'{name}' must be a list, not {_kind(node)}", "wrong-type",
                f"start each of the {name} with '- ' on its own line")
        return None
    if not node.items:
        c.error(node.loc, f"'{name}' must not be empty", "empty-value")
        return None
    items = [read(c, item) for item in node.items]
    return None if any(i is None for i in items) else tuple(items)


def _read_topic(c: _Checker, node: Node) -> Topic | None:
    fields = _fields(c, node, TOPIC_KEYS, "a topic")
    if fields is None:
        return None
    what = f"topic '{_peek(fields, 'id')}'"
    topic_id, title = _slug(c, fields, "id", what), _string(c, fields, "title", what)
    if topic_id is None or title is None:
        return None
    c.topic_fields.append(fields)
    return Topic(topic_id, title, node.loc)


def _read_question(c: _Checker, node: Node) -> Question | None:
    fields = _fields(c, node, QUESTION_KEYS, "a question")
    if fields is None:
        return None
    peeked = _peek(fields, "id")
    c.question_starts.append((node.line + 1, peeked))
    what = f"question '{peeked}'"
    values = {k: _slug(c, fields, k, what) for k in ("id", "topic")}
    values.update(_texts(c, node, fields, what))
    details = _string(c, fields, "details", what) if "details" in fields else ""
    difficulty = _difficulty(c, fields, what)
    tags, related = _slug_list(c, fields, "tags", what), _slug_list(c, fields, "related", what)
    reverse = _boolean(c, fields, "reverse", what, default=c.default_reverse)
    guid = _anki_guid(c, fields, what)
    if None in values.values() or details is None or difficulty is False or guid is None:
        return None
    if reverse is None:
        return None
    _check_folded(c, fields.get("details"), what)
    media = _check_markdown(c, fields, {**values, "details": details}, what)
    c.question_fields.append(fields)
    return Question(values["id"], values["topic"], values["question"], values["answer"], details,
                    tags, difficulty, related, node.loc, media, reverse, values["cloze"], guid)


def _texts(c: _Checker, node: Node, fields: dict[str, Node], what: str) -> dict[str, str | None]:
    """question, answer and cloze: an item has a `question` and an `answer`, or a `cloze`
    (whose filled-in text becomes the question) and optionally an `answer`."""
    if "cloze" in fields:
        if "question" in fields:
            c.error(fields["question"].loc, f"{what} has both 'question' and 'cloze'; keep one",
                    "question-and-cloze", "a cloze item's question is its cloze text: remove 'question'")
            return {"question": None, "answer": None, "cloze": None}
        text = _cloze(c, fields, what)
        answer = _string(c, fields, "answer", what) if "answer" in fields else ""
        question = cloze_marks.filled(text) if text is not None else None
        return {"question": question, "answer": answer, "cloze": text}
    for name in ("question", "answer"):
        if name not in fields:
            c.error(node.loc, f"missing required key '{name}' in a question", "missing-key",
                    f"add '{name}: …' to a question")
    return {"question": _string(c, fields, "question", what) if "question" in fields else None,
            "answer": _string(c, fields, "answer", what) if "answer" in fields else None, "cloze": ""}


def _cloze(c: _Checker, fields: dict[str, Node], what: str) -> str | None:
    text = _string(c, fields, "cloze", what)
    if text is None:
        return None
    _, problem = cloze_marks.scan(text)
    if problem is not None:
        c.error(_loc_in_scalar(c, fields["cloze"], problem.offset), f"'cloze' of {what}: {problem.message}",
                "bad-cloze", "write each hidden part as {{c1::answer}} or {{c1::answer::hint}}")
        return None
    return text


def _boolean(c: _Checker, fields: dict[str, Node], name: str, what: str,
             default: bool | None = False) -> bool | None:
    """true or false; `default` when absent; None (reported) when it is anything else."""
    node = fields.get(name)
    if node is None:
        return default
    if type(node) is Scalar and node.plain and node.value in _TRUE | _FALSE:
        return node.value in _TRUE
    value = f"'{shown(node.value)}'" if type(node) is Scalar else _kind(node)
    c.error(node.loc, f"'{name}' in {what} must be true or false, not {value}", "wrong-type",
            f"write '{name}: true' or '{name}: false'")
    return None


def _anki_guid(c: _Checker, fields: dict[str, Node], what: str) -> str | None:
    """"" when absent; None (reported) when empty, not printable or containing spaces."""
    if "anki_guid" not in fields:
        return ""
    value = _string(c, fields, "anki_guid", what)
    if value is not None and (not value.isprintable() or _GUID_SPACE.search(value)):
        c.error(fields["anki_guid"].loc, f"'anki_guid' in {what} must be printable text without "
                                         f"spaces, not '{shown(value)}'", "bad-anki-guid",
                "copy the GUID exactly as 'studypack import' wrote it, or remove the key")
        return None
    return value


def _difficulty(c: _Checker, fields: dict[str, Node], what: str) -> str | None | bool:
    """The level, None when absent, False when invalid (already reported)."""
    if "difficulty" not in fields:
        return None
    value = _string(c, fields, "difficulty", what)
    if value is None:
        return False
    if value not in DIFFICULTIES:
        c.error(fields["difficulty"].loc, f"difficulty of {what} must be one of "
                f"{', '.join(DIFFICULTIES)}, not '{shown(value)}'", "invalid-choice",
                did_you_mean(value, DIFFICULTIES) or f"write one of {', '.join(DIFFICULTIES)}")
        return False
    return value


def _check_folded(c: _Checker, node: Node | None, what: str) -> None:
    """Details written over several lines without '|': YAML joins the lines into one."""
    if type(node) is not Scalar or node.style not in ("", "'", '"') or "\n" in node.value:
        return
    line = c.lines[node.line] if node.line < len(c.lines) else ""
    if len(line) - node.col < len(node.value):
        c.warn(node.loc, f"the details of {what} span several lines without '|': YAML joins them "
                         "into one line, so lists and paragraphs are lost", "folded-details",
               "write 'details: |' and indent every line of the text below it")


# --- Markdown: limits, images, math, code fences (from the parse tree) ---

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Only a line starting with container markers or indentation can nest past the tree's depth
# limit: each level takes at least one column of that prefix (a tab up to four). So a prefix
# needs MAX_DEPTH characters, or a tab (then its columns are counted): an ordinary nested
# list item ("    - ") is not even a candidate.
_PREFIX_CHARS = r"[ >*+\-.)0-9]"
_DEEP_PREFIX = re.compile(rf"^(?={_PREFIX_CHARS}{{{MAX_DEPTH}}}|{_PREFIX_CHARS}*\t)[ \t>*+\-.)0-9]+",
                          re.MULTILINE)


def _may_be_too_deep(text: str) -> bool:
    """Whether the tree could pass a nesting limit: deep container prefixes, or enough
    emphasis, HTML tags or links to nest inline past MAX_INLINE_DEPTH."""
    if _inline_depth_bound(text) > MAX_INLINE_DEPTH:
        return True
    if _DEEP_PREFIX.search(text) is None:  # most fields: no line with a long prefix at all
        return False
    return any(len(m.group().expandtabs(4)) >= MAX_DEPTH for m in _DEEP_PREFIX.finditer(text))


def _inline_depth_bound(text: str) -> int:
    """At least the deepest inline nesting the field's tree can have, without parsing it (a
    parse is ~1 ms; counting the whole field spared 96 % of the parses, counting paragraph by
    paragraph spares 92 % of the rest). Each level of emphasis or strikethrough takes an
    opening and a closing character within one paragraph, and a paragraph never spans a blank
    line; inline HTML nests MAX_HTML_DEPTH levels at most; links do not nest, so a link and an
    autolinked URL inside HTML add two at most."""
    tags = min(text.count("<"), MAX_HTML_DEPTH)
    bound = tags + sum(text.count(ch) for ch in "*_~") // 2 + 2
    if bound <= MAX_INLINE_DEPTH:
        return bound
    return tags + max(sum(chunk.count(ch) for ch in "*_~") for chunk in _BLANK_LINE.split(text)) // 2 + 2


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_IMG_TAG = re.compile(r"<img", re.IGNORECASE)
_MATH_HINT = re.compile(r"\$|\\[(\[]|```math")


def _check_markdown(c: _Checker, fields: dict[str, Node], values: dict[str, str],
                    what: str) -> tuple[str, ...]:
    """Every Markdown field of a question: the media it uses (relative paths), problems reported."""
    texts = {name: values.get(name) or "" for name in ("question", "answer", "details", "cloze")}
    details = texts["details"]
    if details and ("```" in details or "~~~" in details) and "details" in fields:
        _check_fences(c, fields["details"], details, what)
    # Each test below only grows when fields are joined: one look at the whole question
    # clears most of them at once (three looks at every question cost validate 0.1 s).
    if not _needs_tree("\n\n".join(texts.values())):
        return ()
    media: list[str] = []
    for name, text in texts.items():
        node = fields.get(name)
        if not text or node is None:
            continue
        where = what if name == "details" else f"the {name} of {what}"
        tree = _tree(c, node, text, where)
        if tree is not None:
            _check_images(c, node, text, tree, where, media)
            _check_math(c, node, text, tree, where)
    return tuple(media)


def _needs_tree(text: str) -> bool:
    """Whether a field's tree could reveal a problem or a file: too long or too deep to
    parse, an image, or TeX with a command outside the allow-list."""
    return (check_markup(text) is not None or "![" in text or ("<" in text and _IMG_TAG.search(text))
            or _may_hold_disallowed_tex(text) or _may_be_too_deep(text))


def _may_hold_disallowed_tex(text: str) -> bool:
    # A formula's commands are commands of the field's text (none spans a line), so a field
    # without one outside the allow-list needs no tree for _check_math; `\begin` is parsed
    # anyway: a quote or list marker can stand between it and its environment's name.
    return bool("\\" in text and _MATH_HINT.search(text) and ("\\begin" in text or disallowed_tex(text)))


def _tree(c: _Checker, node: Node, text: str, where: str):
    """The field's tree when a check needs it; None when it is refused or nothing to check."""
    if not _needs_tree(text):
        return None  # most fields: nothing the tree could reveal, no parse
    problem = check_markup(text)
    if problem is None:  # a field over the length limit is reported below, never parsed
        try:
            return parse_markup(text)
        except MarkupError as exc:
            problem = exc.problem
    c.error(_loc_in_scalar(c, node, problem.offset), f"{where}: {problem.message}", "markdown-limit",
            "split the list or quote into flatter pieces, or move some of the text elsewhere")
    return None


def _check_images(c: _Checker, node: Node, text: str, tree, where: str, media: list[str]) -> None:
    for image in find_images(tree, text):
        loc = _loc_in_scalar(c, node, image.offset)
        if image.remote:
            c.warn(loc, f"remote image '{shown(image.src)}' in {where}: cards and PDFs never fetch it "
                        "and show a link instead; put the file in the content folder", "remote-image",
                   "download the image into the content folder and link it by its relative path")
            continue
        try:
            problem = check_name(image.src)
            if problem:
                raise ImageError(problem)
            relative = local_path(image.src) or ""
            load_image(c.content_dir, relative)
        except ImageError as exc:
            c.error(loc, f"image '{shown(unquote(image.src))}' in {where}: {exc}", "bad-image",
                    "link a PNG, JPEG, GIF or SVG file inside the content folder")
            continue
        if relative not in media:
            media.append(relative)


def _check_math(c: _Checker, node: Node, text: str, tree, where: str) -> None:
    if "\\" not in text:
        return  # no TeX command at all
    for math in tree.walk():
        if math.type in ("math_inline", "math_block"):
            bad = disallowed_tex(math.content)
            if bad:
                at = text.find(math.content)  # the TeX as written; the opener just before it
                at = max(at - len(math.markup), 0) if math.type == "math_inline" else max(at, 0)
                c.warn(_loc_in_scalar(c, node, at),
                       f"math in {where} uses {', '.join(bad)}, which cards and PDFs do not allow; "
                       "it is shown as code", "disallowed-tex",
                       "remove the command: links, styles and scripts have no place in a formula")


def _check_fences(c: _Checker, node: Node, details: str, what: str) -> None:
    """A fence left open swallows the rest of the details, on GitHub too: say where it starts."""
    open_fence, open_offset, offset = None, 0, 0
    for line in details.splitlines(keepends=True):
        match = _FENCE.match(line)
        if match and open_fence is None:
            open_fence, open_offset = match.group(1), offset
        elif match and match.group(1)[0] == open_fence[0] and len(match.group(1)) >= len(open_fence):
            open_fence = None
        offset += len(line)
    if open_fence is not None:
        c.warn(_loc_in_scalar(c, node, open_offset),
               f"code fence '{open_fence}' in {what} is never closed; the rest of the details becomes code",
               "unclosed-fence", f"add a line '{open_fence}' where the code ends")


def _loc_in_scalar(c: _Checker, node: Node, offset: int) -> Loc:
    """The source position of a character of a block scalar (`|`) or of a one-line plain
    scalar (written exactly as its value), else the scalar's start."""
    if type(node) is Scalar and node.style == "" and "\n" not in node.value:
        return Loc(node.loc.line, node.loc.col + offset)
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

# What a flashcard front shows at its smallest size (6 pt on a 8-a-page card) before "…".
MAX_FRONT_CHARS = 400


def _check_deck(c: _Checker, deck: Deck) -> None:
    topic_ids = _unique_ids(c, deck.topics, c.topic_fields, "topic")
    question_ids = _unique_ids(c, deck.questions, c.question_fields, "question")
    _unique_guids(c, deck)
    for q, fields in zip(deck.questions, c.question_fields, strict=True):
        _check_references(c, q, fields, topic_ids, question_ids)
        if len(q.answer) > MAX_ANSWER_CHARS:
            c.warn(fields["answer"].loc, f"answer of '{q.id}' is {len(q.answer)} characters; keep the short "
                   f"answer under {MAX_ANSWER_CHARS} and move the rest to 'details'", "long-answer",
                   "move all but the first sentence or two to 'details'")
        if len(q.question) > MAX_FRONT_CHARS:
            c.warn((fields.get("question") or fields["cloze"]).loc, f"question '{q.id}' is {len(q.question)} "
                   "characters; a flashcard "
                   f"front holds about {MAX_FRONT_CHARS}", "long-question",
                   "shorten the question and move the context to 'details'")
    used = {q.topic for q in deck.questions}
    for topic, fields in zip(deck.topics, c.topic_fields, strict=True):
        if topic.id not in used:
            c.warn(fields["id"].loc, f"topic '{topic.id}' has no questions", "unused-topic",
                   "add a question with this topic, or remove the topic")
    _warn_near_duplicates(c, deck)


def _check_references(c: _Checker, q: Question, fields: dict[str, Node], topic_ids: dict[str, int],
                      question_ids: dict[str, int]) -> None:
    if q.topic not in topic_ids:
        c.error(fields["topic"].loc, f"question '{q.id}' names unknown topic '{q.topic}'", "unknown-topic",
                c.did_you_mean(q.topic, topic_ids) or "add the topic under 'topics', or use an existing id")
    if not q.related:
        return
    items = fields["related"].items
    for ref, item in zip(q.related, _valid_items(items, q.related), strict=True):
        if ref == q.id:
            c.error(item.loc, f"question '{q.id}' lists itself in 'related'", "self-related",
                    "remove the item")
        elif ref not in question_ids:
            c.error(item.loc, f"question '{q.id}' is related to unknown question '{ref}'", "unknown-related",
                    c.did_you_mean(ref, question_ids) or "use the id of a question in this file")


def _valid_items(items: list[Node], kept: tuple[str, ...]) -> list[Node]:
    """The nodes of the list items that became `kept` (first occurrence of each value)."""
    by_value: dict[str, Node] = {}
    for item in items:
        if type(item) is Scalar:
            by_value.setdefault(item.value, item)
    return [by_value[value] for value in kept]


def _unique_ids(c: _Checker, items, fields: list[dict[str, Node]], kind: str) -> dict[str, int]:
    first: dict[str, int] = {}
    for item, item_fields in zip(items, fields, strict=True):
        id_node = item_fields["id"]
        if item.id in first:
            c.error(id_node.loc, f"duplicate {kind} id '{item.id}' (first on line {first[item.id]})",
                    "duplicate-id", f"rename one of the two {kind}s")
        else:
            first[item.id] = id_node.loc.line
    return first


def _unique_guids(c: _Checker, deck: Deck) -> None:
    """Two questions with one anki_guid would be one note in Anki, the second overwriting the first."""
    first: dict[str, Question] = {}
    for q, fields in zip(deck.questions, c.question_fields, strict=True):
        if q.anki_guid and q.anki_guid in first:
            c.error(fields["anki_guid"].loc, f"question '{q.id}' has the anki_guid of "
                    f"'{first[q.anki_guid].id}' (line {first[q.anki_guid].loc.line}); each must be unique",
                    "duplicate-anki-guid",
                    "keep the GUID on the question that came from that Anki note; remove it from the other")
        elif q.anki_guid:
            first[q.anki_guid] = q


_WORD = re.compile(r"\w+")
_FILLER = {"a", "an", "the"}


def _warn_near_duplicates(c: _Checker, deck: Deck) -> None:
    """Same letters in the same order, ignoring case, spacing, punctuation and articles
    ("trade-off" and "tradeoff" are the same word to a reader)."""
    seen: dict[str, tuple[Question, int]] = {}
    for q, fields in zip(deck.questions, c.question_fields, strict=True):
        key = "".join(w for w in _WORD.findall(q.question.lower()) if w not in _FILLER)
        loc = (fields.get("question") or fields["cloze"]).loc
        if key in seen:
            first, line = seen[key]
            c.warn(loc, f"question '{q.id}' reads like '{first.id}' (line {line}); is it a duplicate?",
                   "near-duplicate", "reword one of the two, or remove the duplicate")
        else:
            seen[key] = (q, loc.line)


# --- small helpers ---


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
