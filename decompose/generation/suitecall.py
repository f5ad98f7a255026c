"""How the monolith's own tests build its app: the call a generated service's tests build theirs with.

A factory that needs its configuration (flasky's `create_app(config_name)`) cannot be called bare, and
the monolith's suite never calls it bare either: it says `create_app('testing')`. For such a factory
(one with a parameter without a default: `needs_arguments`; a factory that can be called bare keeps its
defaults, since the suite's configuration comes with fixtures the generated tests do not have, such as
an in-memory database whose tables the suite's conftest creates), the generated tests of a service
build the app through decompose_runtime.appcall with the call the suite makes most often, when its
arguments are Python literals (nothing is evaluated; a call with names, such as
`create_app(test_config)`, tells nothing and is skipped). A contracts replay still sets its own
([contracts] app), and a deployed service calls the factory as before.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterable
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
