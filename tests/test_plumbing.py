"""Build plumbing under stress: inputs never overwritten, concurrent builds, signals, $TMPDIR, odd
environments, deck names Anki would split, watch in the content folder, read-only sources."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from anki_client import import_apkg, open_collection
from click.testing import CliRunner

from exporter.cli import main

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


def deck_folder(folder: Path, name: str = "minimal.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(FIXTURES / "minimal.yaml", folder / name)
    shutil.copytree(FIXTURES / "media", folder / "media")
    return folder / name


def big_deck(folder: Path, count: int = 600) -> Path:
    """Enough questions that rendering takes seconds: time to send a signal mid-build."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["schema: 1", "deck:", "  id: big", "  title: Big", "topics:", "  - id: t", "    title: T",
             "questions:"]
    for i in range(count):
        lines += [f"  - id: q{i}", "    topic: t", f"    question: What is item {i}?",
                  f"    answer: Item {i} is a **thing** with `code`.", "    details: |",
                  *(f"      - point {j} about item {i}, explained at some length to fill a line"
                    for j in range(6))]
    source = folder / "big.yaml"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return source


def run(*args: str, env: dict[str, str] | None = None):
    result = CliRunner(env=env).invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def process_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def start_build(source: Path, out: Path, *extra: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "exporter", "build", str(source), "-o", str(out), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=process_env(**env))


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


# --- never write over an input ---


def test_a_source_named_like_the_old_ledger_is_not_overwritten(tmp_path: Path):
    source = deck_folder(tmp_path / "deck", "deck.ids")
    before = source.read_bytes()
    result = run("build", str(source), "-o", str(tmp_path / "out"), "--only", "handbook")
    assert result.exit_code == 0
    assert source.read_bytes() == before
    assert (tmp_path / "deck" / "deck.lock").is_file()


