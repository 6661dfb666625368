"""reportlab's reading of each font file, kept across runs: a build registers fonts without parsing them.

reportlab reads a TrueType file's character map, widths and glyph offsets in pure Python:
~10 ms a face, 60 ms for the DejaVu family, paid by every build and by each render process.
What it read is kept as one pickle per font file in the cache folder (mathcache.cache_dir),
named by a hash of the file's path, size and modification time, the registered name and the
reportlab and Python versions; any other file, edit or upgrade is a new entry. Like the math
cache it only saves time: an entry that is missing, unreadable or does not restore is read
again, a folder that cannot be written is ignored, and entries are written whole or not at all.
The file's bytes are still read on every run (subsetting embeds them), only the parse is kept.
Pickles are trusted as Python trusts its own bytecode cache: the folder is the user's own.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from array import array
from pathlib import Path
from weakref import WeakKeyDictionary

import reportlab
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

from ...atomic import replace_file
from .mathcache import cache_dir

# Bump when what is kept changes: old entries are then unseen.
FORMAT = "1"
# Not kept: the file's bytes (read afresh), reportlab's scale function (a closure, rebuilt
# from unitsPerEm) and the per-document subset state (empty for a new font).
_FACE_SKIP = ("_ttf_data", "_pdfScale")
_FONT_SKIP = ("face", "state")


def ttfont(name: str, path: str, index: int = 0) -> TTFont:
    """reportlab's TTFont(name, path, subfontIndex=index), from the cache when it holds it."""
    entry = _entry(name, path, index)
    if entry is not None:
        font = _restore(entry, path)
        if font is not None:
            return font
    font = TTFont(name, path, subfontIndex=index)
    if entry is not None:
        _store(entry, font)
    return font


def _entry(name: str, path: str, index: int) -> Path | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None  # reportlab reports the unreadable file
    text = "\0".join((FORMAT, reportlab.Version, sys.version, name, path, str(index),
                      str(stat.st_size), str(stat.st_mtime_ns)))
    return cache_dir() / "fonts" / f"{hashlib.sha256(text.encode()).hexdigest()}.pickle"


def _restore(entry: Path, path: str) -> TTFont | None:
    try:
        kept = pickle.loads(entry.read_bytes())
        with open(path, "rb") as handle:
            data = handle.read()
        face = TTFontFace.__new__(TTFontFace)
        face.__dict__.update({k: _unpacked(v) for k, v in kept["face"].items()}, _ttf_data=data,
                             _pdfScale=_scale(kept["face"]["unitsPerEm"]))
        font = TTFont.__new__(TTFont)
        font.__dict__.update(kept["font"], face=face, state=WeakKeyDictionary())
    except Exception:  # noqa: BLE001 (a missing or damaged entry: read the file again)
        return None
    return font


def _scale(units_per_em: int):
    """reportlab's own conversion from font units to thousandths of the size (extractInfo)."""
    if units_per_em == 1000:
        return lambda x: x
    factor = 1000 / units_per_em
    return lambda x: x * factor


def _store(entry: Path, font: TTFont) -> None:
    try:
        kept = {"font": {k: v for k, v in vars(font).items() if k not in _FONT_SKIP},
                "face": {k: _packed(v) for k, v in vars(font.face).items() if k not in _FACE_SKIP}}
        data = pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)
        entry.parent.mkdir(parents=True, exist_ok=True)
        replace_file(entry, data)
    except Exception:  # noqa: BLE001 (an unwritable folder or an unpicklable font: no cache)
        pass


# The tables (a character map, widths, glyph offsets: ~30 000 small objects for DejaVu) are
# kept as flat arrays of machine numbers: unpickled as Python objects they take as long to
# load as reportlab takes to parse them; rebuilt from arrays, a fraction of that.
class _Packed(tuple):
    """(kind, column, ...): a table of numbers stored flat; kind says how to rebuild it."""


def _packed(value):
    try:
        return _pack(value)
    except (OverflowError, TypeError, ValueError):  # not all machine numbers: kept as it is
        return value


def _pack(value):
    if type(value) is list and value and all(type(x) is tuple and len(x) == 2 for x in value):
        return _Packed(("pairs", _column([x[0] for x in value]), _column([x[1] for x in value])))
    if type(value) is list and value:
        return _Packed(("list", _column(value)))
    if type(value) is not dict or not value:
        return value
    values = list(value.values())
    if all(type(v) is list for v in values):
        return _Packed(("dict of lists", _column(list(value)), _column([len(v) for v in values]),
                        _column([x for v in values for x in v])))
    return _Packed(("dict", _column(list(value)), _column(values)))


def _column(numbers: list):
    """An array of ints or of floats; mixed, the floats with a mask of which were ints."""
    if all(type(x) is int for x in numbers):
        return array("q", numbers)
    if all(type(x) is float for x in numbers):
        return array("d", numbers)
    mask = bytes(type(x) is int for x in numbers)
    if not all(type(x) in (int, float) for x in numbers) or any(
            m and float(x) != x for x, m in zip(numbers, mask, strict=True)):  # an int a double cannot hold
        raise TypeError("not a column of numbers")
    return array("d", numbers), mask


def _numbers(column) -> list:
    if type(column) is array:
        return column.tolist()
    floats, mask = column
    return [int(x) if m else x for x, m in zip(floats.tolist(), mask, strict=True)]


def _unpacked(value):
    if type(value) is not _Packed:
        return value
    kind, *columns = value
    parts = [_numbers(c) for c in columns]
    if kind == "list":
        return parts[0]
    if kind == "pairs":
        return list(zip(*parts, strict=True))
    if kind == "dict":
        return dict(zip(*parts, strict=True))
    keys, lengths, flat = parts
    if lengths.count(1) == len(lengths):  # a character a glyph, as in most fonts
        return dict(zip(keys, [[x] for x in flat], strict=True))
    lists, start = [], 0
    for length in lengths:
        lists.append(flat[start:start + length])
        start += length
    return dict(zip(keys, lists, strict=True))
