"""The plan's `[paths]` table: values for route path parts the analysis could not resolve.

    [paths]
    "settings.API_V1_STR" = "/api/v1"   # 19 routes, e.g. GET /${settings.API_V1_STR}/users/

The analysis never runs the app, so a prefix read at run time (an environment variable with no
default, a computed string) stays in the route's template as `${expression}`. Such a route matches
no real request: a service would never be reached and the gateway would send it to the monolith
without a word. A pin gives the expression its value once, in the plan, and every stage that reads
the analysis with the plan (plan, check, generate, contracts, gateway, report) sees the pinned
template; a `${...}` still left in a route a service owns is an error naming the expression and
this table (`require_resolved`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Table

from decompose.analysis.model import Analysis, Route
from decompose.errors import UserError
from decompose.planning.plan import Plan, Problem

KEY = "paths"
MARKER = re.compile(r"\$\{([^{}]*)\}")
DOCS = "see docs/analysis.md#unresolved-paths"
COMMENT = ("Values for route path parts the analysis could not resolve (the app computes them at run time):",
           "uncomment a line and write the value the running app uses (docs/analysis.md#unresolved-paths).")


def unresolved(templates: Iterable[str]) -> dict[str, list[str]]:
    """expression -> the templates (or route ids) that still hold it, both sorted."""
    found: dict[str, set[str]] = {}
    for template in templates:
        for expression in MARKER.findall(template):
            found.setdefault(expression, set()).add(template)
    return {expression: sorted(found[expression]) for expression in sorted(found)}


def pin(template: str, pins: dict[str, str]) -> str:
    """`template` with each pinned `${expression}` replaced by its value. The analysis wrote a
    leading slash before a prefix it could not read (`/${settings.prefix}/users`); a value that
    brings its own slash replaces that one."""
    def value(match: re.Match[str]) -> str:
        found = pins.get(match.group(1))
        if found is None:
            return match.group(0)
        if match.start() == 1 and found.startswith("/"):
            return found[1:]
        return found
    return MARKER.sub(value, template) if pins else template


def pin_route_id(route: str, pins: dict[str, str]) -> str:
    """"METHOD /template" with the template pinned."""
    method, _, template = route.partition(" ")
    return f"{method} {pin(template, pins)}" if template else route


def pinned(analysis: Analysis, pins: dict[str, str]) -> Analysis:
    """The analysis with every route's template (and written path) pinned."""
    if not pins:
        return analysis
    routes = [replace(r, template=pin(r.template, pins), path=pin(r.path, pins)) for r in analysis.routes]
    return replace(analysis, routes=routes)


def read(data: dict[str, Any]) -> tuple[dict[str, str], list[Problem]]:
    """The pins written in [paths]; every entry that is not one, as a Problem."""
    body = data.get(KEY, {})
    if not isinstance(body, dict):
        return {}, [Problem(KEY, "must be a table", f'write it as [{KEY}] with "expression" = "/value" lines; {DOCS}')]
    pins, problems = {}, []
    for expression, value in sorted(body.items()):
        at = f"{KEY}[{expression!r}]"
        if not isinstance(value, str):
            problems.append(Problem(at, f"{value!r} is not a string", f'write "{expression}" = "/api"'))
        elif MARKER.search(value) or not MARKER.fullmatch("${" + expression + "}"):
            problems.append(Problem(at, "a pin names one expression and gives it a plain string",
                                    f'write the expression as the route shows it inside ${{...}}; {DOCS}'))
        else:
            pins[expression] = value
    return pins, problems


def read_file(plan: Path | None) -> dict[str, str]:
    """The pins of the plan at `plan` (none without a plan, or a plan that is not TOML yet: the
    plan's own reading reports that). A pin in error is an error here, never a pin skipped."""
    if plan is None or not plan.is_file():
        return {}
    try:
        data = tomlkit.parse(plan.read_text(encoding="utf-8")).unwrap()
    except (TOMLKitError, UnicodeDecodeError):
        return {}
    pins, problems = read(data)
    if problems:
        first = problems[0]
        raise UserError(f"{plan}: {first.where}: {first.what}", first.fix)
    return pins


def detach(doc: tomlkit.TOMLDocument) -> Table | None:
    """The [paths] table, taken out of the document before [shared] and [services] are rewritten,
    so that `merge` puts it back at the end (planning twice gives the same file)."""
    table = doc.get(KEY)
    if KEY in doc:
        del doc[KEY]
    return table if isinstance(table, Table) else None


def merge(doc: tomlkit.TOMLDocument, routes: Iterable[str], kept: Table | None = None) -> None:
    """[paths] again: `kept` (the user's values and comments) and, as comments, a proposed pin for
    each expression still in `routes` (route ids, pinned already)."""
    open_ = unresolved(routes)
    if not open_ and kept is None:
        return
    table = kept
    if table is None:
        table = tomlkit.table()
        for line in COMMENT:
            table.add(tomlkit.comment(line))
    written = set(tomlkit.dumps(table).splitlines())
    for expression, where in open_.items():
        line = f'"{expression}" = ""  # {_count(where)}, e.g. {where[0]}'
        if f"# {line}" not in written:
            table.add(tomlkit.comment(line))
    doc[KEY] = table


def route_ids(routes: Iterable[Route]) -> list[str]:
    return sorted({f"{method} {r.template}" for r in routes if r.mounted for method in r.methods})


def service_routes(plan: Plan) -> list[str]:
    """The route ids ("METHOD /template") the plan's services own."""
    return [route for service in plan.services for route in service.routes]


def problems(routes: Iterable[str], plan: str = "decompose.toml") -> list[Problem]:
    """One Problem per expression still in the routes a service owns: `plan --check` reports what
    `generate` would refuse, in the same words as `require_resolved`."""
    return [Problem(f"{KEY}[{expression!r}]", _holds(expression, where), _pin(expression, plan) + f"; {DOCS}")
            for expression, where in unresolved(routes).items()]


def require_resolved(routes: Iterable[str], stage: str, plan: str = "decompose.toml",
                     then: str = "run the command again") -> None:
    """A UserError naming the first expression still in one of `routes` ("METHOD /template") and how
    to pin it: such a route would match no real request."""
    open_ = unresolved(routes)
    if not open_:
        return
    expression, where = next(iter(open_.items()))
    more = f" ({len(open_) - 1} more expression(s))" if len(open_) > 1 else ""
    raise UserError(f"{stage}: {_holds(expression, where, more)}", f"{_pin(expression, plan)}, then {then}; {DOCS}")


def _holds(expression: str, where: list[str], more: str = "") -> str:
    return (f"{_count(where)} {'holds' if len(where) == 1 else 'hold'} ${{{expression}}}, a path part the analysis "
            f"could not resolve (e.g. {where[0]}){more}: no real request would reach them")


def _pin(expression: str, plan: str) -> str:
    return f'pin it in {plan}: [paths] "{expression}" = "/the-value-the-app-uses"'


def _count(routes: list[str]) -> str:
    return f"{len(routes)} route" + ("s" if len(routes) != 1 else "")
