"""Find the Python files under a path and the module name each would have on sys.path.

Import roots: the parent of the given path when it is a package, else the path itself; a `src/`
folder; and any folder holding `manage.py`, `setup.py`, `setup.cfg` or `pyproject.toml` that is not
itself a package (a Django project next to its apps, a nested project). A file's module name is its
path relative to the deepest root above it, so folders without `__init__.py` become namespace
packages. Symlinked folders are followed once; a link back into its own ancestry is a loop.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

from decompose.analysis.facts import ParseFailure, SourceFile

ROOT_MARKERS = ("manage.py", "setup.py", "setup.cfg", "pyproject.toml")
SKIP_DIRS = {"__pycache__", "node_modules", "site-packages", "venv", "env", "build", "dist", "htmlcov"}
TEST_DIRS = {"tests", "test", "testing"}


@dataclass(frozen=True)
class Discovery:
    root: Path  # the folder module paths are relative to
    sources: tuple[SourceFile, ...]
    failures: tuple[ParseFailure, ...]


class DiscoveryError(Exception):
    """The path itself cannot be analysed (missing, not a folder or .py file)."""


def discover(path: Path, exclude: tuple[str, ...] = ()) -> Discovery:
    path = path.resolve() if not path.is_symlink() else Path(os.path.abspath(path))
    if not path.exists():
        raise DiscoveryError(f"{path} does not exist")
    if path.is_file():
        return _single_file(path)
    base = path.parent if (path / "__init__.py").exists() else path
    files, failures = _walk(path, base, exclude)
    roots = _import_roots(path, base, files)
    return _name_modules(base, files, roots, failures)


def _single_file(path: Path) -> Discovery:
    if path.suffix != ".py":
        raise DiscoveryError(f"{path} is not a Python file or a folder")
    source = SourceFile(str(path), path.name, path.stem, False, role_of(path.name))
    return Discovery(path.parent, (source,), ())


def _walk(top: Path, base: Path, exclude: tuple[str, ...]) -> tuple[list[Path], list[ParseFailure]]:
    files: list[Path] = []
    failures: list[ParseFailure] = []
    stack: list[tuple[Path, tuple[str, ...]]] = [(top, (os.path.realpath(top),))]
    seen_real: set[str] = set()
    while stack:
        folder, ancestry = stack.pop()
        seen_real.add(ancestry[-1])
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            failures.append(ParseFailure(_rel(folder, base), None, "unreadable", error.strerror or str(error)))
            continue
        for entry in entries:
            rel = _rel(Path(entry.path), base)
            if any(fnmatch.fnmatch(rel, pattern) for pattern in exclude):
                continue
            _visit_entry(entry, rel, ancestry, seen_real, stack, files, failures)
    return sorted(files), failures


def _visit_entry(entry, rel, ancestry, seen_real, stack, files, failures) -> None:  # noqa: ANN001
    try:
        is_dir = entry.is_dir()
    except OSError:
        is_dir = False
    if is_dir:
        if entry.name.startswith(".") or entry.name in SKIP_DIRS:
            return
        real = os.path.realpath(entry.path)
        if real in ancestry or ancestry[0].startswith(real.rstrip(os.sep) + os.sep):
            failures.append(ParseFailure(rel, None, "symlink-loop", f"links back to its own ancestor {real}"))
        elif real not in seen_real:
            stack.append((Path(entry.path), (*ancestry, real)))
    elif entry.name.endswith(".py"):
        if entry.is_symlink() and not os.path.exists(entry.path):
            failures.append(ParseFailure(rel, None, "unreadable", "broken symbolic link"))
        else:
            files.append(Path(entry.path))


def _import_roots(path: Path, base: Path, files: list[Path]) -> list[Path]:
    roots = {base}
    folders = {f.parent for f in files} | {path}
    for folder in folders:
        for candidate in (folder, *folder.parents):
            if candidate == base or base not in candidate.parents:
                break
            if (candidate / "__init__.py").exists():
                continue
            if candidate.name == "src" or any((candidate / m).exists() for m in ROOT_MARKERS):
                roots.add(candidate)
    return sorted(roots, key=lambda p: len(p.parts), reverse=True)


def _name_modules(base: Path, files: list[Path], roots: list[Path], failures: list[ParseFailure]) -> Discovery:
    sources: dict[str, SourceFile] = {}
    for file in files:
        root = next(r for r in roots if r == file.parent or r in file.parents)
        parts = list(file.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        rel = _rel(file, base)
        if not parts:
            continue
        module = ".".join(parts)
        if module in sources:
            failures.append(ParseFailure(rel, module, "duplicate-module", f"same module name as {sources[module].rel}"))
            continue
        sources[module] = SourceFile(str(file), rel, module, is_package, role_of(rel))
    ordered = tuple(sorted(sources.values(), key=lambda s: s.module))
    return Discovery(base, ordered, tuple(sorted(failures, key=lambda f: f.path)))


def role_of(rel: str) -> str:
    parts = rel.split("/")
    name = parts[-1]
    if "migrations" in parts[:-1]:
        return "migration"
    if TEST_DIRS.intersection(parts[:-1]) or name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return "test"
    return "app"


def _rel(path: Path, base: Path) -> str:
    try:
        return Path(path).relative_to(base).as_posix()
    except ValueError:
        return Path(path).as_posix()
