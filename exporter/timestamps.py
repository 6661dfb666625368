"""The one time outputs may carry: SOURCE_DATE_EPOCH, else the inputs' commit time or mtime.

Anki applies an update only when the incoming modification time is newer, so an edited
source must always produce a newer time than its last build, while two builds of the
same commit must produce the same time (and therefore the same bytes).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class TimestampError(ValueError):
    pass


def build_timestamp(inputs: list[Path], environ: dict[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise TimestampError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not '{epoch}'")
        return int(epoch)
    committed = _commit_time(inputs)
    if committed is not None:
        return committed
    return max(int(p.stat().st_mtime) for p in inputs if p.exists())


def _commit_time(inputs: list[Path]) -> int | None:
    """The last commit time of the inputs inside their git work tree, if none is modified."""
    folder = inputs[0].resolve().parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    if not top:
        return None
    top_path = Path(top)
    tracked = [str(p.resolve()) for p in inputs if p.resolve().is_relative_to(top_path)]
    if _git(top_path, "status", "--porcelain", "--untracked-files=all", "--", *tracked) != "":
        return None  # uncommitted edits: their mtime is newer than any commit
    stamp = _git(top_path, "log", "-1", "--format=%ct", "--", *tracked)
    return int(stamp) if stamp and stamp.isdigit() else None


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                              timeout=30, env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
