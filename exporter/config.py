"""studypack.toml (or [tool.studypack] in pyproject.toml): option defaults and ignored warnings."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import codes
from .diagnostics import Diagnostic, error
from .model import Loc

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONFIG_NAME = "studypack.toml"

# Each option: the command-line name (without --) and the type a value must have.
# Paths are relative to the config file's folder.
OPTIONS: dict[str, type] = {
    "output-dir": Path, "only": list, "paper": str, "anki-flat": bool, "handbook-style": str,
    "font-dir": Path, "flashcards-overflow": str, "templates": Path, "strict": bool, "format": str,
    "quiet": bool,
}
KEYS = (*OPTIONS, "ignore", "per-question")


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # the file the settings came from; None when there is none
    options: dict[str, object] = field(default_factory=dict)  # keyed like OPTIONS
    ignore: frozenset[str] = frozenset()  # warning codes, as numbers ("SP403")
    per_question: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def display(self) -> str:
        return _display(self.path) if self.path else ""

    def ignores(self, code: str, question_id: str | None) -> bool:
        if code in self.ignore:
            return True
        return question_id is not None and code in self.per_question.get(question_id, ())


def find(source: Path) -> Path | None:
    """studypack.toml in the source's folder or above it, else the nearest pyproject.toml with
    a [tool.studypack] table; the search stops at the top of a git repository."""
    for folder in [source.resolve().parent, *source.resolve().parent.parents]:
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and re.search(r"(?m)^\s*\[tool\.studypack[\].]", _read(pyproject)):
            return pyproject
        if (folder / ".git").exists():
            return None
    return None


def load(source: Path) -> tuple[Config, list[Diagnostic]]:
    path = find(source)
    if path is None:
        return Config(), []
    text = _read(path)
    display = _display(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return Config(path), [error(display, _toml_error_loc(str(exc)), f"invalid TOML: {exc}", "bad-config")]
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("studypack", {})
    return _read_table(path, text, data)


def _read_table(path: Path, text: str, data: dict) -> tuple[Config, list[Diagnostic]]:
    problems: list[Diagnostic] = []

    def problem(key: str, message: str, help: str = "") -> None:
        problems.append(error(_display(path), _key_loc(text, key), message, "bad-config", help))

    options: dict[str, object] = {}
    for key, value in data.items():
        if key not in KEYS:
            from .suggest import did_you_mean

            problem(key, f"unknown option '{key}' in {path.name}",
                    did_you_mean(key, KEYS) or f"the options are {', '.join(KEYS)}")
        elif key in OPTIONS:
            wanted = OPTIONS[key]
            choices = _choices(key)
            if not isinstance(value, str if wanted is Path else wanted):
                problem(key, f"'{key}' in {path.name} must be {_type_name(wanted)}")
            elif choices and any(v not in choices for v in (value if isinstance(value, list) else [value])):
                problem(key, f"'{key}' in {path.name} must be one of {', '.join(choices)}, not {value!r}")
            else:
                options[key] = (path.parent / value) if wanted is Path else value
    ignore = _codes(data.get("ignore", []), "ignore", problem)
    per_question = {}
    table = data.get("per-question", {})
    if not isinstance(table, dict):
        problem("per-question", "'per-question' must be a table of question id = [codes]")
        table = {}
    for question_id, listed in table.items():
        per_question[question_id] = _codes(listed, question_id, problem)
    return Config(path, options, ignore, per_question), problems


def _codes(listed, key: str, problem) -> frozenset[str]:
    if not isinstance(listed, list) or not all(isinstance(item, str) for item in listed):
        problem(key, f"'{key}' must be a list of warning codes like [\"SP403\", \"near-duplicate\"]")
        return frozenset()
    found = set()
    for item in listed:
        known = codes.lookup(item)
        if known is None:
            from .suggest import did_you_mean

            problem(key, f"unknown diagnostic code '{item}'",
                    did_you_mean(item, [c.name for c in codes.CODES]) or "the README lists every code")
        elif known.severity != "warning":
            problem(key, f"{known.code} {known.name} is an error and cannot be ignored")
        else:
            found.add(known.code)
    return frozenset(found)


def _display(path: Path) -> str:
    """The config's path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _key_loc(text: str, key: str) -> Loc:
    """Where a key is written (tomllib gives no positions): its first `key =` or `[key]`."""
    quoted_key = rf"[\"']?{re.escape(key)}[\"']?"
    pattern = re.compile(rf"(?m)^([ \t]*)(?:\[\s*(?:tool\.studypack\.)?)?{quoted_key}\s*[=\]]")
    match = pattern.search(text)
    if match is None:
        return Loc(1, 1)
    return Loc(text.count("\n", 0, match.start()) + 1, len(match.group(1)) + 1)


def _toml_error_loc(message: str) -> Loc:
    match = re.search(r"line (\d+), column (\d+)", message)
    return Loc(int(match.group(1)), int(match.group(2))) if match else Loc(1, 1)


def _choices(key: str) -> tuple[str, ...]:
    from .backends import BACKEND_NAMES, FLASHCARDS_OVERFLOW, HANDBOOK_STYLES, PAPER_SIZES
    from .diagnostics import FORMAT_NAMES

    return {"only": BACKEND_NAMES, "paper": PAPER_SIZES, "handbook-style": HANDBOOK_STYLES,
            "flashcards-overflow": FLASHCARDS_OVERFLOW,
            "format": FORMAT_NAMES}.get(key, ())


def _type_name(wanted: type) -> str:
    return {bool: "true or false", list: "a list", str: "a string", Path: "a path (a string)"}[wanted]
