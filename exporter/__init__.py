"""studypack: one YAML question bank compiled to Anki, PDF and Markdown."""

__version__ = "0.1.0"
