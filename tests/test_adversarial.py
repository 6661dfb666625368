"""Untrusted decks cannot hang studypack: any ≤ 64 KB input validates and builds in ≤ 2 s of CPU.

The inputs are built from the pathological shapes in adversarial.py (deep nesting of every
container, long runs of every markup character) and mixed by hypothesis. CI runs the "ci"
profile (under a minute); HYPOTHESIS_PROFILE=long runs 400 examples.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

import pytest
from adversarial import SHAPES, deck_yaml, largest_deck
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from exporter.cli import main

BUDGET_SECONDS = 2.0
MAX_BYTES = 64 * 1024


def timed(*args: str) -> tuple[float, int, str]:
    """CPU seconds of the command (this process and the PDF processes it starts), its exit
    code and output. CPU rather than wall time: a quadratic scan shows in both, and CPU
    time does not triple when the machine is shared."""
    start = _cpu_seconds()
    result = CliRunner().invoke(main, list(args))
    elapsed = _cpu_seconds() - start
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return elapsed, result.exit_code, result.output


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def check_bounded(folder: Path, text: str) -> None:
    source = folder / "deck.yaml"
    source.write_text(text, encoding="utf-8")
    assert len(text.encode()) <= MAX_BYTES
    seconds, code, output = timed("validate", str(source))
    assert seconds <= BUDGET_SECONDS, f"validate took {seconds:.2f} s"
    assert code in (0, 1), output
    seconds, code, output = timed("build", str(source), "-o", str(folder / "out"), "--no-ledger")
    assert seconds <= BUDGET_SECONDS, f"build took {seconds:.2f} s"
    assert code in (0, 1), output


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_shape_at_64_kb_is_answered_within_the_budget(tmp_path: Path, shape: str) -> None:
    check_bounded(tmp_path, largest_deck(SHAPES[shape], MAX_BYTES))


PIECES = st.lists(
    st.tuples(st.sampled_from(sorted(SHAPES)), st.integers(min_value=1, max_value=4_000)),
    min_size=1, max_size=6)


# A build of a 64 KB deck takes about a second: ten mixes keep CI under a minute; the long
# profile (HYPOTHESIS_PROFILE=long) tries 400.
MIXES = 400 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 10


@settings(max_examples=MIXES)
@given(pieces=PIECES, where=st.sampled_from(["details", "answer", "question"]))
def test_mixed_shapes_are_answered_within_the_budget(tmp_path_factory, pieces, where):
    limit = {"details": 15_000, "answer": 4_000, "question": 1_500}[where]
    text = "".join(SHAPES[name] * count for name, count in pieces)[:limit] + "x"
    fields = {"details": "d", "answer": "a", "question": "q"} | {where: text}
    check_bounded(tmp_path_factory.mktemp("case"), deck_yaml(**fields, copies=3))
