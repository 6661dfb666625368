"""The one way the build reads a file a deck names: confined to the content folder, bounded, read once."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePosixPath


class ConfinementError(ValueError):
    """A file the deck names cannot be used; the message never says what lies outside."""


def confined_path(content_dir: Path, relative: str) -> Path:
    """The real path of `relative` (symbolic links followed), refused unless it stays inside
    the content folder. Nothing outside is opened or examined, so no message depends on it."""
    pure = PurePosixPath(relative)
    if not relative or pure.is_absolute() or relative.startswith("\\") or ":" in pure.parts[0]:
        raise ConfinementError("absolute paths are not allowed; use a path relative to the content folder")
    if ".." in pure.parts:
        raise ConfinementError("the path leaves the content folder ('..')")
    root = content_dir.resolve()
    resolved = (root / pure).resolve()
    if not resolved.is_relative_to(root):
        raise ConfinementError("the path leads outside the content folder (through a symbolic link)")
    return resolved


def read_confined(content_dir: Path, relative: str, max_bytes: int) -> bytes:
    """The bytes of a regular file inside the content folder, at most `max_bytes` of them."""
    path = confined_path(content_dir, relative)
    try:
        # O_NONBLOCK: a FIFO put where an image should be must not block the build.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise ConfinementError("file not found" if exc.errno == errno.ENOENT
                               else "file cannot be read") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfinementError("not a regular file")
        if info.st_size > max_bytes:
            raise ConfinementError(f"the file is {info.st_size} bytes; the limit is {max_bytes}")
        data = _read_at_most(fd, max_bytes + 1)
    except OSError:
        raise ConfinementError("file cannot be read") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # it grew while being read
        raise ConfinementError(f"the file is over the limit of {max_bytes} bytes")
    return data


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks, size = [], 0
    while size < limit:
        chunk = os.read(fd, min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
