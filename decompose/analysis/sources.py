"""Reading source files safely: size limit, unreadable and binary files become ParseFailures.

Kept free of libcst so that a warm run (read, hash, compare) never pays for importing the parser.
"""

from __future__ import annotations

from pathlib import Path

from decompose.analysis.facts import ParseFailure, SourceFile

DEFAULT_MAX_BYTES = 2 * 1024 * 1024


def read_source(source: SourceFile, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes | ParseFailure:
    try:
        size = Path(source.path).stat().st_size
        if size > max_bytes:
            return failure(source, "too-large", f"{size:,} bytes is over the {max_bytes:,}-byte limit (--max-file-size)")
        data = Path(source.path).read_bytes()
    except OSError as error:
        return failure(source, "unreadable", error.strerror or str(error))
    if b"\0" in data:
        return failure(source, "binary", "contains NUL bytes: not Python source")
    return data


def failure(source: SourceFile, kind: str, message: str, line: int | None = None) -> ParseFailure:
    return ParseFailure(source.rel, source.module, kind, message, line)
