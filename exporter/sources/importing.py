"""`studypack import`: read the sources, assemble one schema-1 file, write it and its media, report."""

from __future__ import annotations

import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..atomic import replace_file
from .bank import Bank, ImportProblem, assemble
from .yaml_writer import dump

FORMATS = ("apkg", "colpkg", "csv", "markdown")
_SUFFIXES = {".apkg": "apkg", ".colpkg": "colpkg", ".csv": "csv", ".tsv": "csv", ".txt": "csv",
             ".md": "markdown", ".markdown": "markdown"}


@dataclass(frozen=True)
class Result:
    output: Path
    questions: int
    topics: int
    media: int
    bank: Bank


def guess_format(path: Path) -> str:
    if path.suffix.lower() in _SUFFIXES:
        return _SUFFIXES[path.suffix.lower()]
    if zipfile.is_zipfile(path):
        return "apkg"
    raise ImportProblem(f"{path}: cannot tell its format from the name; pass --format")


def read_sources(sources: list[Path], fmt: str | None, field_map) -> Bank:
    """Every source into one bank, in the order given (Markdown files read together)."""
    from .apkg import AnkiMissing, AnkiPackageProblem

    groups: dict[str, list[Path]] = {}
    for path in sources:
        groups.setdefault(fmt or guess_format(path), []).append(path)
    banks = []
    try:
        for kind, paths in groups.items():
            if kind == "markdown":
                from . import markdown_bank

                banks.append(markdown_bank.read(paths))
            elif kind == "csv":
                from . import anki_text

                banks += [anki_text.read(p, field_map) for p in paths]
            else:
                from . import apkg

                banks += [apkg.read(p, field_map, kind == "colpkg") for p in paths]
    except (AnkiMissing, AnkiPackageProblem) as error:
        raise ImportProblem(str(error)) from None
    except UnicodeDecodeError as error:
        raise ImportProblem(f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    return _merged(banks)


def _merged(banks: list[Bank]) -> Bank:
    if len(banks) == 1:
        return banks[0]
    merged = Bank(title=banks[0].title, deck_id=banks[0].deck_id)
    for bank in banks:
        merged.items += bank.items
        merged.topic_order += bank.topic_order
        merged.skipped += bank.skipped
        merged.notes += bank.notes
        for name, data in bank.media.items():
            if merged.media.get(name, data) != data:
                raise ImportProblem(f"two sources have different images named '{name}'; import them apart")
            merged.media[name] = data
    return merged


def write(bank: Bank, output: Path, deck_id: str | None, force: bool) -> Result:
    if not bank.items:
        raise ImportProblem("nothing to import: no question was found" +
                            (f" ({len(bank.skipped)} skipped)" if bank.skipped else ""))
    document = assemble(bank, deck_id)
    media_dir = output.parent / "media"
    targets = [output, *(media_dir / name for name in bank.media)]
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        raise ImportProblem(f"{existing[0]} already exists; pass --force to overwrite"
                            + (f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""))
    if bank.media:
        media_dir.mkdir(parents=True, exist_ok=True)
    for name, data in bank.media.items():
        replace_file(media_dir / name, data)
    output.parent.mkdir(parents=True, exist_ok=True)
    replace_file(output, dump(document).encode("utf-8"))
    return Result(output, len(document["questions"]), len(document["topics"]), len(bank.media), bank)


def summary(result: Result) -> list[str]:
    """What the user reads: counts first, then everything that was not imported as it was."""
    bank = result.bank
    found = result.questions + len(bank.skipped)
    lines = [f"wrote {result.output}: {result.questions} questions in {result.topics} topics, "
             f"{result.media} media files ({found} found, {found - result.questions} skipped)"]
    lines += [f"skipped: {reason}" for reason in bank.skipped]
    for note, count in Counter(bank.notes).items():
        lines.append(f"note: {note}" + (f" ({count} times)" if count > 1 else ""))
    return lines

