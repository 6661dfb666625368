"""Typeset formulas kept across builds: one small JSON file per formula, named by a content hash.

The folder is STUDYPACK_CACHE_DIR, else $XDG_CACHE_HOME/studypack, else ~/.cache/studypack.
It only saves time: a missing, unreadable or corrupt entry is typeset again, a folder that
cannot be written is ignored, and an entry is written whole or not at all (rename into
place), so outputs and --check never depend on it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

# Bump when the stored form or the way formulas are drawn changes: old entries are then unseen.
FORMAT = "2"


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


def _path(digest: str) -> Path:
    return cache_dir() / "math" / digest[:2] / f"{digest}.json"


def load(tex: str, display: bool) -> dict | None:
    try:
        record = json.loads(_path(key(tex, display)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    # A hash collision or a hand-edited file: only an entry for this very formula counts.
    if not isinstance(record, dict) or record.get("tex") != tex:
        return None
    return record


def store(tex: str, display: bool, record: dict) -> None:
    path = _path(key(tex, display))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"tex": tex, **record}, out, ensure_ascii=False)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a read-only or full disk: the build goes on without the cache
