"""A schema-1 document -> readable YAML: the key order of content/questions.yaml, `|` for multi-line text."""

from __future__ import annotations

import json
import re

import yaml

INDENT = "  "
# Characters YAML treats as line breaks or that a block scalar cannot carry: such a value is
# written double-quoted, where they are escapes.
_NOT_IN_BLOCK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\x85\u2028\u2029\ufeff]")


def dump(document: dict) -> str:
    """The document as YAML, one blank line between questions, every string taken as written."""
    lines = [f"schema: {document['schema']}", "deck:"]
    lines += _mapping(document["deck"], 1)
    lines.append("topics:")
    for topic in document["topics"]:
        lines += _item(topic, 1)
    lines.append("questions:")
    for index, question in enumerate(document["questions"]):
        if index:
            lines.append("")
        lines += _item(question, 1)
    return "\n".join(lines) + "\n"


def _item(mapping: dict, depth: int) -> list[str]:
    lines = _mapping(mapping, depth + 1)
    first = lines[0].lstrip(" ")
    return [f"{INDENT * depth}- {first}", *lines[1:]]


def _mapping(mapping: dict, depth: int) -> list[str]:
    pad = INDENT * depth
    lines: list[str] = []
    for key, value in mapping.items():
        if isinstance(value, bool):
            lines.append(f"{pad}{key}: {'true' if value else 'false'}")
        elif isinstance(value, list):
            lines.append(f"{pad}{key}: [{', '.join(_inline(str(v), flow=True) for v in value)}]")
        else:
            lines += _scalar(pad, key, str(value), depth)
    return lines


def _scalar(pad: str, key: str, value: str, depth: int) -> list[str]:
    if "\n" not in value.strip("\n") or _NOT_IN_BLOCK.search(value):
        return [f"{pad}{key}: {_inline(value)}"]
    body = value.rstrip("\n")
    trailing = len(value) - len(body)
    chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
    # A first line that starts with a space needs the indentation said explicitly.
    indicator = str(len(INDENT)) if body[:1] in (" ", "\t", "\n") else ""
    inner = INDENT * (depth + 1)
    lines = [f"{pad}{key}: |{indicator}{chomp}"]
    lines += [f"{inner}{line}" if line else "" for line in (body + "\n" * max(trailing - 1, 0)).split("\n")]
    return lines


# A plain scalar that reads back as this very string: no indicator first, no ": " or " #",
# nothing YAML 1.1 would resolve to a number, boolean, null, merge or value key.
_PLAIN = re.compile(r"(?![-?:,\[\]{}#&*!|>'\"%@`=<\s])[^\n]*(?<![\s:])")
_PLAIN_FLOW = re.compile(r"[^,\[\]{}]*")
_RESOLVES = re.compile(
    r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+"
    r"|0b[01_]+|0o?[0-7_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|\.(?:inf|Inf|INF))"
    r"|\.(?:nan|NaN|NAN)|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE"
    r"|on|On|ON|off|Off|OFF|null|Null|NULL|~|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*")


def _inline(value: str, flow: bool = False) -> str:
    """One scalar on one line: plain when YAML would read it back as the same string."""
    if (_PLAIN.fullmatch(value) and ": " not in value and " #" not in value and "\t" not in value
            and not _NOT_IN_BLOCK.search(value) and not _RESOLVES.fullmatch(value)
            and (not flow or _PLAIN_FLOW.fullmatch(value))):
        return value  # most values: the dumper would write them as they are, far more slowly
    if _NOT_IN_BLOCK.search(value):
        # Double-quoted with escapes: YAML would read these characters as line breaks or refuse them.
        quoted = json.dumps(value, ensure_ascii=False)
        return _NOT_IN_BLOCK.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)
    text = yaml.safe_dump(value, allow_unicode=True, width=1 << 30, default_flow_style=True)
    text = text.rstrip("\n")
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    if flow and any(ch in text for ch in ",[]{}") and not text.startswith(("'", '"')):
        text = yaml.safe_dump(value, allow_unicode=True, width=1 << 30, default_style="'").rstrip("\n")
    return text
