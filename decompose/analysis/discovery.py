"""Find the Python files under a path and the module name each would have on sys.path.

Import roots: the parent of the given path when it is a package, else the path itself; a `src/`
folder; and any folder holding `manage.py`, a packaging `setup.py` (one importing setuptools or
distutils), `setup.cfg` or `pyproject.toml` that is not itself a package (a Django project next to
its apps, a nested project); and a folder without
`__init__.py` that `manage.py` or a settings module puts on `sys.path` (`sys.path.insert(0,
str(BASE_DIR / "apps"))`: Django apps kept in `apps/` and imported as `accounts`, not
`apps.accounts`), found by reading those few files as text. A file's module name is its
path relative to the deepest root above it, so folders without `__init__.py` become namespace
packages.

Only what lies inside the tree is read: a link (to a file or a folder) whose target resolves
outside the folder analysed is reported (`symlink-outside`) and not followed, so a link to /etc
never becomes a module. Links inside the tree are followed, each real folder walked once; a link
back into its own ancestry is a loop. Only regular files are read: a FIFO, socket or device named
`*.py` is reported (`special-file`) and never opened (reading a FIFO waits for a writer for ever).

Paths are plain strings here, not `pathlib.Path`: on a 4,000-file tree pathlib alone cost a second.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from decompose.analysis.sources import ParseFailure, SourceFile, special_kind

ROOT_MARKERS = ("manage.py", "setup.py", "setup.cfg", "pyproject.toml")
SKIP_DIRS = {"__pycache__", "node_modules", "site-packages", "venv", "env", "build", "dist", "htmlcov"}
TEST_DIRS = {"tests", "test", "testing"}
SEP = os.sep


@dataclass(frozen=True)
class Discovery:
    root: Path  # the folder module paths are relative to
    sources: tuple[SourceFile, ...]
    failures: tuple[ParseFailure, ...]
    sql: tuple[tuple[str, str], ...] = ()  # (path, path from root) of the .sql files outside tests (analysis/sql.py)


class DiscoveryError(Exception):
    """The path itself cannot be analysed (missing, not a folder or .py file)."""


@dataclass
class _Folder:
    """What the walk learned about one folder: its .py files and the marker files it holds."""

    files: list[str] = field(default_factory=list)
    sql: list[str] = field(default_factory=list)
    has_init: bool = False
    is_root_marker: bool = False


def discover(path: Path, exclude: tuple[str, ...] = ()) -> Discovery:
    top = os.path.abspath(path)
    if not os.path.exists(top):
        raise DiscoveryError(f"{top} does not exist")
    if os.path.isfile(top):
        return _single_file(Path(top))
    if not os.path.isdir(top):
        raise DiscoveryError(f"{top} is {special_kind(os.stat(top).st_mode)}, not a .py file or a folder")
    base = os.path.dirname(top) if os.path.exists(os.path.join(top, "__init__.py")) else top
    folders, failures = _walk(top, base, exclude)
    for folder in _path_inserts(folders):
        folders[folder].is_root_marker = True
    return _name_modules(top, base, folders, failures)


def _single_file(path: Path) -> Discovery:
    if path.suffix != ".py":
        raise DiscoveryError(f"{path} is not a Python file or a folder")
    source = SourceFile(str(path), path.name, path.stem, False, role_of(path.name))
    return Discovery(path.parent, (source,), ())


def _walk(top: str, base: str, exclude: tuple[str, ...]) -> tuple[dict[str, _Folder], list[ParseFailure]]:
    folders: dict[str, _Folder] = {}
    failures: list[ParseFailure] = []
    top_real = os.path.realpath(top)
    stack: list[tuple[str, tuple[str, ...]]] = [(top, (top_real,))]
    seen_real: set[str] = set()
    while stack:
        folder, ancestry = stack.pop()
        seen_real.add(ancestry[-1])
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            failures.append(ParseFailure(_rel(folder, base), None, "unreadable", error.strerror or str(error)))
            continue
        info = folders.setdefault(folder, _Folder())
        for entry in entries:
            rel = _rel(entry.path, base)
            if exclude and any(fnmatch.fnmatch(rel, pattern) for pattern in exclude):
                continue
            _visit_entry(entry, rel, ancestry, top_real, seen_real, stack, info, failures)
    return folders, failures


def _visit_entry(entry, rel, ancestry, top_real, seen_real, stack, info, failures) -> None:  # noqa: ANN001, PLR0913
    name = entry.name
    try:
        is_dir = entry.is_dir()
    except OSError:
        is_dir = False
    if is_dir:
        if name.startswith(".") or name in SKIP_DIRS:
            return
        # a folder that is not a link lies where its parent really lies: one `realpath` per link, not per folder
        real = os.path.realpath(entry.path) if entry.is_symlink() else os.path.join(ancestry[-1], name)
        if real in ancestry or top_real.startswith(real.rstrip(SEP) + SEP):
            failures.append(ParseFailure(rel, None, "symlink-loop", f"links back to its own ancestor {real}"))
        elif not _inside(real, top_real):
            failures.append(ParseFailure(rel, None, "symlink-outside", f"links to {real}, outside the analysed folder: not followed"))
        elif real not in seen_real:
            stack.append((entry.path, (*ancestry, real)))
        return
    if name in ROOT_MARKERS and (name != "setup.py" or _is_packaging_script(entry.path)):
        info.is_root_marker = True
    if name.endswith(".sql") and role_of(rel) != "test" and _file_problem(entry, rel, top_real) is None:
        info.sql.append(entry.path)
    if not name.endswith(".py"):
        return
    if name == "__init__.py":
        info.has_init = True
    problem = _file_problem(entry, rel, top_real)
    if problem is None:
        info.files.append(entry.path)
    else:
        failures.append(problem)


PACKAGING = re.compile(rb"^\s*(?:from|import)\s+(?:setuptools|distutils|skbuild)\b", re.MULTILINE)


def _is_packaging_script(path: str) -> bool:
    """A `setup.py` marks a project root only when it builds a distribution: a module named `setup`
    inside a namespace folder (`config/settings/loggers/setup.py` beside `settings.py`) is code,
    and taking its folder for a root renames `config.settings.loggers.settings` to `settings`."""
    try:
        with open(path, "rb") as handle:
            return PACKAGING.search(handle.read(65536)) is not None
    except OSError:
        return False


def _file_problem(entry: os.DirEntry, rel: str, top_real: str) -> ParseFailure | None:
    """Why a `.py` entry must not be read, if it must not: a broken link, a link out of the tree,
    anything but a regular file. `is_file` answers from the folder listing for a plain entry."""
    if entry.is_symlink():
        real = os.path.realpath(entry.path)
        if not _inside(real, top_real):
            return ParseFailure(rel, None, "symlink-outside", f"links to {real}, outside the analysed folder: not read")
        if not os.path.exists(entry.path):
            return ParseFailure(rel, None, "unreadable", "broken symbolic link")
    if entry.is_file():
        return None
    try:
        kind = special_kind(entry.stat().st_mode)
    except OSError as error:
        return ParseFailure(rel, None, "unreadable", error.strerror or str(error))
    return ParseFailure(rel, None, "special-file", f"{kind}, not a regular file: not read")


def _inside(real: str, top_real: str) -> bool:
    return real == top_real or real.startswith(top_real.rstrip(SEP) + SEP)


SYS_PATH = re.compile(r"sys\.path\.(?:insert\(\s*\d+\s*,|append\()([^\n]*)")
QUOTED = re.compile(r"""["']([\w./-]+)["']""")
PATH_FILES = ("manage.py", "settings.py", "wsgi.py", "asgi.py")


def _path_inserts(folders: dict[str, _Folder]) -> list[str]:
    """Folders of the tree that `manage.py`, a settings module, `wsgi.py` or `asgi.py` adds to
    sys.path: the quoted parts of the argument (`BASE_DIR / "apps"`, `os.path.join(ROOT, "apps")`)
    joined, taken from the project folder (the nearest one holding manage.py) or the file's own."""
    projects = [f for f, info in folders.items() if any(os.path.basename(x) == "manage.py" for x in info.files)]
    found = []
    for folder, info in sorted(folders.items()):
        for file in info.files:
            name, parent = os.path.basename(file), os.path.basename(folder)
            if name in PATH_FILES or parent == "settings":
                found.extend(_inserted(file, folder, projects, folders))
    return sorted(set(found))


def _inserted(file: str, folder: str, projects: list[str], folders: dict[str, _Folder]) -> list[str]:
    try:
        with open(file, "rb") as handle:
            text = handle.read(262144).decode("utf-8", "replace")
    except OSError:
        return []
    bases = [p for p in projects if folder == p or folder.startswith(p + SEP)] + [folder]
    out = []
    for match in SYS_PATH.finditer(text):
        parts = QUOTED.findall(match.group(1))
        for base in bases if parts else ():
            candidate = os.path.normpath(os.path.join(base, *parts))
            info = folders.get(candidate)
            if info is not None and not info.has_init:
                out.append(candidate)
                break
    return out


def _is_root(folder: str, info: _Folder | None) -> bool:
    if info is None or info.has_init:
        return False
    return os.path.basename(folder) == "src" or info.is_root_marker


def _root_of(folder: str, base: str, folders: dict[str, _Folder], memo: dict[str, str]) -> str:
    """The deepest import root at or above `folder` (never above `base`)."""
    if folder in memo:
        return memo[folder]
    if folder == base or not folder.startswith(base):
        root = base
    elif _is_root(folder, folders.get(folder)):
        root = folder
    else:
        root = _root_of(os.path.dirname(folder), base, folders, memo)
    memo[folder] = root
    return root


def _name_modules(top: str, base: str, folders: dict[str, _Folder], failures: list[ParseFailure]) -> Discovery:
    sources: dict[str, SourceFile] = {}
    memo: dict[str, str] = {}
    for folder in sorted(folders):
        root = _root_of(folder, base, folders, memo)
        for file in folders[folder].files:
            _add_source(file, root, base, sources, failures)
    ordered = tuple(sorted(sources.values(), key=lambda s: s.module))
    sql = tuple(sorted((path, _rel(path, base)) for info in folders.values() for path in info.sql))
    return Discovery(Path(base), ordered, tuple(sorted(failures, key=lambda f: f.path)), sql)


def _add_source(file: str, root: str, base: str, sources: dict[str, SourceFile], failures: list[ParseFailure]) -> None:
    parts = file[len(root.rstrip(SEP)) + 1 : -3].split(SEP)  # file is always below root: no relpath needed
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    if not parts:
        return
    rel = _rel(file, base)
    module = ".".join(parts)
    if module in sources:
        failures.append(ParseFailure(rel, module, "duplicate-module", f"same module name as {sources[module].rel}"))
        return
    sources[module] = SourceFile(file, rel, module, is_package, role_of(rel))


TEST_FILES = ("conftest.py", "tests.py")  # tests.py: Django's startapp layout
# In the app's own packages these are the settings a suite runs with (DJANGO_SETTINGS_MODULE names them),
# not tests: the services replaying that suite import them too (pretalx.common.settings.test_settings)
SUITE_SETTINGS = ("test_settings.py", "settings_test.py")
MIGRATION_DIRS = {"migrations", "alembic"}  # Django, Flask-Migrate; Alembic's env.py and versions/


def role_of(rel: str) -> str:
    parts = rel.split("/")
    name = parts[-1]
    if MIGRATION_DIRS.intersection(parts[:-1]):
        return "migration"
    if TEST_DIRS.intersection(parts[:-1]) or name in TEST_FILES:
        return "test"
    if (name.startswith("test_") or name.endswith("_test.py")) and name not in SUITE_SETTINGS:
        return "test"
    return "app"


def _rel(path: str, base: str) -> str:
    if path.startswith(base + SEP):
        return path[len(base) + 1 :].replace(SEP, "/")
    return path.replace(SEP, "/")
