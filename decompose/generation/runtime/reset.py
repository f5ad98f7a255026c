"""A fresh start for one contract scenario, in one process (`decompose contracts verify`).

Every test of the monolith's suite began with a fresh system; a replayed scenario must too. Before
each scenario the verifier sends every process of the system under test

    POST /_decompose/reset   {"env": {"SHOP_DATABASE_URL": "sqlite:////tmp/.../scenario-7/shop.db", ...},
                              "hooks": ["shop.cache:clear", ...]}

and the process sets the environment, calls each hook whose module it has (a service has only its
own modules; the others' caches live elsewhere), and drops its app so the next request builds a new
one from the new environment. The in-process verifier calls `apply` directly.

The endpoint exists only when DECOMPOSE_CONTRACT_RESET=1 was set when the service started (local
runs and test stages, never production), and fails closed: it refuses every request without the
X-Decompose-Secret header equal to DECOMPOSE_INTERNAL_SECRET (503 when that is unset, auth.py), and
runs only what the plan's [contracts] table names (`Allowed`: the `reset` hooks and the
`[contracts.env]` keys). That list is the plan's as `decompose contracts verify` read it when it started
the process (DECOMPOSE_RESET_ALLOW, JSON {"hooks": [...], "env": [...]}: a plan edited or completed by
`contracts record` after generation counts without regenerating), else the one written at generation.
A value that does not parse allows nothing. A request naming any other hook or variable, or one of
decompose's own control variables, is refused whole (403 naming it): nothing is set, nothing is called.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .auth import refusal

PATH = "/_decompose/reset"
# how long whoever asks for a reset waits for it (the verifier, the gateway passing it on): the first one
# may create and migrate a test database, and a fleet's processes flush a shared one one at a time
TIMEOUT_S = 300.0
ENABLE = "DECOMPOSE_CONTRACT_RESET"
ALLOW = "DECOMPOSE_RESET_ALLOW"
# the scenario's own folder, sent with every reset: a process started with SHARED=1 (the services of one
# fleet) keeps it, and builds its app's in-memory database as a file there (decompose_runtime.appcall)
SCRATCH = "DECOMPOSE_CONTRACT_SCRATCH"
SHARED = "DECOMPOSE_CONTRACT_SHARED"
# the scenario a rebuilding reset starts (its scratch folder), unset by one that names none: the processes of a
# fleet sharing one Django test database flush it once per scenario (decompose_runtime.django_data)
SCENARIO = "DECOMPOSE_CONTRACT_SCENARIO"
# set only by whoever starts the process, never by a reset (whatever a plan names)
CONTROL = frozenset({ENABLE, ALLOW, SHARED, SCENARIO, "DECOMPOSE_INTERNAL_SECRET", "DECOMPOSE_CONTRACT_APP",
                     "DECOMPOSE_CONTRACT_ROOT", "DECOMPOSE_CONTRACT_APPS"})
GENERATED = "the plan this service was generated from"


class HookError(RuntimeError):
    """A reset hook is misnamed or failed."""


def apply(env: dict[str, str], hooks: list[str], strict: bool = True) -> list[str]:
    """Set env, call every hook this process has; returns the hooks skipped (module not here).
    strict=False (a service): a module split between services may lack the hook's function here too;
    the verifier checks that every hook ran in at least one process."""
    os.environ.update(env)
    skipped = []
    for spec in hooks:
        module_name, _, name = spec.partition(":")
        if not _present(module_name):
            skipped.append(spec)
            continue
        function = getattr(importlib.import_module(module_name), name, None)
        if function is None and not strict:
            skipped.append(spec)
            continue
        if not callable(function):
            raise HookError(f"reset hook {spec}: {module_name} has no function {name!r}")
        function()
    return skipped


def _present(module_name: str) -> bool:
    try:
        return importlib.util.find_spec(module_name) is not None
    except (ImportError, ValueError):
        return False


@dataclass(frozen=True)
class Allowed:
    """What a reset request may name: the plan's [contracts] reset hooks and [contracts.env] keys."""

    hooks: frozenset[str] = frozenset()
    env: frozenset[str] = frozenset()
    origin: str = GENERATED  # whose list it is, for the refusal's message

    @classmethod
    def of(cls, hooks: Iterable[str] = (), env: Iterable[str] = (), origin: str = GENERATED) -> Allowed:
        return cls(frozenset(hooks), frozenset(env), origin)

    def refusal(self, env: dict[str, Any], hooks: list[Any]) -> str | None:
        for key in sorted(map(str, env)):
            if key in CONTROL:
                return f"{key!r} is decompose's own control variable: no reset may set it"
            if key not in self.env:
                return f"{key!r} is not a [contracts.env] key of {self.origin}"
        for hook in map(str, hooks):
            if hook not in self.hooks:
                return f"{hook!r} is not a [contracts] reset hook of {self.origin}"
        return None


