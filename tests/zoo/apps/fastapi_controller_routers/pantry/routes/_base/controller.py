"""Class-based views: `@controller(router)` on a class whose methods carry `@router.get(...)`.

The method decorators registered plain functions that take `self`; the decorator takes those routes
off the router, rebuilds each with an endpoint that asks FastAPI for an instance of the class (its
`__init__` parameters are dependencies), and includes them back under the router's prefix, which it
clears (the router's own routes now carry it)."""

import functools
import inspect

from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute


def controller(router: APIRouter):
    def decorate(cls):
        methods = {func for _, func in inspect.getmembers(cls, inspect.isfunction)}
        own = [r for r in router.routes if isinstance(r, APIRoute) and r.endpoint in methods]
        views = APIRouter()
        for route in own:
            router.routes.remove(route)
            views.add_api_route(
                route.path[len(router.prefix):],
                _bound(cls, route.endpoint),
                methods=sorted(route.methods),
                response_model=route.response_model,
                status_code=route.status_code,
                name=route.name,
            )
        prefix, router.prefix = router.prefix, ""
        router.include_router(views, prefix=prefix)
        return cls

    return decorate


def _bound(cls, func):
    signature = inspect.signature(func)
    params = list(signature.parameters.values())
    view = inspect.Parameter("controller_instance", inspect.Parameter.KEYWORD_ONLY, default=Depends(cls))
    rest = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in params[1:]]

    @functools.wraps(func)
    def endpoint(**kwargs):
        instance = kwargs.pop("controller_instance")
        return func(instance, **kwargs)

    endpoint.__signature__ = signature.replace(parameters=[view, *rest])
    return endpoint
