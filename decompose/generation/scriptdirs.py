"""Alembic script folders the layer's code opens at run time.

Migration folders are not placed (analysis role `migration`) and not copied as package data: they are
run by hand. Some apps run them from their factory all the same: CTFd stamps a new SQLite database with
`flask_migrate.stamp(directory=os.path.join(os.path.dirname(app.root_path), "migrations"))`, so each
service building the app needs the folder beside the package, where the layer's copy of the package
finds it. A folder is shipped when it is an Alembic script folder (`env.py` and `versions/` or
`script.py.mako`) at the project root and a layer module names it in a string literal.
"""

from __future__ import annotations

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
