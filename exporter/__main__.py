"""`python -m exporter` runs the studypack command line."""

from .cli import main

main(prog_name="studypack")
