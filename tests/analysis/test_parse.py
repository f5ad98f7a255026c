"""Parsing one file: every exception is that file's finding, and the parser workers' skipping of
libcst's node validation changes no fact."""

import importlib.metadata
import pickle
from pathlib import Path

import libcst as cst
import pytest

from decompose.analysis import parse, versions
from decompose.analysis.facts import FileFacts
from decompose.analysis.parse import facts_from_bytes, skip_node_validation
from decompose.analysis.sources import ParseFailure, SourceFile

ROOT = Path(__file__).resolve().parents[2]
TRAP = b"pick = () if 0 else(lambda:())\n"  # valid Python; libcst's validation raises TypeError (LibCST#1061)
SOURCE = SourceFile("/m.py", "m.py", "m", False)


@pytest.fixture
def restore_libcst(monkeypatch):
    """Whatever a test does to libcst's hook is undone after it: this process keeps validating."""
    monkeypatch.setattr(cst.CSTNode, "__post_init__", cst.CSTNode.__dict__["__post_init__"])


def test_an_exception_inside_libcst_is_a_parser_error_finding():
    found = facts_from_bytes(SOURCE, TRAP, "x")  # this process validates, as libcst does by default
    assert isinstance(found, ParseFailure)
    assert (found.kind, found.path) == ("parser-error", "m.py")
    assert found.message.startswith("libcst could not parse this file: TypeError: ")


def test_an_exception_in_our_walk_is_an_analyzer_error_finding(monkeypatch):
    class BrokenWalker:
        def __init__(self, module: str, is_package: bool) -> None:
            pass

        def run(self, tree: cst.Module) -> "BrokenWalker":
            raise KeyError("lost")

    monkeypatch.setattr(parse, "FactWalker", BrokenWalker)
    found = facts_from_bytes(SOURCE, b"x = 1\n", "x")
    assert isinstance(found, ParseFailure) and found.kind == "analyzer-error"
    assert "KeyError: 'lost'" in found.message and "please report it" in found.message


def test_without_validation_the_trap_is_analysed(restore_libcst):
    assert skip_node_validation() is True
    assert skip_node_validation() is True  # a second call (a reused worker) is harmless
    found = facts_from_bytes(SOURCE, TRAP, "x")
    assert isinstance(found, FileFacts)
    assert [s.name for s in found.symbols] == ["pick"]


def test_a_hook_that_does_more_than_validate_is_left_alone(restore_libcst):
    def richer_hook(self):
        self._validate()
        object.__setattr__(self, "_seen", True)

    def hidden_extra(self, _record=print):  # the same names, more work through a default argument
        self._validate()
        _record(self)

    for hook in (richer_hook, hidden_extra):
        cst.CSTNode.__post_init__ = hook
        assert skip_node_validation() is False
        assert cst.CSTNode.__dict__["__post_init__"] is hook


def test_skipping_validation_changes_no_fact(restore_libcst):
    """Validation only raises, never alters a node: facts of real files are the same bytes."""
    files = sorted((ROOT / "decompose").rglob("*.py")) + sorted((ROOT / "sample_monolith").rglob("*.py"))
    sources = [(SourceFile(str(f), f.name, f.stem, f.name == "__init__.py"), f.read_bytes()) for f in files]
    validated = [facts_from_bytes(s, data, "x") for s, data in sources]
    assert skip_node_validation() is True
    unvalidated = [facts_from_bytes(s, data, "x") for s, data in sources]
    assert len(files) > 100 and all(isinstance(f, FileFacts) for f in validated)
    assert [pickle.dumps(f) for f in unvalidated] == [pickle.dumps(f) for f in validated]


def test_facts_are_keyed_by_the_installed_libcst_read_without_importing_it():
    assert f"'{importlib.metadata.version('libcst')}'" in versions._libcst_version()
    assert versions.code_version(("analysis/parse.py",), "1.9.0") != versions.code_version(("analysis/parse.py",), "1.9.1")
