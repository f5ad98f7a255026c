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


def working_folders(root: Path, tops: set[str]) -> list[str]:
    """The empty folders inside the monolith's top-level packages under `root` (its working folder), as
    "pkg/extensions": places the app scans or writes at run time through a path it builds (lnbits'
    `Path(settings.lnbits_extensions_path, "extensions").iterdir()`), which no literal names and no copy of
    data brings along (an empty folder has no file to copy). A service makes them in its own working folder
    before it builds the app (decompose_runtime.datapaths.make_working_folders)."""
    return list(_working_folders(root, frozenset(tops)))


@lru_cache(maxsize=8)
def _working_folders(root: Path, tops: frozenset[str]) -> tuple[str, ...]:
    found = []
    for top in sorted(tops):
        package = root / top
        if not (package / "__init__.py").is_file():
            continue
        for folder in sorted(p for p in package.rglob("*") if p.is_dir()):
            rel = folder.relative_to(root)
            if any(part.startswith(".") or part == "__pycache__" for part in rel.parts) or any(folder.iterdir()):
                continue
            found.append(rel.as_posix())
    return tuple(found)


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
