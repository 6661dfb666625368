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


def test_usage_errors_exit_with_two(tmp_path: Path):
    assert CliRunner().invoke(main, ["build", "--only", "pptx"]).exit_code == 2
    assert CliRunner().invoke(main, ["validate", str(tmp_path / "missing.yaml")]).exit_code == 2
    assert CliRunner().invoke(main, ["frobnicate"]).exit_code == 2
