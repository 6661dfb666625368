"""What becomes a content model: the YAML loader (and, later, the importers)."""
