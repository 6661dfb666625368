"""did-you-mean for ids, keys and codes: one close match, found fast even among many."""

from __future__ import annotations

import difflib


def did_you_mean(value: str, choices) -> str:
    """'did you mean …?' with the closest choice, or ""."""
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else ""


class Suggestions:
    """did-you-mean over many ids: a bigram index built once keeps each search to a handful
    of candidates for difflib, whose cost grows with the square of the lengths."""

    def __init__(self, choices) -> None:
        self.index: dict[str, list[str]] = {}
        for choice in choices:
            for gram in _bigrams(choice):
                self.index.setdefault(gram, []).append(choice)

    def closest(self, value: str, keep: int = 16) -> str:
        shared: dict[str, int] = {}
        for gram in _bigrams(value):
            for choice in self.index.get(gram, ())[:2000]:  # a bigram in every id tells nothing
                shared[choice] = shared.get(choice, 0) + 1
        best = sorted(shared, key=lambda choice: (-shared[choice], choice))[:keep]
        return did_you_mean(value, best)


def _bigrams(value: str) -> set[str]:
    return {value[i:i + 2] for i in range(min(len(value) - 1, 100))} or {value}
