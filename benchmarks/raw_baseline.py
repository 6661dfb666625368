"""The work of `studypack build`, done directly with the libraries: the floor studypack is measured against.

No validation, no sanitising, no syntax highlighting, no layout polish: libyaml load,
markdown -> HTML once per field, then genanki, a reportlab two-column PDF, a
flashcards PDF drawn on the canvas, and a Markdown handbook.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import tempfile
import time
from pathlib import Path

PARTS = ("load", "anki", "pdf", "flashcards", "handbook")
FONT_DIR = Path(__file__).resolve().parent.parent / "exporter" / "backends" / "pdf" / "fonts"
_TAG = re.compile(r"<[^>]+>")


def load(path: Path) -> dict:
    import yaml

    with path.open("rb") as f:
        return yaml.load(f, Loader=yaml.CSafeLoader)


def to_html(data: dict) -> list[dict]:
    """Each question with its three fields as HTML, by one GitHub-dialect markdown-it-py."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    out = []
    for q in data["questions"]:
        out.append({**q, "question_html": md.render(q["question"]),
                    "answer_html": md.render(q["answer"]),
                    "details_html": md.render(q.get("details", ""))})
    return out


def anki(data: dict, questions: list[dict], out: Path) -> None:
    import genanki

    model = genanki.Model(1607392319, "raw", fields=[{"name": n} for n in ("Q", "A", "D")],
                          templates=[{"name": "c", "qfmt": "{{Q}}", "afmt": "{{A}}<hr>{{D}}"}])
    deck = genanki.Deck(2059400110, data["deck"]["title"])
    for q in questions:
        deck.add_note(genanki.Note(model=model, guid=genanki.guid_for(q["id"]), tags=q.get("tags", []),
                                   fields=[q["question_html"], q["answer_html"], q["details_html"]]))
    genanki.Package(deck).write_to_file(str(out / "raw.apkg"))


def fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, file in (("DV", "DejaVuSans.ttf"), ("DV-B", "DejaVuSans-Bold.ttf"),
                       ("DV-I", "DejaVuSans-Oblique.ttf"), ("DV-BI", "DejaVuSans-BoldOblique.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    pdfmetrics.registerFontFamily("DV", normal="DV", bold="DV-B", italic="DV-I", boldItalic="DV-BI")


def plain(text: str) -> str:
    return html.escape(_TAG.sub("", text), quote=False)


def pdf(data: dict, questions: list[dict], out: Path) -> None:
    """Two columns of question, answer and details, each block one plain Paragraph."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    fonts()
    body = ParagraphStyle("b", fontName="DV", fontSize=7.5, leading=9)
    head = ParagraphStyle("h", parent=body, fontName="DV-B", fontSize=8.5, leading=10, spaceBefore=6)
    width, height = A4
    margin, gap = 36, 14
    column = (width - 2 * margin - gap) / 2
    frames = [Frame(margin + i * (column + gap), margin, column, height - 2 * margin, id=f"c{i}")
              for i in range(2)]
    doc = BaseDocTemplate(str(out / "raw-cheatsheet.pdf"), pagesize=A4,
                          pageTemplates=[PageTemplate("two", frames)])
    story = []
    for q in questions:
        story.append(Paragraph(plain(q["question_html"]), head))
        story.append(Paragraph(f"<b>{plain(q['answer_html'])}</b>", body))
        story.extend(Paragraph(plain(block), body) for block in q.get("details", "").split("\n\n") if block)
    doc.build(story)


def flashcards(data: dict, questions: list[dict], out: Path) -> None:
    """8 cards a sheet, a page of fronts then a page of backs, text only, on the canvas."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen.canvas import Canvas

    fonts()
    canvas = Canvas(str(out / "raw-flashcards.pdf"), pagesize=A4)
    width, height = A4
    card_w, card_h = (width - 56) / 2, (height - 56) / 4

    def sheet(texts: list[str], size: float, mirror: bool) -> None:
        for i, text in enumerate(texts):
            col = 1 - i % 2 if mirror else i % 2
            x, y = 28 + col * card_w + 10, height - 28 - (i // 2) * card_h - 10 - size
            canvas.setFont("DV", size)
            for line in simpleSplit(text, "DV", size, card_w - 20)[: int((card_h - 20) // (size * 1.2))]:
                canvas.drawString(x, y, line)
                y -= size * 1.2
        canvas.showPage()

    for start in range(0, len(questions), 8):
        batch = questions[start:start + 8]
        sheet([_TAG.sub("", q["question_html"]) for q in batch], 11, mirror=False)
        sheet([_TAG.sub("", q["answer_html"] + " " + q["details_html"]) for q in batch], 7, mirror=True)
    canvas.save()


def handbook(data: dict, questions: list[dict], out: Path) -> None:
    titles = {t["id"]: t["title"] for t in data["topics"]}
    parts = [f"# {data['deck']['title']}\n\n{data['deck'].get('description', '')}\n"]
    topic = None
    for q in questions:
        if q["topic"] != topic:
            topic = q["topic"]
            parts.append(f"\n## {titles[topic]}\n")
        parts.append(f"\n### {q['question']}\n\n**{q['answer']}**\n\n{q.get('details', '')}\n")
    (out / "raw-handbook.md").write_text("".join(parts), encoding="utf-8")


def run(path: Path, parts: tuple[str, ...], out: Path, timings: dict[str, float]) -> None:
    def timed(name: str, function, *args):
        start = time.perf_counter()
        result = function(*args)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
        return result

    data = timed("yaml", load, path)
    if parts == ("load",):
        return
    questions = timed("markdown", to_html, data)
    for name, function in (("anki", anki), ("pdf", pdf), ("flashcards", flashcards), ("handbook", handbook)):
        if name in parts:
            timed(name, function, data, questions, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deck", type=Path)
    parser.add_argument("--only", action="append", choices=PARTS,
                        help="load (yaml only) or one output; repeatable; default every output")
    parser.add_argument("-o", "--output-dir", type=Path, help="default: a temporary folder, removed")
    parser.add_argument("--timings", action="store_true", help="print seconds per step to stderr")
    args = parser.parse_args()
    parts = tuple(args.only or PARTS[1:])
    timings: dict[str, float] = {}
    if args.output_dir:
        args.output_dir.mkdir(parents=True, exist_ok=True)
        run(args.deck, parts, args.output_dir, timings)
    else:
        with tempfile.TemporaryDirectory(prefix="raw-") as tmp:
            run(args.deck, parts, Path(tmp), timings)
    if args.timings:
        print(" ".join(f"{k}={v:.3f}s" for k, v in timings.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
