"""Source files: what discovery finds (`SourceFile`), what can go wrong with one (`ParseFailure`),
and reading one safely (size limit; unreadable and binary files become ParseFailures).

Kept free of libcst and of the facts' many dataclasses, so that a warm run (discover, read, hash,
compare) never pays for importing either.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field

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
    """Only a regular file is ever read: opening a FIFO named `x.py` would wait for a writer for
    ever. Discovery already skips other kinds; the file is checked again here, before opening it
    (`stat`) and on the open descriptor (`fstat`: it may have been replaced in between). The
    descriptor is opened non-blocking, so even that race cannot hang on a FIFO."""
    try:
        kind = special_kind(os.stat(source.path).st_mode)
        if kind:
            return failure(source, "special-file", f"{kind}, not a regular file: not read")
        fd = os.open(source.path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        try:
            data = _read_regular(fd, source, max_bytes)
        finally:
            os.close(fd)
    except OSError as error:
        return failure(source, "unreadable", error.strerror or str(error))
    if isinstance(data, bytes) and b"\0" in data:
        return failure(source, "binary", "contains NUL bytes: not Python source")
    return data


def _read_regular(fd: int, source: SourceFile, max_bytes: int) -> bytes | ParseFailure:
    info = os.fstat(fd)
    kind = special_kind(info.st_mode)
    if kind:
        return failure(source, "special-file", f"{kind}, not a regular file: not read")
    if info.st_size > max_bytes:
        return failure(source, "too-large", f"{info.st_size:,} bytes is over the {max_bytes:,}-byte limit (--max-file-size)")
    chunks, left = [], max_bytes + 1  # never more than the limit, even if the file grows meanwhile
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    if left <= 0:
        return failure(source, "too-large", f"over the {max_bytes:,}-byte limit (--max-file-size)")
    return b"".join(chunks)


def special_kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a regular file"


def failure(source: SourceFile, kind: str, message: str, line: int | None = None) -> ParseFailure:
    return ParseFailure(source.rel, source.module, kind, message, line)
