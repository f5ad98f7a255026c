"""Paths the monolith names relative to its working folder, made to work from any folder.

The monolith runs from its project folder, so `StaticFiles(directory="lnbits/static")`,
`Path("lnbits", "static")` or a Jinja loader on `"app/templates"` find the folders beside its code.
A generated service runs from its Lambda task folder or its tests' scratch folder, where they are
not. A literal (or the leading literal arguments of `Path(...)`/`os.path.join(...)`) naming a data
folder or file of one of the monolith's own packages (it exists under the project folder, it starts
with a top-level package and it is not Python code) becomes
`decompose_runtime.datapaths.found("lnbits/static")`, which finds it where the layer or the service
copied it. Other strings are left alone, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import libcst as cst

from decompose.generation.source import string_value

PATH_CALLS = frozenset({"Path", "PurePath", "PosixPath", "join"})
FOUND = '__import__("decompose_runtime.datapaths").datapaths.found'

IsData = Callable[[str], bool]


def data_test(root: Path, tops: set[str]) -> IsData:
    """rel -> is it a data file or folder of a top-level package under `root` (the monolith's working folder)."""

    @lru_cache(maxsize=None)
    def is_data(rel: str) -> bool:
        rel = rel.strip().removeprefix("./").rstrip("/")
        parts = rel.split("/")
        if not rel or rel.startswith("/") or parts[0] not in tops or len(parts) < 2 or ".." in parts:
            return False
        path = root / rel
        if path.is_dir():
            return not (path / "__init__.py").exists()
        return path.is_file() and path.suffix not in (".py", ".pyc")

    return is_data


def rewrite(text: str, tops: set[str], is_data: IsData) -> str:
    """The module's code with its working-folder data paths found wherever the code runs."""
    if not any(f'"{t}' in text or f"'{t}" in text for t in tops):
        return text  # cheap test first: no literal starts with a top-level package name
    try:
        tree = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return text
    changed = tree.visit(_Rewrite(is_data))
    return text if changed.deep_equals(tree) else changed.code




def _found(rel: str) -> cst.Call:
    return cst.parse_expression(f"{FOUND}({rel!r})")  # type: ignore[return-value]


class _Rewrite(cst.CSTTransformer):
    def __init__(self, is_data: IsData) -> None:
        super().__init__()
        self.is_data = is_data

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString):  # noqa: ANN201
        value = string_value(updated)
        return _found(value) if value is not None and "/" in value and self.is_data(value) else updated

    def leave_Call(self, original: cst.Call, updated: cst.Call):  # noqa: ANN201
        """`Path("lnbits", "static")`: the leading literal arguments joined, when they name data."""
        name = updated.func.value if isinstance(updated.func, cst.Name) else (
            updated.func.attr.value if isinstance(updated.func, cst.Attribute) else "")
        if name not in PATH_CALLS:
            return updated
        literals: list[str] = []
        for arg in updated.args:
            value = string_value(arg.value)
            if value is None or arg.keyword is not None or arg.star:
                break
            literals.append(value)
        for count in range(len(literals), 1, -1):
            joined = "/".join(literals[:count])
            if self.is_data(joined):
                first = updated.args[0].with_changes(value=_found(joined))
                rest = list(updated.args[count:])
                args = [first, *rest]
                args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                return updated.with_changes(args=args)
        return updated
