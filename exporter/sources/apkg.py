"""Anki packages (.apkg, .colpkg) -> Bank, read with the official `anki` package into a scratch collection."""

from __future__ import annotations

import html
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..media import IMAGE_SUFFIXES
from .bank import Bank, Item, slugify, tag_slug
from .html_markdown import to_markdown
from .split import split_answer

# The studypack note type (exporter/backends/anki): read back field for field.
STUDYPACK_FIELDS = ("Question", "Answer", "Details", "Topic", "Difficulty", "Related", "Id")
_STUDYPACK_NOTETYPE = re.compile(r"studypack .* \((?P<deck>[a-z0-9-]+)\)\Z")
_SUBDECK_NUMBER = re.compile(r"\A\d+ ")
_SOUND = re.compile(r"\[sound:[^\]]*\]")
_RELATED_ITEM = re.compile(r"<li>(.*?)</li>", re.DOTALL)
# Field names, lower-cased, that say which part of a question they hold.
ROLE_NAMES = {
    "question": ("front", "question", "q", "prompt", "term", "word", "text"),
    "answer": ("back", "answer", "a", "definition", "meaning", "response"),
    "details": ("extra", "details", "back extra", "notes", "note", "explanation", "example", "examples"),
}
MODEL_CLOZE = 1


class AnkiMissing(Exception):
    """The optional `anki` package is not installed."""


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
def opened(path: Path) -> Iterator:
    """A scratch collection holding the package's notes (scheduling left out), closed after."""
    Collection = _anki()
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    with tempfile.TemporaryDirectory(prefix="studypack-import-") as folder:
        target = Path(folder) / "collection.anki2"
        if path.suffix.lower() == ".colpkg":
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


def read(path: Path, field_map: FieldMap = NO_MAP) -> Bank:
    with opened(path) as col:
        return _read_collection(col, field_map, path.name)


def _read_collection(col, field_map: FieldMap, display: str) -> Bank:
    bank = Bank()
    decks = _deck_names(col)
    first_card = {nid: (did, ords) for nid, did, ords in
                  col.db.all("SELECT nid, min(did), count() FROM cards GROUP BY nid")}
    names = [decks[did] for did, _ in first_card.values()]
    root = _common_root(names)
    bank.title = root or Path(display).stem
    topics = sorted({name for name in names}, key=lambda n: _deck_sort_key(n, root))
    bank.topic_order = [_topic_title(name, root, bank.title) for name in topics]
    media = _MediaCollector(Path(col.media.dir()), bank)
    notetypes: dict[int, dict] = {}
    for nid in sorted(first_card, key=lambda n: (topics.index(decks[first_card[n][0]]), n)):
        note = col.get_note(nid)
        notetype = notetypes.setdefault(note.mid, note.note_type())
        did, card_count = first_card[nid]
        topic = _topic_title(decks[did], root, bank.title)
        item = _item(note, notetype, card_count, topic, field_map, media, bank)
        if item is not None:
            bank.items.append(item)
    deck_ids = {m.group("deck") for nt in notetypes.values()
                if (m := _STUDYPACK_NOTETYPE.match(nt["name"]))}
    if len(deck_ids) == 1:
        bank.deck_id = deck_ids.pop()
        _drop_derived_guids(bank)
    top = col.decks.by_name(root) if root else None
    bank.description = to_markdown(top["desc"]) if top and top.get("desc") else ""
    return bank


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
    return " / ".join(parts) if parts else title.split("::")[-1]


def _item(note, notetype: dict, card_count: int, topic: str, field_map: FieldMap,
          media: _MediaCollector, bank: Bank) -> Item | None:
    origin = f"note {note.id} ({notetype['name']})"
    fields = dict(note.items())
    for name, value in fields.items():
        if _SOUND.search(value):
            bank.notes.append(f"{origin}: sound in field '{name}' left out (the format has no audio)")
            fields[name] = _SOUND.sub("", value)
    tags = _tags(note.tags, origin, bank)
    if tuple(fields) == STUDYPACK_FIELDS:
        return _studypack_item(note, fields, topic, tags, origin, media)
    if notetype.get("type") == MODEL_CLOZE:
        return _cloze_item(note, fields, topic, tags, origin, media, bank)
    roles = _roles(list(fields), field_map)
    question = to_markdown(fields[roles["question"]], media.image)
    answer_md = to_markdown(fields[roles["answer"]], media.image) if roles["answer"] else ""
    if not question.strip() or not answer_md.strip():
        empty = "question" if not question.strip() else "answer"
        bank.skipped.append(f"{origin}: empty {empty} (field '{roles[empty] or '?'}')")
        return None
    answer, rest = split_answer(answer_md)
    extra = [rest] if rest else []
    for name in [n for n in fields if n not in (roles["question"], roles["answer"])]:
        value = to_markdown(fields[name], media.image)
        if value.strip():
            extra.append(value if name == roles["details"] else f"**{name}:** {value}")
    return Item(question, answer, "\n\n".join(extra), topic, origin, tags,
                reverse=card_count > 1, anki_guid=note.guid)


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


def _studypack_item(note, fields: dict[str, str], topic: str, tags: tuple[str, ...], origin: str,
                    media: _MediaCollector) -> Item:
    topic_id = next((t.split("::", 1)[1] for t in note.tags if t.startswith("topic::")), "")
    own = tuple(t for t in tags if not t.startswith(("topic::", "difficulty::")))
    related = tuple(to_markdown(m) for m in
                    _RELATED_ITEM.findall(fields["Related"]))
    return Item(to_markdown(fields["Question"], media.image), to_markdown(fields["Answer"], media.image),
                to_markdown(fields["Details"], media.image), topic, origin, own,
                fields["Difficulty"] or None, related, id=fields["Id"], topic_id=topic_id,
                anki_guid=note.guid)


def _cloze_item(note, fields: dict[str, str], topic: str, tags: tuple[str, ...], origin: str,
                media: _MediaCollector, bank: Bank) -> Item | None:
    names = list(fields)
    text = to_markdown(fields[names[0]], media.image)
    from ..cloze import scan

    if scan(text)[1] is not None:
        bank.skipped.append(f"{origin}: cloze text without a well-formed {{{{c1::…}}}} mark")
        return None
    extra = "\n\n".join(v for v in (to_markdown(fields[n], media.image) for n in names[1:]) if v.strip())
    answer, details = ("", extra) if "\n" in extra or len(extra) > 300 else (extra, "")
    return Item(text, answer, details, topic, origin, tags, cloze=True, anki_guid=note.guid)


def _tags(tags: list[str], origin: str, bank: Bank) -> tuple[str, ...]:
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


class _MediaCollector:
    """Images the notes use, copied under media/ with names a Markdown link can carry."""

    def __init__(self, folder: Path, bank: Bank) -> None:
        self.folder, self.bank = folder, bank
        self.names: dict[str, str] = {}

    def image(self, src: str) -> str | None:
        src = html.unescape(src)
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

