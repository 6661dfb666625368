"""Anki packages (.apkg, .colpkg) -> Bank, read with the official `anki` package into a scratch collection."""

from __future__ import annotations

import html
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..markup.images import SUFFIXES as IMAGE_SUFFIXES
from .bank import Bank, Item, slugify, tag_slug
from .html_markdown import to_markdown, to_markdown_many
from .split import split_answer

# The studypack note type (exporter/backends/anki): read back field for field.
STUDYPACK_FIELDS = ("Question", "Answer", "Details", "Topic", "Difficulty", "Related", "Id")
STUDYPACK_CLOZE_FIELDS = ("Text", "Extra", "Details", "Topic", "Difficulty", "Related", "Id")
_STUDYPACK_NOTETYPE = re.compile(r"studypack .* \((?P<deck>[a-z0-9-]+)\)\Z")
_SUBDECK_NUMBER = re.compile(r"\A\d+ ")
_SOUND = re.compile(r"\[sound:[^\]]*\]")
_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_RELATED_ITEM = re.compile(r"<li>(.*?)</li>", re.DOTALL)
# Field names, lower-cased, that say which part of a question they hold.
ROLE_NAMES = {
    "question": ("front", "question", "q", "prompt", "term", "word", "text"),
    "answer": ("back", "answer", "a", "definition", "meaning", "response"),
    "details": ("extra", "details", "back extra", "notes", "note", "explanation", "example", "examples"),
}
MODEL_CLOZE = 1
DEFAULT_DECK = 1  # in every collection, the scratch one included


class AnkiMissing(Exception):
    """The optional `anki` package is not installed."""


class AnkiPackageProblem(Exception):
    """The file is not a package Anki can open; the message says which and why."""


@dataclass(frozen=True)
class FieldMap:
    """--map question=Front,answer=Back,details=Extra: field names by role."""

    question: str = ""
    answer: str = ""
    details: str = ""

    @classmethod
    def parse(cls, text: str) -> FieldMap:
        roles = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            role, sep, name = part.partition("=")
            if not sep or role.strip() not in ("question", "answer", "details") or not name.strip():
                raise ValueError(f"'{part}' is not ROLE=FIELD with ROLE question, answer or details")
            roles[role.strip()] = name.strip()
        return cls(**roles)


NO_MAP = FieldMap()


def _anki():
    try:
        from anki.collection import Collection
    except ImportError as error:  # an optional extra: say how to get it
        raise AnkiMissing("reading Anki packages needs the official anki package: "
                          "pip install 'studypack[anki]'") from error
    return Collection


@contextmanager
def opened(path: Path, whole_collection: bool = False) -> Iterator:
    """A scratch collection holding the package's notes (scheduling left out), closed after.
    `whole_collection`: the file is a .colpkg (a backup of a whole collection)."""
    Collection = _anki()
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    with tempfile.TemporaryDirectory(prefix="studypack-import-") as folder:
        target = Path(folder) / "collection.anki2"
        if whole_collection:
            from anki._backend import RustBackend

            RustBackend().import_collection_package(
                col_path=str(target), backup_path=str(path.resolve()),
                media_folder=str(Path(folder) / "collection.media"),
                media_db=str(Path(folder) / "collection.media.db2"))
            col = Collection(str(target))
        else:
            col = Collection(str(target))
            col.import_anki_package(ImportAnkiPackageRequest(
                package_path=str(path.resolve()), options=ImportAnkiPackageOptions(with_scheduling=False)))
        try:
            yield col
        finally:
            col.close()


