"""The monolith's scripts: modules run by hand or by a deploy step (`python app/initial_data.py`,
`manage.py`, a Django management command), never by a request. They stay out of the plan's services
and out of the Lambdas; `generate` lists them (generation.json: `scripts`).

    scripts(analysis, root) -> frozenset of module names

A module of the app is a script when no other module of the app imports it, it holds no route, builds
no web app (Flask(...), FastAPI(...), Django settings), and its file runs code under a module-level
`if __name__ == "__main__":`. A Django management command (`<app>/management/commands/<name>.py`) is one
too: Django finds it by its folder, never by an import. Only the files of the few candidates are read
(with `ast`); an unreadable one is not a script (it stays in the plan, as before).
"""

from __future__ import annotations

import ast
from pathlib import Path

from decompose.analysis.model import Analysis
from decompose.planning.sourcefacts import builders_of

COMMANDS = "/management/commands/"


def scripts(analysis: Analysis, root: Path) -> frozenset[str]:
    return frozenset(m for m, path in candidates(analysis).items() if _is_script(root / path))


def candidates(analysis: Analysis) -> dict[str, str]:
    """module -> path of each app module that nothing else of the app imports and that holds no route."""
    app = {m.name: m.path for m in analysis.modules if m.role == "app" and m.parse_error is None}
    imports = [e for e in analysis.edges if e.kind.startswith("import") and _module(e.src) in app]
    # `from .commands import migrate_databases` points at where the name is defined (lnbits.core.helpers), through
    # the module it names (`via`): that module is imported too, and its removal would leave the name undefined
    imported = {m for e in imports for m in (_module(e.dst), e.via) if m and m != _module(e.src)}
    routed = {r.module for r in analysis.routes}
    return {m: path for m, path in app.items() if m not in imported and m not in routed
            and not path.endswith("__init__.py")}


def _module(element: str) -> str:
    return element.split(":", 1)[0]


def _is_script(path: Path) -> bool:
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return False
    if builders_of(tree):
        return False
    return COMMANDS in "/" + path.as_posix() or any(_main_guard(node) for node in tree.body)


def _main_guard(node: ast.stmt) -> bool:
    """`if __name__ == "__main__":` (either side) at the module's top level."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare) or len(node.test.comparators) != 1:
        return False
    sides = [node.test.left, node.test.comparators[0]]
    names = [s.id for s in sides if isinstance(s, ast.Name)]
    strings = [s.value for s in sides if isinstance(s, ast.Constant)]
    return isinstance(node.test.ops[0], ast.Eq) and names == ["__name__"] and strings == ["__main__"]
