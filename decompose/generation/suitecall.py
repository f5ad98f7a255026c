"""How the monolith's own tests build its app: the call a generated service's tests build theirs with.

A factory that needs its configuration (flasky's `create_app(config_name)`) cannot be called bare, and
the monolith's suite never calls it bare either: it says `create_app('testing')`. For such a factory
(one with a parameter without a default: `needs_arguments`; a factory that can be called bare keeps its
defaults, since the suite's configuration comes with fixtures the generated tests do not have, such as
an in-memory database whose tables the suite's conftest creates), the generated tests of a service
build the app through decompose_runtime.appcall with the call the suite makes most often, when its
arguments are Python literals (nothing is evaluated; a call with names, such as
`create_app(test_config)`, tells nothing and is skipped). A contracts replay still sets its own
([contracts] app).

The environment the suite sets before it imports the app (`suite_env`): mealie's `tests/conftest.py` calls
`mp.setenv("TESTING", "True")` at its top, then imports `mealie.app`, whose settings pick the test data
folder from it. The services' generated tests set the same variables (string literals at the top level of the
suite's conftest.py files, read with `ast`; the conftest is never run) before they build the app.

A deployed service builds such a factory as the monolith's entry module does (`entry_call`: flasky.py's
`app = create_app(os.getenv('FLASK_CONFIG') or 'default')`): the call's arguments are copied as source
when every name they use is a standard-library module the entry module imports (`os`), so the service
reads the same environment variable the monolith's deployment sets; anything else is not copied.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


def needs_arguments(source: Path, name: str) -> bool:
    """Whether the module-level function `name` in `source` has a parameter without a default (a bare call
    fails). False when it is not found: a factory that can be called bare keeps its own defaults."""
    try:
        tree = ast.parse(source.read_text(encoding="utf-8", errors="replace"), str(source))
    except (OSError, SyntaxError, ValueError):
        return False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            spec = node.args
            positional = len(spec.posonlyargs) + len(spec.args)
            return positional > len(spec.defaults) or any(default is None for default in spec.kw_defaults)
    return False


def suite_call(element: str, test_files: Iterable[Path]) -> str | None:
    """`module:factory(args)` for the factory `element` ("module:factory"): its most frequent call with
    literal arguments in `test_files` (ties: the first in text order), None when there is none."""
    module, name = element.split(":")
    found: Counter[str] = Counter()
    for path in sorted(test_files):
        for call in _calls(path, name):
            found[call] += 1
    if not found:
        return None
    best = min(found, key=lambda call: (-found[call], call))
    return f"{module}:{name}({best})"


def _calls(path: Path, name: str) -> list[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), str(path))
    except (OSError, SyntaxError, ValueError):
        return []
    return [text for node in ast.walk(tree) if isinstance(node, ast.Call) and _callee(node.func) == name
            for text in [_literal_arguments(node)] if text]


def _callee(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _literal_arguments(call: ast.Call) -> str | None:
    """The call's arguments as source when every one is a literal (and there is one at least)."""
    if not (call.args or call.keywords) or any(k.arg is None for k in call.keywords):
        return None
    try:
        args = [repr(ast.literal_eval(a)) for a in call.args]
        kwargs = [f"{k.arg}={ast.literal_eval(k.value)!r}" for k in call.keywords]
    except (ValueError, TypeError, SyntaxError, RecursionError):  # what ast.literal_eval refuses
        return None
    return ", ".join(args + kwargs)


def suite_env(conftests: Iterable[Path]) -> dict[str, str]:
    """name -> value of the environment variables the conftest.py files set at their top level with a
    string literal (`os.environ["X"] = "1"`, `os.environ.setdefault("X", "1")`, `os.environ.update(X="1")`,
    `mp.setenv("X", "1")` on a module-level MonkeyPatch). A name two files set differently is left out."""
    seen: dict[str, set[str]] = {}
    for path in sorted(conftests):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), str(path))
        except (OSError, SyntaxError, ValueError):
            continue
        for node in tree.body:
            for name, value in _env_writes(node):
                seen.setdefault(name, set()).add(value)
    return {name: values.pop() for name, values in sorted(seen.items()) if len(values) == 1}


