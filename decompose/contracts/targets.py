"""What a contract is replayed against. A target gives a fresh system per scenario, then answers requests.

    target.fresh(env)          # before every scenario: env from the [contracts] table, a new {scratch}
    target.fresh(env, app="shop.app:create_app(tests.conftest.AuthConfig)")   # a scenario whose test built its own app
    answer = target.send(request)

- `InProcess`: the monolith's own app in this process (WSGI through httpx's WSGITransport, ASGI through
  Starlette's TestClient), built anew for every scenario after the reset hooks ran.
- `InProcessService`: one generated service's Chalice app in this process through `chalice.test.Client`
  (its requests), the other services by URL (`Http`); reset in-process, then by URL.
- `Http`: any base URL (`chalice local`, the gateway, a deployed stage), or one URL per route (a fleet
  of services). Before every scenario it posts the env and hooks to each process's
  /_decompose/reset (generated services have it when started with DECOMPOSE_CONTRACT_RESET=1).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from decompose.contracts import appcall, startdata
from decompose.contracts.binding import Request
from decompose.contracts.compare import Answer
from decompose.contracts.build import UNROUTED
from decompose.contracts.replay import TargetError, Unowned
from decompose.contracts.world import is_asgi, load_app
from decompose.errors import UserError
from decompose.gateway.transport import bare
from decompose.generation.runtime import reset, sessionview
from decompose.generation.runtime.client import SECRET_HEADER


def _send(client: httpx.Client, url: str, request: Request) -> Answer:
    try:
        response = client.request(request.method, url, headers=wire_headers(request.headers), content=request.body)
    except httpx.TransportError as error:
        raise TargetError(f"{type(error).__name__}: {error}") from error
    except Exception as error:  # noqa: BLE001  (an in-process app in TESTING mode lets its exceptions through)
        raise TargetError(f"the app raised {type(error).__name__}: {str(error)[:300]}") from error
    finally:
        client.cookies.clear()  # a request carries only the cookies the scenario sends
    return Answer(response.status_code, tuple((k.lower(), v) for k, v in response.headers.multi_items()),
                  response.content)


def wire_headers(headers: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """The headers as HTTP carries them: a field value has no leading or trailing whitespace (RFC 9110
    5.5; a server strips it, h11 refuses to send it). A test client passes `Bearer ` (a test of an empty
    token) to the view as written; sent as it is, the exchange stopped with 'Illegal header value'."""
    return [(name, value.strip(" \t")) for name, value in headers]


class InProcess:
    def __init__(self, spec: str | None, root: Path, hooks: tuple[str, ...]) -> None:
        self.spec, self.root, self.hooks = spec, root, list(hooks)
        self.client: httpx.Client | None = None
        self.app: Any = None
        self.name = "monolith (in-process)"

    def fresh(self, env: dict[str, str], app: str | None = None) -> None:
        self.close()
        try:
            reset.apply(env, self.hooks)
        except reset.HookError as error:
            raise UserError(str(error), "fix [contracts] reset in the plan") from None
        startdata.watch()  # before the app builds its engine: the last one built is this scenario's database
        sessionview.install()  # a server-side session's values, for the replay to bind
        app = self.app = load_app(app or self.spec, self.root)
        startdata.fresh(app)  # Django: the test database, empty (decompose.contracts.django_data)
        if is_asgi(app):
            self.client = _started(bare(_asgi_client(app)))
        else:
            self.client = bare(httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://localhost"))

    def seed(self, data: dict[str, Any], replace: bool = False) -> None:
        """The scenario's starting rows, into the fresh app's database (decompose.contracts.startdata);
        replace: a scenario's start, when the tables hold exactly these rows afterwards."""
        try:
            startdata.load(self.app, data, replace=replace)
        except Exception as error:  # noqa: BLE001  (the app's database: its error is the scenario's)
            raise TargetError(f"loading the scenario's starting data failed ({type(error).__name__}: {error})") from error

    def send(self, request: Request, owner: str = "") -> Answer:
        assert self.client is not None, "fresh() comes before send()"
        return _send(self.client, request.target, request)

    def close(self) -> None:
        if self.client is not None:
            client, self.client = self.client, None
            if hasattr(client, "__exit__") and getattr(client, "portal", None) is not None:
                client.__exit__(None, None, None)  # the lifespan's shutdown, as the suite's own client ran it
            client.close()