def launched(generated: Allowed, environ: Any = None) -> Allowed:
    """The allow-list the process was started with (DECOMPOSE_RESET_ALLOW), else `generated`; a value that is
    not {"hooks": [strings], "env": [strings]} allows nothing (fail closed)."""
    raw = (os.environ if environ is None else environ).get(ALLOW)
    if raw is None:
        return generated
    origin = f"the plan as {ALLOW} gave it"
    try:
        value = json.loads(raw)
        hooks, env = value.get("hooks", []), value.get("env", [])
        if not all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in (hooks, env)):
            raise TypeError("hooks and env must be lists of strings")
    except (ValueError, TypeError, AttributeError, RecursionError):
        return Allowed(origin=f"{ALLOW}, which is not {{\"hooks\": [...], \"env\": [...]}} (nothing is allowed)")
    return Allowed.of(hooks, env, origin)


def _folder(value: Any) -> bool:
    return isinstance(value, str) and os.path.isabs(value) and os.path.isdir(value)


def enabled() -> bool:
    return os.environ.get(ENABLE) == "1"


def handle(headers: Any, body: bytes | None, rebuild: Callable[[], None], allowed: Allowed,
           seed: Callable[..., int] | None = None,
           choose: Callable[[Any], str | None] | None = None) -> tuple[int, dict[str, Any]]:
    """The endpoint's logic, independent of the web framework: (status, JSON answer). A body with
    "data" (a scenario's starting rows) is loaded by `seed` after the rebuild, and a body of "data"
    alone (rows a test added between two requests) into the current app without one; a process
    without a loader refuses it (400) rather than answer a scenario from an emptier database.
    "replace": true (a scenario's start) asks `seed(data, replace=True)`: its tables hold exactly those rows.
    A rebuilding reset's "app" (a scenario whose test built the app with another configuration) goes to
    `choose` (decompose_runtime.appcall.Chooser: only a call the process was started allowing), which answers
    why not (403); without "app" it restores the app the process was started with."""
    refused = refusal(headers, iam=False)
    if refused:
        return refused[0], {"message": refused[1]}
    try:
        request = json.loads(body or b"{}")
        env, hooks = request.get("env", {}), request.get("hooks", [])
        if not isinstance(env, dict) or not isinstance(hooks, list):
            raise TypeError("env must be an object and hooks a list")
    except (ValueError, TypeError, AttributeError, RecursionError) as error:
        return 400, {"message": f'the body must be {{"env": {{...}}, "hooks": [...]}} ({type(error).__name__})'}
    env = dict(env)
    scratch = env.pop(SCRATCH, None)  # not the plan's: kept only where it means something (shared_scratch)
    if scratch is not None and not _folder(scratch):
        return 400, {"message": f"{SCRATCH} must name an existing folder by its absolute path"}
    allowed = launched(allowed)
    wrong = allowed.refusal(env, hooks)
    if wrong:
        again = "regenerate the service after changing the plan" if allowed.origin == GENERATED else "check the plan's [contracts] table"
        return 403, {"message": f"{wrong}: nothing was reset ({again})"}
    data = request.get("data")
    if data is not None and (seed is None or not isinstance(data, dict)):
        return 400, {"message": "this process cannot load starting data" if seed is None else "data must be an object"}
    rebuilds = data is None or "env" in request or "hooks" in request
    why = choose(request.get("app")) if choose is not None and rebuilds else None
    if why:
        return 403, {"message": why}
    if scratch is not None and os.environ.get(SHARED) == "1":
        env[SCRATCH] = scratch
    try:
        skipped = apply({str(k): str(v) for k, v in env.items()}, [str(h) for h in hooks], strict=False)
    except Exception as error:  # noqa: BLE001  (the verifier shows it: a hook is user code)
        return 500, {"message": f"{type(error).__name__}: {error}"}
    if rebuilds:
        _start_scenario(scratch)
        rebuild()  # a body of data alone loads rows into the current app: a scenario's rows between requests
    answer: dict[str, Any] = {"skipped": skipped}
    if data is not None:
        try:
            answer["loaded"] = seed(data, replace=request.get("replace") is True)
        except Exception as error:  # noqa: BLE001  (the app's database: the verifier shows it)
            return 500, {"message": f"starting data: {type(error).__name__}: {error}"}
    settle()
    return 200, answer


def _start_scenario(scratch: str | None) -> None:
    if scratch is None:
        os.environ.pop(SCENARIO, None)
    else:
        os.environ[SCENARIO] = scratch


_frozen = []


def settle() -> None:
    """Collect the last scenario's garbage now, not in the middle of the next scenario's timed requests.

    A full collection walks every object of the process: with the app's libraries imported it took
    ~200 ms. So after the first one, what survived (modules, the first app) is frozen out of later
    collections (gc.freeze), which then walk only what scenarios created since.
    """
    gc.collect()
    if not _frozen:
        gc.freeze()
        _frozen.append(True)
