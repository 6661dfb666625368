"""Filesystem faults: a failed or killed build leaves every previous output intact."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from test_build import ROOT, copy_fixture, digests

from exporter.cli import main


def _build(source: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["build", str(source), "-o", str(out), *extra])


def _edit(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("Minimal Deck", "Minimal Deck, edited"), encoding="utf-8")


def _built_then_edited(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A deck built once, then edited: the next build has something to write."""
    source = copy_fixture(tmp_path / "deck")
    out = tmp_path / "out"
    assert _build(source, out).exit_code == 0
    before = digests(out)
    _edit(source)
    return source, out, before


def test_full_disk_leaves_previous_outputs_intact(tmp_path: Path, monkeypatch):
    source, out, before = _built_then_edited(tmp_path)
    calls = []

    def disk_full_on_second_file(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the first temp file was written: a partial state exists
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("exporter.outputs.os.fsync", disk_full_on_second_file)
    result = _build(source, out)
    assert result.exit_code == 1
    assert "No space left on device" in result.output and "previous outputs are unchanged" in result.output
    assert "Traceback" not in result.output
    assert digests(out) == before
    assert not list(out.glob(".*.tmp")), "temp files must be cleaned up"


def test_output_folder_that_cannot_be_created(tmp_path: Path):
    source = copy_fixture(tmp_path / "deck")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = _build(source, blocker / "out")
    assert result.exit_code in (1, 2)  # click may refuse the path itself (usage) or we do
    assert "Traceback" not in result.output
    assert blocker.read_text() == "not a folder"


def test_unwritable_output_folder_is_reported(tmp_path: Path, monkeypatch):
    source, out, before = _built_then_edited(tmp_path)

    def permission_denied(*args, **kwargs):  # what a folder without write permission answers
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr("exporter.outputs.tempfile.mkstemp", permission_denied)
    result = _build(source, out)
    assert result.exit_code == 1
    assert f"cannot write {out / 'minimal-deck.apkg'}: Permission denied" in result.output
    assert "Traceback" not in result.output
    assert digests(out) == before


def test_a_folder_in_the_way_of_an_output_is_reported_before_anything_is_replaced(tmp_path: Path):
    source = copy_fixture(tmp_path / "deck")
    out = tmp_path / "out"
    assert _build(source, out).exit_code == 0
    (out / "minimal-deck-handbook.md").unlink()
    (out / "minimal-deck-handbook.md").mkdir()
    before = files_in(out)
    _edit(source)
    result = _build(source, out)
    assert result.exit_code == 1
    assert "cannot write" in result.output and "Is a directory" in result.output
    assert files_in(out) == before


def test_sigkill_mid_build_never_leaves_a_partial_file(tmp_path: Path):
    source = copy_fixture(tmp_path / "deck")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "exporter", "build", str(source), "-o", str(out)]
    subprocess.run(command, env=env, check=True, capture_output=True)
    old = files_in(out)
    _edit(source)
    subprocess.run(command + ["-o", str(tmp_path / "expected")], env=env, check=True,
                   capture_output=True)
    new = files_in(tmp_path / "expected")
    for delay in (0.05, 0.2, 0.4, 0.6, 0.8, 1.0):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        for name, data in files_in(out).items():
            if name.endswith(".tmp"):
                continue  # a killed process cannot clean up; the next build removes these
            assert data in (old[name], new[name]), f"{name} is partial"
    subprocess.run(command, env=env, check=True, capture_output=True)
    assert files_in(out) == new


def files_in(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
