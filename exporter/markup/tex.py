"""TeX that may reach a typesetter: an allow-list of math commands, nothing that links, styles or loads."""

from __future__ import annotations

import re

# MathJax also knows \href, \style, \class, \cssId, \data, \unicode, \require, \def…: they
# make links, inject CSS or load extensions from a card. An allow-list keeps the next one out.
ALLOWED = frozenset("""
alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi
omicron pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega
Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
frac dfrac tfrac cfrac sqrt binom dbinom tbinom choose over
sum prod coprod int iint iiint oint lim limsup liminf sup inf max min arg argmax argmin
det dim ker deg gcd lcm hom exp log ln lg sin cos tan cot sec csc sinh cosh tanh coth
arcsin arccos arctan Pr mod bmod pmod operatorname
left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr middle
begin end text textbf textit texttt textrm mathrm mathbf mathit mathsf mathtt mathcal mathbb
mathfrak mathscr boldsymbol bm displaystyle textstyle scriptstyle limits nolimits
hat widehat bar overline underline vec tilde widetilde dot ddot check breve acute grave
overbrace underbrace overset underset stackrel overrightarrow overleftarrow
cdot cdots ldots dots vdots ddots times div pm mp ast star circ bullet oplus ominus otimes
odot wedge vee cap cup setminus sqcup bigcup bigcap bigoplus bigotimes bigvee bigwedge
le leq ge geq neq ne approx equiv sim simeq cong propto ll gg prec succ preceq succeq
subset subseteq supset supseteq in notin ni emptyset varnothing forall exists nexists neg lnot
land lor implies iff to gets rightarrow leftarrow Rightarrow Leftarrow leftrightarrow
Leftrightarrow longrightarrow longleftarrow Longrightarrow mapsto uparrow downarrow
infty partial nabla ell hbar Re Im aleph prime angle triangle square top bot perp parallel
mid nmid vert Vert lvert rvert lVert rVert langle rangle lfloor rfloor lceil rceil
lbrace rbrace lbrack rbrack backslash
quad qquad enspace thinspace medspace thickspace negthinspace hspace vspace phantom
colon ldotp cdotp not boxed cancel tag label nonumber notag
""".split())
# Environments \begin may open: matrices, cases and alignment, nothing else.
ENVIRONMENTS = frozenset("""matrix pmatrix bmatrix Bmatrix vmatrix Vmatrix smallmatrix cases
aligned align align* alignat gather gathered equation equation* split array subarray""".split())

_COMMAND = re.compile(r"\\begin\s*\{([^}]*)\}|\\([A-Za-z]+)")


def disallowed(tex: str) -> list[str]:
    """The commands (`\\href`) and environments (`{tikzpicture}`) outside the allow-list."""
    found: list[str] = []
    for match in _COMMAND.finditer(tex):
        environment = match.group(1)
        if environment is not None:
            bad = None if environment.strip() in ENVIRONMENTS else f"{{{environment.strip()}}}"
        else:
            bad = None if match.group(2) in ALLOWED else f"\\{match.group(2)}"
        if bad is not None and bad not in found:
            found.append(bad)
    return found
