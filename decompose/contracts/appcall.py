"""A generated service builds the monolith's app the way the contracts' world says when it replays them.

The monolith's suite built its app with a configuration (flasky's `create_app('testing')`, microblog-api's
`create_app(TestConfig)`); `contracts record` writes that call into the plan's [contracts] app, and
`contracts verify` hands it to every service it starts as DECOMPOSE_CONTRACT_APP. A service's
chalicelib/framework.py then builds its app through `build`:

    built = appcall.build(create_app, "app:create_app")   # create_app(config_name='testing') while replaying,
                                                           # create_app() when deployed (the variable is unset)

Only a call of that same factory applies (a spec naming another module or function is not this
service's app), and its arguments are literals and module.Name references only
(decompose_runtime.sightings.arguments): nothing else is evaluated.

Standard library only: this module runs in the monolith's interpreter (Python 3.9+), in the shared layer.
"""

from __future__ import annotations

import os
from typing import Any, Callable

from . import sightings

VARIABLE = "DECOMPOSE_CONTRACT_APP"
ROOT = "DECOMPOSE_CONTRACT_ROOT"  # the monolith's folder: where a configuration class of its tests is found


class AppCallError(RuntimeError):
    """The world's app spec names this factory but its arguments cannot be read."""


def arguments_for(element: str, spec: str | None, root: str | None = None) -> tuple[list[Any], dict[str, Any]]:
    """The arguments `spec` ("module:factory(...)") gives the factory `element` ("module:factory"); none when
    the spec is unset, names another factory or has no call. A module.Name the service cannot import
    (a class of the monolith's tests) is loaded from its file under `root`."""
    if not spec:
        return [], {}
    module, name, call = sightings.split(spec)
    if f"{module}:{name}" != element or call is None:
        return [], {}
    try:
        return sightings.arguments(call, root)
    except (ValueError, SyntaxError, AttributeError, ImportError) as error:
        raise AppCallError(f"{VARIABLE}={spec!r}: its arguments: {error} (fix [contracts] app in the plan)") from error


def build(factory: Callable[..., Any], element: str, environ: Any = None) -> Any:
    """The app `factory` builds, with the contracts' world's arguments when it names this factory."""
    environ = os.environ if environ is None else environ
    args, kwargs = arguments_for(element, environ.get(VARIABLE), environ.get(ROOT))
    return factory(*args, **kwargs)
