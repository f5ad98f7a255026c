"""The project's own pins: its lock file or requirements files, read before its environment.

    pins(root) -> Pins(versions {normalised name: version}, files [relative paths read])

    project_pins(folder) -> the same, from the first folder up to the project's top that has any

A project says which versions it runs on in uv.lock, poetry.lock, pdm.lock, Pipfile.lock, requirements
files (requirements.txt, requirements/*.txt, requirements-*.txt, following `-r`) or `==` pins in
pyproject.toml's [project] dependencies. The first file that pins a distribution wins, in that order
(uv.lock before poetry.lock: a project moving to uv keeps a stale poetry.lock for a while);
the generated requirements take those versions first, the monolith's environment's second (an
environment drifts: a `pip install -U` by hand, a dependency of a dev tool). Nothing is executed.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError

from decompose.interpreter import normalise

PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)\s*(?:;.*)?$")
INCLUDE = re.compile(r"^\s*(?:-r|--requirement)\s*=?\s*(\S+)")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
DEVELOPMENT = re.compile(r"(^|[-_.])(dev|develop|development|test|tests|testing|lint|linting|docs|typing|ci)($|[-_.])")
LOCKS = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock")
PRODUCTION_FIRST = ("prod", "production", "common", "base", "requirements")  # before dev/test files of one folder


@dataclass(frozen=True)
class Pins:
    versions: dict[str, str] = field(default_factory=dict)  # normalised distribution name -> version
    files: tuple[str, ...] = ()
    development: frozenset[str] = frozenset()  # normalised names the project declares for development only

    def version(self, dist: str) -> str | None:
        return self.versions.get(normalise(dist))


def pins(root: Path) -> Pins:
    versions: dict[str, str] = {}
    read: list[str] = []
    for path, reader in _candidates(root):
        try:
            found = reader(path)
        except (OSError, ValueError, TOMLKitError):
            continue  # an unreadable lock pins nothing; the environment's versions stand
        if found:
            read.append(path.relative_to(root).as_posix())
            for name, version in found.items():
                versions.setdefault(normalise(name), version)
    return Pins(versions, tuple(read))


def project_pins(folder: Path) -> Pins:
    """pins() of `folder`, else of the first folder above it that is its project's top (a uv workspace's
    root holds the uv.lock of a member in backend/; a repository's root the lock of an app in a subfolder).
    File names are relative to `folder` (../uv.lock). Nothing above the repository's top is read."""
    for top in project_tops(folder.resolve()):
        found = pins(top)
        if found.files:
            rel = tuple(Path(os.path.relpath(top / f, folder.resolve())).as_posix() for f in found.files)
            return Pins(found.versions, rel, development(folder.resolve(), top))
    return Pins(development=development(folder.resolve(), folder.resolve()))


def project_tops(folder: Path) -> list[Path]:
    """`folder`, then the folders above it that may hold its pins: a uv workspace's root or a project's
    root (a pyproject.toml declaring the project beside a lock file: pretalx's src/ layout, in a copy
    without .git), where the walk ends, or the repository's top (.git) when it holds a lock file. Nothing
    above the repository's top or the project's root."""
    tops, here = [folder], folder
    while not (here / ".git").exists() and here.parent != here:
        here = here.parent
        locked = any((here / name).is_file() for name in LOCKS)
        closing = _workspace_root(here) or (locked and _project_root(here))
        if closing or ((here / ".git").exists() and locked):
            tops.append(here)
        if closing:
            break
    return tops


def development(folder: Path, top: Path) -> frozenset[str]:
    """The distributions the project declares for development only, in the pyproject.toml and requirements
    files of `folder` and `top` (PEP 735 [dependency-groups], Poetry's non-main groups and dev-dependencies,
    uv's and PDM's dev-dependencies, optional-dependencies named dev/test/lint/docs, requirements-dev.txt,
    requirements/test.txt ...), less those it declares for production too."""
    dev: set[str] = set()
    prod: set[str] = set()
    for root in dict.fromkeys((folder, top)):
        found = _declared(root / "pyproject.toml")
        dev |= found[0]
        prod |= found[1]
        for path in [*root.glob("requirements*.txt"), *root.glob("requirements/*.txt")]:
            (dev if DEVELOPMENT.search(path.stem.lower()) else prod).update(_names(path))
    return frozenset(dev - prod)