def _env_writes(node: ast.stmt) -> list[tuple[str, str]]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript):
        target = node.targets[0]
        return _pairs([target.slice, node.value]) if _is_environ(target.value) else []
    call = node.value if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) else None
    if call is None or not isinstance(call.func, ast.Attribute):
        return []
    method, holder = call.func.attr, call.func.value
    if (method == "setenv" and not _is_environ(holder)) or (method == "setdefault" and _is_environ(holder)):
        return _pairs(call.args[:2])
    if method == "update" and _is_environ(holder):
        literal = call.args[0] if call.args and isinstance(call.args[0], ast.Dict) else ast.Dict(keys=[], values=[])
        keys = [*literal.keys, *(ast.Constant(k.arg) for k in call.keywords if k.arg)]
        values = [*literal.values, *(k.value for k in call.keywords if k.arg)]
        return [p for k, v in zip(keys, values) for p in _pairs([k, v])]
    return []


def _is_environ(node: ast.expr) -> bool:
    """`os.environ` or a bare `environ` (from os import environ)."""
    return (isinstance(node, ast.Attribute) and node.attr == "environ" and isinstance(node.value, ast.Name)
            and node.value.id == "os") or (isinstance(node, ast.Name) and node.id == "environ")


def _pairs(nodes: list) -> list[tuple[str, str]]:
    if len(nodes) == 2 and all(isinstance(n, ast.Constant) and isinstance(n.value, str) for n in nodes):
        return [(nodes[0].value, nodes[1].value)]
    return []


@dataclass(frozen=True)
class EntryCall:
    arguments: str  # source of the call's arguments: "os.getenv('FLASK_CONFIG') or 'default'"
    imports: tuple[str, ...]  # the standard-library modules they use: ("os",)
    origin: str  # where the call is: "flasky.py"


@dataclass(frozen=True)
class FactoryCalls:
    """What a service's app is built with, read from the source once per generate: the two calls of a factory
    that cannot be called bare."""
    suite: str | None = None  # "app:create_app('testing')": the services' tests
    entry: EntryCall | None = None  # the deployed services
    env: tuple[tuple[str, str], ...] = ()  # what the suite's conftest sets before importing the app: the services' tests


def entry_call(element: str, modules: Iterable[tuple[str, Path]]) -> EntryCall | None:
    """The first module-level `name = factory(...)` in `modules` ((label, path) pairs, in that order) that
    imports the factory `element` ("module:factory") and calls it with arguments a service can copy."""
    module, name = element.split(":")
    for label, path in modules:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), str(path))
        except (OSError, SyntaxError, ValueError):
            continue
        found = _module_call(tree, module, name)
        if found is not None:
            return EntryCall(found[0], found[1], label)
    return None


def _module_call(tree: ast.Module, module: str, name: str) -> tuple[str, tuple[str, ...]] | None:
    bound = {alias.asname or alias.name for node in tree.body if isinstance(node, ast.ImportFrom) and node.module == module
             and node.level == 0 for alias in node.names if alias.name == name}
    stdlib = {alias.asname or alias.name: alias.name for node in tree.body if isinstance(node, ast.Import)
              for alias in node.names if alias.name in sys.stdlib_module_names and "." not in alias.name}
    for node in tree.body:
        call = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in bound and (call.args or call.keywords):
            return _copyable(call, stdlib)
    return None


def _copyable(call: ast.Call, stdlib: dict[str, str]) -> tuple[str, tuple[str, ...]] | None:
    """The call's arguments as source and the modules they need, when those are all standard-library modules
    imported under their own name (no star-args: what they unpack is not known here)."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    parts = [*call.args, *(k.value for k in call.keywords)]
    names = {n.id for part in parts for n in ast.walk(part) if isinstance(n, ast.Name)}
    if any(stdlib.get(n) != n for n in names) or any(isinstance(n, (ast.Lambda, ast.NamedExpr)) for p in parts for n in ast.walk(p)):
        return None
    text = [ast.unparse(a) for a in call.args] + [f"{k.arg}={ast.unparse(k.value)}" for k in call.keywords]
    return ", ".join(text), tuple(sorted(names))
