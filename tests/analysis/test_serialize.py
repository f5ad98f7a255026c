import json

import pytest

from decompose.analysis.model import Edge, Location, SymbolInfo
from decompose.analysis.serialize import ENCODER, dumps, edge_line, read, row, symbol_line, write
from decompose.errors import UserError
from tests.helpers import analyse

TREE = {"shop/__init__.py": "", "shop/a.py": "from shop import b\ndef f():\n    return b.g()\n", "shop/b.py": "def g(): pass\n"}


def test_round_trip_is_identical(tmp_path):
    analysis = analyse(tmp_path / "src", TREE)
    write(analysis, tmp_path / "analysis.json")
    assert dumps(read(tmp_path / "analysis.json")) == dumps(analysis)


def test_same_input_gives_byte_identical_output(tmp_path):
    first = dumps(analyse(tmp_path / "one", TREE, target="shop"))
    second = dumps(analyse(tmp_path / "two", TREE, target="shop"))
    assert first.replace("/one", "/two") == second
    assert json.loads(first)["schema_version"] == 1


def test_other_schema_versions_are_refused_with_a_next_step(tmp_path):
    path = tmp_path / "analysis.json"
    path.write_text('{"schema_version": 99, "root": "."}')
    with pytest.raises(UserError) as error:
        read(path)
    assert "schema_version 99" in error.value.what and "decompose analyze" in error.value.next_step


def test_missing_or_garbage_files_are_clear_errors(tmp_path):
    with pytest.raises(UserError, match="not found"):
        read(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(UserError, match="not a readable analysis.json"):
        read(tmp_path / "bad.json")


@pytest.mark.parametrize("edge", [
    Edge("shop.a", "shop.b", "import", 1, (Location("shop/a.py", 1),)),
    Edge("shop.a:f", "shop.b:g", "call", 3, (Location("shop/a.py", 3), Location("shop/a.py", 12)), via="shop"),
    Edge("shop.a", "table:orders", "table-read", 2, ()),
    Edge('weird."quoted"\\mod', "naïve.模块:Ünïcode", "string-ref", 10**12,
         (Location('dir with "quotes"/tab\there.py', 7), Location("ctl\x01\x1f\u2028.py", 0)), via="\\"),
])
def test_an_edge_line_is_what_the_json_encoder_writes(edge):
    assert edge_line(edge) == ENCODER.encode(row(edge))
    assert json.loads(edge_line(edge))["locations"] == [{"path": p, "line": n} for p, n in edge.locations]


@pytest.mark.parametrize("symbol", [
    SymbolInfo("shop.a:f", "shop.a", "f", "function", 2, 3),
    SymbolInfo('m"\\:Ω\n', 'm"\\', "Ω\n", "class", 0, 10**9),
])
def test_a_symbol_line_is_what_the_json_encoder_writes(symbol):
    assert symbol_line(symbol) == ENCODER.encode(row(symbol))
