"""markdown-it's tokenizers, asking at each character or line only the rules that can start there."""

from __future__ import annotations

import re
from types import MethodType

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

# The characters each inline rule can start at. At any other character the rule returns
# False before touching the state (read in markdown-it-py 4.3, mdit-py-plugins 0.7 and
# math.py), so not asking it changes nothing. A rule missing here is asked everywhere.
STARTS = {
    "newline": "\n", "escape": "\\", "backticks": "`", "strikethrough": "~", "emphasis": "*_",
    "link": "[", "image": "!", "autolink": "<", "html_inline": "<", "entity": "&",
    "math_inline": "$\\", "gfm_autolink_www": "w", "gfm_autolink_protocol": ":",
    "gfm_autolink_email": "@",
}
# The same for block rules, by the first character of a line past its indentation: each
# returns False at any other (an indented code line is taken by "code", asked everywhere).
BLOCK_STARTS = {
    "math_block": "$\\", "fence": "`~", "blockquote": ">", "hr": "*-_",
    "list": "*-+0123456789", "reference": "[", "html_block": "<", "heading": "#",
}
# The GFM autolink plugin stops the text rule at every "w" (~2 % of prose) to try "www.";
# stopping only where "www." starts offers that rule the same positions.
_WWW = re.compile(r"www\.")


def install(md: MarkdownIt) -> None:
    """Replace md.inline.tokenize and md.block.tokenize; call once every rule is in place."""
    _install_block(md)
    named = [(rule.name, rule.fn) for rule in md.inline.ruler.__rules__ if rule.enabled]
    if not named or named[0][0] != "text":
        return  # the fast path below assumes the text rule comes first
    # Only these two rules make text_special tokens; text_join is asked only if they did.
    named = [(name, _noting_text_special(fn) if name in ("escape", "entity") else fn)
             for name, fn in named[1:]]
    table, anywhere = _by_start(named, STARTS)
    terminators = md.inline.terminator_re
    if terminators.search("w") and any(name == "gfm_autolink_www" for name, _ in named):
        terminators = re.compile(f"(?!w){terminators.pattern}|{_WWW.pattern}")
    md.inline.tokenize = MethodType(_tokenizer(table, anywhere, terminators), md.inline)
    _skip_idle_text_join(md)


def _tokenizer(table: dict, anywhere: tuple, terminator: re.Pattern):
    search = terminator.search

    def tokenize(self, state: StateInline) -> None:
        """ParserInline.tokenize with the text rule inlined and the others looked up by
        character: most positions are prose, and asking all fourteen rules at each
        terminator was a sixth of the parse."""
        end = state.posMax
        src = state.src
        max_nesting = state.md.options["maxNesting"]
        while state.pos < end:
            pos = state.pos
            ok = False
            if state.level < max_nesting:
                found = search(src, pos)
                stop = found.start() if found else end
                if stop != pos:
                    state.append_pending(src[pos:stop])
                    state.pos = stop
                    if stop >= end:
                        break
                    continue
                for rule in table.get(src[pos], anywhere):
                    ok = rule(state, False)
                    if ok:
                        if state.pos <= pos:
                            raise RuntimeError("inline rule didn't increment state.pos")
                        break
            if ok:
                if state.pos >= end:
                    break
                continue
            state.append_pending(src[state.pos])
            state.pos += 1
        if state.pending:
            state.pushPending()

    return tokenize


def _by_start(named: list, starts: dict) -> tuple[dict, tuple]:
    """char -> the rules to ask there, in the ruler's order; and the rules for any other char."""
    chars = set("".join(starts.get(name, "") for name, _ in named))
    table = {char: tuple(fn for name, fn in named if name not in starts or char in starts[name])
             for char in chars}
    return table, tuple(fn for name, fn in named if name not in starts)


def _install_block(md: MarkdownIt) -> None:
    named = [(rule.name, rule.fn) for rule in md.block.ruler.__rules__ if rule.enabled]
    md.block.tokenize = MethodType(_block_tokenizer(*_by_start(named, BLOCK_STARTS)), md.block)


def _block_tokenizer(table: dict, anywhere: tuple):
    def tokenize(self, state: StateBlock, startLine: int, endLine: int) -> None:
        """ParserBlock.tokenize with the rules looked up by the line's first character:
        most lines are prose, which eight of the twelve rules refuse (each logging)."""
        line = startLine
        max_nesting = state.md.options.maxNesting
        has_empty_lines = False
        src = state.src
        end = len(src)
        while line < endLine:
            state.line = line = state.skipEmptyLines(line)
            if line >= endLine or state.sCount[line] < state.blkIndent:
                break
            if state.level >= max_nesting:
                state.line = endLine
                break
            ok = False
            first = state.bMarks[line] + state.tShift[line]
            for rule in table.get(src[first] if first < end else "", anywhere):
                ok = rule(state, line, endLine, False)
                if ok:
                    if state.line <= line:
                        raise RuntimeError("block rule didn't increment state.line")
                    break
            if not ok:
                raise RuntimeError("none of the block rules matched")
            state.tight = not has_empty_lines
            line = state.line
            if (line - 1) < endLine and state.isEmpty(line - 1):
                has_empty_lines = True
            if line < endLine and state.isEmpty(line):
                has_empty_lines = True
                line += 1
                state.line = line

    return tokenize


def _skip_idle_text_join(md: MarkdownIt) -> None:
    """text_join turns escapes and entities (text_special tokens) into text and merges them
    with their neighbours; every other run of text was merged by fragments_join already. In
    a field where the escape and entity rules made none (most), its walk over every token
    (2-3 % of the parse) is skipped."""
    rules = {rule.name: rule.fn for rule in md.core.ruler.__rules__}
    if "text_join" not in rules:
        return
    join = rules["text_join"]

    def text_join(state) -> None:
        if state.env.get(_TEXT_SPECIAL):
            join(state)

    md.core.ruler.at("text_join", text_join)


_TEXT_SPECIAL = "dispatch: text_special"  # env key: the field has such a token


def _noting_text_special(rule):
    def noting(state: StateInline, silent: bool) -> bool:
        if not rule(state, silent):
            return False
        if state.tokens and state.tokens[-1].type == "text_special":
            state.env[_TEXT_SPECIAL] = True
        return True

    return noting
