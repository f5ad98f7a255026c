"""The monolith's scripts: modules run by hand or by a deploy step (`python app/initial_data.py`,
`manage.py`, a Django management command), never by a request. They stay out of the plan's services
and out of the Lambdas; `generate` lists them (generation.json: `scripts`).

    scripts(analysis, root) -> frozenset of module names

A module of the app is a script when no other module of the app imports it, it holds no route, builds
no web app (Flask(...), FastAPI(...), Django settings), and its file either runs code under a module-level
`if __name__ == "__main__":` or does a command's work as soon as it is imported: it reads the command line
(`parser.parse_args()`, `sys.argv`), starts a server or a loop (`app.run(...)`, `uvicorn.run(...)`,
`asyncio.run(main())`, `while True:`), exits (`sys.exit(0)`) or works inside the app's context
(`with app.app_context():`) at its top level (CTFd's `serve.py`, `export.py`, `import.py`, `ping.py`).
No module a server imports does any of these: importing it would block or exit. A Django management command (`<app>/management/commands/<name>.py`) is one
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
    return (COMMANDS in "/" + path.as_posix() or any(_main_guard(node) for node in tree.body)
            or any(_command_work(node) for node in _top_level(tree.body)))


RUNS = {"run", "run_forever", "serve_forever", "run_until_complete"}  # `x.run(...)` as a statement blocks
CONTEXTS = {"app_context", "test_request_context"}  # work done inside the app at import
ARGUMENTS = {"parse_args", "parse_known_args"}


def _top_level(body: list[ast.stmt]):
    """The statements run when the module is imported: its body and the bodies of its top-level if, with,
    try and for blocks, never a function's or a class's."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.With, ast.Try, ast.For, ast.While)):
            for field in ("body", "orelse", "finalbody"):
                yield from _top_level(getattr(node, field, []))
            for handler in getattr(node, "handlers", []):
                yield from _top_level(handler.body)


def _command_work(node: ast.stmt) -> bool:
    if isinstance(node, ast.While) or isinstance(node, ast.Expr) and (_called(node.value) in RUNS or _exits(node.value)):
        return True  # a loop, a blocking run or an exit at import: a wait-for-database or a server script
    if isinstance(node, ast.With) and any(_called(item.context_expr) in CONTEXTS for item in node.items):
        return True
    parts = _own_parts(node)
    return any(_called(n) in ARGUMENTS for part in parts for n in ast.walk(part)) or any(map(_reads_arguments, parts))


def _reads_arguments(part: ast.AST) -> bool:
    """`sys.argv[1]`, `len(sys.argv)`, `main(sys.argv)`: a command's arguments. A membership test
    (`"test" in sys.argv`, settings that know they run under a test runner) is configuration, not a command."""
    tested = {id(side) for n in ast.walk(part) if isinstance(n, ast.Compare)
              and all(isinstance(op, (ast.In, ast.NotIn)) for op in n.ops) for side in n.comparators}
    return any(_argv(n) and id(n) not in tested for n in ast.walk(part))


def _own_parts(node: ast.stmt) -> list[ast.AST]:
    """What a statement runs itself: a block's header (its body's statements are visited on their own)."""
    if isinstance(node, (ast.If, ast.While)):
        return [node.test]
    if isinstance(node, ast.For):
        return [node.iter]
    if isinstance(node, ast.With):
        return [item.context_expr for item in node.items]
    if isinstance(node, (ast.Try, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return []
    return [node]


def _called(node: ast.AST) -> str | None:
    """The attribute a call calls (`parser.parse_args()` -> "parse_args"), else None."""
    return node.func.attr if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else None


def _exits(node: ast.AST) -> bool:
    """`exit(0)`, `quit()`, `sys.exit(1)`."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id in ("exit", "quit")
            or isinstance(func, ast.Attribute) and func.attr == "exit" and isinstance(func.value, ast.Name)
            and func.value.id == "sys")


def _argv(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "argv" and isinstance(node.value, ast.Name)
            and node.value.id == "sys")


def _main_guard(node: ast.stmt) -> bool:
    """`if __name__ == "__main__":` (either side) at the module's top level."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare) or len(node.test.comparators) != 1:
        return False
    sides = [node.test.left, node.test.comparators[0]]
    names = [s.id for s in sides if isinstance(s, ast.Name)]
    strings = [s.value for s in sides if isinstance(s, ast.Constant)]
    return isinstance(node.test.ops[0], ast.Eq) and names == ["__name__"] and strings == ["__main__"]
