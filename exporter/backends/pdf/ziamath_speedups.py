"""Two speed-ups of ziamath 0.13's layout, for that version only: the same SVG in less than half the time.

1. Mrow lays every child out twice: once on copies, only to learn the row's height for the
   stretchy operators (`\\left(`, `|`…) in it, then for real. A row nests rows, so the extra
   pass repeats at every level (2^depth layouts). When no operator under the row can stretch,
   nothing ever reads that height: the first pass is skipped. 9.1 -> 4.5 ms a formula.
2. parse_style reads the parent style through dataclasses.asdict, a deep copy made for every
   node; it only reads the values, so the instance's own dict serves. A further 15 %.

tests/test_ziamath_speedups.py sets a corpus of formulas with and without them and compares
the SVG byte for byte. Another ziamath version runs unpatched (slower, never different).
"""

from __future__ import annotations

VERSION = "0.13"
_originals: dict[str, object] = {}


def apply() -> bool:
    """Patch ziamath if it is the version these were checked against; True when patched."""
    import ziamath
    from ziamath import operators, styles
    from ziamath.nodes import mrow
    from ziamath.nodes.nodetools import elementtext

    if ziamath.__version__ != VERSION:
        return False
    if _originals:
        return True
    stretchy = frozenset(name for (name, _form), params in operators.operators.items()
                         if params.get("stretchy", "false") != "false")
    measure = mrow.Mrow._get_height_nostretch

    def may_stretch(line) -> bool:
        # An <mi> naming an operator becomes an <mo>; any form's entry counts (conservative).
        for element in (e for top in line for e in top.iter() if e.tag in ("mo", "mi")):
            flag = element.get("stretchy")
            if flag is not None and flag != "false":
                return True
            if flag is None and elementtext(element) in stretchy:
                return True
        return False

    def height_if_read(self, line, **kwargs):
        # Only a stretchy <mo> reads rowymin/rowymax: without one, any value gives the same layout.
        return measure(self, line, **kwargs) if may_stretch(line) else (-9999, 9999)

    _originals.update(measure=measure, asdict=styles.asdict)
    mrow.Mrow._get_height_nostretch = height_if_read
    styles.asdict = vars
    return True


def remove() -> None:
    """ziamath as shipped (for the test that compares the two)."""
    from ziamath import styles
    from ziamath.nodes import mrow

    if _originals:
        mrow.Mrow._get_height_nostretch = _originals.pop("measure")
        styles.asdict = _originals.pop("asdict")
