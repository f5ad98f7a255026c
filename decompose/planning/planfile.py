"""`decompose.toml`: the plan as an editable TOML document (tomlkit keeps the user's comments).

`render` writes a fresh document, or updates a previous one in place: [constraints] and anything
the user added stay as they were, [plan], [shared] and [services] are replaced. `parse` reads a
document back into a Plan and reports every field it cannot use, by its key path.
A fingerprint of [shared] and [services] as last written tells a hand-edited plan from ours.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable

import tomlkit
from tomlkit.exceptions import ParseError
from tomlkit.items import Table

from decompose.artefacts import PLAN, check
from decompose.errors import UserError
from decompose.planning import pathpins
from decompose.planning.constraints import SHARED, Constraints
from decompose.planning.plan import PLAN_SCHEMA_VERSION, Plan, Problem, Service, Settings
from decompose.remediation import table as remediate_table

FIX_SYNTAX = "fix the syntax (your editor's TOML mode helps), then run the command again; the file was left as it is"
OTHER_STAGES = ("contracts", "gateway")  # tables later stages read (decompose.contracts.settings, ...)
LISTS = ("modules", "symbols", "tables", "routes", "interface")
SHARED_LISTS = ("modules", "symbols", "routes")  # routes: those on the app object, which stay on the monolith
HEADER = """decompose plan: candidate services for {root}.
Edit freely: move modules or symbols between services, rename services, add [constraints].
`decompose plan --check` re-scores an edited plan. `decompose plan` plans again honouring
[constraints] (kept as you wrote them), and will not replace hand edits of [services] or
[shared] without --force. Each service lists whole modules where the module is cohesive and
single symbols (module:Name) where a module is split; `interface` lists what other services use."""


def fingerprint(plan: Plan) -> str:
    data = [[s.name, *[getattr(s, k) for k in LISTS]] for s in (*plan.services, plan.shared)]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def render(plan: Plan, root: str, notes: Callable[[str], str], summary: list[str],
           previous: tomlkit.TOMLDocument | None = None, remediations: list = (), routes: list[str] = ()) -> str:
    """The plan as TOML; `notes(element)` gives the comment after a list entry ("" for none).
    remediations: proposed Decisions, merged into [remediate] without replacing a value there;
    routes: every route id, whose unresolved path parts [paths] proposes to pin."""
    doc = previous if previous is not None else _fresh(plan, root)
    doc["plan"] = _plan_table(plan)
    if previous is None:
        doc["constraints"] = _constraints_table(plan.constraints)
    kept, pins = remediate_table.detach(doc), pathpins.detach(doc)
    for key in ("shared", "services"):
        if key in doc:
            del doc[key]
    doc["shared"] = _service_table(plan.shared, notes, ["The shared kernel, delivered as a library (a Lambda layer).", *summary])
    services = tomlkit.table(is_super_table=True)
    for service in plan.services:
        services[service.name] = _service_table(service, notes, [plan.reasons.get(f"service:{service.name}", "")])
    doc["services"] = services
    remediate_table.merge(doc, list(remediations), kept)
    pathpins.merge(doc, routes, pins)
    return tomlkit.dumps(doc)


def _fresh(plan: Plan, root: str) -> tomlkit.TOMLDocument:
    doc = tomlkit.document()
    for line in HEADER.format(root=root).splitlines():
        doc.add(tomlkit.comment(line))
    doc.add(tomlkit.nl())
    doc["schema_version"] = PLAN_SCHEMA_VERSION
    return doc


def _plan_table(plan: Plan) -> Table:
    table = tomlkit.table()
    s = plan.settings
    for key, value in (("analysis", s.analysis), ("strategy", s.strategy), ("resolution", s.resolution),
                       ("seed", s.seed), ("services", s.services)):
        table[key] = value
    table["fingerprint"] = fingerprint(plan)
    table["fingerprint"].comment("of [shared] and [services] as decompose wrote them")
    return table


def _constraints_table(constraints: Constraints) -> Table:
    table = tomlkit.table()
    table.add(tomlkit.comment('pin = { "pkg.module" = "orders", "pkg.utils:slugify" = "shared" }'))
    table.add(tomlkit.comment('together = [["pkg.models:Order", "pkg.models:OrderLine"]]; apart = [["pkg.a", "pkg.b"]]'))
    table["max_services"] = constraints.max_services
    table["max_services"].comment("0: no limit")
    pins = tomlkit.inline_table()
    pins.update(dict(sorted(constraints.pins.items())))
    table["pin"] = pins
    table["together"] = [list(group) for group in constraints.together]
    table["apart"] = [list(group) for group in constraints.apart]
    if constraints.follow:  # written by `plan --converge`: only there when it has something to say
        follows = tomlkit.inline_table()
        follows.update(dict(sorted(constraints.follow.items())))
        table["follow"] = follows
    return table


def _service_table(service: Service, notes: Callable[[str], str], comments: list[str]) -> Table:
    table = tomlkit.table()
    for comment in comments:
        if comment:
            table.add(tomlkit.comment(comment))
    keys = SHARED_LISTS if service.name == SHARED else LISTS
    for key in keys:
        values = getattr(service, key)
        if service.name == SHARED and key == "routes" and not values:
            continue  # only apps that declare routes on the app object itself have any
        array = tomlkit.array()
        for value in values:
            array.add_line(value, comment=notes(value) or None)
        if values:
            array.add_line(indent="")
        table[key] = array
    return table


# ---- reading --------------------------------------------------------------------------------

def load_document(path: Path) -> tomlkit.TOMLDocument:
    """The plan as tomlkit reads it, once its version and top-level structure are checked
    (decompose.artefacts); `parse` then names every field inside that it cannot use."""
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no plan here", "run 'decompose plan' to write one") from None
    except UnicodeDecodeError as error:
        raise UserError(f"{path}: not UTF-8 text (byte {error.start})", FIX_SYNTAX) from None
    except ParseError as error:
        raise UserError(f"{path}: not valid TOML ({error})", FIX_SYNTAX) from None
    except RecursionError:
        raise UserError(f"{path}: not valid TOML (nested too deeply)", FIX_SYNTAX) from None
    check(document.unwrap(), PLAN, path)
    return document


def parse(doc: tomlkit.TOMLDocument, path: Path, pin: bool = True) -> tuple[Plan, list[Problem]]:
    """pin: the services' routes with the [paths] pins applied (as every stage matches them), or as
    written (what the fingerprint was taken of, when the plan was written before a pin)."""
    data = doc.unwrap()
    problems: list[Problem] = []
    version = data.get("schema_version")
    if version != PLAN_SCHEMA_VERSION:
        raise UserError(f"{path}: schema_version is {version!r}, this decompose reads {PLAN_SCHEMA_VERSION}",
                        "write the plan again with 'decompose plan --force', or use the decompose that wrote it")
    for key in sorted(set(data) - {"schema_version", "plan", "constraints", "shared", "services", remediate_table.KEY,
                                   pathpins.KEY, *OTHER_STAGES}):
        problems.append(Problem(key, "unknown top-level field", "remove it; see docs/planning.md#the-plan-file"))
    settings = _settings(_table(data, "plan", problems), problems)
    constraints = _constraints(_table(data, "constraints", problems), problems)
    shared = _service(SHARED, _table(data, "shared", problems), "shared", problems)
    services = []
    for name, body in _table(data, "services", problems).items():
        if not valid_service_name(name):
            problems.append(Problem(f"services.{name}", "a service name is lower-case letters, digits and hyphens, and not 'shared'",
                                    "rename the table, e.g. [services.order-history]"))
        if not isinstance(body, dict):
            problems.append(Problem(f"services.{name}", "must be a table", f"write it as [services.{name}]"))
        services.append(_service(name, body if isinstance(body, dict) else {}, f"services.{name}", problems))
    remediate, more = remediate_table.read(data)
    problems += more
    pins, more = pathpins.read(data)
    problems += more
    for service in (*services, shared) if pin else ():  # a plan written before a pin lists the route as it was
        service.routes = [pathpins.pin_route_id(route, pins) for route in service.routes]
    return Plan(services, shared, constraints, settings, remediate=remediate), problems


def valid_service_name(name: str) -> bool:
    return bool(name) and name != SHARED and name == name.lower() and all(c.isalnum() or c == "-" for c in name)


def _table(data: dict[str, Any], key: str, problems: list[Problem]) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        problems.append(Problem(key, "must be a table", f"write it as [{key}]"))
        return {}
    return value


def _strings(body: dict[str, Any], key: str, at: str, problems: list[Problem]) -> list[str]:
    value = body.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(Problem(f"{at}.{key}", "must be a list of strings", f'write {key} = ["..."]'))
        return []
    return list(value)


def _service(name: str, body: dict[str, Any], at: str, problems: list[Problem]) -> Service:
    allowed = SHARED_LISTS if name == SHARED else LISTS
    for key in sorted(set(body) - set(allowed)):
        problems.append(Problem(f"{at}.{key}", "unknown field", f"use: {', '.join(allowed)}"))
    return Service(name, *(_strings(body, key, at, problems) if key in allowed else [] for key in LISTS))


def _settings(body: dict[str, Any], problems: list[Problem]) -> Settings:
    defaults = Settings()
    values = {}
    for key, kind in (("analysis", str), ("strategy", str), ("resolution", (int, float)), ("seed", int), ("services", int)):
        value = body.get(key, getattr(defaults, key))
        if isinstance(value, bool) or not isinstance(value, kind):
            problems.append(Problem(f"plan.{key}", f"{value!r} has the wrong type", "see docs/planning.md#the-plan-file"))
            value = getattr(defaults, key)
        values[key] = value
    return Settings(**values)


def _constraints(body: dict[str, Any], problems: list[Problem]) -> Constraints:
    pins = body.get("pin", {})
    if not isinstance(pins, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in pins.items()):
        problems.append(Problem("constraints.pin", "must map names to service names", 'write pin = { "pkg.module" = "orders" }'))
        pins = {}
    for name, service in sorted(pins.items()):
        if service != SHARED and not valid_service_name(service):
            problems.append(Problem(f"constraints.pin[{name!r}]", f"{service!r} is no service name",
                                    "pin to 'shared' or to lower-case letters, digits and hyphens, e.g. 'order-history'"))
    pins = {name: service for name, service in pins.items() if service == SHARED or valid_service_name(service)}
    groups = {}
    for key in ("together", "apart"):
        value = body.get(key, [])
        if not isinstance(value, list) or not all(isinstance(g, list) and all(isinstance(n, str) for n in g) for g in value):
            problems.append(Problem(f"constraints.{key}", "must be a list of lists of names", f'write {key} = [["pkg.a", "pkg.b"]]'))
            value = []
        groups[key] = tuple(tuple(g) for g in value)
    limit = body.get("max_services", 0)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        problems.append(Problem("constraints.max_services", f"{limit!r} is not a whole number >= 0", "write max_services = 8 (0: no limit)"))
        limit = 0
    follow = body.get("follow", {})
    if not isinstance(follow, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in follow.items()):
        problems.append(Problem("constraints.follow", "must map names to the symbol they are placed with",
                                'write follow = { "pkg.inventory:reserve" = "pkg.orders:checkout" }'))
        follow = {}
    for key in sorted(set(body) - {"pin", "together", "apart", "max_services", "follow"}):
        problems.append(Problem(f"constraints.{key}", "unknown constraint", "use: pin, together, apart, follow, max_services"))
    return Constraints(dict(pins), groups["together"], groups["apart"], limit, dict(follow))
