"""`studypack tracked`: is every file the deck needs tracked by git? (a pre-commit check)

The build itself never runs git (a deck's .git/config could run commands). This check runs in
the user's own repository from their pre-commit hook, and even so with the configuration that
can execute programs switched off and a minimal environment.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from . import ledger
from .backends import default_templates_dir

# Options that stop a repository's configuration from running programs for this one command.
SAFE_GIT = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "core.pager=cat",
            "--no-pager")
PASSED_THROUGH = ("PATH", "HOME", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR",
                  "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES")


class GitError(Exception):
    pass


def needed_files(source: Path, media: tuple[str, ...], templates_dir: Path | None) -> list[Path]:
    """The source, its ledger, its images and the templates it is built with."""
    paths = [source, ledger.path_for(source), *(source.parent / m for m in media)]
    if templates_dir and templates_dir.resolve() != default_templates_dir().resolve():
        paths += sorted(p for p in templates_dir.rglob("*") if p.is_file())
    return paths


def untracked(paths: list[Path]) -> list[Path]:
    """The paths git does not track (in its index: what the next commit holds)."""
    tracked: set[Path] = set()
    folders = sorted({p.resolve().parent for p in paths})
    for folder in folders:
        names = [p.resolve().name for p in paths if p.resolve().parent == folder]
        out = _git(folder, "ls-files", "-z", "--", *names)
        tracked |= {(folder / name).resolve() for name in out.split("\0") if name}
    return [p for p in paths if p.resolve() not in tracked]


def _git(folder: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k in PASSED_THROUGH}
    env |= {"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(["git", *SAFE_GIT, "-C", str(folder), *args], capture_output=True,
                              text=True, env=env, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitError(f"cannot run git: {exc}") from exc
    if done.returncode != 0:
        raise GitError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "git failed")
    return done.stdout
