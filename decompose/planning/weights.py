"""How much each kind of dependency pulls two elements into the same service.

The defaults are documented in docs/planning.md; a project overrides any of them in its
`pyproject.toml`:

    [tool.decompose.weights]
    table-write = 6.0
    import-type-checking = 0.0

An edge of kind K with count n between two elements adds `weights[K] * n` to their tie.
Pseudo-kinds that do not come from analysis.json edges:
- `defines`: an ORM class and the table it declares;
- `contains`: a module's body (imports, module-level code) and each of its symbols;
- `route-family`: a route handler and the family of routes sharing its first path segment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import tomlkit
from tomlkit.exceptions import ParseError

from decompose.analysis.model import EDGE_KINDS
from decompose.errors import UserError

PSEUDO_KINDS = ("defines", "contains", "route-family")

DEFAULT_WEIGHTS: Mapping[str, float] = {
    "call": 1.0,
    "reference": 1.0,
    "enqueue": 1.0,
    "inherit": 2.0,
    "table-write": 4.0,
    "table-read": 1.0,
    "foreign-key": 1.0,
    "defines": 8.0,
    "import": 0.5,
    "import-lazy": 0.5,
    "import-dynamic": 0.5,
    "import-type-checking": 0.2,
    "string-ref": 0.3,
    "contains": 0.3,
    "route-family": 3.0,
}
assert set(DEFAULT_WEIGHTS) == set(EDGE_KINDS) | set(PSEUDO_KINDS)


@dataclass(frozen=True)
class Weights:
    by_kind: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    source: str = "defaults"

    def __getitem__(self, kind: str) -> float:
        return self.by_kind[kind]

    def overrides(self) -> dict[str, float]:
        return {k: v for k, v in sorted(self.by_kind.items()) if DEFAULT_WEIGHTS[k] != v}


def load_weights(pyproject: Path | None) -> Weights:
    """Defaults, overridden by `[tool.decompose.weights]` of `pyproject` when it has one."""
    if pyproject is None or not pyproject.is_file():
        return Weights()
    try:
        data = tomlkit.parse(pyproject.read_text(encoding="utf-8")).unwrap()
    except (ParseError, UnicodeDecodeError) as error:
        raise UserError(f"{pyproject}: not valid TOML ({error})", "fix the file, or pass --config with another one") from None
    table = data.get("tool", {}).get("decompose", {}).get("weights")
    if table is None:
        return Weights()
    return Weights(_merged(table, pyproject), source=f"{pyproject} [tool.decompose.weights]")


def _merged(table: Any, pyproject: Path) -> dict[str, float]:
    where = f"{pyproject}: [tool.decompose.weights]"
    if not isinstance(table, dict):
        raise UserError(f"{where} must be a table of kind = number", "see docs/planning.md#weights")
    merged = dict(DEFAULT_WEIGHTS)
    for kind, value in table.items():
        if kind not in DEFAULT_WEIGHTS:
            raise UserError(f"{where}: unknown kind {kind!r}", f"use one of: {', '.join(sorted(DEFAULT_WEIGHTS))}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise UserError(f"{where}: {kind} = {value!r} is not a number >= 0", "write e.g. table-write = 4.0")
        merged[kind] = float(value)
    return merged
