"""Parse one file into facts, or into a ParseFailure: never raises, whatever the file holds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import libcst as cst

from decompose.analysis import collector
from decompose.analysis.facts import FileFacts
from decompose.analysis.sources import ParseFailure, SourceFile, failure
from decompose.analysis.visitor import FactWalker

PY2_MARKERS = re.compile(
    rb"^\s*(print\s+[\"'\w]|exec\s+[\"']|except\s+[\w.]+\s*,\s*\w+\s*:|raise\s+\w+\s*,)|`\w+`|\bur[\"']",
    re.MULTILINE,
)


def facts_from_bytes(source: SourceFile, data: bytes, sha256: str) -> FileFacts | ParseFailure:
    """Any exception is one file's finding, never the end of the run: libcst itself raises a bare
    TypeError on some valid code (`() if 0 else(lambda:())`, LibCST#1061), and a bug of ours in
    the walk must cost the file it met, not the other thousands."""
    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError as error:
        kind = "python2" if PY2_MARKERS.search(data) else "syntax-error"
        return failure(source, kind, _syntax_message(error), error.raw_line)
    except cst.CSTValidationError as error:  # a SyntaxError too, but not the file's: libcst's check of its own tree
        return failure(source, "parser-error", f"libcst could not parse this file: {_describe(error)}")
    except (UnicodeDecodeError, LookupError, SyntaxError) as error:  # SyntaxError: a bad encoding declaration
        return failure(source, "undecodable", f"cannot decode the file: {error}")
    except RecursionError:
        return failure(source, "too-complex", "nesting too deep for the parser")
    except Exception as error:  # libcst's node validation among them (see skip_node_validation)
        return failure(source, "parser-error", f"libcst could not parse this file: {_describe(error)}")
    lines = data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)
    try:
        with collector.paused():  # the walk makes no cycles; collections would only traverse the tree again
            return FactWalker(source.module, source.is_package).run(module).result(source.rel, lines, sha256)
    except RecursionError:
        return failure(source, "too-complex", "nesting too deep to analyse")
    except Exception as error:  # a bug of ours: reported, and the run goes on
        return failure(source, "analyzer-error", f"decompose could not analyse this file ({_describe(error)}): "
                       "please report it, with the file if you can share it")


def skip_node_validation() -> bool:
    """Build parsed trees without libcst's per-node validation; True if it is now skipped.

    libcst checks every node as it is constructed (`CSTNode.__post_init__` calls `_validate`), a
    check meant for trees built by hand: its own source says "it might make more sense to move
    validation work into the visitor, which would allow us to avoid validating the tree when
    parsing a file". For a tree that came out of the parser it finds nothing, costs 12-16% of
    the parse, and on some valid code raises a TypeError (LibCST#1061). Parser worker processes
    call this once (they build no node by hand); generate skips it for its cut of the monolith's
    modules only (`node_validation_skipped`); elsewhere the process that imports decompose keeps
    libcst as it is. When libcst's hook is anything but that one call (a newer libcst), it is
    left alone.
    """
    hook = cst.CSTNode.__dict__.get("__post_init__")
    if hook is _unvalidated:
        return True
    if getattr(getattr(hook, "__code__", None), "co_names", None) != ("_validate",):
        return False
    cst.CSTNode.__post_init__ = _unvalidated  # type: ignore[method-assign]
    return True


@contextmanager
def node_validation_skipped() -> Iterator[None]:
    """`skip_node_validation` for the trees built inside the block only (generate parses the
    monolith's modules in the process the user runs, where libcst is otherwise left as it is)."""
    hook = cst.CSTNode.__dict__.get("__post_init__")
    if not skip_node_validation():
        yield
        return
    try:
        yield
    finally:
        cst.CSTNode.__post_init__ = hook  # type: ignore[method-assign]


def _unvalidated(self: cst.CSTNode) -> None:
    pass


def _describe(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _syntax_message(error: cst.ParserSyntaxError) -> str:
    return str(error.message).strip().splitlines()[0] if error.message else "invalid syntax"


