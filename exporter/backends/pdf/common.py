"""What both PDFs share: paper sizes, dates, the path diagnostics show and glyph-coverage checks."""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFStream
from reportlab.pdfgen.canvas import Canvas

from ...diagnostics import ContentError, Diagnostic, error
from ...model import Loc
from .. import BuildContext
from .fallback import unsupported_message
from .fonts import FontSet

PAGE_SIZES = {"a4": A4, "letter": LETTER}


def page_size(context: BuildContext) -> tuple[float, float]:
    return PAGE_SIZES[context.options.paper]


def source_path(context: BuildContext) -> str:
    """The source file as the user named it: diagnostics point there."""
    return str(context.source_path)


def pdf_date(timestamp: int) -> str:
    return time.strftime("D:%Y%m%d%H%M%S+00'00'", time.gmtime(timestamp))


# Coverage: every character against the font role that will set it


def coverage_problems(fonts: FontSet, used: dict[str, set[str]], path: str, loc: Loc,
                      where: str) -> list[Diagnostic]:
    missing: dict[str, None] = {}
    for role in sorted(used):
        missing.update(dict.fromkeys(fonts.missing(role, "".join(sorted(used[role])))))
    return [error(path, loc, unsupported_message(list(missing), where))] if missing else []


def raise_if(problems: list[Diagnostic]) -> None:
    if problems:
        raise ContentError(sorted(problems, key=Diagnostic.sort_key))


def image_problems(missing: list[str], path: str, loc: Loc, qid: str) -> list[Diagnostic]:
    return [error(path, loc, f"image '{src}' in question '{qid}' cannot be read") for src in missing]


@contextmanager
def binary_streams() -> Iterator[None]:
    """Streams compressed but not ASCII85-armoured while a PDF is made.

    The armour makes files a quarter larger and, in pure Python, costs ~5 % of a render;
    reportlab reads the switch from its global config, so it is set only around a render.
    """
    saved, rl_config.useA85 = rl_config.useA85, 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def compress_last_page(canvas: Canvas) -> None:
    """Compress the page just shown now: reportlab would keep every page's text until save()."""
    page = canvas._doc.Pages.pages[-1]  # the page just added; reportlab offers no public handle
    # A stream whose Filter is already set is written as it is (PDFStream.format).
    page.Contents = PDFStream(PDFDictionary({"Filter": PDFName("FlateDecode")}),
                              zlib.compress(page.stream.encode("utf8")))
    page.stream = None
