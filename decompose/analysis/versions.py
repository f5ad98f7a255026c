"""Code versions: a digest of the source files that produce an artefact, so caches keyed by it go
stale exactly when that code changes (and never need a hand-bumped constant)."""

from __future__ import annotations

import hashlib
import importlib.util
from functools import cache
from pathlib import Path

from decompose import __version__

PACKAGE = Path(__file__).resolve().parents[1]
FACT_SOURCES = ("analysis/facts.py", "analysis/sources.py", "analysis/walker.py", "analysis/visitor.py", "analysis/hazards.py", "analysis/syntax.py", "analysis/parse.py", "analysis/sql.py")
LINK_SOURCES = (
    "analysis/link.py", "analysis/index.py", "analysis/model.py", "analysis/serialize.py", "analysis/interface.py",
    "analysis/units.py", "analysis/render.py", "analysis/incremental.py", "analysis/linkstore.py", "analysis/discovery.py",
    "frameworks",
)


@cache
def code_version(sources: tuple[str, ...], extra: str = "") -> str:
    digest = hashlib.sha256(__version__.encode())
    digest.update(extra.encode())
    for name in sources:
        path = PACKAGE / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(PACKAGE).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def facts_version() -> str:
    return code_version(FACT_SOURCES, _libcst_version())


@cache
def _libcst_version() -> str:
    """The installed libcst's own version file, found without importing libcst (a warm run never
    does): facts, and files libcst could not parse, are kept only for the libcst that made them."""
    spec = importlib.util.find_spec("libcst")
    version = Path(spec.origin).parent / "_version.py" if spec and spec.origin else None
    try:
        return version.read_text(encoding="utf-8") if version else ""
    except OSError:
        return ""


def analysis_version() -> str:
    return code_version(FACT_SOURCES + LINK_SOURCES, _libcst_version())
