"""The kept font parses: a restored font is what reportlab reads, and the PDFs never depend on the cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.pdfbase.ttfonts import TTFont

from exporter.backends.pdf import fontcache
from exporter.backends.pdf.coverage import coverage
from exporter.backends.pdf.fontfiles import BUNDLED_DIR, BUNDLED_FILES, FALLBACK_PATHS

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "fixtures" / "minimal.yaml"
SHIPPED = [BUNDLED_DIR / name for name in BUNDLED_FILES.values()] + list(FALLBACK_PATHS)
PROBES = (0, 1, 517, 1000, 2048, -40)


def _state(font: TTFont) -> tuple[dict, dict, list]:
    face = {k: v for k, v in vars(font.face).items() if k != "_pdfScale"}
    # The TTEncoding compares by identity: its attributes, then.
    rest = {k: vars(v) if hasattr(v, "__dict__") else v for k, v in vars(font).items()
            if k not in ("face", "state")}
    return face, rest, [font.face._pdfScale(x) for x in PROBES]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_restored_font_is_what_reportlab_reads(path: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("STUDYPACK_CACHE_DIR", str(tmp_path))
    fresh = TTFont("Probe", str(path))
    fontcache.ttfont("Probe", str(path))  # parses and keeps
    restored = fontcache.ttfont("Probe", str(path))
    assert list((tmp_path / "fonts").iterdir())
    assert _state(restored) == _state(fresh)
    assert type(restored) is TTFont and type(restored.face) is type(fresh.face)


def test_a_damaged_entry_is_read_again(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("STUDYPACK_CACHE_DIR", str(tmp_path))
    path = str(SHIPPED[0])
    fontcache.ttfont("Probe", path)
    for entry in (tmp_path / "fonts").iterdir():
        entry.write_bytes(b"not a pickle")
    assert _state(fontcache.ttfont("Probe", path)) == _state(TTFont("Probe", path))


def test_an_unwritable_cache_only_costs_time(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "fonts").write_text("a file where the folder would be")
    monkeypatch.setenv("STUDYPACK_CACHE_DIR", str(tmp_path))
    path = str(SHIPPED[0])
    assert _state(fontcache.ttfont("Probe", path)) == _state(TTFont("Probe", path))


@pytest.mark.parametrize("value", [
    [(1229, 102), (0, 0), (682.5, -3)], [0, 2, 2**40], {32: 3, 65: 36}, {32: 600.0, 65: 684.5},
    {3: [32], 36: [65, 913]}, {1: [], 2: [5, 6]}, {1: True, 2: 0}, [1, "a"], {"head": {"offset": 4}},
    [], {}, [2**70], [True, 1.5],
])
def test_tables_come_back_as_they_went(value) -> None:
    restored = fontcache._unpacked(fontcache._packed(value))
    assert restored == value
    assert [type(x) for x in _flat(restored)] == [type(x) for x in _flat(value)]


def _flat(value) -> list:
    if isinstance(value, dict):
        return [*value, *(x for v in value.values() for x in _flat(v))]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _flat(v)]
    return [value]


@pytest.mark.parametrize("path", FALLBACK_PATHS, ids=lambda p: p.name)
def test_fallback_character_maps_match_what_reportlab_draws(path: Path) -> None:
    """A fallback face is registered only when its cached map says it has a character."""
    face = TTFont("Probe", str(path)).face
    assert coverage(path) == {c for c, glyph in face.charToGlyph.items() if glyph}


def test_pdfs_are_the_same_with_an_empty_or_a_warm_cache(tmp_path: Path) -> None:
    env = {**os.environ, "STUDYPACK_CACHE_DIR": str(tmp_path / "cache")}
    outputs = []
    for run in ("cold", "warm"):
        out = tmp_path / run
        subprocess.run([sys.executable, "-m", "exporter", "build", str(MINIMAL), "-o", str(out),
                        "--no-ledger", "--only", "pdf", "--only", "flashcards"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        outputs.append({p.name: p.read_bytes() for p in out.glob("*.pdf")})
    assert len(outputs[0]) == 2 and outputs[0] == outputs[1]
