"""The output backends: each a value that renders the deck to bytes, never touching disk."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI reads the names below at start-up; markdown must not load then
    from ..diagnostics import Diagnostic
    from ..markup import DeckMarkup
    from ..model import Deck
    from ..timestamps import BuildTimes

PAPER_SIZES = ("a4", "letter")
HANDBOOK_STYLES = ("plain", "quiz")
FLASHCARDS_OVERFLOW = ("shorten", "continue")


@dataclass(frozen=True)
class BuildOptions:
    """What the user chose on the command line; every field has the documented default."""

    paper: str = "a4"
    anki_flat: bool = False
    handbook_style: str = "plain"
    font_dir: Path | None = None  # a folder with another TrueType family for the PDFs
    # A folder laid out like templates/ whose files replace the built-in ones they match.
    templates_dir: Path | None = None
    # A flashcard back too long for its card: "shorten" (name the cheat-sheet page) or "continue".
    flashcards_overflow: str = "shorten"


@dataclass(frozen=True)
class BuildContext:
    """Everything a backend may use besides the deck; backends read no clock and no cwd."""

    # Seconds since the epoch: when anything in the deck last changed, from the ledger.
    timestamp: int
    # The folder holding the source file: image paths in the content resolve here.
    content_dir: Path
    # Each markdown field parsed once into the tree every backend reads (markup/tree.py).
    markup: DeckMarkup
    # Every local image the deck uses (deck.media), read once through the confinement rule
    # and checked: backends take the bytes from here and never open a path themselves.
    media: Mapping[str, bytes] = field(default_factory=dict)
    options: BuildOptions = field(default_factory=BuildOptions)
    templates_dir: Path = field(default_factory=lambda: default_templates_dir())
    # The source file as the user named it, for diagnostics a backend raises.
    source_path: Path = Path("questions.yaml")
    # When each question and the note type last changed (None: all at `timestamp`).
    times: BuildTimes | None = None

    @property
    def template_dirs(self) -> list[Path]:
        """Where templates are looked up, the user's folder first, the built-in one last."""
        default = default_templates_dir()
        return [self.templates_dir, default] if self.templates_dir != default else [default]

    def template(self, relative: str) -> Path:
        """A template file: the user's copy when there is one, else the built-in one."""
        for folder in self.template_dirs:
            if (folder / relative).is_file():
                return folder / relative
        return default_templates_dir() / relative


@dataclass(frozen=True)
class Backend:
    name: str  # the --only value
    output_name: Callable[[Deck], str]
    render: Callable[[Deck, BuildContext], bytes]
    # What render would refuse, found without rendering: `validate` runs it for the selected
    # backends with the options build would use, so it reports everything build would.
    check: Callable[[Deck, BuildContext], list[Diagnostic]] | None = None
    # Work render would start with and share with other backends (imports, fonts, compiled
    # lexers): when backends sharing one render in different processes it is done once,
    # before the fork, not in each.
    prepare: tuple[Callable[[Deck, BuildContext], None], ...] = ()


def default_templates_dir() -> Path:
    """Packaged templates in a wheel; the repository's templates/ in a source checkout."""
    packaged = Path(__file__).resolve().parent.parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "templates"


def _lazy(module: str, function: str) -> Callable:
    """Import a backend only when it renders, so `studypack --help` stays instant."""

    def render(deck: Deck, context: BuildContext):
        return getattr(importlib.import_module(module, __package__), function)(deck, context)

    render.__qualname__ = f"{module}.{function}"
    return render


# Both PDFs share one check (fonts, math): the same function, so validate runs it once;
# and one preparation, so a parallel build does it once. The highlighter is shared with Anki.
_PDF_CHECK = _lazy(".pdf", "check")
_PDF_PREPARE = _lazy(".pdf", "prepare")
_LEXERS = _lazy(".lexers", "prepare")

BACKENDS: tuple[Backend, ...] = (
    Backend("anki", lambda d: f"{d.id}.apkg", _lazy(".anki", "render"),
            check=_lazy("..template_check", "check_anki"), prepare=(_LEXERS,)),
    Backend("pdf", lambda d: f"{d.id}-cheatsheet.pdf", _lazy(".pdf", "render_cheatsheet"),
            check=_PDF_CHECK, prepare=(_PDF_PREPARE, _LEXERS)),
    Backend("flashcards", lambda d: f"{d.id}-flashcards.pdf", _lazy(".pdf", "render_flashcards"),
            check=_PDF_CHECK, prepare=(_PDF_PREPARE, _LEXERS)),
    Backend("handbook", lambda d: f"{d.id}-handbook.md", _lazy(".handbook", "render"),
            check=_lazy("..template_check", "check_handbook")),
)
BACKEND_NAMES = tuple(b.name for b in BACKENDS)
