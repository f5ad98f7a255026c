"""FastAPI: `FastAPI()` apps and `APIRouter(prefix=...)`, `@x.get/post/.../api_route`,
`add_api_route`, `include_router(router, prefix=...)` (prefixes concatenate), and sub-applications
mounted with Starlette's `app.mount("/path", app=sub_app)`."""

from decompose.frameworks.paths import join_plain
from decompose.frameworks.routers import DecoratorRoutes, Dialect, MountSpec

FASTAPI = Dialect(
    framework="fastapi",
    app_callees=("fastapi.FastAPI", "fastapi.applications.FastAPI"),
    router_callees=("fastapi.APIRouter", "fastapi.routing.APIRouter"),
    router_prefix_kw="prefix",
    mounts=(
        MountSpec("include_router", ("router", 0), ("prefix", None), overrides=False),
        MountSpec("mount", ("app", 1), ("path", 0), overrides=False),  # Starlette sub-application
    ),
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
