"""ziamath's layout speed-ups change nothing it draws: the same SVG, byte for byte, with and without them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ziamath = pytest.importorskip("ziamath")
from ziamath.tex import tex2mml  # noqa: E402

from exporter.backends.pdf import ziamath_speedups  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Stretchy operators at every depth (the first pass is kept there), sizes, matrices, cases,
# accents, braces, boxes, strikes, text, and rows with nothing that stretches.
CORPUS = [
    r"\left( \frac{a}{b} \right)", r"\left\{ \begin{array}{ll} x & y \\ z & w \end{array} \right.",
    r"\sqrt{\left[ \frac{1}{2} \right]}", r"\int_0^1 \left| f(x) \right| dx", r"\langle x, y \rangle",
    r"\binom{n}{k}", r"x \mid y", r"\left\| \frac{x}{y} \right\|_2", r"\overbrace{a+b}^{c}",
    r"\underbrace{x}_{n}", r"\vec{v} \cdot \hat{u}", r"\lim_{n \to \infty} \left(1 + \frac{1}{n}\right)^n",
    r"\begin{cases} 1 & x > 0 \\ 0 & \text{else} \end{cases}", r"\frac{\partial^2 f}{\partial x^2}",
    r"\sum_{i=1}^{n} \left( x_i - \bar{x} \right)^2", r"\cancel{x}", r"\boxed{x} y", r"\text{a b} x",
    r"\left( \begin{matrix} 1 \\ 2 \\ 3 \\ 4 \\ 5 \end{matrix} \right)", r"\widehat{xyz}",
    r"f\left(\frac{a}{\left(b + \frac{c}{d}\right)}\right)", r"\mathbf{A}^{-1} \mathbb{R}^n",
    r"\sigma(z_{1}) = \frac{1}{1 + e^{-z_{1}}}", r"\| A \|_F = \sqrt{\sum_{i,j} a_{ij}^{2}}",
    r"\{x : x > 3\}", r"P(y = 5 \mid x)", r"\theta_{t+1} = \theta_t - \eta \nabla L_{3}",
]


def corpus() -> list[str]:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.yaml")))
    return CORPUS + sorted(set(re.findall(r"\$\$?([^$\n]+?)\$\$?", text)))


def svgs(formulas: list[str]) -> list[str]:
    out = []
    for tex in formulas:
        for inline in (True, False):
            try:
                out.append(ziamath.Math(tex2mml(tex, inline=inline), size=1120).svg())
            except Exception as exc:  # noqa: BLE001 - bad TeX must fail alike too
                out.append(f"{type(exc).__name__}: {exc}")
    return out


@pytest.mark.skipif(ziamath.__version__ != ziamath_speedups.VERSION, reason="not patched for this version")
def test_the_speedups_draw_exactly_what_ziamath_draws() -> None:
    formulas = corpus()
    ziamath_speedups.remove()
    try:
        shipped = svgs(formulas)
    finally:
        assert ziamath_speedups.apply()
    assert svgs(formulas) == shipped