def _declared(path: Path) -> tuple[set[str], set[str]]:
    """(development, production) names of a pyproject.toml."""
    try:
        data = tomlkit.loads(path.read_text()).unwrap() if path.is_file() else {}
    except (OSError, TOMLKitError):
        return set(), set()
    project, tool = data.get("project") or {}, data.get("tool") or {}
    poetry = tool.get("poetry") or {}
    groups = {name: (group or {}).get("dependencies") or {} for name, group in (poetry.get("group") or {}).items()}
    extras = project.get("optional-dependencies") or {}
    dev = [*[item for group in (data.get("dependency-groups") or {}).values() for item in group],
           *[item for name, group in extras.items() if DEVELOPMENT.search(name.lower()) for item in group],
           *((tool.get("uv") or {}).get("dev-dependencies") or []),
           *[item for group in ((tool.get("pdm") or {}).get("dev-dependencies") or {}).values() for item in group],
           *(poetry.get("dev-dependencies") or {}), *[n for name, g in groups.items() if name != "main" for n in g]]
    prod = [*(project.get("dependencies") or []), *(poetry.get("dependencies") or {}), *(groups.get("main") or {}),
            *[item for name, group in extras.items() if not DEVELOPMENT.search(name.lower()) for item in group]]
    return _normalised(dev), _normalised(prod)


def _normalised(items: list) -> set[str]:
    names = (NAME.match(item) for item in items if isinstance(item, str))
    return {normalise(match.group(0)) for match in names if match}


def _names(path: Path) -> set[str]:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return set()
    return _normalised([line.strip() for line in lines if line.strip() and not line.lstrip().startswith(("#", "-"))])


def _workspace_root(folder: Path) -> bool:
    return bool(((_pyproject_data(folder).get("tool") or {}).get("uv") or {}).get("workspace"))


def _project_root(folder: Path) -> bool:
    """A pyproject.toml that declares a project ([project] or Poetry's [tool.poetry])."""
    data = _pyproject_data(folder)
    return bool(data.get("project") or (data.get("tool") or {}).get("poetry"))


def _pyproject_data(folder: Path) -> dict:
    path = folder / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        data = tomlkit.loads(path.read_text()).unwrap()
    except (OSError, TOMLKitError):
        return {}
    return data if isinstance(data, dict) else {}


def _candidates(root: Path) -> list[tuple[Path, object]]:
    found: list[tuple[Path, object]] = [(root / "uv.lock", _toml_lock), (root / "poetry.lock", _toml_lock),
                                        (root / "pdm.lock", _toml_lock), (root / "Pipfile.lock", _pipfile_lock)]
    texts = [root / "requirements.txt", *sorted(root.glob("requirements-*.txt")),
             *sorted(root.glob("requirements/*.txt"), key=_production_first)]
    found += [(path, requirements_file) for path in dict.fromkeys(texts)]
    found.append((root / "pyproject.toml", _pyproject))
    return [(path, reader) for path, reader in found if path.is_file()]


def _production_first(path: Path) -> tuple[int, str]:
    rank = next((i for i, word in enumerate(PRODUCTION_FIRST) if path.stem.lower() == word), len(PRODUCTION_FIRST))
    return rank, path.name


def requirements_file(path: Path, seen: frozenset[Path] = frozenset()) -> dict[str, str]:
    """`name==version` lines, and those of the files it includes with -r (each once)."""
    found: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        include = INCLUDE.match(line)
        if include:
            other = (path.parent / include.group(1)).resolve()
            if other.is_file() and other not in seen:
                for name, version in requirements_file(other, seen | {path.resolve()}).items():
                    found.setdefault(name, version)
            continue
        pinned = PIN.match(line)
        if pinned:
            found.setdefault(pinned.group(1), pinned.group(2))
    return found


def _toml_lock(path: Path) -> dict[str, str]:
    """poetry.lock, uv.lock, pdm.lock: [[package]] tables with a name and a version (the project itself
    is one of uv's packages: harmless, nothing imports it as a third party)."""
    data = tomlkit.loads(path.read_text()).unwrap()
    return {p["name"]: str(p["version"]) for p in data.get("package", []) if p.get("name") and p.get("version")}


def _pipfile_lock(path: Path) -> dict[str, str]:
    data = json.loads(path.read_text())
    found: dict[str, str] = {}
    for section in ("default", "develop"):
        for name, spec in (data.get(section) or {}).items():
            version = str(spec.get("version", "")) if isinstance(spec, dict) else ""
            if version.startswith("=="):
                found.setdefault(name, version[2:])
    return found


def _pyproject(path: Path) -> dict[str, str]:
    project = tomlkit.loads(path.read_text()).unwrap().get("project") or {}
    groups = [project.get("dependencies") or [], *(project.get("optional-dependencies") or {}).values()]
    found: dict[str, str] = {}
    for line in (item for group in groups for item in group if isinstance(item, str)):
        pinned = PIN.match(line)
        if pinned:
            found.setdefault(pinned.group(1), pinned.group(2))
    return found
