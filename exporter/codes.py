"""Every diagnostic's stable code and name, with where it points and how to fix it (the README table)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str  # "SP201": never reused, never renumbered
    name: str  # "unknown-topic": what a config file may ignore, and what the caret line shows
    severity: str  # "error" | "warning"
    message: str  # the message's shape, for the README
    position: str  # what the line and column point at
    fix: str


# Hundreds: 0 the file and its YAML, 1 the structure, 2 ids and references, 3 the content,
# 4 warnings about the content, 5 templates and configuration, 6 what a backend refuses.
CODES: tuple[Code, ...] = (
    Code(
        "SP001",
        "unreadable-file",
        "error",
        "cannot read file: …",
        "1:1",
        "check the path and its permissions",
    ),
    Code("SP002", "file-too-large", "error", "file is N bytes; the limit is 64 MiB", "1:1", "split the deck"),
    Code(
        "SP003",
        "invalid-utf8",
        "error",
        "invalid UTF-8: byte 0x.. cannot be decoded",
        "the byte",
        "save the file as UTF-8",
    ),
    Code(
        "SP004",
        "yaml-syntax",
        "error",
        "YAML syntax error: …",
        "where the parser stopped",
        "the help line names the usual cause: quote a value that starts with a backtick or holds ': ', "
        "write multi-line text after '|'",
    ),
    Code(
        "SP005",
        "forbidden-character",
        "error",
        "character U+.... is not allowed in YAML",
        "the character",
        "remove it, or write it as an escape in a double-quoted string",
    ),
    Code("SP006", "empty-file", "error", "file is empty", "1:1", "start from the example in this README"),
    Code(
        "SP007",
        "multiple-documents",
        "error",
        "only one YAML document is allowed",
        "the second '---'",
        "remove the extra '---'",
    ),
    Code(
        "SP008", "yaml-alias", "error", "aliases are not allowed ('*x')", "the alias", "write the value out"
    ),
    Code(
        "SP009", "yaml-anchor", "error", "anchors are not allowed ('&x')", "the anchor", "remove the anchor"
    ),
    Code("SP010", "yaml-tag", "error", "tags are not allowed ('!!x')", "the tag", "remove the tag"),
    Code(
        "SP011",
        "value-too-long",
        "error",
        "value is N characters long; the limit is …",
        "the value",
        "shorten the value (or move the text to 'details')",
    ),
    Code(
        "SP012",
        "nesting-too-deep",
        "error",
        "nesting is deeper than 32 levels",
        "the deepest collection",
        "flatten the structure",
    ),
    Code(
        "SP013", "complex-key", "error", "a mapping key must be a plain string", "the key", "use a plain key"
    ),
    Code(
        "SP101",
        "wrong-type",
        "error",
        "'x' must be text / a list / a mapping, not …",
        "the value",
        "write the value in the form the message names",
    ),
    Code(
        "SP102",
        "duplicate-key",
        "error",
        "duplicate key 'x' in … (first on line N)",
        "the second key",
        "remove one of the two",
    ),
    Code(
        "SP103",
        "unknown-key",
        "error",
        "unknown key 'x' in …",
        "the key",
        "the help line gives the closest key",
    ),
    Code(
        "SP104",
        "missing-key",
        "error",
        "missing required key 'x' in …",
        "the mapping that lacks it",
        "add the key",
    ),
    Code("SP105", "empty-value", "error", "'x' in … must not be empty", "the value", "write a value"),
    Code(
        "SP106",
        "control-character",
        "error",
        "'x' in … contains the control character U+....",
        "the value",
        "remove the character",
    ),
    Code(
        "SP107",
        "not-a-slug",
        "error",
        "'id' in … is 'x', not a slug",
        "the value",
        "use lower-case letters, digits and single hyphens (the help line suggests one)",
    ),
    Code(
        "SP108",
        "duplicate-list-item",
        "error",
        "'x' appears twice in 'tags' of …",
        "the second item",
        "remove the second one",
    ),
    Code("SP109", "unsupported-schema", "error", "unsupported schema 'x'", "the value", "write 'schema: 1'"),
    Code(
        "SP110",
        "invalid-choice",
        "error",
        "difficulty of … must be one of easy, medium, hard",
        "the value",
        "the help line gives the closest level",
    ),
    Code(
        "SP111",
        "too-many-items",
        "error",
        "'tags' of … has N items; the limit is …",
        "the item past the limit",
        "keep the list short",
    ),
    Code(
        "SP112",
        "field-too-long",
        "error",
        "'x' of … is N characters; the limit is …",
        "the value",
        "shorten it; long explanations go to 'details'",
    ),
    Code(
        "SP113",
        "bad-cloze",
        "error",
        "'cloze' of …: cloze mark '{{c1::' is never closed / has no number / hides nothing",
        "the mark inside the text",
        "write each hidden part as {{c1::answer}} or {{c1::answer::hint}}",
    ),
    Code(
        "SP114",
        "question-and-cloze",
        "error",
        "… has both 'question' and 'cloze'; keep one",
        "the 'question' value",
        "a cloze item's question is its cloze text: remove 'question'",
    ),
    Code(
        "SP115",
        "bad-anki-guid",
        "error",
        "'anki_guid' in … must be printable text without spaces",
        "the value",
        "copy the GUID exactly as 'studypack import' wrote it, or remove the key",
    ),
    Code(
        "SP116",
        "markdown-limit",
        "error",
        "…: lists or quotes nested more than 24 levels, emphasis more than 32 / field too long to parse",
        "where the limit is passed",
        "split the list or quote into flatter pieces, or move some of the text elsewhere",
    ),
    Code(
        "SP201",
        "unknown-topic",
        "error",
        "question 'q' names unknown topic 't'",
        "the topic value",
        "the help line gives the closest topic id",
    ),
    Code(
        "SP202",
        "unknown-related",
        "error",
        "question 'q' is related to unknown question 'r'",
        "the list item",
        "the help line gives the closest question id",
    ),
    Code(
        "SP203",
        "self-related",
        "error",
        "question 'q' lists itself in 'related'",
        "the list item",
        "remove the item",
    ),
    Code(
        "SP204",
        "duplicate-id",
        "error",
        "duplicate question/topic id 'x' (first on line N)",
        "the second id's value",
        "rename one of the two",
    ),
    Code(
        "SP205",
        "duplicate-anki-guid",
        "error",
        "question 'q' has the anki_guid of 'p' (line N); each must be unique",
        "the second anki_guid's value",
        "keep the GUID on the question that came from that Anki note; remove it from the other",
    ),
    Code(
        "SP301",
        "bad-image",
        "error",
        "image 'x' in question 'q': file not found / leaves the folder / …",
        "the image in the details",
        "fix the path; images live inside the content folder",
    ),
    Code(
        "SP302",
        "remote-image",
        "warning",
        "remote image 'https://…' in …: cards and PDFs never fetch it",
        "the image's opener",
        "download the image into the content folder and link it by its relative path",
    ),
    Code(
        "SP303",
        "disallowed-tex",
        "warning",
        "math in … uses \\href, which cards and PDFs do not allow",
        "the formula's opener",
        "remove the command: links, styles and scripts have no place in a formula",
    ),
    Code(
        "SP401",
        "unused-topic",
        "warning",
        "topic 't' has no questions",
        "the topic",
        "add questions or remove it",
    ),
    Code(
        "SP402",
        "near-duplicate",
        "warning",
        "question 'q' reads like 'p' (line N)",
        "the question text",
        "reword or remove one of the two",
    ),
    Code(
        "SP403",
        "long-answer",
        "warning",
        "answer of 'q' is N characters",
        "the answer",
        "keep the answer short and move the rest to 'details'",
    ),
    Code(
        "SP404",
        "long-question",
        "warning",
        "question 'q' is N characters; a flashcard front holds about …",
        "the question",
        "shorten the question; context goes to 'details'",
    ),
    Code(
        "SP405",
        "unclosed-fence",
        "warning",
        "code fence in … is never closed",
        "the fence",
        "close the fence",
    ),
    Code(
        "SP409",
        "published-id-removed",
        "warning",
        "question id 'q' was published but is gone",
        "the ledger line (FILE.ids)",
        "restore the id, or delete the ledger line if the removal is intended",
    ),
    Code(
        "SP410",
        "folded-details",
        "warning",
        "the details of … span several lines without '|'",
        "the details",
        "write 'details: |' and indent the text below it",
    ),
    Code(
        "SP411",
        "untypesettable-tex",
        "warning",
        "TeX that cannot be typeset in the … of question 'q': `…` (reason); the PDFs print it as written",
        "the question",
        "fix the TeX (ziamath typesets LaTeX math, not text-mode commands or packages)",
    ),
    Code(
        "SP501",
        "unknown-template",
        "error",
        "unknown template file 'x'",
        "the file in --templates",
        "rename it to one of the expected names listed in the help line",
    ),
    Code(
        "SP502",
        "unknown-template-field",
        "error",
        "{{X}} names no field of the note type",
        "the field",
        "the help line gives the closest field",
    ),
    Code(
        "SP503",
        "template-syntax",
        "error",
        "template syntax error: …",
        "where the template parser stopped",
        "fix the template",
    ),
    Code(
        "SP504",
        "bad-config",
        "error",
        "unknown option / wrong value in studypack.toml",
        "the key in the config",
        "the help line names the valid options",
    ),
    Code(
        "SP601",
        "backend-error",
        "error",
        "a backend cannot render the content (missing glyph, unreadable image, bad font)",
        "the value that cannot be rendered",
        "as the message says",
    ),
)

BY_NAME = {c.name: c for c in CODES}
BY_CODE = {c.code: c for c in CODES}


def lookup(code_or_name: str) -> Code | None:
    """A code by its number or its name; None for an empty or unknown one."""
    return BY_CODE.get(code_or_name) or BY_NAME.get(code_or_name)
