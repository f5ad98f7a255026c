"""The plan's `[remediate]` table: one sub-table per hazard kind, one key per symbol (or folder).

    [remediate.filesystem-write]
    "shop.images:_write_file" = "s3"  # os.makedirs, open(..., 'wb') at images.py:78: uploads ...

`merge` writes the proposals into a plan document and keeps every value already there (a user's
edit survives `decompose plan`, as [constraints] do); `read` returns the decisions and a Problem
per value it cannot use, by its key path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Table

from decompose.planning.plan import Problem
from decompose.remediation.model import CHOICES, STATIC, Decision, choices

KEY = "remediate"
DOCS = "see docs/remediation.md"
COMMENT = ("What each Lambda hazard in a request path becomes on AWS (docs/remediation.md); "
           "edit the values, 'keep' accepts a hazard.")


def detach(doc: tomlkit.TOMLDocument) -> Table | None:
    """The [remediate] table, taken out of the document with [shared] and [services] so that `merge`
    puts it back after them (planning twice gives the same file)."""
    table = doc.get(KEY)
    if KEY in doc:
        del doc[KEY]
    return table if isinstance(table, Table) else None


def merge(doc: tomlkit.TOMLDocument, proposals: list[Decision], kept: Table | None = None) -> None:
    """Add the proposals `kept` (the detached table) has no value for; its values and comments stay."""
    if not proposals and kept is None:
        return
    table = kept
    if table is not None:
        doc[KEY] = table
    else:
        table = tomlkit.table(is_super_table=True)
        table.add(tomlkit.comment(COMMENT))
        doc[KEY] = table
    for decision in proposals:
        kind = table.get(decision.kind)
        if not isinstance(kind, Table):
            kind = tomlkit.table()
            table[decision.kind] = kind
        if decision.target not in kind:
            kind[decision.target] = decision.choice
            kind[decision.target].comment(decision.reason)


def read(data: dict[str, Any]) -> tuple[tuple[Decision, ...], list[Problem]]:
    """The decisions written in [remediate]; every key or value that is not one, as a Problem."""
    body = data.get(KEY, {})
    if not isinstance(body, dict):
        return (), [Problem(KEY, "must be a table", "write it as [remediate.<hazard kind>] tables; " + DOCS)]
    decisions, problems = [], []
    for kind, targets in sorted(body.items()):
        if kind not in CHOICES:
            problems.append(Problem(f"{KEY}.{kind}", "unknown hazard kind", f"use: {', '.join(sorted(CHOICES))}"))
        elif not isinstance(targets, dict):
            problems.append(Problem(f"{KEY}.{kind}", "must be a table", f'write [{KEY}.{kind}] with "symbol" = "choice" lines'))
        else:
            decisions += _decisions(kind, targets, problems)
    return tuple(decisions), problems


def _decisions(kind: str, targets: dict[str, Any], problems: list[Problem]) -> list[Decision]:
    found = []
    for target, choice in sorted(targets.items()):
        if choice in choices(kind):
            found.append(Decision(kind, target, choice))
        else:
            problems.append(Problem(f"{KEY}.{kind}[{target!r}]", f"{choice!r} is not a remediation of {kind}",
                                    f"use one of: {', '.join(choices(kind))}; {DOCS}"))
    return found


def cloudfront_folders(plan: Path) -> list[str]:
    """The static folders the plan at `plan` sends to CloudFront (none when there is no plan there)."""
    from decompose.planning.planfile import load_document  # planfile imports this module

    if not plan.exists():
        return []
    decisions, _ = read(load_document(plan).unwrap())
    return sorted(d.target for d in decisions if d.kind == STATIC and d.choice == "cloudfront")
