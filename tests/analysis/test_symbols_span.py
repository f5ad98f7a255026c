"""Symbols carry the line range of their whole definition: the planner places module-level code by it."""

from tests.helpers import analyse


def test_a_multi_line_assignment_spans_its_statement(tmp_path):
    analysis = analyse(tmp_path, {"pkg/__init__.py": "", "pkg/m.py": """
        from pkg import a, b
        X = 1
        ITEMS = (
            a.one,
            b.two,
        )
        def f():
            Y = (
                1,
            )
    """})
    spans = {s.name: (s.line, s.end_line) for s in analysis.symbols if s.module == "pkg.m"}
    assert spans == {"X": (2, 2), "ITEMS": (3, 6), "f": (7, 10)}
