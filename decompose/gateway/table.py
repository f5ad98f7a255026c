"""The route table, `routes.toml`: who answers each of the monolith's routes, and how traffic moves.

    # written by `decompose gateway init`; edit it, or change modes with `decompose gateway route`
    [gateway]
    monolith = "http://127.0.0.1:8000"   # the monolith's base URL
    timeout_s = 10.0                     # an upstream that takes longer answers 504
    fallback = false                     # canary/service: answer from the monolith when the service is down
    sticky = "cookie:session"            # canary: the same client always gets the same side ("" = per request)
    shadow_methods = ["GET", "HEAD"]     # shadow mirrors only these; GET, HEAD, OPTIONS unless:
    services_database = "shared"         # "separate": the services write to a database of their own,
                                         # so a mirrored POST/PUT/PATCH/DELETE does not write twice
    max_body_mb = 10                     # a larger request body is refused (413), never buffered

    [services]                           # each service's base URL (`gateway up` fills them in)
    cart = "http://127.0.0.1:8001"

    [routes]
    "GET /api/cart" = { owner = "cart", mode = "monolith" }

Modes: `monolith` (the default), `shadow` (the monolith answers; the request is mirrored to the owner
and the answers compared), `canary:N` (N% of clients to the owner), `service` (the owner answers).
The file is edited with tomlkit, so comments and layout a user adds survive every command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from decompose.errors import UserError
from decompose.gateway.matching import RouteTable, Rule
from decompose.gateway.modes import MODES, Mode
from decompose.planning.pathpins import require_resolved

MONOLITH = "monolith"
FIX = "see docs/gateway.md#the-route-table"
DEFAULTS: dict[str, Any] = {"monolith": "http://127.0.0.1:8000", "timeout_s": 10.0, "fallback": False,
                            "sticky": "", "shadow_methods": ["GET", "HEAD"], "services_database": "shared",
                            "max_body_mb": 10}  # API Gateway refuses payloads over 10 MB too
REGENERATE = "run 'decompose generate' and 'decompose gateway init' again"  # the pinned route replaces this one
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")  # mirroring them changes nothing, whichever database the service uses


@dataclass(frozen=True)
class Entry:
    route: str  # "METHOD /template"
    owner: str  # a service, or "monolith" for a route no service owns
    mode: Mode

    @property
    def method(self) -> str:
        return self.route.split(" ", 1)[0]

    @property
    def template(self) -> str:
        return self.route.split(" ", 1)[1]


@dataclass
class Table:
    path: Path
    document: tomlkit.TOMLDocument
    settings: dict[str, Any] = field(default_factory=dict)
    services: dict[str, str] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)

    def matcher(self) -> RouteTable:
        return RouteTable([Rule.of(e.template, (e.method,), e.route) for e in self.entries.values()])

    def set_mode(self, routes: list[str], mode: Mode) -> list[str]:
        """Set `mode` on routes; returns the ones that changed. A route no service owns stays `monolith`."""
        if mode.kind != MONOLITH:
            require_resolved(routes, "gateway route", then=REGENERATE)
        changed = []
        for route in routes:
            entry = self.entries[route]
            if entry.owner == MONOLITH and mode.kind != MONOLITH:
                raise UserError(f"{route} has no owner service (the plan keeps it in the monolith)",
                                "move it to a service in the plan, regenerate, then 'decompose gateway init' again")
            if entry.mode != mode:
                self.entries[route] = Entry(route, entry.owner, mode)
                self.document["routes"][route]["mode"] = str(mode)
                changed.append(route)
        return changed

    def save(self) -> None:
        self.path.write_text(tomlkit.dumps(self.document), encoding="utf-8")


def read(path: Path) -> Table:
    """routes.toml, checked: a UserError naming the first bad field, never a traceback. A table without
    routes is an error: served, it would send every route to the monolith (a hot reload of a file
    emptied by mistake keeps the previous table instead)."""
    table = _parse(path)
    if not table.entries:
        raise UserError(f"{path}: no routes (an empty table would send every route to the monolith)",
                        "write the routes with 'decompose gateway init', or restore the file from version control")
    return table


def _parse(path: Path) -> Table:
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no route table here", "write one with 'decompose gateway init'") from None
    except (TOMLKitError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: not valid TOML ({error})", f"fix the syntax; {FIX}") from None
    data = document.unwrap()
    table = Table(path, document, _settings(data.get("gateway", {}), path), _services(data.get("services", {}), path))
    routes = data.get("routes", {})
    if not isinstance(routes, dict):
        raise UserError(f"{path}: routes must be a table", f'write [routes] with "METHOD /path" = {{ owner = ..., mode = ... }}; {FIX}')
    for route, value in routes.items():
        table.entries[route] = _entry(route, value, path)
    return table


def _settings(raw: Any, path: Path) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise UserError(f"{path}: gateway must be a table", FIX)
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        raise UserError(f"{path}: gateway.{unknown[0]}: unknown field", f"use: {', '.join(DEFAULTS)}; {FIX}")
    settings = {**DEFAULTS, **raw}
    checks = {"monolith": lambda v: isinstance(v, str) and v.startswith(("http://", "https://")),
              "timeout_s": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 900,
              "fallback": lambda v: isinstance(v, bool),
              "sticky": lambda v: isinstance(v, str) and (v == "" or v.startswith(("cookie:", "header:"))),
              "shadow_methods": lambda v: isinstance(v, list) and all(isinstance(m, str) for m in v),
              "services_database": lambda v: v in ("shared", "separate"),
              "max_body_mb": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 10240}
    wanted = {"monolith": "a base URL (http://...)", "timeout_s": "seconds, above 0 and at most 900",
              "fallback": "true or false", "sticky": '"cookie:NAME", "header:NAME" or ""',
              "shadow_methods": 'a list of methods, e.g. ["GET", "HEAD"]', "services_database": '"shared" or "separate"',
              "max_body_mb": "megabytes, above 0 and at most 10240"}
    for key, check in checks.items():
        if not check(settings[key]):
            raise UserError(f"{path}: gateway.{key}: {settings[key]!r} is not {wanted[key]}", FIX)
    settings["shadow_methods"] = [m.upper() for m in settings["shadow_methods"]]
    _check_shadow_writes(settings, path)
    return settings


def _check_shadow_writes(settings: dict[str, Any], path: Path) -> None:
    """Shadow mode sends the service a copy of a request the monolith has already carried out. On the
    monolith's database, a copied POST, PUT, PATCH or DELETE carries it out a second time (and the
    service's answer then differs, since the change is already there): only safe methods may be
    mirrored, unless the services write to a database of their own."""
    writes = [m for m in settings["shadow_methods"] if m not in SAFE_METHODS]
    if writes and settings["services_database"] != "separate":
        raise UserError(f"{path}: gateway.shadow_methods: {writes[0]} changes data, and mirroring it to a service on the "
                        "monolith's database would make the same change twice",
                        f"mirror only {', '.join(SAFE_METHODS)}; if the services write to a database of their own, "
                        f'set services_database = "separate"; {FIX}')


def _services(raw: Any, path: Path) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise UserError(f"{path}: services must be a table of service = URL", FIX)
    for name, url in raw.items():
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise UserError(f"{path}: services.{name}: {url!r} is not a base URL", f'write {name} = "http://127.0.0.1:8001"')
    return dict(raw)


def _entry(route: str, value: Any, path: Path) -> Entry:
    where = f'{path}: routes."{route}"'
    parts = route.split(" ")
    if len(parts) != 2 or not parts[0].isupper() or not parts[1].startswith("/"):
        raise UserError(f"{where}: not a route", f'write it as "GET /api/items/{{item_id}}"; {FIX}')
    if not isinstance(value, dict) or not isinstance(value.get("owner"), str):
        raise UserError(f"{where}: needs an owner", f'write {{ owner = "cart", mode = "monolith" }}; {FIX}')
    try:
        mode = Mode.parse(str(value.get("mode", MONOLITH)))
    except ValueError as error:
        raise UserError(f"{where}: {error}", f"use one of: {MODES}") from None
    owner = value["owner"]
    if owner == MONOLITH and mode.kind != MONOLITH:
        raise UserError(f"{where}: mode {mode} needs an owner service, and this route has none", "set mode = \"monolith\"")
    if mode.kind != MONOLITH:
        require_resolved([route], f"{where}: mode {mode}", then=REGENERATE)
    return Entry(route, owner, mode)


def check_owners(table: Table, services: list[str] | set[str], where: str) -> None:
    """Every owner is `monolith` or one of `services` (the plan's, or the generated ones): a typo or a
    renamed service is an error here, not a route that silently never moves."""
    for entry in sorted(table.entries.values(), key=lambda e: e.route):
        if entry.owner != MONOLITH and entry.owner not in services:
            known = ", ".join(sorted(services)) or "none"
            raise UserError(f'{table.path}: routes."{entry.route}": owner {entry.owner!r} is not one of {where} ({known})',
                            "fix the owner, or run 'decompose gateway init' after changing the plan")


def missing_urls(table: Table, urls: dict[str, str]) -> None:
    """Every service a route sends traffic to (not `monolith` mode) needs a URL."""
    for entry in sorted(table.entries.values(), key=lambda e: e.route):
        if entry.mode.kind != MONOLITH and entry.owner not in urls:
            raise UserError(f"{table.path}: {entry.route} is in mode {entry.mode} but service {entry.owner} has no URL",
                            f'add {entry.owner} = "http://..." under [services], or run \'decompose gateway up\'')


def select(table: Table, routes: list[str], services: list[str], every: bool) -> list[str]:
    """The routes a command names: explicit ones, all of some services', or every owned route."""
    unknown = [r for r in routes if r not in table.entries]
    if unknown:
        raise UserError(f"{table.path}: no route {unknown[0]!r}", "'decompose gateway status' lists them (\"METHOD /path\")")
    owners = {e.owner for e in table.entries.values()}
    missing = [s for s in services if s not in owners]
    if missing:
        raise UserError(f"{table.path}: no route is owned by {missing[0]!r}", f"owners: {', '.join(sorted(owners - {MONOLITH}))}")
    chosen = list(routes) + [e.route for e in table.entries.values() if e.owner in services]
    if every:
        chosen += [e.route for e in table.entries.values() if e.owner != MONOLITH]
    if not chosen:
        raise UserError("no route chosen", "name routes (\"GET /api/cart\"), --service NAME, or --all")
    return sorted(set(chosen))


@dataclass
class Synced:
    table: Table
    created: bool
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reowned: list[str] = field(default_factory=list)  # the plan moved them: back to monolith mode
    mounted: int = 0  # trees a library mounts kept on the monolith by entries of their own (`matching.mounted_trees`)


HEADER = """\
# The strangler-fig route table: who answers each of the monolith's routes (docs/gateway.md).
# Written by 'decompose gateway init' from the analysis and the plan; run it again after either
# changes (modes are kept). Change modes with 'decompose gateway route MODE ...' or here:
# monolith | shadow | canary:N | service.
"""


def sync(path: Path, routes: dict[str, str]) -> Synced:
    """Create routes.toml, or bring it up to date with `routes` (route -> owner) keeping modes and edits.
    A file with nothing in it (no byte but whitespace) holds no one's work: it is written afresh."""
    if not path.exists() or not path.read_bytes().strip():
        document = tomlkit.parse(HEADER)
        document["gateway"] = {k: v for k, v in DEFAULTS.items()}
        services = tomlkit.table()
        services.comment("service = base URL, for 'decompose gateway serve' ('gateway up' finds them itself)")
        document["services"] = services
        document["routes"] = tomlkit.table()
        path.write_text(tomlkit.dumps(document), encoding="utf-8")
        created = True
    else:
        created = False
    table = _parse(path)  # no routes yet is fine here: this fills them
    result = Synced(table, created)
    section = table.document.setdefault("routes", tomlkit.table())
    for route in sorted(set(table.entries) - set(routes)):
        del section[route]
        del table.entries[route]
        result.removed.append(route)
    for route, owner in sorted(routes.items(), key=lambda item: (item[0].split(" ", 1)[1], item[0])):
        entry = table.entries.get(route)
        if entry is not None and entry.owner == owner:
            continue
        if entry is None:
            result.added.append(route)
        else:
            result.reowned.append(route)
        line = tomlkit.inline_table()
        line.update({"owner": owner, "mode": MONOLITH})
        section[route] = line
        table.entries[route] = Entry(route, owner, Mode(MONOLITH))
    table.save()
    return result
