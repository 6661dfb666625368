"""The build orchestrator end to end: --check, reproducibility, untouched files, CI set-ups."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml
from click.testing import CliRunner

from exporter.cli import main

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


def copy_fixture(folder: Path, with_ledger: bool = False) -> Path:
    """The minimal deck and its media in a folder of its own (not a git checkout)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(FIXTURES / "minimal.yaml", folder / "minimal.yaml")
    if with_ledger:  # the committed ledger: its times decide the outputs' bytes
        shutil.copy2(FIXTURES / "minimal.lock", folder / "minimal.lock")
    shutil.copytree(FIXTURES / "media", folder / "media", copy_function=shutil.copy2)
    return folder / "minimal.yaml"


def build(*args: str) -> tuple[int, str]:
    """Exit code and standard output (problems and summaries go to standard error)."""
    result = CliRunner().invoke(main, ["build", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_writes_every_output_and_the_ledger(tmp_path: Path):
    source = copy_fixture(tmp_path / "deck")
    code, output = build(str(source), "-o", str(tmp_path / "out"))
    assert code == 0, output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "media", "minimal-deck-cheatsheet.pdf", "minimal-deck-flashcards.pdf",
        "minimal-deck-handbook.md", "minimal-deck.apkg",
    ]
    # The handbook links its image as written; the image travels beside it.
    assert "](media/diagram.png)" in (tmp_path / "out" / "minimal-deck-handbook.md").read_text("utf-8")
    assert (tmp_path / "out" / "media" / "diagram.png").read_bytes() == \
        (source.parent / "media" / "diagram.png").read_bytes()
    ledger = source.with_suffix(".lock").read_text(encoding="utf-8").splitlines()
    assert [line.split()[:2] for line in ledger if not line.startswith("#")] == [
        ["deck", "minimal-deck"], ["notetype", "v1"], ["question", "sets"],
        ["question", "markup-chars"], ["question", "lists-and-code"], ["question", "plain"]]


def test_check_reports_stale_file_after_edit_and_passes_after_rebuild(tmp_path: Path):
    source = copy_fixture(tmp_path / "deck")
    out = tmp_path / "out"
    assert build(str(source), "-o", str(out))[0] == 0
    assert build(str(source), "-o", str(out), "--check") == (0, "")
    before = digests(out)
    source.write_text(source.read_text(encoding="utf-8").replace(
        "Exactly the characters", "Precisely the characters"), encoding="utf-8")
    code, output = build(str(source), "-o", str(out), "--check")
    assert code == 1
    assert f"would rebuild {out / 'minimal-deck-handbook.md'}: changed since it was built: " \
        "question 'markup-chars' changed" in output.splitlines()
    assert digests(out) == before, "--check must write nothing"
    assert build(str(source), "-o", str(out))[0] == 0
    assert build(str(source), "-o", str(out), "--check")[0] == 0


def test_check_reports_missing_files(tmp_path: Path):
    source = copy_fixture(tmp_path / "deck")
    code, output = build(str(source), "-o", str(tmp_path / "out"), "--check", "--only", "handbook")
    assert code == 1
    assert output.splitlines() == [
        f"would rebuild {tmp_path / 'out' / 'minimal-deck-handbook.md'}: missing",
        f"would rebuild {tmp_path / 'out' / 'media' / 'diagram.png'}: missing",
        f"would rebuild {source.with_suffix('.lock')}: the ledger is out of date: new deck details, "
        "new note type (templates or CSS), new question 'sets', 3 more"]
    assert not (tmp_path / "out").exists()


def test_check_reports_a_ledger_missing_new_ids(tmp_path: Path):
    source = copy_fixture(tmp_path / "deck")
    out = tmp_path / "out"
    assert build(str(source), "-o", str(out))[0] == 0
    text = source.read_text(encoding="utf-8")
    source.write_text(text + "  - id: added\n    topic: basics\n    question: New?\n    answer: Yes.\n",
                      encoding="utf-8")
    code, output = build(str(source), "-o", str(out), "--check")
    assert code == 1
    assert f"would rebuild {source.with_suffix('.lock')}: the ledger is out of date: " \
        "deck details changed, new question 'added'" in output.splitlines()
    assert "added" not in source.with_suffix(".lock").read_text(encoding="utf-8")


def test_unchanged_output_keeps_its_mtime(tmp_path: Path):
    source = copy_fixture(tmp_path / "deck")
    out = tmp_path / "out"
    assert build(str(source), "-o", str(out))[0] == 0
    for path in out.iterdir():
        os.utime(path, (1_000_000, 1_000_000))
    code, output = build(str(source), "-o", str(out))
    assert code == 0
    assert {p.stat().st_mtime for p in out.iterdir()} == {1_000_000}
    assert all(line.startswith("unchanged") for line in output.splitlines())


def _build_in_subprocess(source: Path, out: Path, cwd: Path, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "exporter", "build", str(source), "-o", str(out)],
                   cwd=cwd, env=env, check=True, capture_output=True)


