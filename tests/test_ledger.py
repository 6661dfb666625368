"""The ledger: times that move only with content, identities it guards, and builds that need no git."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from anki_client import import_apkg, open_collection
from click.testing import CliRunner

from exporter.cli import main

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
T0 = 1_700_000_000
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}


def deck_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(FIXTURES / "minimal.yaml", folder / "minimal.yaml")
    shutil.copytree(FIXTURES / "media", folder / "media")
    return folder / "minimal.yaml"


def run(*args: str, env: dict[str, str] | None = None):
    result = CliRunner(env=env).invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def build_process(source: Path, out: Path, *extra: str, cwd: Path | None = None,
                  env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """A build in a process of its own, as CI would run it: no SOURCE_DATE_EPOCH unless given."""
    base = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.run([sys.executable, "-m", "exporter", "build", str(source), "-o", str(out), *extra],
                          cwd=cwd or source.parent, capture_output=True, text=True,
                          env={**base, "PYTHONPATH": str(ROOT), **(env or {})})


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}, check=True)
    return done.stdout


def edit(source: Path, old: str, new: str) -> None:
    text = source.read_text(encoding="utf-8")
    assert old in text
    source.write_text(text.replace(old, new), encoding="utf-8")


# --- identical bytes without git ---


def test_build_commit_check_is_clean_and_a_shallow_clone_builds_the_same_bytes(tmp_path: Path):
    repo = tmp_path / "repo"
    source = deck_folder(repo)
    git(repo, "init", "-q")
    assert build_process(source, repo / "build").returncode == 0
    git(repo, "add", "minimal.yaml", "minimal.lock", "media")
    git(repo, "commit", "-qm", "deck")
    check = build_process(source, repo / "build", "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True,
                   env={**os.environ, **GIT_ENV})
    assert build_process(clone / "minimal.yaml", clone / "build").returncode == 0
    assert digests(clone / "build") == digests(repo / "build")
    assert (clone / "minimal.lock").read_bytes() == (repo / "minimal.lock").read_bytes()


def test_a_later_build_of_unchanged_sources_is_identical_whatever_the_clock(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    assert build_process(source, tmp_path / "one", env={"SOURCE_DATE_EPOCH": str(T0)}).returncode == 0
    # A day later, and a source whose file time lies far in the future: neither matters.
    os.utime(source, (2**33, 2**33))
    later = build_process(source, tmp_path / "two", env={"SOURCE_DATE_EPOCH": str(T0 + 86_400)})
    assert later.returncode == 0, later.stderr
    assert digests(tmp_path / "one") == digests(tmp_path / "two")


def test_a_hostile_git_config_in_the_deck_never_runs(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    git(source.parent, "init", "-q")
    marker = tmp_path / "pwned"
    hook = tmp_path / "hook.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
    hook.chmod(0o755)
    with (source.parent / ".git" / "config").open("a", encoding="utf-8") as config:
        config.write(f"[core]\n\tfsmonitor = {hook}\n\thooksPath = {tmp_path}\n[alias]\n\tstatus = !{hook}\n")
    git(source.parent, "add", "-A")  # the hook works: git itself runs it
    assert marker.exists()
    marker.unlink()
    assert build_process(source, tmp_path / "out").returncode == 0
    assert build_process(source, tmp_path / "out", "--check").returncode == 0
    assert run("validate", str(source)).exit_code == 0
    assert not marker.exists()


# --- Anki sees exactly the edited note change ---


def test_reimport_changes_exactly_the_edited_note(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    out = tmp_path / "out"
    assert build_process(source, out, "--only", "anki", env={"SOURCE_DATE_EPOCH": str(T0)}).returncode == 0
    col = open_collection(tmp_path / "col")
    import_apkg(col, (out / "minimal-deck.apkg").read_bytes(), tmp_path)
    before = _note_states(col)
    edit(source, "Exactly the characters", "Precisely the characters")
    assert build_process(source, out, "--only", "anki",
                         env={"SOURCE_DATE_EPOCH": str(T0 + 3600)}).returncode == 0
    import_apkg(col, (out / "minimal-deck.apkg").read_bytes(), tmp_path)
    after = _note_states(col)
    changed = {qid for qid in before if before[qid] != after[qid]}
    assert changed == {"markup-chars"}
    assert after["markup-chars"][0] == T0 + 3600
    assert "Precisely the characters" in after["markup-chars"][1]
    assert {after[q][0] for q in after if q != "markup-chars"} == {T0}


def _note_states(col) -> dict[str, tuple[int, str]]:
    states = {}
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        states[note["Id"]] = (note.mod, "\x1f".join(note.fields))
    return states


def test_templates_move_only_the_note_type_time(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    templates = tmp_path / "templates" / "anki"
    templates.mkdir(parents=True)
    (templates / "style.css").write_text(".card { color: red; }\n", encoding="utf-8")
    args = ["build", str(source), "-o", str(tmp_path / "out"), "--templates", str(tmp_path / "templates")]
    assert run(*args, env={"SOURCE_DATE_EPOCH": str(T0)}).exit_code == 0
    first = source.with_suffix(".lock").read_text(encoding="utf-8")
    col = open_collection(tmp_path / "col")
    import_apkg(col, (tmp_path / "out" / "minimal-deck.apkg").read_bytes(), tmp_path)
    notes_before = _note_states(col)
    (templates / "style.css").write_text(".card { color: blue; }\n", encoding="utf-8")
    check = run(*args, "--check", env={"SOURCE_DATE_EPOCH": str(T0 + 60)})
    assert check.exit_code == 1
    assert "note type (templates or CSS) changed" in check.stdout
    assert run(*args, env={"SOURCE_DATE_EPOCH": str(T0 + 60)}).exit_code == 0
    second = source.with_suffix(".lock").read_text(encoding="utf-8")
    changed = [line.split()[0] for line in set(second.splitlines()) - set(first.splitlines())]
    assert changed == ["notetype"]
    # Anki takes the new CSS into the note type it has, and leaves every note as it was.
    import_apkg(col, (tmp_path / "out" / "minimal-deck.apkg").read_bytes(), tmp_path)
    col.close()  # reopened: the Python side caches note types
    col = open_collection(tmp_path / "col")
    (notetype,) = [n for n in col.models.all() if n["name"].startswith("studypack")]
    assert notetype["css"] == ".card { color: blue; }\n" and notetype["mod"] == T0 + 60
    assert _note_states(col) == notes_before


# --- identities the ledger guards ---


def test_changing_the_deck_id_is_refused_unless_allowed(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    assert run("build", str(source), "-o", str(tmp_path / "out")).exit_code == 0
    edit(source, "id: minimal-deck", "id: renamed-deck")
    result = run("build", str(source), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "deck id changed from 'minimal-deck' to 'renamed-deck'" in result.stderr
    assert "second copy of every note" in result.stderr
    assert not (tmp_path / "out" / "renamed-deck.apkg").exists()
    strict = run("validate", "--strict", str(source))
    assert strict.exit_code == 1 and "deck id changed" in strict.stdout
    assert run("build", str(source), "-o", str(tmp_path / "out"), "--allow-id-change").exit_code == 0
    assert "deck renamed-deck " in source.with_suffix(".lock").read_text(encoding="utf-8")
    assert run("build", str(source), "-o", str(tmp_path / "out")).exit_code == 0


def test_a_note_type_version_change_is_refused_unless_allowed(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    assert run("build", str(source), "-o", str(tmp_path / "out")).exit_code == 0
    ledger = source.with_suffix(".lock")
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("notetype v1 ", "notetype v0 "),
                      encoding="utf-8")
    result = run("build", str(source), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and "the note type changed from v0 to v1" in result.stderr
    assert run("build", str(source), "-o", str(tmp_path / "out"), "--allow-id-change").exit_code == 0


def test_locked_refuses_an_out_of_date_ledger(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    assert run("build", str(source), "-o", str(tmp_path / "out")).exit_code == 0
    assert run("build", str(source), "-o", str(tmp_path / "out"), "--locked").exit_code == 0
    edit(source, "Exactly the characters", "Precisely the characters")
    result = run("build", str(source), "-o", str(tmp_path / "out2"), "--locked")
    assert result.exit_code == 1
    assert "out of date (question 'markup-chars' changed)" in result.stderr
    assert not (tmp_path / "out2").exists()


def test_a_broken_ledger_line_is_a_located_error(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    assert run("build", str(source), "-o", str(tmp_path / "out")).exit_code == 0
    ledger = source.with_suffix(".lock")
    ledger.write_text(ledger.read_text(encoding="utf-8") + "<<<<<<< HEAD\n", encoding="utf-8")
    result = run("build", str(source), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"{ledger}:12:1: error: cannot read this ledger line" in result.stdout


def test_the_old_id_list_is_migrated(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    source.with_suffix(".ids").write_text("# old\nsets\ngone-question\n", encoding="utf-8")
    warned = run("validate", str(source))
    assert f"{source.with_suffix('.ids')}:3:1: warning: question id 'gone-question'" in warned.stdout
    check = run("build", str(source), "-o", str(tmp_path / "out"), "--check", "--only", "handbook")
    assert "minimal.ids becomes minimal.lock" in check.stdout
    result = run("build", str(source), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0 and "minimal.ids is now minimal.lock" in result.stderr
    assert not source.with_suffix(".ids").exists()
    lines = [line.split()[1] for line in source.with_suffix(".lock").read_text().splitlines()
             if line.startswith("question ")]
    assert lines == ["sets", "gone-question", "markup-chars", "lists-and-code", "plain"]
