"""Alembic script folders the layer's code opens at run time.

Migration folders are not placed (analysis role `migration`) and not copied as package data: they are
run by hand. Some apps run them from their factory all the same: CTFd stamps a new SQLite database with
`flask_migrate.stamp(directory=os.path.join(os.path.dirname(app.root_path), "migrations"))`, so each
service building the app needs the folder beside the package, where the layer's copy of the package
finds it. A folder is shipped when it is an Alembic script folder (`env.py` and `versions/` or
`script.py.mako`) at the project root and a layer module names it in a string literal.

Their Alembic configuration goes too: mealie's lifespan migrates its database from
`Config(PROJECT_DIR / "alembic.ini")`, and without the file every service's startup failed
("Provided alembic config path doesn't exist"). A project-root `.ini` file with an `[alembic]` section
that a layer module names is shipped with its paths relative to the working folder
(`script_location = alembic`, `prepend_sys_path = .`, which the monolith resolved from its project
folder) made relative to the file itself (`%(here)s/alembic`), as a service runs from elsewhere. The
project modules its `env.py` imports join the layer (`env_imports`, layout.build_layout).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import libcst as cst

from decompose.generation.source import string_value

if TYPE_CHECKING:
    from decompose.generation.layout import Sources


def script_folders(sources: Sources, layer: Iterable[str]) -> list[str]:
    """Names (relative to the project root) of the Alembic script folders the layer's modules name."""
    root = sources.root
    candidates = {p.name for p in root.iterdir() if p.is_dir() and _is_alembic(p)} if root.is_dir() else set()
    if not candidates:
        return []
    named: set[str] = set()
    for module in sorted(m for m in layer if sources.is_module(m)):
        named |= _literals(sources.parsed(module).tree) & candidates
    return sorted(named)


def env_imports(sources: Sources, folders: Iterable[str]) -> set[str]:
    """The project's modules the shipped folders' `env.py` imports (mealie's `import mealie.db.models._all_models`,
    which only star-imports the models for autogenerate): they must be in the layer beside it."""
    import ast

    found: set[str] = set()
    for folder in folders:
        try:
            tree = ast.parse((sources.root / folder / "env.py").read_text(encoding="utf-8", errors="replace"))
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            found |= {name for name in names if sources.is_module(name)}
    return found


def alembic_configs(sources: Sources, layer: Iterable[str]) -> list[str]:
    """Names of the project-root Alembic configuration files (`alembic.ini`) the layer's modules name."""
    root = sources.root
    candidates = {p.name for p in root.glob("*.ini") if p.is_file() and _configures_alembic(p)} if root.is_dir() else set()
    if not candidates:
        return []
    named: set[str] = set()
    for module in sorted(m for m in layer if sources.is_module(m)):
        named |= _literals(sources.parsed(module).tree) & candidates
    return sorted(named)


def _configures_alembic(path) -> bool:
    try:
        return re.search(r"^\[alembic\]\s*$", path.read_text(encoding="utf-8", errors="replace"), re.M) is not None
    except OSError:
        return False


HERE_KEYS = ("script_location", "prepend_sys_path", "version_locations")
HERE_LINE = re.compile(rf"^(?P<key>{'|'.join(HERE_KEYS)})(?P<eq>[ \t]*=[ \t]*)(?P<value>\S[^\n]*?)[ \t]*$", re.M)


def anchored(text: str) -> str:
    """The configuration with its working-folder-relative paths made relative to the file (`%(here)s/...`);
    absolute paths, package resources (`pkg:folder`) and values already using %(here)s stay."""
    def anchor(value: str) -> str:
        if value.startswith(("/", "%(")) or ":" in value.split("/")[0]:
            return value
        return "%(here)s" if value in (".", "./") else f"%(here)s/{value.removeprefix('./')}"

    return HERE_LINE.sub(lambda m: f"{m['key']}{m['eq']}{' '.join(anchor(v) for v in m['value'].split())}", text)


def _is_alembic(folder) -> bool:
    return (folder / "env.py").is_file() and ((folder / "versions").is_dir() or (folder / "script.py.mako").is_file())


def _literals(tree: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class Strings(cst.CSTVisitor):
        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            value = string_value(node)
            if value:
                found.add(value.strip("/"))

    tree.visit(Strings())
    return found
