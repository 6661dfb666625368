"""Outputs on disk: staged then replaced atomically, one build per folder at a time, never over an input."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


class OutputError(Exception):
    """A file could not be written; every previous output is left as it was."""


@dataclass(frozen=True)
class Output:
    backend: str
    path: Path
    data: bytes


def overwritten_input(outputs: list[Output], inputs: list[Path]) -> tuple[Output, Path] | None:
    """The first output that resolves (symbolic links followed) to an input file."""
    resolved = {p.resolve(): p for p in inputs}
    for output in outputs:
        target = output.path.resolve()
        if target in resolved:
            return output, resolved[target]
    return None


def stale_outputs(outputs: list[Output]) -> list[Output]:
    return [o for o in outputs if _read_or_none(o.path) != o.data]


def write_outputs(outputs: list[Output]) -> list[Output]:
    """Write the changed outputs: all temp files first, then os.replace each.

    A failure while staging (unwritable folder, full disk) removes the temp files and
    leaves every previous output intact. An unchanged file is not touched, so its mtime
    stays and make-like tools see no change.
    """
    with _folders_locked(sorted({o.path.parent for o in outputs})):
        return _write_locked(outputs)


def _write_locked(outputs: list[Output]) -> list[Output]:
    changed = stale_outputs(outputs)
    for output in changed:
        _remove_leftover_temps(output.path)  # safe: no other build is staging here now
    staged: list[tuple[str, Output]] = []
    try:
        for output in changed:
            staged.append((_stage(output), output))
    except OSError as exc:
        for temp, _ in staged:
            _remove_quietly(temp)
        failed = _failed_path(exc, changed, staged)
        raise OutputError(f"cannot write {failed}: {exc.strerror or exc}") from exc
    except BaseException:  # Ctrl-C or SIGTERM while staging: leave no temp file behind
        for temp, _ in staged:
            _remove_quietly(temp)
        raise
    for temp, output in staged:
        os.replace(temp, output.path)
    return changed


@contextlib.contextmanager
def _folders_locked(folders: list[Path]):
    """An exclusive lock on each output folder (flock on the folder itself, so no lock file
    is left): two builds into one folder take turns instead of removing each other's temps."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; builds into one folder must not overlap there
        yield
        return
    with contextlib.ExitStack() as stack:
        for folder in folders:  # sorted by the caller: two builds lock in the same order
            try:
                folder.mkdir(parents=True, exist_ok=True)
                fd = os.open(folder, os.O_RDONLY)
            except OSError as exc:
                raise OutputError(f"cannot write into {folder}: {exc.strerror or exc}") from exc
            stack.callback(os.close, fd)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield


def _stage(output: Output) -> str:
    output.path.parent.mkdir(parents=True, exist_ok=True)
    if output.path.is_dir():  # os.replace would fail only after other outputs were replaced
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(output.path))
    fd, temp = tempfile.mkstemp(dir=output.path.parent, prefix=f".{output.path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(output.data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o666 & ~_umask())
    except BaseException:
        _remove_quietly(temp)
        raise
    return temp


def _remove_leftover_temps(path: Path) -> None:
    """Temp files of a build that was killed (SIGKILL) before it could clean up."""
    if path.parent.is_dir():
        for leftover in path.parent.glob(f".{path.name}.*.tmp"):
            _remove_quietly(str(leftover))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _failed_path(exc: OSError, changed: list[Output], staged: list) -> Path | str:
    return changed[len(staged)].path if len(staged) < len(changed) else (exc.filename or "output")
