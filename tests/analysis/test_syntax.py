"""The literal readers the extractor uses on every file, against libcst's own evaluation."""

import io
import tokenize
from pathlib import Path

import libcst as cst
import pytest

from decompose.analysis.syntax import dotted, literal_str, string_value
from tests.sample import ROOT, SAMPLE

LITERALS = [
    ('"a.b"', "a.b"), ("'a.b'", "a.b"), ('""', ""), ("''", ""), ('"""x\ny"""', "x\ny"), ("'''q'''", "q"),
    ('r"a\\d"', "a\\d"), ('u"ü"', "ü"), ('R"x"', "x"), ('"tab\\tand"', "tab\tand"), ('"\\u00e9"', "é"),
    ("'it\\'s'", "it's"), ('"""a"b"""', 'a"b'), ('"a\\\nb"', "ab"),
]


@pytest.mark.parametrize(("source", "value"), LITERALS)
def test_string_value_reads_plain_raw_unicode_and_escaped_literals(source, value):
    node = cst.parse_expression(source)
    assert string_value(node) == value == node.evaluated_value


@pytest.mark.parametrize("source", ['b"a.b"', "B'x'", 'rb"x\\d"', 'Br"x"'])
def test_bytes_literals_have_no_string_value(source):
    assert string_value(cst.parse_expression(source)) is None
    assert literal_str(cst.parse_expression(source)) is None


def test_a_carriage_return_inside_a_literal_is_read_as_python_reads_it():
    module = cst.parse_module(b'X = """a\r\nb"""\n')
    node = module.body[0].body[0].value
    assert string_value(node) == node.evaluated_value == "a\nb"


def test_concatenated_literals_join_and_f_strings_do_not():
    assert literal_str(cst.parse_expression('"a" "b" \'c\'')) == "abc"
    assert literal_str(cst.parse_expression('"a" f"{b}"')) is None
    assert literal_str(cst.parse_expression("name")) is None


def test_every_string_of_the_sample_ours_and_libcsts_reads_as_libcst_evaluates_it():
    """Each distinct string literal of three code bases, found by the tokenizer (parsing and visiting
    them all took 27 s for the same literals), read by us and evaluated by libcst."""
    files = [*SAMPLE.rglob("*.py"), *(ROOT / "decompose").rglob("*.py"), *Path(cst.__file__).parent.rglob("*.py")]
    literals = sorted({token.string for path in files for token in _tokens(path) if token.type == tokenize.STRING})
    checked = 0
    for literal in literals:
        node = cst.parse_expression(literal)
        if isinstance(node, cst.SimpleString):  # not an f-string
            expected = node.evaluated_value
            assert string_value(node) == (expected if isinstance(expected, str) else None), literal
            checked += 1
    assert checked > 5_000


def _tokens(path: Path) -> list[tokenize.TokenInfo]:
    return list(tokenize.tokenize(io.BytesIO(path.read_bytes()).readline))


@pytest.mark.parametrize(("source", "text"), [
    ("a", "a"), ("a.b.c", "a.b.c"), ("a.b(x).c", "a.b().c"), ("f()()", "f()()"),
    ("a[0].b", None), ("'s'.join", None), ("(a).b", "a.b"),
])
def test_dotted_reads_names_attributes_and_calls_only(source, text):
    assert dotted(cst.parse_expression(source)) == text
