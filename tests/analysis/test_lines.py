"""The walker counts lines itself (no PositionProvider): Python's ast is the oracle."""

import ast
from pathlib import Path

import pytest

from decompose.analysis.facts import FileFacts
from decompose.analysis.parse import facts_from_bytes
from decompose.analysis.sources import SourceFile

ROOT = Path(__file__).resolve().parents[2]
TRICKY = '''
"""Module docstring
over lines."""
import os  # comment

# comment line

@decorator(
    "arg",
)
@other
def f(
    a,
    b=(1,
       2),
):
    x = """multi
line"""
    y = ("a"
         "b")
    z = 1 + \\
        2
    if x: return y
    while z:
        pass
    else:
        pass
    try:
        pass
    except (ValueError,
            TypeError) as e:
        pass
    finally:
        pass
    from os import (
        path,
        sep,
    )
    match z:
        case 1:
            pass
        case _:
            pass


class C(
    object,
):
    def m(self): ...
    async def n(self):
        async with a as b:
            pass
import sys
'''


def expected_lines(source: bytes) -> tuple[dict[str, tuple[int, int]], list[int]]:
    tree = ast.parse(source)
    symbols = {n.name: (n.lineno, n.end_lineno) for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    imports = sorted({n.lineno for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))})
    return symbols, imports


def check(source: bytes) -> None:
    facts = facts_from_bytes(SourceFile("/m.py", "m.py", "m", False), source, "x")
    assert isinstance(facts, FileFacts)
    symbols, imports = expected_lines(source)
    got = {s.name: (s.line, s.end_line) for s in facts.symbols if s.kind != "assignment"}
    for name, (line, end) in symbols.items():
        assert got[name][0] == line, name
        assert got[name][1] >= end, name  # ours may include trailing comments of the block
    assert sorted({i.line for i in facts.imports}) == imports


def test_tricky_layouts():
    check(TRICKY.lstrip("\n").encode())


@pytest.mark.parametrize("path", sorted((ROOT / "sample_monolith").rglob("*.py")), ids=lambda p: p.name)
def test_sample_monolith_lines(path):
    check(path.read_bytes())
