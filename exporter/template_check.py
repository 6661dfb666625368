"""A --templates folder checked before any build: known file names, real fields, valid syntax."""

from __future__ import annotations

import re
from pathlib import Path

from .backends import BuildContext, default_templates_dir
from .diagnostics import Diagnostic, error
from .model import Deck, Loc

# Each card template with the fields of the note type it belongs to.
CARD_TEMPLATES = {
    "anki/front.html": "qa", "anki/back.html": "qa",
    "anki/reverse_front.html": "qa", "anki/reverse_back.html": "qa",
    "anki/cloze_front.html": "cloze", "anki/cloze_back.html": "cloze",
}
EXPECTED = (*CARD_TEMPLATES, "anki/style.css", "handbook.md.j2")
HANDBOOK_TEMPLATE = "handbook.md.j2"
# What Anki itself fills in on any note type (rslib/src/template.rs).
ANKI_SPECIAL_FIELDS = ("FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag", "CardID")
# The variables backends/handbook gives its template (a test keeps the two in step).
HANDBOOK_VARIABLES = ("title", "description", "version", "author", "summary", "contents",
                      "contents_anchor", "topics", "quiz")

_MUSTACHE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def check_folder(folder: Path) -> list[Diagnostic]:
    """Every file of the user's folder must replace a built-in one: a misnamed file would be
    silently ignored."""
    problems = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative in EXPECTED or any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        from .suggest import did_you_mean

        hint = did_you_mean(relative, EXPECTED)
        problems.append(error(str(path), Loc(1, 1), f"unknown template file '{relative}' in {folder}",
                              "unknown-template", f"{hint + ' ' if hint else ''}the files a templates "
                              f"folder may hold are {', '.join(EXPECTED)}"))
    return problems


def _users(context: BuildContext, relative: str) -> Path | None:
    """The user's copy of a template, None when the built-in one is used (it needs no check)."""
    path = context.template(relative)
    return None if path.parent == default_templates_dir() / Path(relative).parent else path


def check_anki(deck: Deck, context: BuildContext) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for relative, shape in CARD_TEMPLATES.items():
        path = _users(context, relative)
        if path is not None:
            problems += check_card_template(path.read_text(encoding="utf-8", errors="replace"), str(path),
                                            shape)
    return problems


def check_card_template(text: str, display: str, shape: str = "qa") -> list[Diagnostic]:
    """Anki's template language: fields must exist, sections must nest, every '{{' must close."""
    from .backends.anki.notetypes import CLOZE_FIELDS, QA_FIELDS

    FIELDS = CLOZE_FIELDS if shape == "cloze" else QA_FIELDS  # noqa: N806 - the note type's, as a constant
    problems: list[Diagnostic] = []
    known = (*FIELDS, *ANKI_SPECIAL_FIELDS)
    open_sections: list[tuple[str, int]] = []
    for match in _MUSTACHE.finditer(text):
        inner = match.group(1).strip()
        where = _loc(text, match.start())
        if inner[:1] in "!=":
            continue  # a comment, or a change of delimiters
        if inner[:1] in "#^":
            open_sections.append((inner[1:].strip(), match.start()))
            name = inner[1:].strip()
        elif inner[:1] == "/":
            name = inner[1:].strip()
            if not open_sections or open_sections[-1][0] != name:
                expected = f"'{{{{/{open_sections[-1][0]}}}}}'" if open_sections else "no closing tag"
                problems.append(error(display, where, f"template syntax error: '{{{{/{name}}}}}' closes "
                                      "a section that is not open", "template-syntax",
                                      f"expected {expected} here"))
                continue
            open_sections.pop()
        else:
            name = inner.rsplit(":", 1)[-1].strip()  # filters come first: {{text:Field}}
        if name and name not in known:
            from .suggest import did_you_mean

            problems.append(error(display, where, f"'{{{{{inner}}}}}' names no field of the note type",
                                  "unknown-template-field",
                                  did_you_mean(name, known) or f"the fields are {', '.join(FIELDS)}"))
    # What is left once every {{…}} is blanked out (same length, so offsets hold).
    rest = _MUSTACHE.sub(lambda m: " " * len(m.group()), text)
    if "{{" in rest:
        problems.append(error(display, _loc(text, rest.find("{{")), "template syntax error: '{{' is never "
                              "closed", "template-syntax", "close it with '}}'"))
    for name, offset in open_sections:
        problems.append(error(display, _loc(text, offset), f"template syntax error: section '{name}' is "
                              "never closed", "template-syntax", f"add '{{{{/{name}}}}}' where it ends"))
    return problems


def check_handbook(deck: Deck, context: BuildContext) -> list[Diagnostic]:
    path = _users(context, HANDBOOK_TEMPLATE)
    if path is None:
        return []
    return check_jinja_template(path.read_text(encoding="utf-8", errors="replace"), str(path))


def check_jinja_template(text: str, display: str) -> list[Diagnostic]:
    import jinja2
    import jinja2.meta

    environment = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
    try:
        tree = environment.parse(text)
    except jinja2.TemplateSyntaxError as exc:
        return [error(display, Loc(exc.lineno or 1, 1), f"template syntax error: {exc.message}",
                      "template-syntax")]
    problems = []
    for name in sorted(jinja2.meta.find_undeclared_variables(tree) - set(HANDBOOK_VARIABLES)):
        from .suggest import did_you_mean

        match = re.search(rf"\b{re.escape(name)}\b", text)
        problems.append(error(display, _loc(text, match.start() if match else 0),
                              f"'{name}' is not a variable of the handbook template",
                              "unknown-template-field",
                              did_you_mean(name, HANDBOOK_VARIABLES)
                              or f"the variables are {', '.join(HANDBOOK_VARIABLES)}"))
    return problems


def _loc(text: str, offset: int) -> Loc:
    return Loc(text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1)