def test_builds_in_different_environments_are_byte_identical(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONPATH"] = str(ROOT)
    first = copy_fixture(tmp_path / "a" / "deck", with_ledger=True)
    second = copy_fixture(tmp_path / "b" / "deck", with_ledger=True)
    _build_in_subprocess(first, tmp_path / "a" / "out", tmp_path / "a",
                         {**env, "TZ": "Pacific/Kiritimati", "LC_ALL": "C", "LANG": "C"})
    _build_in_subprocess(second, tmp_path / "b" / "out", tmp_path,
                         {**env, "TZ": "America/Los_Angeles", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"})
    assert len(digests(tmp_path / "a" / "out")) == 5
    assert digests(tmp_path / "a" / "out") == digests(tmp_path / "b" / "out")


def test_source_date_epoch_decides_the_build_time(tmp_path: Path, monkeypatch):
    source = copy_fixture(tmp_path / "deck")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build(str(source), "-o", str(tmp_path / "one"), "--only", "anki")[0] == 0
    os.utime(source, None)  # a new mtime must not matter while SOURCE_DATE_EPOCH is set
    assert build(str(source), "-o", str(tmp_path / "two"), "--only", "anki")[0] == 0
    assert digests(tmp_path / "one") == digests(tmp_path / "two")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = CliRunner().invoke(main, ["build", str(source), "-o", str(tmp_path / "three")])
    assert result.exit_code == 2
    assert "error: SOURCE_DATE_EPOCH must be a whole number of seconds, not 'yesterday'" in result.stderr


def test_github_workflow_passes_the_workflow_schema():
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    for schema in ("vendor.github-workflows", "custom.github-workflows-require-timeout"):
        done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema,
                               *map(str, workflows)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_pre_commit_hook_runs_a_command_that_exists(tmp_path: Path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "studypack-validate")
    command, *args = hook["entry"].split()
    scripts = _console_scripts()
    assert command in scripts
    executable = shutil.which(command) or str(Path(sys.executable).parent / command)
    source = copy_fixture(tmp_path / "deck")
    done = subprocess.run([executable, *args, str(source)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    broken = ROOT / "tests" / "invalid" / "unknown-key.yaml"
    assert subprocess.run([executable, *args, str(broken)], capture_output=True).returncode == 1


def _console_scripts() -> dict[str, str]:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]


def test_watch_rebuilds_after_a_save(tmp_path: Path):
    from exporter.backends import BuildOptions
    from exporter.watch import run_watch

    source = copy_fixture(tmp_path / "deck")
    handbook = tmp_path / "out" / "minimal-deck-handbook.md"
    stop = threading.Event()
    watcher = threading.Thread(target=run_watch, args=(source, tmp_path / "out", ("handbook",),
                                                       BuildOptions()),
                               kwargs={"stop_event": stop, "debounce_ms": 50}, daemon=True)
    watcher.start()
    try:
        assert _wait_for(lambda: handbook.exists())
        time.sleep(0.5)  # let the watcher settle before the edit
        source.write_text(source.read_text(encoding="utf-8").replace("Minimal Deck", "Edited Deck"),
                          encoding="utf-8")
        assert _wait_for(lambda: "Edited Deck" in handbook.read_text(encoding="utf-8"))
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert not watcher.is_alive()


def _wait_for(condition, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_build_time_in_the_future_is_warned_about(tmp_path: Path, monkeypatch):
    source = copy_fixture(tmp_path / "deck")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time()) + 3 * 86_400))
    result = CliRunner().invoke(main, ["build", str(source), "-o", str(tmp_path / "out"), "--only", "anki"])
    assert result.exit_code == 0
    assert "Anki will refuse to import the deck" in result.stderr


def test_parallel_rendering_gives_the_same_bytes_and_errors(tmp_path: Path, monkeypatch):
    from exporter import build as build_module
    from exporter import parallel
    from exporter.backends import BACKENDS

    assert parallel.can_fork_workers()
    source = copy_fixture(tmp_path / "deck")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr("exporter.build.PARALLEL_MIN_QUESTIONS", 10**9)
    assert build(str(source), "-o", str(tmp_path / "serial"))[0] == 0
    monkeypatch.setattr("exporter.build.PARALLEL_MIN_QUESTIONS", 1)
    assert build(str(source), "-o", str(tmp_path / "parallel"))[0] == 0
    assert digests(tmp_path / "serial") == digests(tmp_path / "parallel")
    # A deck of little text renders both PDFs here and the rest in the worker; a larger one
    # shares the PDFs out. The same bytes either way:
    assert [b.name for b in build_module.split(BACKENDS, 5)[1]] == ["anki", "handbook"]
    monkeypatch.setattr("exporter.build.PDFS_APART_FROM", 1)
    assert build(str(source), "-o", str(tmp_path / "apart"))[0] == 0
    assert digests(tmp_path / "serial") == digests(tmp_path / "apart")
    # A glyph the PDF font lacks, in the version only the cheat sheet prints: the worker
    # process renders the cheat sheet, finds it, and it is reported like any content error.
    assert [b.name for b in build_module.split(BACKENDS, 5)[1]] == ["pdf", "anki"]
    private_use = "\U0010fffd"  # no font draws it
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace('version: "1.0"', f'version: "1.0 {private_use}"'), "utf-8")
    result = CliRunner().invoke(main, ["build", str(source), "-o", str(tmp_path / "parallel")])
    assert result.exit_code == 1
    assert "(U+10FFFD)" in result.stdout and "Traceback" not in result.output
    # A glyph both PDFs lack: each process finds it in its own PDF, and the report is the
    # serial build's (the cheat sheet's, which comes first), whichever process failed first.
    source.write_text(source.read_text(encoding="utf-8").replace("Minimal Deck", "Deck \U0010fffc"), "utf-8")
    reports = []
    for threshold in (1, 10**9):
        monkeypatch.setattr("exporter.build.PARALLEL_MIN_QUESTIONS", threshold)
        reports.append(CliRunner().invoke(main, ["build", str(source), "-o", str(tmp_path / "x")]).stdout)
    assert reports[0] == reports[1]
    assert "(U+10FFFC)" in reports[0]


def test_the_shared_preparation_compiles_the_deck_s_lexers():
    # The .apkg and the PDFs render in different processes and both colour code: a lexer
    # compiled before the fork is compiled for both.
    code = ("import sys\n"
            "from pathlib import Path\n"
            "from exporter.backends.lexers import prepare\n"
            "from exporter.validate import load_deck\n"
            "prepare(load_deck(Path(sys.argv[1]))[0], None)\n"
            "from pygments.lexers.python import PythonLexer\n"
            "print('_tokens' in vars(PythonLexer))")
    done = subprocess.run([sys.executable, "-c", code, str(FIXTURES / "minimal.yaml")], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.strip() == "True", done.stderr


def _deck_of(count: int) -> str:
    questions = "".join(f"  - id: q{i}\n    topic: t\n    question: Question {i}?\n    answer: Answer {i}.\n"
                        for i in range(count))
    header = "schema: 1\ndeck:\n  id: big\n  title: Big\ntopics:\n  - id: t\n    title: T\n"
    return f"{header}questions:\n{questions}"


def test_progress_bar_only_on_a_terminal(tmp_path: Path):
    import pty

    from exporter.build import PROGRESS_MIN_QUESTIONS

    source = tmp_path / "big.yaml"
    source.write_text(_deck_of(PROGRESS_MIN_QUESTIONS), encoding="utf-8")
    command = [sys.executable, "-m", "exporter", "build", str(source), "-o", str(tmp_path / "out"),
               "--only", "handbook"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    piped = subprocess.run(command, capture_output=True, text=True, env=env)
    assert piped.returncode == 0 and "building" not in piped.stderr
    leader, follower = pty.openpty()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert done.returncode == 0
    assert f"building {PROGRESS_MIN_QUESTIONS} questions".encode() in seen


def test_user_templates_replace_only_the_files_they_contain(tmp_path: Path):
    import sqlite3
    import zipfile

    from exporter.backends import default_templates_dir

    source = copy_fixture(tmp_path / "deck")
    mine = tmp_path / "my-templates"
    (mine / "anki").mkdir(parents=True)
    css = (default_templates_dir() / "anki" / "style.css").read_text(encoding="utf-8")
    (mine / "anki" / "style.css").write_text(css + "\n.card { letter-spacing: 0.01em; } /* mine */\n",
                                             encoding="utf-8")
    handbook = (default_templates_dir() / "handbook.md.j2").read_text(encoding="utf-8")
    (mine / "handbook.md.j2").write_text(handbook + "{# mine #}Printed with my template.\n",
                                         encoding="utf-8")
    out = tmp_path / "out"
    assert build(str(source), "-o", str(out), "--templates", str(mine), "--only", "anki",
                 "--only", "handbook")[0] == 0
    assert (out / "minimal-deck-handbook.md").read_text(encoding="utf-8").endswith(
        "Printed with my template.\n")
    with zipfile.ZipFile(out / "minimal-deck.apkg") as archive:
        (tmp_path / "col.sqlite").write_bytes(archive.read("collection.anki2"))
    connection = sqlite3.connect(tmp_path / "col.sqlite")
    models = connection.execute("SELECT models FROM col").fetchone()[0]
    connection.close()
    assert "/* mine */" in models  # the user's CSS
    front = (default_templates_dir() / "anki" / "front.html").read_text(encoding="utf-8")
    assert json.dumps(front)[1:-1] in models  # the built-in front template, not replaced
