"""Which HTML -> Markdown converter for `studypack import`: markdownify or html2text (issue 17).

    python benchmarks/html_converters.py

Fidelity: the shipped deck is built to HTML (the Anki backend's fields), converted back with
each converter and compared with the source Markdown by what both render to (markdown-it,
code-fence languages and whitespace aside): a field counts when it renders the same. Speed:
wall and CPU seconds per 1 000 fields, over the same fields.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from exporter.backends.anki.fields import block_html, inline_html  # noqa: E402
from exporter.markup import DeckMarkup  # noqa: E402
from exporter.markup.tree import parser  # noqa: E402
from exporter.validate import load_deck  # noqa: E402


def normalised(markdown: str) -> str:
    rendered = re.sub(r' class="language-[^"]*"', "", parser().render(markdown))
    return re.sub(r"\s+", " ", rendered).strip()


def with_markdownify(fragment: str) -> str:
    from exporter.sources.html_markdown import to_markdown

    return to_markdown(fragment)


def with_html2text(fragment: str) -> str:
    import html2text

    converter = html2text.HTML2Text(bodywidth=0)
    converter.ul_item_mark = "-"
    converter.mark_code = False
    return converter.handle(fragment).strip()


def main() -> None:
    deck, _ = load_deck(REPO / "content" / "questions.yaml")
    trees = DeckMarkup(deck)
    render = {"question": inline_html, "answer": inline_html, "details": block_html}
    fields = [(getattr(q, f), render[f](getattr(trees[q.id], f), {})) for q in deck.questions
              for f in ("question", "answer", "details")]
    for name, convert in (("markdownify", with_markdownify), ("html2text", with_html2text)):
        started, cpu = time.perf_counter(), time.process_time()
        converted = [convert(h) for _, h in fields]
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        same = sum(normalised(c) == normalised(m) for (m, _), c in zip(fields, converted, strict=True))
        print(f"{name:12s} {same}/{len(fields)} fields render the same; "
              f"{seconds / len(fields) * 1000:.2f} s per 1 000 fields ({cpu / len(fields) * 1000:.2f} s CPU)")


if __name__ == "__main__":
    main()
