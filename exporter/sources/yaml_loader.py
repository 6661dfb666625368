"""Bytes -> strict UTF-8 -> YAML nodes that keep their position; syntax errors become Diagnostics.

The nodes are built from the parser's event stream rather than with `yaml.compose`
because events say what compose hides: anchors, aliases and explicit tags (all refused,
never resolved or executed), and mappings keep every key so duplicates can be reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import yaml

from ..diagnostics import Diagnostic, error
from ..model import Loc
from .yaml_hints import syntax_help

# Limits that keep hostile input from exhausting memory; real decks are far below them.
MAX_SOURCE_BYTES = 64 * 1024 * 1024  # a 50 000-question deck is about 40 MiB
MAX_SCALAR_CHARS = 1024 * 1024
MAX_DEPTH = 32

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


class Scalar(NamedTuple):
    value: str  # as written: `no` stays "no", `1.0` stays "1.0"
    line: int  # 0-based, as the parser counts; .loc gives the 1-based Loc
    col: int
    style: str  # "" plain, "'" or '"' quoted, "|" or ">" block

    @property
    def plain(self) -> bool:
        return self.style == ""


class Mapping(NamedTuple):
    pairs: list[tuple[Scalar, Node]]  # every key, in order, duplicates included
    line: int
    col: int


class Sequence(NamedTuple):
    items: list[Node]
    line: int
    col: int


Node = Scalar | Mapping | Sequence


def _node_loc(node: Node) -> Loc:
    return Loc(node.line + 1, node.col + 1)


# Nodes keep two ints and make a Loc only when one is asked for: building a Loc (or
# keeping the parser's Mark) per node cost a third of the load time and much of the
# memory of a large deck.
Scalar.loc = Mapping.loc = Sequence.loc = property(_node_loc)  # type: ignore[attr-defined]


class LoadResult(NamedTuple):
    root: Node | None
    diagnostics: list[Diagnostic]
    text: str = ""  # the decoded source, for positions inside block scalars


class _Refused(Exception):
    def __init__(self, loc: Loc, message: str, code: str):
        super().__init__(message)
        self.loc, self.message, self.code = loc, message, code


def load_file(path: Path, display: str) -> LoadResult:
    """Read and parse the source; `display` is the path as the user should see it."""
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            limit = MAX_SOURCE_BYTES // (1024 * 1024)
            return _fail(display, Loc(1, 1), f"file is {size} bytes; the limit is {limit} MiB",
                         "file-too-large")
        # Decoded at once so the bytes are freed before parsing (a large deck is tens of MiB).
        text, problem = _decode(path.read_bytes())
    except OSError as exc:
        return _fail(display, Loc(1, 1), f"cannot read file: {exc.strerror or exc}", "unreadable-file")
    return _fail(display, *problem, "invalid-utf8") if problem else parse_text(text, display)


def parse_text(text: str, display: str) -> LoadResult:
    try:
        root = _build(_Loader(text))
    except _Refused as exc:
        return _fail(display, exc.loc, exc.message, exc.code)
    except yaml.MarkedYAMLError as exc:
        return _fail(display, _mark_loc(exc.problem_mark), _syntax_message(exc), "yaml-syntax",
                     syntax_help(text, exc))
    except yaml.reader.ReaderError as exc:
        return _fail(display, _offset_loc(text, exc.position), _reader_message(exc), "forbidden-character")
    except yaml.YAMLError as exc:  # libyaml's reader errors carry only a text position
        message = f"YAML error: {exc}".split("\n")[0]
        return _fail(display, _loc_from_text(text, str(exc)), message, "yaml-syntax")
    if root is None:
        return _fail(display, Loc(1, 1), "file is empty; expected a mapping with 'schema', "
                                          "'deck', 'topics' and 'questions'", "empty-file")
    return LoadResult(root, [], text)


def _fail(display: str, loc: Loc, message: str, code: str, help: str = "") -> LoadResult:
    return LoadResult(None, [error(display, loc, message, code, help)])


def _decode(data: bytes) -> tuple[str, tuple[Loc, str] | None]:
    """Strict UTF-8 with an optional BOM; CRLF and CR become LF so columns stay right."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        message = f"invalid UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded; save the file as UTF-8"
        return "", (Loc(line, col), message)
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def _build(loader) -> Node | None:
    """Turn the event stream of a single document into nodes, refusing what we never resolve."""
    # One loop pulling events straight from the parser, with the common cases written out:
    # this is the per-event cost of every load (230 000 events at 10 000 questions), and
    # yaml.parse's generator and a call per child were a third of it.
    stack: list[tuple[Mapping | Sequence, list]] = []
    root: Node | None = None
    documents = 0
    get_event = loader.get_event
    try:
        while True:
            event = get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                if event.anchor is not None or (event.tag is not None and event.tag != "!"):
                    _check_plain_event(event)
                if len(event.value) > MAX_SCALAR_CHARS:
                    raise _Refused(_mark_loc(event.start_mark), f"value is {len(event.value)} characters "
                                   f"long; the limit is {MAX_SCALAR_CHARS}", "value-too-long")
                mark = event.start_mark
                node = Scalar(event.value, mark.line, mark.column, event.style or "")
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                node = stack.pop()[0]
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                _check_plain_event(event)
                if len(stack) >= MAX_DEPTH:
                    raise _Refused(_mark_loc(event.start_mark), f"nesting is deeper than {MAX_DEPTH} levels",
                                   "nesting-too-deep")
                mark = event.start_mark
                collection = (Mapping([], mark.line, mark.column) if kind is yaml.MappingStartEvent
                              else Sequence([], mark.line, mark.column))
                stack.append((collection, []))
                continue
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Refused(_mark_loc(event.start_mark), "only one YAML document is allowed; "
                                   "remove the extra '---'", "multiple-documents")
                continue
            elif kind is yaml.AliasEvent:
                raise _Refused(_mark_loc(event.start_mark), f"aliases are not allowed ('*{event.anchor}'); "
                               "write the value out", "yaml-alias")
            elif event is None or kind is yaml.StreamEndEvent:
                return root
            else:
                continue
            if not stack:
                root = node
                continue
            collection, pending_key = stack[-1]
            if type(collection) is Sequence:
                collection.items.append(node)
            elif pending_key:
                collection.pairs.append((pending_key.pop(), node))
            elif type(node) is Scalar:
                pending_key.append(node)
            else:
                raise _Refused(node.loc, "a mapping key must be a plain string", "complex-key")
    finally:
        loader.dispose()


