"""Anki's "Notes in Plain Text" export and plain CSV/TSV files with a header row -> Bank."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

from ..cloze import scan
from .apkg import NO_MAP, ROLE_NAMES, FieldMap
from .bank import Bank, ImportProblem, Item, tag_slug
from .html_markdown import to_markdown
from .split import split_answer

SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
# Header names of the plain-CSV columns that are not note fields.
META_NAMES = {"topic": ("topic", "deck", "category", "section"), "tags": ("tags", "tag"),
              "difficulty": ("difficulty", "level"), "id": ("id", "slug")}


def read(path: Path, field_map: FieldMap = NO_MAP) -> Bank:
    text = path.read_text(encoding="utf-8-sig")
    headers, body = _anki_headers(text)
    if headers:
        return _read_anki_export(path, headers, body, field_map)
    return _read_table(path, text, field_map)


def _anki_headers(text: str) -> tuple[dict[str, str], str]:
    """Anki's `#key:value` lines at the top of the file, and the rest."""
    headers: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines) and lines[index].startswith("#") and ":" in lines[index]:
        key, _, value = lines[index][1:].partition(":")
        headers[key.strip().lower()] = value.strip()
        index += 1
    return headers, "\n".join(lines[index:])


def _rows(body: str, delimiter: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(body), delimiter=delimiter) if any(c.strip() for c in row)]


def _read_anki_export(path: Path, headers: dict[str, str], body: str, field_map: FieldMap) -> Bank:
    delimiter = SEPARATORS.get(headers.get("separator", "tab").lower(), headers.get("separator", "\t"))
    is_html = headers.get("html", "false").lower() == "true"
    special = {name: int(headers[f"{name} column"]) - 1 for name in ("guid", "notetype", "deck", "tags")
               if headers.get(f"{name} column", "").isdigit()}
    bank = Bank(title=path.stem)
    for number, row in enumerate(_rows(body, delimiter), start=1):
        origin = f"{path.name}: note {number}"
        fields = [cell for index, cell in enumerate(row) if index not in special.values()]
        convert = (lambda cell: to_markdown(cell)) if is_html else (lambda cell: cell.strip())
        values = [convert(cell) for cell in fields]
        names = _field_names(len(values), field_map)
        notetype = row[special["notetype"]] if "notetype" in special else ""
        topic = row[special["deck"]] if "deck" in special else path.stem
        tags = row[special["tags"]].split() if "tags" in special else []
        guid = row[special["guid"]] if "guid" in special else ""
        if "cloze" in notetype.casefold() or (values and not scan(values[0])[1]):
            item = _cloze_item(values, origin, bank, topic, tags, guid)
        else:
            item = _item(values, names, origin, bank, topic=topic, tags=tags, guid=guid)
            # Anki's stock "Basic (and reversed card)" and "… (optional reversed card)" types.
            if item is not None and "reverse" in notetype.casefold() and len(values) >= 2:
                item = replace(item, reverse=True)
        if item is not None:
            bank.items.append(item)
    _set_topics(bank)
    return bank


def _field_names(count: int, field_map: FieldMap) -> list[str]:
    """The export has no field names: position says question, answer, then details."""
    return ["question", "answer"] + ["details"] * max(count - 2, 0)


def _item(values: list[str], roles: list[str], origin: str, bank: Bank, topic: str, tags: list[str],
          guid: str = "", difficulty: str | None = None, item_id: str = "") -> Item | None:
    parts = {"question": [], "answer": [], "details": []}
    for role, value in zip(roles, values, strict=False):
        if role in parts and value.strip():
            parts[role].append(value)
    if not parts["question"] or not parts["answer"]:
        missing = "question" if not parts["question"] else "answer"
        bank.skipped.append(f"{origin}: empty {missing}")
        return None
    answer, rest = split_answer("\n\n".join(parts["answer"]))
    details = "\n\n".join([p for p in (rest, *parts["details"]) if p])
    clean_tags = tuple(dict.fromkeys(t for t in (tag_slug(t) for t in tags) if t))
    for tag in tags:
        if tag_slug(tag) != tag:
            bank.notes.append(f"tag '{tag}' renamed '{tag_slug(tag)}'")
    if difficulty is not None and difficulty.lower() not in ("easy", "medium", "hard"):
        bank.notes.append(f"{origin}: difficulty '{difficulty}' is not easy, medium or hard; left out")
        difficulty = None
    topic = topic.split("::")[-1] if topic else bank.title
    return Item("\n\n".join(parts["question"]), answer, details, topic, origin, clean_tags,
                difficulty.lower() if difficulty else None, anki_guid=guid, id=item_id)


def _cloze_item(values: list[str], origin: str, bank: Bank, topic: str, tags: list[str],
                guid: str) -> Item | None:
    """A cloze note: its text with the marks, the other fields as the extra."""
    text = values[0] if values else ""
    if scan(text)[1] is not None:
        bank.skipped.append(f"{origin}: cloze text without a well-formed {{{{c1::…}}}} mark")
        return None
    extra = "\n\n".join(v for v in values[1:] if v.strip())
    answer, details = ("", extra) if "\n" in extra or len(extra) > 300 else (extra, "")
    item = _item([text, answer or "-", details], ["question", "answer", "details"], origin, bank,
                 topic=topic, tags=tags, guid=guid)
    return item and replace(item, answer=answer, cloze=True)


def _set_topics(bank: Bank) -> None:
    bank.topic_order = list(dict.fromkeys(item.topic for item in bank.items))


def _read_table(path: Path, text: str, field_map: FieldMap) -> Bank:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if path.suffix.lower() == ".tsv" or "\t" in first_line else _sniff(text)
    rows = _rows(text, delimiter)
    if not rows:
        raise ImportProblem(f"{path}:1:1: error: no header row")
    header = [cell.strip() for cell in rows[0]]
    roles = _column_roles(header, field_map)
    if "question" not in roles or "answer" not in roles:
        raise ImportProblem(f"{path}:1:1: error: no question and answer columns in the header "
                          f"({', '.join(header)}); name them with --map question=COLUMN,answer=COLUMN")
    bank = Bank(title=path.stem)
    for number, row in enumerate(rows[1:], start=2):
        cell = {role: row[index].strip() if index < len(row) else "" for index, role in
                ((i, r) for i, r in enumerate(roles))}
        details = [row[i].strip() for i, r in enumerate(roles) if r == "details" and i < len(row)]
        values = [cell.get("question", ""), cell.get("answer", ""), *details]
        item = _item(values, ["question", "answer"] + ["details"] * len(details),
                     f"{path.name}:{number}", bank, topic=cell.get("topic", "") or path.stem,
                     tags=cell.get("tags", "").replace(",", " ").split(),
                     difficulty=cell.get("difficulty") or None, item_id=cell.get("id", ""))
        if item is not None:
            bank.items.append(item)
    _set_topics(bank)
    return bank


def _sniff(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _column_roles(header: list[str], field_map: FieldMap) -> list[str]:
    """Each column's role: --map first, then known names; unknown columns become details."""
    chosen = {getattr(field_map, r): r for r in ("question", "answer", "details") if getattr(field_map, r)}
    known = {**{n: r for r, names in ROLE_NAMES.items() for n in names},
             **{n: r for r, names in META_NAMES.items() for n in names}}
    roles: list[str] = []
    for name in header:
        role = chosen.get(name) or known.get(name.casefold(), "details")
        roles.append(role if role == "details" or role not in roles else "details")
    return roles
