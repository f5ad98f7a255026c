"""Read a ground-truth file (the intended domain of each module/symbol) as a partition of elements.

The format is the one of `sample_monolith/ground_truth.toml`:

    [domains]   name = "description"             the valid domain names
    [modules]   "pkg.module" = "domain"          a whole module
    [symbols]   "pkg.module.Symbol" = "domain"   symbols of a module split between domains
    [shared]    modules = [...], symbols = [...] the kernel (scored as one more cluster, "shared")
    [excluded]  modules = [...]                  not application code; not scored

Tables follow their ORM model. Elements the file does not place are left out of the partition.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError

from decompose.errors import UserError
from decompose.planning.constraints import SHARED
from decompose.planning.elements import ElementGraph


def read_ground_truth(path: Path) -> dict[str, Any]:
    try:
        data = tomlkit.parse(path.read_text(encoding="utf-8")).unwrap()
    except FileNotFoundError:
        raise UserError(f"{path}: not found", "pass the path of a ground-truth TOML file") from None
    except (ParseError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: not valid TOML ({error})", "fix the file; see docs/planning.md#ground-truth") from None
    domains = set(data.get("domains", {})) | {SHARED}
    for table in ("modules", "symbols"):
        for name, domain in data.get(table, {}).items():
            if domain not in domains:
                raise UserError(f"{path}: [{table}] {name!r} = {domain!r} is not a domain listed in [domains]",
                                "add it to [domains] or fix the name")
    return data


def ground_truth_partition(graph: ElementGraph, data: dict[str, Any]) -> dict[str, str]:
    modules: dict[str, str] = dict(data.get("modules", {}))
    symbols: dict[str, str] = dict(data.get("symbols", {}))
    shared = data.get("shared", {})
    modules.update({m: SHARED for m in shared.get("modules", ())})
    symbols.update({s: SHARED for s in shared.get("symbols", ())})
    partition = {}
    for element, info in graph.elements.items():
        if info.kind == "module":
            domain = modules.get(element)
        elif info.kind == "table":
            model = graph.table_model.get(element)
            domain = _symbol_domain(model, modules, symbols) if model else None
        else:
            domain = _symbol_domain(element, modules, symbols)
        if domain is not None:
            partition[element] = domain
    return partition


def _symbol_domain(element: str, modules: dict[str, str], symbols: dict[str, str]) -> str | None:
    module, _, name = element.partition(":")
    return symbols.get(f"{module}.{name}") or modules.get(module)
