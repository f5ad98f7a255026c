"""Parse one file into facts, or into a ParseFailure: never raises for bad input."""

from __future__ import annotations

import hashlib
import re

import libcst as cst

from decompose.analysis import collector
from decompose.analysis.facts import FileFacts
from decompose.analysis.sources import DEFAULT_MAX_BYTES, ParseFailure, SourceFile, failure, read_source
from decompose.analysis.visitor import FactWalker

PY2_MARKERS = re.compile(
    rb"^\s*(print\s+[\"'\w]|exec\s+[\"']|except\s+[\w.]+\s*,\s*\w+\s*:|raise\s+\w+\s*,)|`\w+`|\bur[\"']",
    re.MULTILINE,
)


def parse_source(source: SourceFile, max_bytes: int = DEFAULT_MAX_BYTES) -> FileFacts | ParseFailure:
    data = read_source(source, max_bytes)
    if isinstance(data, ParseFailure):
        return data
    return facts_from_bytes(source, data, hashlib.sha256(data).hexdigest())


def facts_from_bytes(source: SourceFile, data: bytes, sha256: str) -> FileFacts | ParseFailure:
    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError as error:
        kind = "python2" if PY2_MARKERS.search(data) else "syntax-error"
        return failure(source, kind, _syntax_message(error), error.raw_line)
    except (UnicodeDecodeError, LookupError, SyntaxError) as error:
        return failure(source, "undecodable", f"cannot decode the file: {error}")
    except RecursionError:
        return failure(source, "too-complex", "nesting too deep for the parser")
    lines = data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)
    try:
        with collector.paused():  # the walk makes no cycles; collections would only traverse the tree again
            return FactWalker(source.module, source.is_package).run(module).result(source.rel, lines, sha256)
    except RecursionError:
        return failure(source, "too-complex", "nesting too deep to analyse")


def _syntax_message(error: cst.ParserSyntaxError) -> str:
    return str(error.message).strip().splitlines()[0] if error.message else "invalid syntax"


