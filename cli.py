"""Shim so `python cli.py ...` works from a checkout; the real CLI is exporter/cli.py."""

from exporter.cli import main

if __name__ == "__main__":
    main(prog_name="studypack")
