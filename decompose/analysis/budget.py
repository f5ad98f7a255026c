"""What a file may cost the parser, decided from its bytes before libcst sees them.

libcst's memory and time grow with a file's tokens (about 2 KB of memory per token) and much
faster with some shapes: brackets nested 1,000 deep took 2.4 s and 950 MB for a 2 KB file, and a
chain of 3,000 `+`, `.attr` or `[0]` took 3 to 17 s (10,000 crashed the parser; 100,000 ran for
minutes). So each file is scanned once with a small lexer (one regular expression; strings and
comments are single tokens) and refused when it has too many tokens, brackets nested too deep, or
too many tokens in a row without a separator (`,` `;` `:` `=` or the end of a line). The verdict
depends on the bytes alone: the same file always gets the same one, on any machine, in any run.

The same lexer gives the code with strings and comments blanked (`code_only`), for the Python 2
check, so that a backtick in a docstring or `print "x"` in a comment is not taken for Python 2.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

MAX_TOKENS = 300_000  # about 600 MB in libcst; the largest hand-written modules hold under 100,000
MAX_DEPTH = 200  # brackets: CPython's own tokenizer refuses more ("too many nested parentheses")
MAX_RUN = 1_000  # tokens without a separator: CPython's compiler already fails at 3,000 `+`

TOKEN = re.compile(  # strings (prefixed, triple-quoted, unterminated), comments, continuations, newlines, operators, words
    rb"""(?:[rRbBuUfF]{1,2})?(?:\'\'\'(?:\\[\s\S]|[^\\])*?(?:\'\'\'|\Z)|\"\"\"(?:\\[\s\S]|[^\\])*?(?:\"\"\"|\Z)
           |'(?:\\[\s\S]|[^\\'\r\n])*(?:'|(?=[\r\n])|\Z)|"(?:\\[\s\S]|[^\\"\r\n])*(?:"|(?=[\r\n])|\Z))
    |\#[^\r\n]*|\\\r?\n|\r\n|\r|\n
    |//=|\*\*=|>>=|<<=|[-+*/%&|^@]=|:=|->|==|!=|<=|>=|<>|\*\*|//|<<|>>
    |[\w\x80-\xff]+|[^\s\w\x80-\xff]""",
    re.VERBOSE,
)
SEPARATORS = frozenset([b",", b";", b"=", b":", b":=", b"->", b"//=", b"**=", b">>=", b"<<=",
                        *(bytes([c]) + b"=" for c in b"-+*/%&|^@")])
OPEN, CLOSE = frozenset([b"(", b"[", b"{"]), frozenset([b")", b"]", b"}"])
QUOTES = frozenset(b"'\"")  # last byte of a complete string token (never of a word or an operator)
NEWLINE, UNCOUNTED = frozenset(b"\r\n"), frozenset(b"#\\\r\n")  # first bytes: newlines, comments, continuations


@dataclass(frozen=True)
class OverBudget:
    kind: str  # too-large | too-complex
    message: str
    line: int | None = None


def over_budget(data: bytes) -> OverBudget | None:
    """Why parsing `data` would cost too much, or None. Tokens are matched by the regular
    expression in one C call and only classified here: 5-7% of the cost of libcst's parse."""
    tokens = TOKEN.findall(data)
    if len(tokens) > MAX_TOKENS:
        return OverBudget("too-large", f"{len(tokens):,} tokens is over the {MAX_TOKENS:,}-token limit: too costly to parse; not analysed")
    found = _shape(tokens)
    if found is None:
        return None
    index, why = found
    return _over(data, index, "too-complex", why)


def _shape(tokens: list[bytes]) -> tuple[int, str] | None:
    """The index of the first token past the depth or run bound, and which bound it is. Adjacent
    strings count once: libcst's cost does not grow with an implicit concatenation (3,000 strings
    took 0.04 s), and long ones are common (CPython's pydoc_data/topics.py)."""
    depth, run, outer, joined = 0, 0, [], False  # outer: the run of each enclosing level; joined: a string ran last
    for index, token in enumerate(tokens):
        if token in SEPARATORS:
            run, joined = 0, False
        elif token in CLOSE:
            joined = False
            if depth:
                depth -= 1
                run = outer.pop()
        elif token[0] in UNCOUNTED:
            if depth == 0 and token[0] in NEWLINE:
                run, joined = 0, False
        elif token[-1] in QUOTES and joined:
            continue
        else:
            joined = token[-1] in QUOTES
            run += 1
            if run > MAX_RUN:
                return index, f"over {MAX_RUN:,} tokens in one expression without a separator"
            if token in OPEN:
                depth += 1
                if depth > MAX_DEPTH:
                    return index, f"brackets nested over {MAX_DEPTH} deep"
                outer.append(run)
                run = 0
    return None


def _over(data: bytes, index: int, kind: str, why: str) -> OverBudget:
    """The finding, with the line of token `index` (found again: only a refused file pays this)."""
    match = next(itertools.islice(TOKEN.finditer(data), index, None))
    line = data.count(b"\n", 0, match.start()) + 1
    return OverBudget(kind, f"{why} (line {line}); not analysed", line)


def code_only(data: bytes) -> bytes:
    """`data` with every string literal reduced to its prefix and empty quotes, comments removed."""
    return TOKEN.sub(_blank, data)


def _blank(match: re.Match[bytes]) -> bytes:
    token = match.group()
    if token[:1] == b"#":
        return b""
    quote = min((i for i in (token.find(b"'"), token.find(b'"')) if i >= 0), default=-1)
    return token if quote < 0 else token[:quote] + b'""'
