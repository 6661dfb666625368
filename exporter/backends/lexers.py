"""The code highlighter made ready once for every backend that colours fenced code (Backend.prepare)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Deck
    from . import BuildContext

# A fence opener and the first word of its info string, as written in a field. Read from the
# source rather than the trees: a stray match only readies a lexer nobody uses.
_FENCE = re.compile(r"^[ \t>]*(?:`{3,}|~{3,})[ \t]*([^\s`{]+)", re.MULTILINE)


def prepare(deck: Deck, context: BuildContext) -> None:
    """Load and compile the pygments lexers of the deck's fences. A lexer compiles its regexes
    on first use in each process (~40 ms for Python's); done before a parallel build forks,
    the .apkg and the PDFs, rendered in different processes, inherit them compiled."""
    from pygments.lexers import LEXERS, get_lexer_by_name

    languages = {m.lower() for q in deck.questions
                 for m in _FENCE.findall(f"{q.question}\n{q.answer}\n{q.details or ''}")}
    # Only pygments' own lexers: a name it lacks would make it load every installed plugin.
    builtin = {alias for entry in LEXERS.values() for alias in entry[2]}
    for language in sorted(languages & builtin):
        get_lexer_by_name(language)