def read(path: Path, field_map: FieldMap = NO_MAP, whole_collection: bool | None = None) -> Bank:
    """`whole_collection` None: a .colpkg by its name."""
    if whole_collection is None:
        whole_collection = path.suffix.lower() == ".colpkg"
    _anki()  # first: a missing anki package is said plainly
    from anki.errors import AnkiException

    try:
        with opened(path, whole_collection) as col:
            bank, raw, images, notetypes = _read_collection(col, path.name)
    except AnkiException as error:
        raise AnkiPackageProblem(f"{path}: error: not an Anki package Anki can read ({error})") from None
    # Converted with the collection closed: the worker is forked without Anki's threads.
    for item, skipped, notes in _convert(raw, images, field_map):
        bank.skipped += skipped
        bank.notes += notes
        if item is not None:
            bank.items.append(item)
    deck_ids = {m.group("deck") for name in notetypes if (m := _STUDYPACK_NOTETYPE.match(name))}
    if len(deck_ids) == 1:
        bank.deck_id = deck_ids.pop()
        _drop_derived_guids(bank)
    return bank


# Below this many notes a forked worker costs more than it saves.
PARALLEL_MIN_NOTES = 200


@dataclass(frozen=True)
class _RawNote:
    """A note as the collection holds it, read before the collection closes."""

    id: int
    guid: str
    notetype: str
    cloze: bool
    fields: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]
    card_count: int
    topic: str


def _read_collection(col, display: str) -> tuple[Bank, list[_RawNote], dict[str, str | None], set[str]]:
    """The bank's frame (title, topics, description, media), the notes, the images they use
    and the names of their note types."""
    bank = Bank()
    decks = _deck_names(col)
    first_card = {nid: (did, count) for nid, did, count in
                  col.db.all("SELECT nid, min(did), count() FROM cards GROUP BY nid")}
    names = [decks[did] for did, _ in first_card.values()]
    # The package's decks, the empty ones too: a studypack deck's top deck holds no cards.
    root = _common_root([*names, *(n for d, n in decks.items() if d != DEFAULT_DECK)])
    bank.title = root or Path(display).stem
    topics = sorted(set(names), key=lambda n: _deck_sort_key(n, root))
    bank.topic_order = [_topic_title(name, root, bank.title) for name in topics]
    position = {name: index for index, name in enumerate(topics)}
    notetypes: dict[int, dict] = {}
    raw = []
    for nid in sorted(first_card, key=lambda n: (position[decks[first_card[n][0]]], n)):
        note = col.get_note(nid)
        notetype = notetypes.setdefault(note.mid, note.note_type())
        did, card_count = first_card[nid]
        raw.append(_RawNote(nid, note.guid, notetype["name"], notetype.get("type") == MODEL_CLOZE,
                            tuple(note.items()), tuple(note.tags), card_count,
                            _topic_title(decks[did], root, bank.title)))
    images = _MediaCollector(Path(col.media.dir()), bank).collect(raw)
    top = col.decks.by_name(root) if root else None
    bank.description = to_markdown(top["desc"]) if top and top.get("desc") else ""
    return bank, raw, images, {nt["name"] for nt in notetypes.values()}


def _convert(raw: list[_RawNote], images: dict[str, str | None], field_map: FieldMap) -> list:
    """Each note's (Item or None, skipped, notes): HTML -> Markdown is most of an import's
    time, so a large package is converted in two processes."""
    from .. import parallel

    def convert(notes) -> list:
        media = _Images(images)
        values = [_SOUND.sub("", value) for note in notes for name, value in _convertible(note)]
        markdown = iter(to_markdown_many(values, media.image))
        results = []
        for note in notes:
            local = Bank()
            converted = {name: value for name, value in note.fields}
            converted.update((name, next(markdown)) for name, _ in _convertible(note))
            results.append((_item(note, converted, field_map, local), local.skipped, local.notes))
        return results

    if len(raw) >= PARALLEL_MIN_NOTES and parallel.can_fork_workers():
        return parallel.map_halves(convert, raw)
    return convert(raw)


def _drop_derived_guids(bank: Bank) -> None:
    """A studypack-built note's GUID derives from the ids: writing it down would add nothing."""
    from dataclasses import replace

    from ..backends.anki.ids import note_guid

    bank.items = [replace(item, anki_guid="")
                  if item.id and item.anki_guid == note_guid(bank.deck_id, item.id) else item
                  for item in bank.items]


