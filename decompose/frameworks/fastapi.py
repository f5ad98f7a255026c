"""FastAPI: `FastAPI()` apps and `APIRouter(prefix=...)`, `@x.get/post/.../api_route`,
`add_api_route`, and `include_router(router, prefix=...)` (prefixes concatenate)."""

from decompose.frameworks.paths import join_plain
from decompose.frameworks.routers import DecoratorRoutes, Dialect

FASTAPI = Dialect(
    framework="fastapi",
    app_callees=("fastapi.FastAPI", "fastapi.applications.FastAPI"),
    router_callees=("fastapi.APIRouter", "fastapi.routing.APIRouter"),
    router_prefix_kw="prefix",
    mount_method="include_router",
    mount_prefix_kw="prefix",
    mount_overrides=False,
    decorator_methods={
        "api_route": None, "get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH",
        "delete": "DELETE", "head": "HEAD", "options": "OPTIONS",
    },
    add_method="add_api_route",
    add_view=("endpoint", 1),
    join=join_plain,
)


def detector() -> DecoratorRoutes:
    return DecoratorRoutes(FASTAPI)