def _check_plain_event(event) -> None:
    if event.anchor is not None:
        raise _Refused(_mark_loc(event.start_mark),
                       f"anchors are not allowed ('&{event.anchor}'); studypack files are plain data",
                       "yaml-anchor")
    # '!' is the non-specific tag of a quoted scalar; anything else was written by the author.
    if event.tag is not None and event.tag != "!":
        raise _Refused(_mark_loc(event.start_mark),
                       f"tags are not allowed ('{event.tag}'); values are never constructed or executed",
                       "yaml-tag")


def _mark_loc(mark) -> Loc:
    return Loc(mark.line + 1, mark.column + 1)


def _offset_loc(text: str, offset: int) -> Loc:
    line_start = text.rfind("\n", 0, offset) + 1
    return Loc(text.count("\n", 0, offset) + 1, offset - line_start + 1)


def _loc_from_text(text: str, message: str) -> Loc:
    import re

    match = re.search(r"position (\d+)", message)
    return _offset_loc(text, int(match.group(1))) if match else Loc(1, 1)


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    message = f"YAML syntax error: {exc.problem}"
    if "tab" in (exc.problem or ""):
        message += " (indent with spaces, not tabs)"
    same_place = exc.context_mark is not None and exc.problem_mark is not None and (
        (exc.context_mark.line, exc.context_mark.column) == (exc.problem_mark.line, exc.problem_mark.column))
    if exc.context and exc.context_mark is not None and not same_place:
        mark = exc.context_mark
        message += f" ({exc.context} at line {mark.line + 1}, column {mark.column + 1})"
    return message


def _reader_message(exc: yaml.reader.ReaderError) -> str:
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return (f"character U+{ord(char):04X} is not allowed in YAML; remove it or write it "
            "as an escape in a double-quoted string")