def _deck_names(col) -> dict[int, str]:
    return {d.id: d.name for d in col.decks.all_names_and_ids()}


def _common_root(names: list[str]) -> str:
    """The deck every note sits in or under: the package's own top deck."""
    if not names:
        return ""
    parts = [n.split("::") for n in names]
    common = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return "::".join(common)


def _relative(name: str, root: str) -> list[str]:
    parts = name.split("::")
    return parts[len(root.split("::")) if root else 0:]


def _deck_sort_key(name: str, root: str) -> list[str]:
    return [p.casefold() for p in _relative(name, root)]


def _topic_title(name: str, root: str, title: str) -> str:
    """Sub-decks below the top deck, joined; studypack's "01 " order prefixes dropped."""
    parts = [_SUBDECK_NUMBER.sub("", p, count=1) for p in _relative(name, root)]
    return " / ".join(parts) if parts else _SUBDECK_NUMBER.sub("", title.split("::")[-1], count=1)


def _convertible(note: _RawNote) -> tuple[tuple[str, str], ...]:
    """The fields whose HTML becomes Markdown: of a studypack note, only the three texts
    (Related is read item by item, the others are plain values)."""
    if tuple(name for name, _ in note.fields) in (STUDYPACK_FIELDS, STUDYPACK_CLOZE_FIELDS):
        related = _RELATED_ITEM.findall(note.fields[STUDYPACK_FIELDS.index("Related")][1])
        return (*note.fields[:3], *((f"Related {i}", item) for i, item in enumerate(related)))
    return note.fields


def _item(note: _RawNote, md: dict[str, str], field_map: FieldMap, bank: Bank) -> Item | None:
    """One note as an Item; `md` holds its fields already in Markdown."""
    origin = f"note {note.id} ({note.notetype})"
    for name, value in note.fields:
        if _SOUND.search(value):
            bank.notes.append(f"{origin}: sound in field '{name}' left out (the format has no audio)")
    tags = _tags(note.tags, origin, bank)
    names = tuple(name for name, _ in note.fields)
    if names in (STUDYPACK_FIELDS, STUDYPACK_CLOZE_FIELDS):
        return _studypack_item(note, md, tags, origin, cloze=names == STUDYPACK_CLOZE_FIELDS)
    if note.cloze:
        return _cloze_item(note, md, tags, origin, bank)
    roles = _roles(list(md), field_map)
    question = md[roles["question"]]
    answer_md = md[roles["answer"]] if roles["answer"] else ""
    if not question.strip() or not answer_md.strip():
        empty = "question" if not question.strip() else "answer"
        bank.skipped.append(f"{origin}: empty {empty} (field '{roles[empty] or '?'}')")
        return None
    answer, rest = split_answer(answer_md)
    extra = [rest] if rest else []
    for name in [n for n in md if n not in (roles["question"], roles["answer"])]:
        if md[name].strip():
            extra.append(md[name] if name == roles["details"] else f"**{name}:** {md[name]}")
    return Item(question, answer, "\n\n".join(extra), note.topic, origin, tags,
                reverse=note.card_count > 1, anki_guid=note.guid)


def _roles(names: list[str], field_map: FieldMap) -> dict[str, str]:
    """Which field holds which part: --map first, then known names, then position."""
    roles: dict[str, str] = {}
    lowered = {n.casefold(): n for n in names}
    for role in ("question", "answer", "details"):
        chosen = getattr(field_map, role)
        if chosen and chosen in names:
            roles[role] = chosen
            continue
        roles[role] = next((lowered[c] for c in ROLE_NAMES[role] if c in lowered
                            and lowered[c] not in roles.values()), "")
    free = [n for n in names if n not in roles.values()]
    for role in ("question", "answer"):
        if not roles[role] and free:
            roles[role] = free.pop(0)
    return roles


