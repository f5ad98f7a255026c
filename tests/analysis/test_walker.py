"""The generated per-type walks (`walker.compile_walk`) reach every node libcst's own visitor reaches.

A walk that skipped a field (a Union holding a sequence, an Optional node, a field declared in an
unexpected way) would lose names, calls and lines without any error: the oracle here is
`libcst.CSTVisitor`, which visits every child through libcst's own `children`.
"""

from collections import Counter
from pathlib import Path

import libcst as cst
import pytest

from decompose.analysis.walker import NODE_TYPES, LineWalker, walk_source

ROOT = Path(__file__).resolve().parents[2]
# Nodes inside a statement (the walker's statement and block handling is checked by test_lines).
KINDS = (cst.BaseExpression, cst.BaseSmallStatement, cst.Arg, cst.Param, cst.ImportAlias, cst.ImportStar,
         cst.BaseSlice, cst.SubscriptElement, cst.Comma)
COUNTED = sorted((t for t in NODE_TYPES if issubclass(t, KINDS)), key=lambda t: t.__name__)


def _counting(name: str) -> object:
    def visit(self, node):  # noqa: ANN001, ANN202
        self.seen[name] += 1

    return visit


VISITS = {f"visit_{t.__name__}": _counting(t.__name__) for t in COUNTED}
OracleVisitor = type("OracleVisitor", (cst.CSTVisitor,), VISITS)
CountingWalker = type("CountingWalker", (LineWalker,), VISITS)


def counts(source: str) -> tuple[Counter, Counter]:
    tree = cst.parse_module(source)
    oracle = OracleVisitor()
    oracle.seen = Counter()
    tree.visit(oracle)
    walker = CountingWalker()
    walker.seen = Counter()
    walker.run(tree)
    return oracle.seen, walker.seen


FILES = sorted(p for p in [*(ROOT / "decompose" / "analysis").glob("*.py"), *(ROOT / "sample_monolith").rglob("*.py")]
               if p.stat().st_size)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_node_inside_statements_is_walked(path):
    oracle, ours = counts(path.read_text())
    assert sum(oracle.values()) > 0
    assert ours == oracle


def test_unions_holding_sequences_optional_nodes_and_sentinels():
    source = (
        "from a import (b,\n    c as d)\n"  # ImportFrom.names: a Union that holds a sequence
        "from e import *\n"  # the same field holding ImportStar
        "def f(x: int = 1, *args, y, **kw) -> 'T': return lambda q, *r: q\n"
        "x = [i async for i in g() if i] if y else {**z}\n"
        "del a[1:2, ::3], b.c\n"
        "print(f'{x!r:>{w}}', *s, sep='')\n"
    )
    oracle, ours = counts(source)
    assert oracle["ImportAlias"] == 2 and oracle["ImportStar"] == 1 and oracle["Lambda"] == 1
    assert ours == oracle


def test_the_source_of_a_walk_skips_text_fields_and_loops_over_sequences():
    source = walk_source(cst.Name, enter=True, leave=False)
    assert "node.value" not in source  # a str: never a node
    assert "for v in node.lpar:" in source and "for v in node.rpar:" in source
    assert source.index("ENTER(walker, node)") < source.index("node.lpar")
