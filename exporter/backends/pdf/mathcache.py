"""Typeset formulas kept across builds: a few JSON-lines files, each glyph outline stored once.

The folder is STUDYPACK_CACHE_DIR, else $XDG_CACHE_HOME/studypack, else ~/.cache/studypack,
then math/<format>-<ziamath version>. A process appends what it typesets to a file of its own,
a line per outline or formula, flushed line by line: a reader sees whole lines and skips a torn
last one. A build reads every file once (a warm build of 2 400 formulas: one file, not 2 400);
past MAX_FILES files, the reader merges them into one, written whole and renamed into place.
It only saves time: a missing, unreadable or corrupt line is typeset again, a folder that
cannot be written is ignored, so outputs and --check never depend on it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TextIO

# Bump when the stored form or the way formulas are drawn changes: old entries are then unseen.
FORMAT = "3"
MAX_FILES = 8


def cache_dir() -> Path:
    explicit = os.environ.get("STUDYPACK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "studypack"


@lru_cache(maxsize=1)
def _engine() -> str:
    """The typesetter's version, read from its metadata so it need not be imported."""
    from importlib import metadata  # 15 ms, paid only by a deck with formulas

    try:
        return metadata.version("ziamath")
    except metadata.PackageNotFoundError:
        return "?"


def key(tex: str, display: bool) -> str:
    text = f"{FORMAT}\0{_engine()}\0{'display' if display else 'inline'}\0{tex}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _folder() -> Path:
    return cache_dir() / "math" / f"{FORMAT}-{_engine()}"


class _Store:
    """What this process read from one cache folder, and the file it appends to."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.formulas: dict[tuple[str, bool], dict] = {}
        self.fields: dict[str, list] = {}  # field_key -> [[tex, display], …]: its formulas
        self.outlines: dict[str, str] = {}
        self.out: TextIO | None = None
        self.out_pid = 0
        self.written: set[str] = set()  # outlines already in this process's file
        files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
        for path in files:
            self._read(path)
        if len(files) > MAX_FILES:
            self._merge(files)

    def _read(self, path: Path) -> None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # torn or hand-edited
            if not isinstance(record, dict):
                continue
            ops, tex = record.get("ops"), record.get("tex")
            if isinstance(ops, str) and record.get("o") == _outline_id(ops):
                self.outlines[record["o"]] = ops
            elif isinstance(tex, str) and isinstance(record.get("display"), bool):
                self.formulas[(tex, record["display"])] = record
            elif isinstance(record.get("field"), str) and _formula_list(record.get("formulas")):
                self.fields[record["field"]] = record["formulas"]

    def _merge(self, files: list[Path]) -> None:
        lines = [json.dumps({"o": o, "ops": ops}) for o, ops in self.outlines.items()]
        lines += [json.dumps(r, ensure_ascii=False) for r in self.formulas.values()]
        lines += [json.dumps({"field": k, "formulas": f}, ensure_ascii=False) for k, f in self.fields.items()]
        try:
            fd, temp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".part")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write("\n".join(lines) + "\n")
            os.replace(temp, self.folder / f"merged-{Path(temp).stem.removeprefix('.tmp-')}.jsonl")
            for path in files:
                path.unlink(missing_ok=True)
        except OSError:
            pass  # merged next time

    def append(self, tex: str, display: bool, record: dict) -> None:
        stored, outlines = self.remember(tex, display, record)
        lines = [json.dumps({"o": o, "ops": ops}) for o, ops in outlines.items() if o not in self.written]
        lines.append(json.dumps(stored, ensure_ascii=False))
        if self._write(lines):
            self.written.update(outlines)

    def append_field(self, key: str, formulas: list[list]) -> None:
        if self.fields.get(key) != formulas:
            self.fields[key] = formulas
            self._write([json.dumps({"field": key, "formulas": formulas}, ensure_ascii=False)])

    def _write(self, lines: list[str]) -> bool:
        try:
            out = self._file()
            out.write("\n".join(lines) + "\n")
            out.flush()
        except OSError:
            return False  # a read-only or full disk: the build goes on without the cache
        return True

    def remember(self, tex: str, display: bool, record: dict) -> tuple[dict, dict[str, str]]:
        """The record as stored (outlines by id) and its outlines, both now known here."""
        outlines = {_outline_id(ops): ops for ops, _, _ in record.get("glyphs", [])}
        stored = {"tex": tex, "display": display, **record}
        if "glyphs" in record:
            stored["glyphs"] = [[_outline_id(ops), x, y] for ops, x, y in record["glyphs"]]
        self.outlines.update(outlines)
        self.formulas[(tex, display)] = stored
        return stored, outlines

    def _file(self) -> TextIO:
        # A forked worker inherits the parent's file: it opens its own instead.
        if self.out is None or self.out_pid != os.getpid():
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, _ = tempfile.mkstemp(dir=self.folder, prefix=f"{os.getpid()}-", suffix=".jsonl")
            self.out, self.out_pid, self.written = os.fdopen(fd, "a", encoding="utf-8"), os.getpid(), set()
        return self.out


_store: _Store | None = None


def _current() -> _Store:
    global _store
    folder = _folder()
    if _store is None or _store.folder != folder:
        _store = _Store(folder)
    return _store


@lru_cache(maxsize=4096)
def _outline_id(ops: str) -> str:
    return hashlib.sha1(ops.encode("utf-8")).hexdigest()[:16]


def load(tex: str, display: bool) -> dict | None:
    """The stored record of this formula, its glyphs' outlines filled in; None if absent."""
    store = _current()
    record = store.formulas.get((tex, display))
    if record is None or "glyphs" not in record:
        return record
    try:
        glyphs = [[store.outlines[o], x, y] for o, x, y in record["glyphs"]]
    except (KeyError, TypeError, ValueError):
        return None  # an outline missing (a merge raced with a writer) or a bad line
    return {**record, "glyphs": glyphs}


def field_key(source: str) -> str:
    """The key of a field's formula list: its text (and what else decides its parse), the
    cache format and studypack's version, whose Markdown reading finds the formulas."""
    from ... import __version__

    text = f"{FORMAT}\0studypack {__version__}\0{source}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def field_formulas(key: str) -> list[tuple[str, bool]] | None:
    """The formulas (tex, display) found in a field before, None if it was never read."""
    found = _current().fields.get(key)
    return None if found is None else [(tex, display) for tex, display in found]


def store_field(key: str, formulas: list[tuple[str, bool]]) -> None:
    _current().append_field(key, [[tex, display] for tex, display in formulas])


def _formula_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(f, list) and len(f) == 2 and isinstance(f[0], str)
                                           and isinstance(f[1], bool) for f in value)


def store(tex: str, display: bool, record: dict) -> None:
    _current().append(tex, display, record)


def remember(tex: str, display: bool, record: dict) -> None:
    """Known to this process without writing it: another process typeset and stored it."""
    _current().remember(tex, display, record)


def forget() -> None:
    """Read the folder again on next use, as a new process would."""
    global _store
    if _store is not None and _store.out is not None and _store.out_pid == os.getpid():
        _store.out.close()
    _store = None