def _studypack_item(note: _RawNote, md: dict[str, str], tags: tuple[str, ...], origin: str,
                    cloze: bool = False) -> Item:
    """A note studypack built: its own id, topic, difficulty and related questions come back.
    A cloze note's Text holds the marks, its Extra the answer."""
    topic_id = next((t.split("::", 1)[1] for t in note.tags if t.startswith("topic::")), "")
    own = tuple(t for t in tags if not t.startswith(("topic::", "difficulty::")))
    related = tuple(value for name, value in md.items() if name.startswith("Related "))
    question, answer = (md["Text"], md["Extra"]) if cloze else (md["Question"], md["Answer"])
    return Item(question, answer, md["Details"], note.topic, origin, own, md["Difficulty"] or None,
                related, reverse=not cloze and note.card_count > 1, cloze=cloze, id=md["Id"],
                topic_id=topic_id, anki_guid=note.guid)


def _cloze_item(note: _RawNote, md: dict[str, str], tags: tuple[str, ...], origin: str,
                bank: Bank) -> Item | None:
    from ..cloze import scan

    names = list(md)
    text = md[names[0]]
    if scan(text)[1] is not None:
        bank.skipped.append(f"{origin}: cloze text without a well-formed {{{{c1::…}}}} mark")
        return None
    extra = "\n\n".join(md[n] for n in names[1:] if md[n].strip())
    answer, details = ("", extra) if "\n" in extra or len(extra) > 300 else (extra, "")
    return Item(text, answer, details, note.topic, origin, tags, cloze=True, anki_guid=note.guid)


def _tags(tags: tuple[str, ...], origin: str, bank: Bank) -> tuple[str, ...]:
    result = []
    for tag in tags:
        slug = tag_slug(tag)
        if not slug:
            bank.notes.append(f"{origin}: tag '{tag}' has no letters or digits; left out")
            continue
        if slug != tag:
            bank.notes.append(f"tag '{tag}' renamed '{slug}'")
        result.append(slug)
    return tuple(dict.fromkeys(result))


class _Images:
    """An image's src -> its path under media/, or None when it was left out (and reported)."""

    def __init__(self, paths: dict[str, str | None]) -> None:
        self.paths = paths

    def image(self, src: str) -> str | None:
        return self.paths.get(html.unescape(src))


class _MediaCollector:
    """Images the notes use, copied under media/ with names a Markdown link can carry."""

    def __init__(self, folder: Path, bank: Bank) -> None:
        self.folder, self.bank = folder, bank
        self.names: dict[str, str] = {}

    def collect(self, notes: list[_RawNote]) -> dict[str, str | None]:
        """Every image src the notes use, looked at once, before the collection closes."""
        paths: dict[str, str | None] = {}
        for note in notes:
            for _, value in note.fields:
                for quoted in _IMG_SRC.findall(value):
                    src = html.unescape("".join(quoted))
                    if src not in paths:
                        paths[src] = self.image(src)
        return paths

    def image(self, src: str) -> str | None:
        if src in self.names:
            return f"media/{self.names[src]}"
        source = self.folder / src
        suffix = PurePosixPath(src).suffix.lower()
        if "/" in src or not source.is_file():
            self.bank.notes.append(f"image '{src}': not in the package's media; left out")
            return None
        if suffix not in IMAGE_SUFFIXES:
            self.bank.notes.append(f"image '{src}': {suffix or 'no'} type is not supported "
                                     f"({', '.join(IMAGE_SUFFIXES)}); left out")
            return None
        stem = slugify(PurePosixPath(src).stem, 60) or "image"
        name, n = f"{stem}{suffix}", 1
        data = source.read_bytes()  # the scratch collection is gone once reading ends
        while name in self.bank.media and self.bank.media[name] != data:
            n += 1
            name = f"{stem}-{n}{suffix}"
        self.bank.media[name] = data
        self.names[src] = name
        return f"media/{name}"

