"""Source files: what discovery finds (`SourceFile`), what can go wrong with one (`ParseFailure`),
and reading one safely (size limit; unreadable and binary files become ParseFailures).

Kept free of libcst and of the facts' many dataclasses, so that a warm run (discover, read, hash,
compare) never pays for importing either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class ParseFailure:
    path: str
    module: str | None
    kind: str  # syntax-error, python2, binary, ...: every kind in docs/analysis.md (Files that cannot be analysed)
    message: str
    line: int | None = None


@dataclass(frozen=True)
class SourceFile:
    """A discovered file: where it is and the module name it would have on sys.path."""

    path: str  # absolute
    rel: str  # relative to the analysis root, POSIX
    module: str
    is_package: bool
    role: str = field(default="app")  # app | test | migration


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
