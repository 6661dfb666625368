"""Where a token too long for its line may break: after `/ . _ ( , - =` and between camelCase words."""

from __future__ import annotations

import re

# A break is allowed after any of these (a path, a dotted name, snake_case, a call, a list,
# a hyphen, an assignment), and before an upper-case letter that follows a lower-case one.
_AFTER = frozenset("/._(,-=")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def break_points(text: str) -> set[int]:
    """Indices i such that a line may end after text[:i] (never at 0 or len(text))."""
    points = {i + 1 for i, ch in enumerate(text[:-1]) if ch in _AFTER}
    points.update(m.start() for m in _CAMEL.finditer(text))
    points.discard(0)
    return points


def cut_at(text: str, fits: int) -> int:
    """Where to cut a token of which the first `fits` characters fit the line: the last break
    point within them, else (no natural point) right after them."""
    best = max((p for p in break_points(text[:fits + 1]) if p <= fits), default=0)
    return best or max(fits, 1)