def test_a_source_named_like_its_ledger_is_refused(tmp_path: Path):
    source = deck_folder(tmp_path / "deck", "deck.lock")
    before = source.read_bytes()
    result = run("build", str(source), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"error: refusing to write {source}: it is the input {source}" in result.stderr
    assert source.read_bytes() == before and not (tmp_path / "out").exists()


def test_an_output_that_resolves_to_an_input_is_refused(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    out = tmp_path / "out"
    out.mkdir()
    (out / "minimal-deck-handbook.md").symlink_to(source)
    before = source.read_bytes()
    result = run("build", str(source), "-o", str(out))
    assert result.exit_code == 1
    assert f"refusing to write {out / 'minimal-deck-handbook.md'}: it is the input {source}" in result.stderr
    assert source.read_bytes() == before and (out / "minimal-deck-handbook.md").is_symlink()


def test_building_into_the_content_folder_leaves_the_images_alone(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    image = source.parent / "media" / "diagram.png"
    os.utime(image, (1_000_000, 1_000_000))
    assert run("build", str(source), "-o", str(source.parent)).exit_code == 0
    assert (source.parent / "minimal-deck-handbook.md").is_file()
    assert image.stat().st_mtime == 1_000_000


# --- concurrent builds ---


def test_a_build_waits_for_another_build_writing_into_the_same_folder(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    out = tmp_path / "out"
    out.mkdir()
    other_build = os.open(out, os.O_RDONLY)
    fcntl.flock(other_build, fcntl.LOCK_EX)
    # The other build's staged file, which it will move into place before it lets go.
    staged = out / ".minimal-deck-handbook.md.other.tmp"
    staged.write_text("the other build's handbook\n", encoding="utf-8")
    process = start_build(source, out, "--only", "handbook")
    try:
        time.sleep(1.5)
        assert process.poll() is None, process.communicate()
        assert staged.exists()
        os.replace(staged, out / "minimal-deck-handbook.md")
    finally:
        fcntl.flock(other_build, fcntl.LOCK_UN)
        os.close(other_build)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "# Minimal Deck" in (out / "minimal-deck-handbook.md").read_text(encoding="utf-8")
    assert not list(out.glob(".*.tmp"))


def test_two_builds_at_once_into_one_folder_both_succeed(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    shutil.copy2(FIXTURES / "minimal.lock", source.with_suffix(".lock"))
    out = tmp_path / "out"
    processes = [start_build(source, out, "--no-ledger") for _ in range(2)]
    results = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], results
    assert len([p for p in out.iterdir() if p.is_file()]) == 4 and not list(out.glob(".*.tmp"))


# --- signals and $TMPDIR ---


def test_sigterm_stops_the_build_and_its_worker_and_leaves_no_file(tmp_path: Path):
    source = big_deck(tmp_path / "deck")
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = tmp_path / "out"
    process = start_build(source, out, TMPDIR=str(temp))
    assert wait_for(lambda: children(process.pid)), process.communicate()
    (worker,) = children(process.pid)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stdout + stderr
    assert wait_for(lambda: not alive(worker), 5)
    assert list(temp.iterdir()) == []
    assert not out.exists() or not list(out.glob(".*.tmp"))


def test_the_worker_exits_when_its_parent_is_killed(tmp_path: Path):
    source = big_deck(tmp_path / "deck")
    process = start_build(source, tmp_path / "out")
    assert wait_for(lambda: children(process.pid)), process.communicate()
    (worker,) = children(process.pid)
    process.kill()
    process.communicate(timeout=60)
    assert wait_for(lambda: not alive(worker), 5)


def test_ctrl_c_exits_130(tmp_path: Path):
    source = big_deck(tmp_path / "deck")
    process = start_build(source, tmp_path / "out")
    assert wait_for(lambda: children(process.pid)), process.communicate()
    (worker,) = children(process.pid)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert wait_for(lambda: not alive(worker), 5)


AUDIT = """
import os, sys, tempfile
temp = os.path.realpath(tempfile.gettempdir())
log = os.environ["AUDIT_LOG"]
busy = []
def hook(event, args):
    if busy or event not in ("open", "os.mkdir", "sqlite3.connect", "os.rename", "os.remove") or not args:
        return
    path = args[0]
    if not isinstance(path, (str, bytes, os.PathLike)):
        return
    path = os.fsdecode(path)
    writing = event != "open" or (len(args) > 1 and args[1] and any(c in str(args[1]) for c in "wax+"))
    if writing and os.path.realpath(path).startswith(temp + os.sep):
        busy.append(1)  # the log's own open must not be audited
        try:  # a file, not memory: the forked worker's events count too
            with open(log, "a") as out:
                out.write(f"{os.getpid()} {event} {path}\\n")
        finally:
            busy.pop()
sys.addaudithook(hook)
from exporter.cli import main
main(sys.argv[1:])
"""


def test_a_build_never_writes_to_tmpdir(tmp_path: Path):
    """So a full, read-only or hostile $TMPDIR cannot break it, and nothing is left there."""
    source = deck_folder(tmp_path / "deck")
    temp = tmp_path / "tmp"
    temp.mkdir()
    log = tmp_path / "audit.log"
    log.touch()
    done = subprocess.run([sys.executable, "-c", AUDIT, "build", str(source), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True,
                          env=process_env(TMPDIR=str(temp), AUDIT_LOG=str(log)))
    assert done.returncode == 0, done.stderr
    assert log.read_text() == ""
    assert list(temp.iterdir()) == []


# --- environments ---


def test_bad_source_date_epochs_are_messages(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    for value, message in (("99999999999999", "is after the year 9999"),
                           ("-5", "must be a whole number of seconds"),
                           ("1e9", "must be a whole number of seconds")):
        result = run("build", str(source), "-o", str(tmp_path / "out"), env={"SOURCE_DATE_EPOCH": value})
        assert result.exit_code == 2, (value, result.output)
        assert message in result.stderr
    assert run("build", str(source), "-o", str(tmp_path / "out"),
               env={"SOURCE_DATE_EPOCH": "253402300799"}).exit_code == 0


def test_a_source_dated_in_the_future_builds(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    os.utime(source, (2**36, 2**36))  # the year 4147: file times are never read
    process = start_build(source, tmp_path / "out")
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and "warning" not in stderr


def test_no_worker_is_forked_while_another_thread_runs(tmp_path: Path):
    from exporter import parallel

    assert parallel.can_fork_workers()  # the test process alone: Linux, two cores
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not parallel.can_fork_workers()
        source = deck_folder(tmp_path / "deck")
        assert run("build", str(source), "-o", str(tmp_path / "out")).exit_code == 0
    finally:
        stop.set()
        other.join()


def test_colons_in_titles_never_add_deck_levels(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("title: Minimal Deck", 'title: "Deck:::One"')
                      .replace("title: Formatting", 'title: "Form:::at::::ting"'), encoding="utf-8")
    assert run("build", str(source), "-o", str(tmp_path / "out"), "--only", "anki").exit_code == 0
    col = open_collection(tmp_path / "col")
    import_apkg(col, (tmp_path / "out" / "minimal-deck.apkg").read_bytes(), tmp_path)
    names = sorted(d.name for d in col.decks.all_names_and_ids() if d.name != "Default")
    assert names == ["Deck:One", "Deck:One::01 Basics & Symbols", "Deck:One::02 Form:at:ting"]


def test_watch_in_the_content_folder_sees_later_edits(tmp_path: Path):
    from exporter.backends import BuildOptions
    from exporter.watch import run_watch

    source = deck_folder(tmp_path / "deck")
    handbook = source.parent / "minimal-deck-handbook.md"
    stop = threading.Event()
    watcher = threading.Thread(target=run_watch, args=(source, source.parent, ("handbook",), BuildOptions()),
                               kwargs={"stop_event": stop, "debounce_ms": 50}, daemon=True)
    watcher.start()
    try:
        assert wait_for(handbook.exists)
        time.sleep(0.5)
        source.write_text(source.read_text(encoding="utf-8").replace("Minimal Deck", "Edited Deck"),
                          encoding="utf-8")
        assert wait_for(lambda: "Edited Deck" in handbook.read_text(encoding="utf-8"))
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert not watcher.is_alive()


@contextlib.contextmanager
def read_only(folder: Path):
    """A folder nobody can write into, root included (root ignores permission bits)."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_a_read_only_source_folder_still_builds(tmp_path: Path):
    source = deck_folder(tmp_path / "deck")
    with read_only(source.parent):
        result = run("build", str(source), "-o", str(tmp_path / "out"))
        assert result.exit_code == 0, result.output
        assert "warning: the ledger was not updated" in result.stderr and "--no-ledger" in result.stderr
        assert (tmp_path / "out" / "minimal-deck.apkg").is_file()
        quiet = run("build", str(source), "-o", str(tmp_path / "out2"), "--no-ledger")
        assert quiet.exit_code == 0 and "warning" not in quiet.stderr
    assert not source.with_suffix(".lock").exists()