def _started(client: Any) -> Any:
    """An ASGI app's lifespan started, as the suite's `with TestClient(app)` or LifespanManager did: its
    start-up makes what the scenario's starting data goes into (migrations creating the tables, a pool).
    An app that takes no lifespan (Django's ASGI handler refuses the scope) or whose start-up fails is
    replayed without one, as before, said once."""
    try:
        client.__enter__()
        return client
    except Exception as error:  # noqa: BLE001  (the app's own start-up)
        if not _SAID_LIFESPAN:
            _SAID_LIFESPAN.append(True)
            print(f"decompose: the app's lifespan did not start ({type(error).__name__}: {str(error)[:200]}); "
                  "scenarios replay in-process without it", file=sys.stderr)
    return bare(_asgi_client(client.app))


_SAID_LIFESPAN: list[bool] = []


def _asgi_client(app: Any) -> httpx.Client:
    try:
        from starlette.testclient import TestClient
    except ImportError:
        raise UserError("replaying an ASGI app in-process needs Starlette's TestClient", "pip install starlette") from None
    return TestClient(app, base_url="http://localhost", raise_server_exceptions=False)


class Http:
    """urls: one base URL for everything, or the owning service's URL per exchange ("*": the rest)."""

    def __init__(self, urls: str | dict[str, str], resets: list[str], hooks: tuple[str, ...],
                 secret: str | None = None, timeout: float = 30.0, name: str = "", loads_data: bool = False) -> None:
        """loads_data: every reset process takes a scenario's starting rows (the monolith's host; generated
        services sharing a database skip the rows already there)."""
        self.loads_data = loads_data
        self.urls = urls if isinstance(urls, dict) else {"*": urls}
        self.resets, self.hooks, self.secret = resets, list(hooks), secret
        self.client = bare(httpx.Client(timeout=timeout))
        self.name = name or ", ".join(resets)
        self.calls: Callable[[], list[str]] | None = None  # a fleet's call log (decompose.contracts.calls)

    def fresh(self, env: dict[str, str], ran: frozenset[str] = frozenset(), app: str | None = None) -> None:
        """Reset the first process (it builds the app: a fresh database gets its tables), then the others at once.
        `ran`: hooks that already ran elsewhere (an in-process service); `app`: the scenario's own app (its test
        built the app with another configuration), which every process builds for it (the monolith's host: a
        call of its own factory; a generated service: one of the calls it was started allowing, appcall.Chooser)."""
        if not self.resets:
            return
        chosen = {"app": app} if app else None
        skipped = [self._reset(self.resets[0], env, chosen)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            skipped += list(pool.map(lambda base: self._reset(base, env, chosen), self.resets[1:]))
        ran_nowhere = (set(self.hooks) - ran).intersection(*skipped)
        if ran_nowhere:
            raise TargetError(f"reset hook {min(ran_nowhere)} ran in no process: no service has that function "
                              "(check [contracts] reset in the plan)")

    def seed(self, data: dict[str, Any], replace: bool = False) -> None:
        """The scenario's starting rows, loaded by every reset process in turn (the first builds a shared
        database; the others find those rows there and skip them, or fill their own in-memory one);
        replace: a scenario's start, each process leaving its tables holding exactly these rows."""
        if self.loads_data:
            for base in self.resets:
                self._reset(base, {}, {"data": data, **({"replace": True} if replace else {})})

    def _reset(self, base: str, env: dict[str, str], only_data: dict[str, Any] | None = None) -> set[str]:
        """Reset `base` (env and hooks, then a new app); with `only_data`, load those rows into its current app
        (or, with "app", reset it onto that app)."""
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        body = {"env": env, "hooks": self.hooks, **(only_data or {})} if only_data is None or "app" in only_data \
            else only_data
        try:
            response = self.client.post(base.rstrip("/") + reset.PATH, json=body, headers=headers, timeout=reset.TIMEOUT_S)
        except httpx.TransportError as error:
            raise TargetError(f"{base} did not answer the reset ({type(error).__name__}: {error})") from error
        if response.status_code != 200:
            raise TargetError(f"{base}{reset.PATH} answered {response.status_code}: {response.text[:300]} "
                              f"(start it with {reset.ENABLE}=1 and the same DECOMPOSE_INTERNAL_SECRET)")
        return set(response.json().get("skipped", []))

    def send(self, request: Request, owner: str = "") -> Answer:
        base = self.urls.get(owner) or self.urls.get("*")
        if base is None and owner == UNROUTED:
            raise Unowned(f"no service owns {request.method} {request.target} (no analysed route matches it): "
                          "behind the gateway the monolith answers it")
        if base is None:
            raise TargetError(f"no URL for service {owner!r}, which owns {request.method} {request.target}")
        return _send(self.client, base.rstrip("/") + request.target, _for(base, request))

    def close(self) -> None:
        self.client.close()


LOOPBACK = ("localhost", "127.0.0.1", "::1")


def _for(base: str, request: Request) -> Request:
    """The request as `base` can take it: a recorded Host (the app's SERVER_NAME, build.DEFAULT_HOSTS) goes
    to a process on this machine, which answers whatever Host it is sent; a deployed URL routes by its
    own Host (API Gateway, a load balancer), so it keeps the one its URL gives."""
    if httpx.URL(base).host in LOOPBACK or not any(name == "host" for name, _ in request.headers):
        return request
    return Request(request.method, request.target, tuple(h for h in request.headers if h[0] != "host"), request.body)


class InProcessService:
    """Service `folder.name` in this process through chalice.test.Client (the requests it owns); every other
    request, and the other processes' resets, through `others`. `env`: the service's URLs and secret."""

    def __init__(self, folder: Path, env: dict[str, str], hooks: tuple[str, ...], others: Http) -> None:
        from chalice.test import Client

        os.environ.update(env)
        module = _import_service(folder)
        self.service, self.hooks, self.others = folder.name, list(hooks), others
        self.rebuild = module._rebuild
        self.launched = os.environ.get(appcall.VARIABLE)  # the world's app call (replay_world)
        self.client = Client(module.app, project_dir=str(folder))
        self.name = f"service {self.service} in-process (chalice.test.Client), the others by URL"

    def fresh(self, env: dict[str, str], app: str | None = None) -> None:
        """`app`: the scenario's own app call (its test's configuration), else the world's."""
        chosen = app or self.launched
        if chosen:
            os.environ[appcall.VARIABLE] = chosen
        else:
            os.environ.pop(appcall.VARIABLE, None)
        try:
            skipped = reset.apply(env, self.hooks, strict=False)
            self.rebuild()  # builds the app: a fresh database gets its tables here, before the others start
        except Exception as error:  # (hooks and the app are user code)
            raise TargetError(f"resetting service {self.service} in-process failed: {type(error).__name__}: {error}") from error
        reset.settle()
        self.others.fresh(env, ran=frozenset(set(self.hooks) - set(skipped)), app=app)

    def send(self, request: Request, owner: str = "") -> Answer:
        if owner != self.service:
            return self.others.send(request, owner)
        headers: dict[str, str] = {}
        for name, value in request.headers:
            key = name.lower()
            headers[key] = f"{headers[key]}{'; ' if key == 'cookie' else ', '}{value}" if key in headers else value
        try:
            response = self.client.http.request(request.method, request.target, headers=headers, body=request.body or b"")
        except Exception as error:  # (a crash in the service's code is the target's failure)
            raise TargetError(f"{type(error).__name__} in service {self.service}: {error}") from error
        return Answer(response.status_code, tuple(_pairs(response.headers)), response.body)

    def close(self) -> None:
        self.others.close()


def _pairs(headers: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = []
    for name, value in headers.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name.lower(), str(one)))
    return pairs


def _import_service(folder: Path) -> Any:
    """The generated app.py of one service (chalice puts the project folder on the path; so do we)."""
    app_file = folder / "app.py"
    if not app_file.is_file():
        raise UserError(f"{app_file}: no generated service here", "run 'decompose generate', or pass --services")
    sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location(f"decompose_service_{folder.name.replace('-', '_')}", app_file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # (generated and user-edited code)
        raise UserError(f"{app_file}: importing the service failed ({type(error).__name__}: {error})",
                        "run it with 'chalice local' in that folder to see the whole traceback") from error
    if not hasattr(module, "_rebuild"):
        raise UserError(f"{app_file}: this service predates contract replay (no _rebuild)",
                        "regenerate it with 'decompose generate' (your edits are kept)")
    return module
