"""Outputs that are not files: decks pushed straight into a running Anki."""
