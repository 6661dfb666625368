"""The three ways to run studypack, and the command line's contract (exit codes, help)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from exporter import __version__
from exporter.cli import main

ROOT = Path(__file__).parent.parent


def test_module_shim_and_console_script_agree():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for command in ([sys.executable, "-m", "exporter"], [sys.executable, str(ROOT / "cli.py")]):
        done = subprocess.run([*command, "--version"], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"studypack, version {__version__}"


def test_help_shows_examples_and_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for text in ("studypack build --check", "build", "validate", "watch", "schema", "Exit codes"):
        assert text in result.stdout


def test_help_does_not_import_the_backends():
    # `studypack --help` must stay instant: heavy libraries load only inside commands.
    code = ("import sys; from exporter.cli import main\n"
            "heavy = ('yaml', 'markdown_it', 'reportlab', 'genanki', 'nh3')\n"
            "heavy = [m for m in heavy if m in sys.modules]\n"
            "print(heavy)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.strip() == "[]"


def test_validate_of_a_deck_the_shipped_fonts_cover_loads_no_pdf_library(tmp_path: Path):
    # validate runs the PDFs' font check, answered from the shipped faces' cached character
    # maps: the pre-commit hook does not pay for reportlab's font parsing.
    code = ("import sys; from exporter.cli import main\n"
            "try:\n    main(['validate', '-q', sys.argv[1]])\nexcept SystemExit as exit:\n"
            "    print(exit.code, 'reportlab' in sys.modules, 'genanki' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT / "content" / "questions.yaml")],
                          capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "STUDYPACK_CACHE_DIR": str(tmp_path)})
    assert done.stdout.strip() == "0 False False", done.stderr


def test_the_pdfs_of_a_deck_without_svg_load_no_platypus(tmp_path: Path):
    # The cheat sheet flows its columns itself (columns.py): platypus's import was 60 ms of
    # every build. Only an SVG image brings reportlab.graphics, and with it platypus.
    code = ("import sys; from exporter.cli import main\n"
            "try:\n    main(['build', '--no-ledger', '-o', sys.argv[2], sys.argv[1]])\n"
            "except SystemExit as exit:\n    print(exit.code, 'reportlab.platypus' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT / "content" / "questions.yaml"),
                           str(tmp_path / "out")], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "STUDYPACK_CACHE_DIR": str(tmp_path),
                               "STUDYPACK_PARALLEL_MIN": "100000"})
    assert done.stdout.splitlines()[-1] == "0 False", done.stderr
    assert (tmp_path / "out" / "ai-ml-interview-cheatsheet.pdf").exists()


def test_usage_errors_exit_with_two(tmp_path: Path):
    assert CliRunner().invoke(main, ["build", "--only", "pptx"]).exit_code == 2
    assert CliRunner().invoke(main, ["validate", str(tmp_path / "missing.yaml")]).exit_code == 2
    assert CliRunner().invoke(main, ["frobnicate"]).exit_code == 2
